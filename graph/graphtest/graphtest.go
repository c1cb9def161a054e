// Package graphtest is the conformance suite every graph.Store backend runs: one call to Run
// from the backend's own test, with a function that opens an empty store.
//
//	func TestConformance(t *testing.T) {
//		graphtest.Run(t, func(t *testing.T) graph.Store {
//			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// The suite uses the project's SBOM corpus (testdata/corpus) and small handmade documents.
// Every test goes through the graph.Store interface only, so it holds for any backend; a
// backend passes RefNormalization by normalising every Ref and image name it is given
// (graph.Ref.Normalize, graph.NormalizeImage), as graph.Store requires.
package graphtest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// Run runs the conformance suite. open is called once per subtest and must return an empty
// store; Run closes it when the subtest ends (Close must tolerate being called twice).
func Run(t *testing.T, open func(t *testing.T) graph.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s graph.Store)
	}{
		{"RoundTrip/Handmade", testRoundTripHandmade},
		{"RoundTrip/Corpus", testRoundTripCorpus},
		{"RoundTrip/NoDigest", testNoDigest},
		{"Idempotent", testIdempotent},
		{"Conflict", testConflict},
		{"Replace", testReplace},
		{"Delete", testDelete},
		{"Ordering", testOrdering},
		{"Refs", testRefs},
		{"RefNormalization", testRefNormalization},
		{"Images", testImages},
		{"NotFound", testNotFound},
		{"Invalid", testInvalid},
		{"Components", testComponents},
		{"Occurrences/Handmade", testOccurrencesHandmade},
		{"Occurrences/Corpus", testOccurrencesCorpus},
		{"Concurrent", testConcurrent},
		{"Cancel", testCancel},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

var ctx = context.Background()

// checkDoc reads ref back and compares it with want.
func checkDoc(t *testing.T, s graph.Store, ref graph.Ref, want *sbom.Document) {
	t.Helper()
	got, err := s.Document(ctx, ref)
	if err != nil {
		t.Fatalf("Document(%s): %v", ref, err)
	}
	if d := sameDoc(want, got); d != "" {
		t.Errorf("Document(%s) differs from what was put: %s", ref, d)
	}
	if v, ok := s.(graph.Viewer); ok {
		view, err := v.View(ctx, ref)
		if err != nil {
			t.Fatalf("View(%s): %v", ref, err)
		}
		if d := sameDoc(withoutLocalIDs(got), fromView(view)); d != "" {
			t.Errorf("View(%s) differs from Document: %s", ref, d)
		}
	}
}

// fromView copies a View into a Document.
func fromView(v *graph.View) *sbom.Document {
	d := &sbom.Document{Source: v.Source, Subject: v.Subject, Warnings: v.Warnings, Edges: v.Edges, Root: v.Root,
		Components: make([]sbom.Component, len(v.Components))}
	for i, c := range v.Components {
		d.Components[i] = *c
	}
	return d
}

// withoutLocalIDs returns a copy of d whose components have no LocalID, as a View's.
func withoutLocalIDs(d *sbom.Document) *sbom.Document {
	out := *d
	out.Components = slices.Clone(d.Components)
	for i := range out.Components {
		out.Components[i].LocalID = ""
	}
	return &out
}

// checkVersion compares a stored version's summary with the document put.
func checkVersion(t *testing.T, v graph.Version, ref graph.Ref, doc *sbom.Document) {
	t.Helper()
	if v.Ref() != ref {
		t.Errorf("version ref = %s, want %s", v.Ref(), ref)
	}
	if doc.Source.Digest != "" && v.SBOMDigest != doc.Source.Digest {
		t.Errorf("%s: SBOMDigest = %q, want %q", ref, v.SBOMDigest, doc.Source.Digest)
	}
	if v.Components != doc.Entries() || v.Unique != doc.Unique() || v.Edges != len(Normalize(doc).Edges) {
		t.Errorf("%s: counts components/unique/edges = %d/%d/%d, want %d/%d/%d", ref,
			v.Components, v.Unique, v.Edges, doc.Entries(), doc.Unique(), len(Normalize(doc).Edges))
	}
	if v.Source.Digest != doc.Source.Digest || v.Source.Format != doc.Source.Format || v.Subject != doc.Subject {
		t.Errorf("%s: source/subject = %+v/%+v, want %+v/%+v", ref, v.Source, v.Subject, doc.Source, doc.Subject)
	}
	if len(v.Warnings) != len(doc.Warnings) {
		t.Errorf("%s: %d warnings, want %d", ref, len(v.Warnings), len(doc.Warnings))
	}
	if v.Seq <= 0 || v.Ingested.IsZero() {
		t.Errorf("%s: Seq %d, Ingested %v: want both set", ref, v.Seq, v.Ingested)
	}
}

func testRoundTripHandmade(t *testing.T, s graph.Store) {
	docs := map[string]*sbom.Document{
		"example.com/app:1.0":  appDoc(t, "example.com/app", 1),
		"example.com/app:2.0":  appDoc(t, "example.com/app", 2),
		"example.com/gen:1":    genDoc(t, "example.com/gen", 50),
		"example.com/empty:1":  build(t, "empty", "", nil, nil),
		"example.com/noroot:1": build(t, "noroot", "", []spec{{ref: "a", purl: "pkg:pypi/requests@2.31.0"}, {ref: "b", purl: "pkg:pypi/urllib3@2.0.7"}}, []edge{{"a", "b", 0}}),
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range docs {
			if !yield(k) {
				return
			}
		}
	}) {
		ref := mustRef(t, name)
		v, created, err := s.Put(ctx, ref, docs[name], graph.PutOptions{})
		if err != nil || !created {
			t.Fatalf("Put(%s) = created %v, %v", name, created, err)
		}
		checkVersion(t, v, ref, docs[name])
		got, err := s.Version(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if got.Seq != v.Seq || !got.Ingested.Equal(v.Ingested) || got.SBOMDigest != v.SBOMDigest {
			t.Errorf("Version(%s) = %+v, Put returned %+v", name, got, v)
		}
	}
	// Read everything back after all the puts, so shared components cannot leak between
	// versions.
	for name, doc := range docs {
		checkDoc(t, s, mustRef(t, name), doc)
	}
}

func testRoundTripCorpus(t *testing.T, s graph.Store) {
	docs := Corpus(t)
	refs := make([]graph.Ref, len(docs))
	for i, d := range docs {
		refs[i] = graph.Ref{Image: "corpus/" + strings.ReplaceAll(d.File, "/", "-"), Tag: "v1"}
		v, created, err := s.Put(ctx, refs[i], d.Doc, graph.PutOptions{})
		if err != nil || !created {
			t.Fatalf("Put(%s) = created %v, %v", d.File, created, err)
		}
		checkVersion(t, v, refs[i], d.Doc)
	}
	for i, d := range docs {
		t.Run(d.File, func(t *testing.T) { checkDoc(t, s, refs[i], d.Doc) })
	}
}

func testNoDigest(t *testing.T, s graph.Store) {
	doc := genDoc(t, "nodigest", 5)
	doc.Source.Digest = ""
	ref := mustRef(t, "example.com/nodigest:1")
	v, created, err := s.Put(ctx, ref, doc, graph.PutOptions{})
	if err != nil || !created {
		t.Fatalf("Put = %v, %v", created, err)
	}
	if v.SBOMDigest == "" {
		t.Error("a document without Source.Digest got no SBOMDigest")
	}
	v2, created, err := s.Put(ctx, ref, doc, graph.PutOptions{})
	if err != nil || created || v2.Seq != v.Seq {
		t.Errorf("re-Put of the same digest-less document = created %v, seq %d (first %d), %v; want a no-op", created, v2.Seq, v.Seq, err)
	}
	other := genDoc(t, "nodigest", 6)
	other.Source.Digest = ""
	if _, _, err := s.Put(ctx, ref, other, graph.PutOptions{}); !errors.Is(err, graph.ErrConflict) {
		t.Errorf("Put of a different digest-less document = %v, want ErrConflict", err)
	}
	checkDoc(t, s, ref, doc)
}

func testIdempotent(t *testing.T, s graph.Store) {
	ref := mustRef(t, "example.com/app:1.0")
	doc := appDoc(t, "example.com/app", 1)
	v1, created, err := s.Put(ctx, ref, doc, graph.PutOptions{})
	if err != nil || !created {
		t.Fatalf("first Put = %v, %v", created, err)
	}
	for _, opts := range []graph.PutOptions{{}, {Replace: true}, {Created: at(time.Hour)}} {
		v2, created, err := s.Put(ctx, ref, doc, opts)
		if err != nil || created {
			t.Fatalf("re-Put(%+v) = created %v, %v; want a no-op", opts, created, err)
		}
		if v2.Seq != v1.Seq || !v2.Ingested.Equal(v1.Ingested) || v2.OrderBasis != v1.OrderBasis {
			t.Errorf("re-Put returned %+v, want the stored %+v", v2, v1)
		}
	}
	vs, err := s.Versions(ctx, ref.Image)
	if err != nil || len(vs) != 1 {
		t.Fatalf("Versions = %d, %v; want 1", len(vs), err)
	}
	occ, err := s.Occurrences(ctx, []string{"pkg:npm/express@4.18.2"})
	if err != nil || len(occ) != 1 {
		t.Errorf("Occurrences after re-put = %d, %v; want 1", len(occ), err)
	}
	checkDoc(t, s, ref, doc)
}

func testConflict(t *testing.T, s graph.Store) {
	ref := mustRef(t, "example.com/app:1.0")
	a, b := appDoc(t, "example.com/app", 1), appDoc(t, "example.com/app", 2)
	putOK(t, s, ref.String(), a, graph.PutOptions{})
	_, created, err := s.Put(ctx, ref, b, graph.PutOptions{})
	if !errors.Is(err, graph.ErrConflict) || created {
		t.Fatalf("Put of a different SBOM = %v, %v; want ErrConflict", created, err)
	}
	checkDoc(t, s, ref, a)
	occ, err := s.Occurrences(ctx, []string{"pkg:npm/qs-extra@1.0.0"})
	if err != nil || len(occ) != 0 {
		t.Errorf("the rejected SBOM left %d occurrences (%v)", len(occ), err)
	}
}

func testReplace(t *testing.T, s graph.Store) {
	ref := mustRef(t, "example.com/app:1.0")
	a, b := appDoc(t, "example.com/app", 1), appDoc(t, "example.com/app", 2)
	va := putOK(t, s, ref.String(), a, graph.PutOptions{})
	putOK(t, s, "example.com/other:1", genDoc(t, "other", 3), graph.PutOptions{})
	vb, created, err := s.Put(ctx, ref, b, graph.PutOptions{Replace: true})
	if err != nil || !created {
		t.Fatalf("Put with Replace = %v, %v", created, err)
	}
	if vb.SBOMDigest != b.Source.Digest || vb.Seq == va.Seq {
		t.Errorf("replaced version = %+v", vb)
	}
	checkDoc(t, s, ref, b)
	vs, err := s.Versions(ctx, ref.Image)
	if err != nil || len(vs) != 1 || vs[0].SBOMDigest != b.Source.Digest {
		t.Fatalf("Versions after replace = %+v, %v", vs, err)
	}
	// Only in a: gone everywhere. Only in b: present. In both: once.
	for id, want := range map[string]int{"pkg:npm/ms@2.0.0": 0, "pkg:npm/debug@2.6.10": 1, "pkg:npm/qs-extra@1.0.0": 1, "pkg:npm/qs@6.11.0": 1} {
		occ, err := s.Occurrences(ctx, []string{id})
		if err != nil || len(occ) != want {
			t.Errorf("Occurrences(%s) after replace = %d, %v; want %d", id, len(occ), err, want)
		}
		comps, err := s.Components(ctx, graph.ComponentQuery{Purl: id})
		if err != nil || len(comps) != want {
			t.Errorf("Components(%s) after replace = %d, %v; want %d", id, len(comps), err, want)
		}
	}
	checkDoc(t, s, mustRef(t, "example.com/other:1"), genDoc(t, "other", 3))
}

func testDelete(t *testing.T, s graph.Store) {
	a, b := appDoc(t, "example.com/app", 1), appDoc(t, "example.com/app", 2)
	putOK(t, s, "example.com/app:1.0", a, graph.PutOptions{})
	putOK(t, s, "example.com/app:2.0", b, graph.PutOptions{})
	ref := mustRef(t, "example.com/app:1.0")
	if err := s.Delete(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Version(ctx, ref); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Version after Delete = %v, want ErrNotFound", err)
	}
	if _, err := s.Document(ctx, ref); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Document after Delete = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, ref); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("second Delete = %v, want ErrNotFound", err)
	}
	for id, want := range map[string]int{"pkg:npm/ms@2.0.0": 0, "pkg:npm/express@4.18.2": 1, "pkg:npm/debug@2.6.9": 1} {
		occ, err := s.Occurrences(ctx, []string{id})
		if err != nil || len(occ) != want {
			t.Errorf("Occurrences(%s) after Delete = %d, %v; want %d", id, len(occ), err, want)
		}
		for _, o := range occ {
			if o.Version.Tag != "2.0" {
				t.Errorf("Occurrences(%s) reports the deleted version: %+v", id, o.Version.Ref())
			}
		}
	}
	checkDoc(t, s, mustRef(t, "example.com/app:2.0"), b)
	v2, err := s.Version(ctx, mustRef(t, "example.com/app:2.0"))
	if err != nil {
		t.Fatal(err)
	}
	checkLatest(t, s, map[string]int64{"example.com/app": v2.Seq})
	// Deleting the last version removes the image; putting it again works.
	if err := s.Delete(ctx, mustRef(t, "example.com/app:2.0")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Versions(ctx, "example.com/app"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Versions of an emptied image = %v, want ErrNotFound", err)
	}
	if imgs, err := s.Images(ctx); err != nil || len(imgs) != 0 {
		t.Errorf("Images after deleting everything = %+v, %v", imgs, err)
	}
	if got, err := s.Latest(ctx, []string{"example.com/app"}); err != nil || len(got) != 0 {
		t.Errorf("Latest of an emptied image = %v, %v; want an empty map", got, err)
	}
	putOK(t, s, "example.com/app:1.0", a, graph.PutOptions{})
	checkDoc(t, s, ref, a)
}

