package graphtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// CorpusDoc is one decoded document of the project's SBOM corpus.
type CorpusDoc struct {
	// File is the corpus file name, as in MANIFEST.tsv.
	File string
	Doc  *sbom.Document
}

var corpus struct {
	once sync.Once
	docs []CorpusDoc
	skip []string
}

// Corpus decodes every file of the project's corpus (testdata/corpus, big/ included) once per
// process and returns the documents in manifest order. Files the decoders cannot read are
// logged and left out: they are the decoders' tests' business, not the store's.
func Corpus(t testing.TB) []CorpusDoc {
	t.Helper()
	corpus.once.Do(func() {
		for _, e := range ingesttest.Manifest(t, ingesttest.CorpusDir()) {
			doc, err := ingest.DecodeBytes(context.Background(), ingesttest.Corpus(t, e.File), ingest.Options{})
			if err != nil {
				corpus.skip = append(corpus.skip, fmt.Sprintf("%s: %v", e.File, err))
				continue
			}
			corpus.docs = append(corpus.docs, CorpusDoc{File: e.File, Doc: doc})
		}
	})
	for _, s := range corpus.skip {
		t.Logf("corpus file left out: %s", s)
	}
	if len(corpus.docs) == 0 {
		t.Fatal("no corpus document decodes")
	}
	return corpus.docs
}

// corpusDoc returns the named corpus document, skipping the test when it does not decode.
func corpusDoc(t *testing.T, file string) *sbom.Document {
	t.Helper()
	for _, d := range Corpus(t) {
		if d.File == file {
			return d.Doc
		}
	}
	t.Skipf("corpus file %s does not decode", file)
	return nil
}

// Normalize returns a copy of doc in the form every backend's Document returns it: Components,
// Edges and Warnings non-nil, edges sorted and without duplicates, empty CPE and hash lists
// nil, times in UTC.
func Normalize(doc *sbom.Document) *sbom.Document {
	d := *doc
	d.Components = slices.Clone(doc.Components)
	if d.Components == nil {
		d.Components = []sbom.Component{}
	}
	for i := range d.Components {
		c := &d.Components[i]
		if len(c.CPEs) == 0 {
			c.CPEs = nil
		}
		if len(c.Hashes) == 0 {
			c.Hashes = nil
		}
	}
	d.Edges = slices.Clone(doc.Edges)
	slices.SortFunc(d.Edges, func(a, b sbom.Edge) int {
		if a.From != b.From {
			return a.From - b.From
		}
		if a.To != b.To {
			return a.To - b.To
		}
		return int(a.Kind) - int(b.Kind)
	})
	d.Edges = slices.Compact(d.Edges)
	if d.Edges == nil {
		d.Edges = []sbom.Edge{}
	}
	d.Warnings = slices.Clone(doc.Warnings)
	if d.Warnings == nil {
		d.Warnings = []sbom.Warning{}
	}
	if !d.Source.Created.IsZero() {
		d.Source.Created = d.Source.Created.UTC()
	}
	return &d
}

// sameDoc reports the first difference between want (as put) and got (as read back), both
// normalised, or "" when they are equal.
func sameDoc(want, got *sbom.Document) string {
	w, _ := json.MarshalIndent(Normalize(want), "", " ")
	g, _ := json.MarshalIndent(Normalize(got), "", " ")
	if bytes.Equal(w, g) {
		return ""
	}
	wl, gl := bytes.Split(w, []byte("\n")), bytes.Split(g, []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var a, b []byte
		if i < len(wl) {
			a = wl[i]
		}
		if i < len(gl) {
			b = gl[i]
		}
		if !bytes.Equal(a, b) {
			return fmt.Sprintf("line %d of the JSON form:\n  put:  %s\n  read: %s", i+1, a, b)
		}
	}
	return "documents differ"
}

// digestOf returns a fake but well-formed sha256 digest derived from s.
func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// spec describes one handmade component.
type spec struct {
	ref  string // local id
	purl string
	c    sbom.Component // other fields
}

// edge is a handmade edge between local ids.
type edge struct {
	from, to string
	kind     sbom.EdgeKind
}