func testOrdering(t *testing.T, s graph.Store) {
	const img = "example.com/order"
	withCreated := func(name string, c time.Time) *sbom.Document {
		d := genDoc(t, name, 3)
		d.Source.Created = c
		return d
	}
	// Put order: b, a, c, d, e. Expected order: created times first where known (they are in
	// the past), the ingest-ordered ones after, among themselves in put order.
	steps := []struct {
		tag     string
		doc     *sbom.Document
		opts    graph.PutOptions
		basis   graph.OrderBasis
		created time.Time
	}{
		{"b", withCreated("b", at(2*time.Hour)), graph.PutOptions{}, graph.OrderCreated, at(2 * time.Hour)},
		{"a", withCreated("a", at(3*time.Hour)), graph.PutOptions{Created: at(time.Hour)}, graph.OrderCreated, at(time.Hour)},
		{"c", genDoc(t, "c", 3), graph.PutOptions{}, graph.OrderIngested, time.Time{}},
		{"d", genDoc(t, "d", 3), graph.PutOptions{}, graph.OrderIngested, time.Time{}},
		{"e", withCreated("e", at(3*time.Hour).In(time.FixedZone("X", 3600))), graph.PutOptions{}, graph.OrderCreated, at(3 * time.Hour)},
	}
	for _, st := range steps {
		v := putOK(t, s, img+":"+st.tag, st.doc, st.opts)
		if v.OrderBasis != st.basis || !v.Created.Equal(st.created) {
			t.Errorf("%s: basis %q created %v, want %q %v", st.tag, v.OrderBasis, v.Created, st.basis, st.created)
		}
	}
	vs, err := s.Versions(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, v := range vs {
		tags = append(tags, v.Tag)
	}
	if got, want := strings.Join(tags, ","), "a,b,e,c,d"; got != want {
		t.Errorf("Versions order = %s, want %s", got, want)
	}
	for i := 1; i < len(vs); i++ {
		if !vs[i-1].Before(&vs[i]) {
			t.Errorf("Versions[%d] (%s) is not Before Versions[%d] (%s)", i-1, vs[i-1].Tag, i, vs[i].Tag)
		}
	}
	if vs[3].Seq >= vs[4].Seq || !vs[3].Ingested.Before(vs[4].Ingested) {
		t.Errorf("ingest-ordered versions: c seq %d at %v, d seq %d at %v", vs[3].Seq, vs[3].Ingested, vs[4].Seq, vs[4].Ingested)
	}
	checkLatest(t, s, map[string]int64{img: vs[4].Seq})
	seqs := map[int64]bool{}
	for _, v := range vs {
		if seqs[v.Seq] {
			t.Errorf("duplicate Seq %d", v.Seq)
		}
		seqs[v.Seq] = true
	}
	// Occurrences of the shared component follow the same order.
	occ, err := s.Occurrences(ctx, []string{"pkg:deb/debian/base-files@12.4?arch=amd64"})
	if err != nil {
		t.Fatal(err)
	}
	tags = tags[:0]
	for _, o := range occ {
		tags = append(tags, o.Version.Tag)
	}
	if got, want := strings.Join(tags, ","), "a,b,e,c,d"; got != want {
		t.Errorf("Occurrences order = %s, want %s", got, want)
	}
}

func testRefs(t *testing.T, s graph.Store) {
	const img = "registry.example.com:5000/team/app"
	d1, d2, d3 := digestOf("image 1"), digestOf("image 2"), digestOf("image 3")
	docs := map[string]*sbom.Document{}
	put := func(ref string, created time.Duration) {
		docs[ref] = genDoc(t, ref, 2)
		putOK(t, s, ref, docs[ref], graph.PutOptions{Created: at(created)})
	}
	put(img+":1.0@"+d1, 0)
	put(img+":latest@"+d2, time.Hour)
	put(img+":1.1@"+d2, time.Hour) // the same image under two tags
	put(img+":latest@"+d3, 2*time.Hour)
	put(img+"@"+d1, 3*time.Hour) // digest only: a version of its own
	put(img+":edge", 4*time.Hour)

	cases := []struct {
		ref  string
		want string // the version's own ref
	}{
		{img + ":1.0@" + d1, img + ":1.0@" + d1},
		{img + ":1.0", img + ":1.0@" + d1},
		{img + ":latest", img + ":latest@" + d3}, // the last "latest" in order
		{img + ":latest@" + d2, img + ":latest@" + d2},
		{img + "@" + d2, img + ":1.1@" + d2}, // the last of the versions with that digest
		{img + "@" + d1, img + "@" + d1},
		{img + ":edge", img + ":edge"},
	}
	for _, c := range cases {
		v, err := s.Version(ctx, mustRef(t, c.ref))
		if err != nil {
			t.Errorf("Version(%s): %v", c.ref, err)
			continue
		}
		if v.Ref().String() != c.want {
			t.Errorf("Version(%s) = %s, want %s", c.ref, v.Ref(), c.want)
		}
		checkDoc(t, s, mustRef(t, c.ref), docs[c.want])
	}
	for _, ref := range []string{img + ":1.0@" + d2, img + ":2.0", img + "@" + digestOf("nothing"), "example.com/none:1.0"} {
		if _, err := s.Version(ctx, mustRef(t, ref)); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("Version(%s) = %v, want ErrNotFound", ref, err)
		}
	}
	// Deleting by tag only deletes the version that tag resolves to.
	if err := s.Delete(ctx, mustRef(t, img+":latest")); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Version(ctx, mustRef(t, img+":latest")); err != nil || v.Digest != d2 {
		t.Errorf("Version(latest) after deleting the newest = %v, %v; want digest %s", v.Ref(), err, d2)
	}
}

// testRefNormalization checks that every entry point reads image references in normal form
// (graph.Ref.Normalize, graph.NormalizeImage), whether or not they came through ParseRef:
// "alpine:3.17" and "docker.io/library/alpine:3.17" name one version, whichever spelling
// stored it, and what the store returns carries the normal form. A backend passes by calling
// Ref.Normalize (or NormalizeImage) on every Ref (or image name) it is given.
func testRefNormalization(t *testing.T, s graph.Store) {
	doc, other := genDoc(t, "alpine-3.17", 3), genDoc(t, "alpine-3.17-rebuilt", 4)
	spellings := []graph.Ref{
		{Image: "alpine", Tag: "3.17"},
		{Image: "library/alpine", Tag: "3.17"},
		{Image: "docker.io/alpine", Tag: "3.17"},
		{Image: "docker.io/library/alpine", Tag: "3.17"},
		{Image: "index.docker.io/library/alpine", Tag: "3.17"},
		{Image: " Docker.IO/library/alpine", Tag: "3.17"},
	}
	v, created, err := s.Put(ctx, spellings[4], doc, graph.PutOptions{})
	if err != nil || !created {
		t.Fatalf("Put(%s) = %v, %v", spellings[4], created, err)
	}
	want := graph.Ref{Image: "alpine", Tag: "3.17"}
	if v.Ref() != want {
		t.Errorf("Put(%s) stored %s, want %s", spellings[4], v.Ref(), want)
	}
	for _, ref := range spellings {
		got, err := s.Version(ctx, ref)
		if err != nil || got.Seq != v.Seq || got.Ref() != want {
			t.Errorf("Version(%q) = %s (seq %d), %v; want %s (seq %d)", ref.Image, got.Ref(), got.Seq, err, want, v.Seq)
		}
		checkDoc(t, s, ref, doc)
		if again, created, err := s.Put(ctx, ref, doc, graph.PutOptions{}); err != nil || created || again.Seq != v.Seq {
			t.Errorf("re-Put(%q) = created %v, seq %d, %v; want the stored version (seq %d)", ref.Image, created, again.Seq, err, v.Seq)
		}
		if _, _, err := s.Put(ctx, ref, other, graph.PutOptions{}); !errors.Is(err, graph.ErrConflict) {
			t.Errorf("Put(%q) of another SBOM = %v, want ErrConflict: it is the same version", ref.Image, err)
		}
		if vs, err := s.Versions(ctx, ref.Image); err != nil || len(vs) != 1 || vs[0].Seq != v.Seq {
			t.Errorf("Versions(%q) = %d versions, %v; want the one stored", ref.Image, len(vs), err)
		}
	}
	imgs, err := s.Images(ctx)
	if err != nil || len(imgs) != 1 || imgs[0].Name != "alpine" || imgs[0].Versions != 1 || imgs[0].Latest.Image != "alpine" {
		t.Errorf("Images = %+v, %v; want alpine with 1 version", imgs, err)
	}
	occ, err := s.Occurrences(ctx, []string{"pkg:deb/debian/base-files@12.4?arch=amd64"})
	if err != nil || len(occ) != 1 || occ[0].Version.Image != "alpine" {
		t.Errorf("Occurrences = %+v, %v; want one, in alpine", occ, err)
	}

	// Registry hosts are case-insensitive, digests are lower-case hex, tags are case-sensitive.
	lower := digestOf("app 1")
	upper := "sha256:" + strings.ToUpper(strings.TrimPrefix(lower, "sha256:"))
	app := genDoc(t, "app-1", 2)
	v, created, err = s.Put(ctx, graph.Ref{Image: "Registry.Example.COM:5000/team/app", Tag: "1", Digest: upper}, app, graph.PutOptions{})
	if err != nil || !created {
		t.Fatalf("Put of a mixed-case reference = %v, %v", created, err)
	}
	if want := (graph.Ref{Image: "registry.example.com:5000/team/app", Tag: "1", Digest: lower}); v.Ref() != want {
		t.Errorf("stored %s, want %s", v.Ref(), want)
	}
	for _, ref := range []graph.Ref{
		{Image: "registry.example.com:5000/team/app", Digest: lower},
		{Image: "REGISTRY.example.com:5000/team/app", Tag: "1", Digest: upper},
	} {
		if got, err := s.Version(ctx, ref); err != nil || got.Seq != v.Seq {
			t.Errorf("Version(%s) = seq %d, %v; want seq %d", ref, got.Seq, err, v.Seq)
		}
	}
	if _, err := s.Version(ctx, graph.Ref{Image: "registry.example.com:5000/Team/app", Tag: "1"}); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Version with the path in another case = %v, want ErrNotFound: only the host is case-insensitive", err)
	}
	if _, err := s.Version(ctx, graph.Ref{Image: "registry.example.com:5000/team/app", Tag: "L"}); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Version of an unknown tag = %v, want ErrNotFound", err)
	}

	// Delete reads the reference the same way; what is left is still found by every spelling.
	if err := s.Delete(ctx, graph.Ref{Image: "docker.io/library/alpine", Tag: "3.17"}); err != nil {
		t.Fatalf("Delete(docker.io/library/alpine:3.17): %v", err)
	}
	for _, ref := range spellings {
		if _, err := s.Version(ctx, ref); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("Version(%q) after Delete = %v, want ErrNotFound", ref.Image, err)
		}
	}
	if _, err := s.Version(ctx, graph.Ref{Image: "registry.example.com:5000/team/app", Tag: "1"}); err != nil {
		t.Errorf("Delete of alpine removed another image's version: %v", err)
	}
	if _, _, err := s.Put(ctx, graph.Ref{Image: "docker.io/", Tag: "1"}, app, graph.PutOptions{}); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("Put of an image name that normalises to nothing = %v, want ErrInvalid", err)
	}
}