// build assembles a Document through sbom.Builder, as a decoder would. name seeds the SBOM
// digest; root is the local id of the root ("" for none).
func build(t testing.TB, name, root string, specs []spec, edges []edge) *sbom.Document {
	t.Helper()
	b := sbom.NewBuilder(sbom.Source{
		Format: sbom.FormatCycloneDX, Encoding: sbom.EncodingJSON, SpecVersion: "1.5",
		Tools: []string{"graphtest 1"}, Digest: digestOf(name), Size: int64(len(name)),
	}, sbom.Limits{})
	b.Subject().Name = name
	for _, s := range specs {
		c := s.c
		c.LocalID, c.Purl = s.ref, s.purl
		i, err := b.Add(c)
		if err != nil {
			t.Fatal(err)
		}
		if s.ref == root && root != "" {
			b.SetRoot(i)
		}
	}
	for _, e := range edges {
		k := e.kind
		if k == 0 {
			k = sbom.DependsOn
		}
		if !b.Edge(e.from, e.to, k) {
			t.Fatalf("%s: bad handmade edge %s -> %s", name, e.from, e.to)
		}
	}
	return b.Finish()
}

// appDoc is a small application image: a root, npm packages forming a DAG with a duplicated
// identity and a diamond, an OS package with hashes, CPEs and supplier, a file without purl,
// and an island that is a cycle. variant 2 upgrades debug, drops ms, adds qs-extra and spells
// express differently.
func appDoc(t testing.TB, name string, variant int) *sbom.Document {
	debug, lic := "pkg:npm/debug@2.6.9", "MIT"
	specs := []spec{
		{ref: "root", c: sbom.Component{Type: "container", Name: name, Metadata: true}},
		{ref: "express", purl: "pkg:npm/express@4.18.2", c: sbom.Component{Type: "library", Licenses: "MIT"}},
		{ref: "body-parser", purl: "pkg:npm/body-parser@1.20.1", c: sbom.Component{Type: "library", Licenses: "MIT"}},
		{ref: "qs", purl: "pkg:npm/qs@6.11.0", c: sbom.Component{Type: "library", Licenses: "BSD-3-Clause"}},
		{ref: "debug", purl: debug, c: sbom.Component{Type: "library", Licenses: lic}},
		{ref: "ms", purl: "pkg:npm/ms@2.0.0", c: sbom.Component{Type: "library", Licenses: "MIT"}},
		// The same identity as "debug", listed again deeper down with its own licence spelling.
		{ref: "debug-again", purl: debug, c: sbom.Component{Type: "library", Licenses: "MIT OR Apache-2.0"}},
		{ref: "libc6", purl: "pkg:deb/debian/libc6@2.36-9+deb12u3?arch=amd64&distro=debian-12", c: sbom.Component{
			Type: "library", Licenses: "LGPL-2.1-or-later", Supplier: "Debian",
			CPEs:   []string{"cpe:2.3:a:gnu:glibc:2.36:*:*:*:*:*:*:*", "cpe:2.3:a:libc6:libc6:2.36:*:*:*:*:*:*:*"},
			Hashes: []sbom.Hash{{Algorithm: "SHA-256", Value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}, {Algorithm: "MD5", Value: "NOT-HEX"}},
		}},
		{ref: "node-bin", c: sbom.Component{Type: "file", Name: "/usr/local/bin/node", Version: "18.19.0",
			Hashes: []sbom.Hash{{Algorithm: "SHA-1", Value: "a94a8fe5ccb19ba61c4c0875d41e7a3c95e2a8a2"}}}},
		{ref: "island-a", purl: "pkg:golang/example.com/a@v1.0.0"},
		{ref: "island-b", purl: "pkg:golang/example.com/b@v0.0.0-20230101000000-abcdefabcdef"},
	}
	edges := []edge{
		{"root", "express", sbom.DependsOn},
		{"root", "libc6", sbom.Contains},
		{"root", "node-bin", sbom.Contains},
		{"express", "body-parser", 0},
		{"express", "debug", 0},
		{"body-parser", "qs", 0},
		{"body-parser", "debug", 0},
		{"debug", "ms", 0},
		{"qs", "debug-again", 0},
		{"island-a", "island-b", 0},
		{"island-b", "island-a", 0},
	}
	if variant == 2 {
		specs[1].c.Name = "Express" // a spelling that differs from the purl's
		specs[1].c.Licenses = "MIT AND ISC"
		specs[4].purl = "pkg:npm/debug@2.6.10"
		specs = slices.Delete(specs, 5, 6) // ms
		specs = append(specs, spec{ref: "qs-extra", purl: "pkg:npm/qs-extra@1.0.0"})
		edges = slices.DeleteFunc(edges, func(e edge) bool { return e.to == "ms" })
		edges = append(edges, edge{"qs", "qs-extra", 0})
	}
	return build(t, fmt.Sprintf("%s v%d", name, variant), "root", specs, edges)
}