func testImages(t *testing.T, s graph.Store) {
	putOK(t, s, "b.example/two:1", genDoc(t, "two-1", 2), graph.PutOptions{Created: at(0)})
	putOK(t, s, "b.example/two:2", genDoc(t, "two-2", 2), graph.PutOptions{Created: at(time.Hour)})
	putOK(t, s, "b.example/two:0", genDoc(t, "two-0", 2), graph.PutOptions{Created: at(-time.Hour)})
	putOK(t, s, "a.example/one:x", genDoc(t, "one", 2), graph.PutOptions{})
	imgs, err := s.Images(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, im := range imgs {
		got = append(got, fmt.Sprintf("%s/%d/%s", im.Name, im.Versions, im.Latest.Tag))
		if im.Latest.Image != im.Name {
			t.Errorf("image %s: latest is of %s", im.Name, im.Latest.Image)
		}
	}
	if g, w := strings.Join(got, " "), "a.example/one/1/x b.example/two/3/2"; g != w {
		t.Errorf("Images = %s, want %s", g, w)
	}
	want := map[string]int64{}
	for _, im := range imgs {
		want[im.Name] = im.Latest.Seq
	}
	checkLatest(t, s, want)
}

// checkLatest checks Latest against want (image -> Seq of its latest version), asking for
// every image of want, a spelling of one that needs normalising, an image that does not
// exist, and nothing at all.
func checkLatest(t *testing.T, s graph.Store, want map[string]int64) {
	t.Helper()
	images := slices.Sorted(maps.Keys(want))
	got, err := s.Latest(ctx, append(images, "example.com/no-such-image"))
	if err != nil {
		t.Fatalf("Latest: %v", err)
	}
	if !maps.Equal(got, want) {
		t.Errorf("Latest = %v, want %v", got, want)
	}
	for _, im := range images {
		vs, err := s.Versions(ctx, im)
		if err != nil {
			t.Fatal(err)
		}
		if last := vs[len(vs)-1].Seq; want[im] != last {
			t.Errorf("Latest(%s) = %d, but the last of Versions is %d", im, want[im], last)
		}
		host, path, _ := strings.Cut(im, "/")
		if spelled := strings.ToUpper(host) + "/" + path; graph.NormalizeImage(spelled) == im {
			got, err := s.Latest(ctx, []string{spelled})
			if err != nil || got[spelled] != want[im] || len(got) != 1 {
				t.Errorf("Latest(%s) = %v, %v; want %s: %d", spelled, got, err, spelled, want[im])
			}
		}
	}
	if got, err := s.Latest(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("Latest(nil) = %v, %v; want an empty map", got, err)
	}
}

func testNotFound(t *testing.T, s graph.Store) {
	if _, err := s.Versions(ctx, "example.com/none"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Versions = %v", err)
	}
	ref := mustRef(t, "example.com/none:1")
	if _, err := s.Version(ctx, ref); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Version = %v", err)
	}
	if _, err := s.Document(ctx, ref); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Document = %v", err)
	}
	if v, ok := s.(graph.Viewer); ok {
		if _, err := v.View(ctx, ref); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("View = %v", err)
		}
	}
	if err := s.Delete(ctx, ref); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Delete = %v", err)
	}
	if imgs, err := s.Images(ctx); err != nil || len(imgs) != 0 {
		t.Errorf("Images of an empty store = %v, %v", imgs, err)
	}
	if occ, err := s.Occurrences(ctx, []string{"pkg:npm/none@1"}); err != nil || len(occ) != 0 {
		t.Errorf("Occurrences of nothing = %v, %v", occ, err)
	}
	if occ, err := s.Occurrences(ctx, nil); err != nil || len(occ) != 0 {
		t.Errorf("Occurrences(nil) = %v, %v", occ, err)
	}
	if c, err := s.Components(ctx, graph.ComponentQuery{Key: "pkg:npm/none"}); err != nil || len(c) != 0 {
		t.Errorf("Components of nothing = %v, %v", c, err)
	}
}

func testInvalid(t *testing.T, s graph.Store) {
	doc := genDoc(t, "x", 2)
	bad := *doc
	bad.Edges = append(slices.Clone(doc.Edges), sbom.Edge{From: 0, To: len(doc.Components), Kind: sbom.DependsOn})
	badRoot := *doc
	badRoot.Root = len(doc.Components)
	noID := *doc
	noID.Components = append(slices.Clone(doc.Components), sbom.Component{Name: "nothing"})
	for name, c := range map[string]struct {
		ref graph.Ref
		doc *sbom.Document
	}{
		"no image":          {graph.Ref{Tag: "1"}, doc},
		"no tag nor digest": {graph.Ref{Image: "example.com/x"}, doc},
		"bad digest":        {graph.Ref{Image: "example.com/x", Digest: "sha256:xyz"}, doc},
		"nil document":      {graph.Ref{Image: "example.com/x", Tag: "1"}, nil},
		"edge out of range": {graph.Ref{Image: "example.com/x", Tag: "1"}, &bad},
		"root out of range": {graph.Ref{Image: "example.com/x", Tag: "1"}, &badRoot},
		"no identity":       {graph.Ref{Image: "example.com/x", Tag: "1"}, &noID},
	} {
		if _, _, err := s.Put(ctx, c.ref, c.doc, graph.PutOptions{}); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("%s: Put = %v, want ErrInvalid", name, err)
		}
	}
	if imgs, _ := s.Images(ctx); len(imgs) != 0 {
		t.Errorf("invalid puts stored %+v", imgs)
	}
	for _, q := range []graph.ComponentQuery{{}, {Purl: "pkg:npm/a@1", Key: "pkg:npm/a"}} {
		if _, err := s.Components(ctx, q); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("Components(%+v) = %v, want ErrInvalid", q, err)
		}
	}
	if _, err := s.Version(ctx, graph.Ref{Image: "example.com/x"}); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("Version without tag or digest = %v, want ErrInvalid", err)
	}
}