// genDoc is a generated document of n library components: a chain of depth up to 4 under a
// root, with the shared component pkg:deb/debian/base-files@12.4 in every document.
func genDoc(t testing.TB, name string, n int) *sbom.Document {
	specs := []spec{
		{ref: "root", c: sbom.Component{Type: "container", Name: name, Metadata: true}},
		{ref: "base", purl: "pkg:deb/debian/base-files@12.4?arch=amd64", c: sbom.Component{Type: "library", Licenses: "GPL-2.0-or-later"}},
	}
	edges := []edge{{"root", "base", sbom.Contains}}
	for i := range n {
		ref := fmt.Sprintf("c%d", i)
		specs = append(specs, spec{ref: ref, purl: fmt.Sprintf("pkg:npm/%s-lib-%d@1.%d.0", shortName(name), i, i%7),
			c: sbom.Component{Type: "library", Licenses: "MIT"}})
		parent := "root"
		if i%4 != 0 {
			parent = fmt.Sprintf("c%d", i-1)
		}
		edges = append(edges, edge{parent, ref, 0})
	}
	return build(t, name, "root", specs, edges)
}

func shortName(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "p" + hex.EncodeToString(sum[:4])
}

// putOK puts doc and fails the test on error.
func putOK(t testing.TB, s graph.Store, ref string, doc *sbom.Document, opts graph.PutOptions) graph.Version {
	t.Helper()
	r, err := graph.ParseRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := s.Put(context.Background(), r, doc, opts)
	if err != nil {
		t.Fatalf("Put(%s): %v", ref, err)
	}
	return v
}

func mustRef(t testing.TB, s string) graph.Ref {
	t.Helper()
	r, err := graph.ParseRef(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// at returns a fixed time plus d, for ordering tests.
func at(d time.Duration) time.Time {
	return time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC).Add(d)
}

// Respelt returns the SBOMs the stores' purl migrations are tested with, by version: syft
// 0.58's alpine 3.16.2 (its 14 packages stored as pkg:alpine/… by builds before purls were
// re-canonicalised, pkg:apk/alpine/… since), trivy 0.36's sbomqs (15 Go modules whose versions
// lack their v) and a Go module two deep with trivy's spelling (3 more), so that a shortest
// path runs through renamed components. The constants below name some of their purls.
func Respelt(t testing.TB) map[graph.Ref]*sbom.Document {
	t.Helper()
	docs := map[graph.Ref]*sbom.Document{}
	for file, ref := range map[string]graph.Ref{
		"alpine-3.16.2.syft.cdx.json":    {Image: "alpine", Tag: "3.16.2"},
		"sbomqs-dev.trivy-0.36.cdx.json": {Image: "sbomqs", Tag: "dev"},
	} {
		doc, err := ingest.DecodeBytes(context.Background(), ingesttest.Corpus(t, file), ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		docs[ref] = doc
	}
	b := sbom.NewBuilder(sbom.Source{Format: sbom.FormatCycloneDX, Digest: "sha256:" + strings.Repeat("c", 64)}, sbom.Limits{})
	for _, name := range []string{"app", "a", "b"} {
		if _, err := b.Add(sbom.Component{LocalID: name, Type: "library", Version: "1.0.0", Purl: "pkg:golang/example.com/" + name + "@1.0.0"}); err != nil {
			t.Fatal(err)
		}
	}
	b.SetRoot(0)
	b.Edge("app", "a", sbom.DependsOn)
	b.Edge("a", "b", sbom.DependsOn)
	docs[graph.Ref{Image: "deep", Tag: "1"}] = b.Finish()
	return docs
}

// Purls of Respelt's documents, and how many of its purls earlier builds spelt otherwise.
const (
	RespeltMusl    = "pkg:apk/alpine/musl@1.2.3-r0?arch=x86_64&distro=alpine-3.16.2&upstream=musl"
	RespeltOldMusl = "pkg:alpine/musl@1.2.3-r0?arch=x86_64&distro=alpine-3.16.2&upstream=musl"
	RespeltCobra   = "pkg:golang/github.com/spf13/cobra@v1.6.1"
	RespeltRenamed = 14 + 15 + 3
)