func testComponents(t *testing.T, s graph.Store) {
	a1, a2 := appDoc(t, "example.com/app", 1), appDoc(t, "example.com/app", 2)
	putOK(t, s, "example.com/app:1", a1, graph.PutOptions{})
	putOK(t, s, "example.com/app:2", a2, graph.PutOptions{})
	ids := func(cs []sbom.Component) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID())
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		q    graph.ComponentQuery
		want string
	}{
		{graph.ComponentQuery{Purl: "pkg:npm/debug@2.6.9"}, "pkg:npm/debug@2.6.9"},
		{graph.ComponentQuery{Purl: "pkg:deb/debian/libc6@2.36-9+deb12u3?distro=debian-12&arch=amd64"}, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12"},
		{graph.ComponentQuery{Key: "pkg:npm/debug"}, "pkg:npm/debug@2.6.10 pkg:npm/debug@2.6.9"},
		{graph.ComponentQuery{Key: "pkg:npm/nothing"}, ""},
		{graph.ComponentQuery{Name: "debug"}, "pkg:npm/debug@2.6.10 pkg:npm/debug@2.6.9"},
		{graph.ComponentQuery{Name: "/usr/local/bin/node"}, "content:file//%2Fusr%2Flocal%2Fbin%2Fnode@18.19.0"},
		{graph.ComponentQuery{Key: "content:file//%2Fusr%2Flocal%2Fbin%2Fnode"}, "content:file//%2Fusr%2Flocal%2Fbin%2Fnode@18.19.0"},
		// A content key is not a purl.
		{graph.ComponentQuery{Purl: "content:file//%2Fusr%2Flocal%2Fbin%2Fnode@18.19.0"}, ""},
	}
	for _, c := range cases {
		got, err := s.Components(ctx, c.q)
		if err != nil {
			t.Errorf("Components(%+v): %v", c.q, err)
			continue
		}
		if ids(got) != c.want {
			t.Errorf("Components(%+v) = %q, want %q", c.q, ids(got), c.want)
		}
	}
	// Attributes come from one occurrence as written there.
	got, err := s.Components(ctx, graph.ComponentQuery{Purl: "pkg:deb/debian/libc6@2.36-9+deb12u3?arch=amd64&distro=debian-12"})
	if err != nil || len(got) != 1 {
		t.Fatalf("Components(libc6) = %v, %v", got, err)
	}
	want := a1.Components[7]
	want.LocalID = ""
	if g := got[0]; g.Supplier != want.Supplier || g.Licenses != want.Licenses || !slices.Equal(g.CPEs, want.CPEs) ||
		!slices.Equal(g.Hashes, want.Hashes) || g.Type != want.Type || g.Key != want.Key || g.Ecosystem != want.Ecosystem || g.Name != want.Name {
		t.Errorf("Components(libc6) = %+v, want %+v", g, want)
	}
	// Returned slices are the caller's.
	got[0].CPEs[0] = "changed"
	again, _ := s.Components(ctx, graph.ComponentQuery{Purl: "pkg:deb/debian/libc6@2.36-9+deb12u3?arch=amd64&distro=debian-12"})
	if again[0].CPEs[0] == "changed" {
		t.Error("Components returned a slice the store still uses")
	}
}

// checkOccurrences checks Occurrences of every identity of every put document against
// ShortestPaths computed on the document itself.
func checkOccurrences(t *testing.T, s graph.Store, refs []graph.Ref, docs []*sbom.Document) {
	t.Helper()
	type key struct {
		ref graph.Ref
		id  string
	}
	want := map[key][]string{}
	wantComp := map[key]sbom.Component{}
	var all []string
	for i, doc := range docs {
		f := graph.ShortestPaths(doc)
		for _, pl := range f.Placements(doc) {
			k := key{refs[i], pl.ID}
			want[k] = f.Path(doc, pl.Node)
			c := doc.Components[pl.Node]
			c.LocalID, c.Metadata = "", false
			wantComp[k] = c
			all = append(all, pl.ID)
		}
	}
	occ, err := s.Occurrences(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(occ) != len(want) {
		t.Errorf("Occurrences = %d pairs, want %d", len(occ), len(want))
	}
	for i, o := range occ {
		id := o.Path[len(o.Path)-1]
		k := key{o.Version.Ref(), id}
		w, ok := want[k]
		if !ok {
			t.Errorf("unexpected occurrence of %s in %s", id, k.ref)
			continue
		}
		if !slices.Equal(o.Path, w) {
			t.Errorf("path of %s in %s = %q, want %q", id, k.ref, o.Path, w)
		}
		if o.Direct() != (len(w) == 1) {
			t.Errorf("%s in %s: Direct = %v, path %q", id, k.ref, o.Direct(), w)
		}
		if o.Component.ID() != id {
			t.Errorf("occurrence of %s carries component %s", id, o.Component.ID())
		}
		if d := sameDoc(&sbom.Document{Components: []sbom.Component{wantComp[k]}}, &sbom.Document{Components: []sbom.Component{o.Component}}); d != "" {
			t.Errorf("component %s in %s: %s", id, k.ref, d)
		}
		delete(want, k)
		if i > 0 && compareOccurrences(&occ[i-1], &o) >= 0 {
			p := &occ[i-1]
			t.Errorf("occurrences %d and %d out of order: %s %s, %s %s", i-1, i, p.Version.Ref(), p.Path[len(p.Path)-1], o.Version.Ref(), id)
		}
	}
	for k := range want {
		t.Errorf("missing occurrence of %s in %s", k.id, k.ref)
	}
}

// compareOccurrences orders occurrences as graph.Index.Occurrences promises: by image, version
// order, then identity.
func compareOccurrences(a, b *graph.Occurrence) int {
	if c := strings.Compare(a.Version.Image, b.Version.Image); c != 0 {
		return c
	}
	switch {
	case a.Version.Before(&b.Version):
		return -1
	case b.Version.Before(&a.Version):
		return 1
	}
	return strings.Compare(a.Path[len(a.Path)-1], b.Path[len(b.Path)-1])
}

func testOccurrencesHandmade(t *testing.T, s graph.Store) {
	refs := []graph.Ref{mustRef(t, "example.com/app:1"), mustRef(t, "example.com/app:2"), mustRef(t, "example.com/gen:1")}
	docs := []*sbom.Document{appDoc(t, "example.com/app", 1), appDoc(t, "example.com/app", 2), genDoc(t, "gen", 20)}
	for i := range refs {
		putOK(t, s, refs[i].String(), docs[i], graph.PutOptions{Created: at(time.Duration(i) * time.Hour)})
	}
	checkOccurrences(t, s, refs, docs)
	// Spot checks that do not lean on ShortestPaths.
	occ, err := s.Occurrences(ctx, []string{"pkg:npm/debug@2.6.9", "pkg:npm/qs@6.11.0"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range occ {
		got = append(got, o.Version.Tag+":"+strings.Join(o.Path, ">"))
	}
	want := []string{
		"1:pkg:npm/express@4.18.2>pkg:npm/debug@2.6.9",
		"1:pkg:npm/express@4.18.2>pkg:npm/body-parser@1.20.1>pkg:npm/qs@6.11.0",
		"2:pkg:npm/express@4.18.2>pkg:npm/body-parser@1.20.1>pkg:npm/qs@6.11.0>pkg:npm/debug@2.6.9",
		"2:pkg:npm/express@4.18.2>pkg:npm/body-parser@1.20.1>pkg:npm/qs@6.11.0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Occurrences(debug, qs) =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	// The duplicate identity in v1 reports the attributes of its shortest-path node.
	for _, o := range occ {
		if o.Version.Tag == "1" && o.Component.Name == "debug" && o.Component.Licenses != "MIT" {
			t.Errorf("debug in v1 reports licence %q, want that of the shallower node (MIT)", o.Component.Licenses)
		}
	}
}

func testOccurrencesCorpus(t *testing.T, s graph.Store) {
	var refs []graph.Ref
	var docs []*sbom.Document
	for i, d := range Corpus(t) {
		// Every third document is enough to cover every format, and keeps the check quick;
		// the big ones come in pairs of versions of one image.
		if i%3 != 0 && !strings.HasPrefix(d.File, "big/") {
			continue
		}
		ref := graph.Ref{Image: "corpus/" + strings.SplitN(d.File, ".", 2)[0], Tag: strings.ReplaceAll(d.File, "/", "_")}
		putOK(t, s, ref.String(), d.Doc, graph.PutOptions{})
		refs, docs = append(refs, ref), append(docs, d.Doc)
	}
	checkOccurrences(t, s, refs, docs)
}

func testConcurrent(t *testing.T, s graph.Store) {
	const workers, perWorker = 8, 3
	shared := genDoc(t, "shared", 40)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	errs := make(chan error, workers*(perWorker+2))
	for w := range workers {
		wg.Go(func() {
			put := func(ref string, doc *sbom.Document) {
				r, _ := graph.ParseRef(ref)
				_, c, err := s.Put(ctx, r, doc, graph.PutOptions{})
				if err != nil {
					errs <- fmt.Errorf("Put(%s): %w", ref, err)
					return
				}
				if c && ref == "example.com/shared:1" {
					mu.Lock()
					created++
					mu.Unlock()
				}
			}
			for v := range perWorker {
				put(fmt.Sprintf("example.com/own-%d:%d", w, v), genDoc(t, fmt.Sprintf("own-%d-%d", w, v), 30+v))
			}
			put("example.com/shared:1", shared)
			put(fmt.Sprintf("example.com/common:w%d", w), genDoc(t, fmt.Sprintf("common-%d", w), 25))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if created != 1 {
		t.Errorf("%d concurrent puts of one SBOM reported created, want 1", created)
	}
	for w := range workers {
		vs, err := s.Versions(ctx, fmt.Sprintf("example.com/own-%d", w))
		if err != nil || len(vs) != perWorker {
			t.Errorf("own-%d: %d versions, %v", w, len(vs), err)
		}
		for v := range perWorker {
			checkDoc(t, s, mustRef(t, fmt.Sprintf("example.com/own-%d:%d", w, v)), genDoc(t, fmt.Sprintf("own-%d-%d", w, v), 30+v))
		}
	}
	if vs, err := s.Versions(ctx, "example.com/common"); err != nil || len(vs) != workers {
		t.Errorf("common: %d versions, %v; want %d", len(vs), err, workers)
	}
	if vs, err := s.Versions(ctx, "example.com/shared"); err != nil || len(vs) != 1 {
		t.Errorf("shared: %d versions, %v; want 1", len(vs), err)
	}
	checkDoc(t, s, mustRef(t, "example.com/shared:1"), shared)
	occ, err := s.Occurrences(ctx, []string{"pkg:deb/debian/base-files@12.4?arch=amd64"})
	if want := workers*perWorker + workers + 1; err != nil || len(occ) != want {
		t.Errorf("Occurrences of the component every version has = %d, %v; want %d", len(occ), err, want)
	}
	imgs, err := s.Images(ctx)
	if want := workers + 2; err != nil || len(imgs) != want {
		t.Errorf("Images = %d, %v; want %d", len(imgs), err, want)
	}
	total := 0
	for _, im := range imgs {
		total += im.Versions
	}
	if want := workers*perWorker + workers + 1; total != want {
		t.Errorf("versions in all = %d, want %d", total, want)
	}
}

func testCancel(t *testing.T, s graph.Store) {
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ref := mustRef(t, "example.com/app:1")
	doc := appDoc(t, "example.com/app", 1)
	if _, _, err := s.Put(cancelled, ref, doc, graph.PutOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context = %v", err)
	}
	if _, err := s.Version(ctx, ref); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("a cancelled Put stored something: %v", err)
	}
	putOK(t, s, ref.String(), doc, graph.PutOptions{})
	calls := map[string]func() error{
		"Images":   func() error { _, err := s.Images(cancelled); return err },
		"Versions": func() error { _, err := s.Versions(cancelled, ref.Image); return err },
		"Version":  func() error { _, err := s.Version(cancelled, ref); return err },
		"Document": func() error { _, err := s.Document(cancelled, ref); return err },
		"Components": func() error {
			_, err := s.Components(cancelled, graph.ComponentQuery{Key: "pkg:npm/debug"})
			return err
		},
		"Occurrences": func() error { _, err := s.Occurrences(cancelled, []string{"pkg:npm/debug@2.6.9"}); return err },
		"Delete":      func() error { return s.Delete(cancelled, ref) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v", name, err)
		}
	}
	checkDoc(t, s, ref, doc)

	// A Put cancelled while it runs either completes or leaves nothing.
	big := genDoc(t, "big", 3000)
	for i, delay := range []time.Duration{0, 100 * time.Microsecond, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond} {
		c, cancel := context.WithTimeout(ctx, delay)
		r := graph.Ref{Image: "example.com/big", Tag: fmt.Sprint(i)}
		_, _, err := s.Put(c, r, big, graph.PutOptions{})
		cancel()
		switch {
		case err == nil:
			checkDoc(t, s, r, big)
		case errors.Is(err, context.DeadlineExceeded):
			if _, err := s.Version(ctx, r); !errors.Is(err, graph.ErrNotFound) {
				t.Errorf("a Put cancelled after %v left a version: %v", delay, err)
			}
		default:
			t.Errorf("Put cancelled after %v = %v", delay, err)
		}
	}
	occ, err := s.Occurrences(ctx, []string{big.Components[5].ID()})
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := s.Versions(ctx, "example.com/big")
	if len(occ) != len(vs) {
		t.Errorf("%d occurrences for %d stored versions", len(occ), len(vs))
	}
}

func testClosed(t *testing.T, s graph.Store) {
	ref := mustRef(t, "example.com/app:1")
	putOK(t, s, ref.String(), appDoc(t, "example.com/app", 1), graph.PutOptions{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Version(ctx, ref); !errors.Is(err, graph.ErrUnavailable) {
		t.Errorf("Version on a closed store = %v, want ErrUnavailable", err)
	}
	if _, err := s.Latest(ctx, []string{ref.Image}); !errors.Is(err, graph.ErrUnavailable) {
		t.Errorf("Latest on a closed store = %v, want ErrUnavailable", err)
	}
	if _, _, err := s.Put(ctx, ref, appDoc(t, "example.com/app", 1), graph.PutOptions{}); !errors.Is(err, graph.ErrUnavailable) {
		t.Errorf("Put on a closed store = %v, want ErrUnavailable", err)
	}
}
