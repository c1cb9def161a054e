package convert

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// corpusDocs caches decodeCorpus: the documents are never modified.
var corpusDocs map[string]*sbom.Document

// decodeCorpus decodes every corpus file named in the manifests; the map is the caller's.
func decodeCorpus(t *testing.T) map[string]*sbom.Document {
	t.Helper()
	if corpusDocs != nil {
		return maps.Clone(corpusDocs)
	}
	docs := map[string]*sbom.Document{}
	defer func() {
		if !t.Failed() {
			corpusDocs = maps.Clone(docs)
		}
	}()
	for _, e := range ingesttest.Manifest(t, ingesttest.CorpusDir()) {
		doc, err := ingest.DecodeBytes(context.Background(), ingesttest.Corpus(t, e.File), ingest.Options{})
		if err != nil {
			t.Fatalf("%s: %v", e.File, err)
		}
		docs[e.File] = doc
	}
	if len(docs) < 20 {
		t.Fatalf("only %d corpus files", len(docs))
	}
	return docs
}

// utcSource returns s with its time in UTC, as FromProto gives it.
func utcSource(s sbom.Source) sbom.Source {
	if !s.Created.IsZero() {
		s.Created = s.Created.UTC()
	}
	return s
}

func utcVersion(v graph.Version) graph.Version {
	v.Source = utcSource(v.Source)
	if !v.Created.IsZero() {
		v.Created = v.Created.UTC()
	}
	v.Ingested = v.Ingested.UTC()
	return v
}

// wire sends m through the binary wire format, as a client receives it.
func wire[M proto.Message](t *testing.T, m M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := m.ProtoReflect().New().Interface().(M)
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDocumentPartsRoundTrip(t *testing.T) {
	docs := decodeCorpus(t)
	var comps, warns, envelopes int
	for name, doc := range docs {
		if got, want := SourceFromProto(wire(t, SourceToProto(&doc.Source))), utcSource(doc.Source); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: source round trip:\n got %+v\nwant %+v", name, got, want)
		}
		if doc.Source.Envelope != nil {
			envelopes++
		}
		if got := SubjectFromProto(wire(t, SubjectToProto(&doc.Subject))); got != doc.Subject {
			t.Errorf("%s: subject round trip: got %+v, want %+v", name, got, doc.Subject)
		}
		pcs := ComponentsToProto(doc.Components)
		for i := range pcs {
			pcs[i] = wire(t, pcs[i])
		}
		if got := ComponentsFromProto(pcs); !reflect.DeepEqual(got, doc.Components) && len(doc.Components) > 0 {
			for i := range got {
				if !reflect.DeepEqual(got[i], doc.Components[i]) {
					t.Errorf("%s: component %d round trip:\n got %+v\nwant %+v", name, i, got[i], doc.Components[i])
					break
				}
			}
		}
		if got := WarningsFromProto(WarningsToProto(doc.Warnings)); !reflect.DeepEqual(got, doc.Warnings) {
			t.Errorf("%s: warnings round trip:\n got %+v\nwant %+v", name, got, doc.Warnings)
		}
		for _, w := range doc.Warnings {
			if WarningToProto(&w).Code == api.WarningCode_WARNING_CODE_UNSPECIFIED {
				t.Errorf("%s: warning code %q has no proto value", name, w.Code)
			}
		}
		comps += len(doc.Components)
		warns += len(doc.Warnings)
	}
	t.Logf("%d documents, %d components, %d warnings, %d envelopes round-tripped", len(docs), comps, warns, envelopes)
}

// debianApp stores the four debian-app versions (CycloneDX, a day apart) and the alpine pair.
func debianApp(t *testing.T) graph.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	put := func(file string, ref graph.Ref, created time.Time) {
		doc, err := ingest.DecodeBytes(ctx, ingesttest.Corpus(t, file), ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Put(ctx, ref, doc, graph.PutOptions{Created: created}); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, v := range []string{"1", "2", "3", "4"} {
		put("big/debian-app-v"+v+".syft.cdx.json", graph.Ref{Image: "debian-app", Tag: v + ".0.0"}, day.AddDate(0, 0, i))
	}
	put("alpine-3.16.2.syft.cdx.json", graph.Ref{Image: "alpine", Tag: "3.16.2"}, day)
	put("alpine-3.17.2.syft.cdx.xml", graph.Ref{Image: "alpine", Tag: "3.17.2"}, day.AddDate(0, 0, 1))
	return s
}

func TestStoredResultsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := debianApp(t)
	images, err := s.Images(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range images {
		got := ImageFromProto(wire(t, ImageToProto(&im)))
		want := im
		want.Latest = utcVersion(im.Latest)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("image %s round trip:\n got %+v\nwant %+v", im.Name, got, want)
		}
		vs, err := s.Versions(ctx, im.Name)
		if err != nil {
			t.Fatal(err)
		}
		got2 := VersionsFromProto(VersionsToProto(vs))
		for i := range vs {
			if want := utcVersion(vs[i]); !reflect.DeepEqual(got2[i], want) {
				t.Errorf("version %s round trip:\n got %+v\nwant %+v", vs[i].Ref(), got2[i], want)
			}
		}
	}

	for _, req := range []query.FindRequest{
		{Component: "curl"},
		{Component: "pkg:deb/debian/liblzma5", Range: "vers:deb/<5.4.1-1+deb12u2"},
		{Component: "busybox", Latest: true, Scope: query.DirectOnly},
		{Component: "musl", Scope: query.TransitiveOnly},
		{Component: "pkg:deb/debian/libc6", Range: ">=2"},
	} {
		res, err := query.Find(ctx, s, req)
		if err != nil {
			t.Fatal(err)
		}
		got := FindResultFromProto(wire(t, FindResultToProto(res)))
		want := *res
		want.Matches = utcMatches(res.Matches)
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("find %+v round trip:\n got %+v\nwant %+v", req, got, want)
		}
		back, err := FindRequestFromProto(FindRequestToProto(&req))
		if err != nil || back != req {
			t.Errorf("find request round trip: got %+v, %v, want %+v", back, err, req)
		}
	}

	ms, err := query.Path(ctx, s, graph.Ref{Image: "debian-app", Tag: "3.0.0"}, "pkg:deb/debian/libcurl4")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || len(ms[0].Path) < 2 {
		t.Fatalf("path of libcurl4 = %+v, want a transitive path", ms)
	}
	if got := MatchesFromProto(MatchesToProto(ms)); !reflect.DeepEqual(got, utcMatches(ms)) {
		t.Errorf("path round trip:\n got %+v\nwant %+v", got, ms)
	}

	tl, err := query.Timeline(ctx, s, "debian-app", "pkg:deb/debian/curl")
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range tl {
		events = append(events, e.Event)
	}
	if got, want := strings.Join(events, ","), ",appeared,,removed"; got != want {
		t.Errorf("curl timeline events = %q, want %q", got, want)
	}
	want := make([]query.TimelineEntry, len(tl))
	for i, e := range tl {
		want[i] = e
		want[i].Version = utcVersion(e.Version)
	}
	if got := TimelineFromProto(TimelineToProto(tl)); !reflect.DeepEqual(got, want) {
		t.Errorf("timeline round trip:\n got %+v\nwant %+v", got, want)
	}
}

func utcMatches(ms []query.Match) []query.Match {
	out := make([]query.Match, len(ms))
	for i, m := range ms {
		out[i] = m
		out[i].Version = utcVersion(m.Version)
	}
	return out
}

// TestDiffRoundTrip converts the diff of every corpus pair (PAIRS.tsv) and of the debian-app
// series, and checks that nothing is lost, including through the JSON mapping.
func TestDiffRoundTrip(t *testing.T) {
	docs := decodeCorpus(t)
	pairs := [][2]string{
		{"big/debian-app-v1.syft.cdx.json", "big/debian-app-v2.syft.cdx.json"},
		{"big/debian-app-v2.syft.spdx.json", "big/debian-app-v3.syft.cdx.json"},
		{"big/debian-app-v3.syft.cdx.json", "big/debian-app-v4.syft.spdx.json"},
	}
	pairs = append(pairs, readPairs(t, "")...)
	pairs = append(pairs, readPairs(t, "big/")...)
	// No corpus pair rebuilds a package at the same version with another hash, nor changes a
	// supplier: make one from debian-app v1 by giving its first library two different SHA-256
	// sums and suppliers.
	rebuilt := func(sum, supplier string) *sbom.Document {
		doc, err := ingest.DecodeBytes(context.Background(), ingesttest.Corpus(t, "big/debian-app-v1.syft.cdx.json"), ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range doc.Components {
			if doc.Components[i].Type == "library" {
				doc.Components[i].Hashes = []sbom.Hash{{Algorithm: "SHA-256", Value: strings.Repeat(sum, 64)}}
				doc.Components[i].Supplier = supplier
				break
			}
		}
		return doc
	}
	docs["rebuilt-old"], docs["rebuilt-new"] = rebuilt("a", "Debian"), rebuilt("b", "Example Corp")
	pairs = append(pairs, [2]string{"rebuilt-old", "rebuilt-new"})
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	lists := map[string]int{}
	for _, p := range pairs {
		old, new := docs[p[0]], docs[p[1]]
		if old == nil || new == nil {
			t.Fatalf("pair %v: not in the manifest", p)
		}
		r := diff.Documents(old, new, diff.WithNow(now))
		pb := wire(t, DiffResultToProto(r))
		if got := DiffResultFromProto(pb); !reflect.DeepEqual(got, r) {
			t.Errorf("%s -> %s: diff round trip:\n got %+v\nwant %+v", p[0], p[1], got, r)
		}
		js, err := protojson.Marshal(pb)
		if err != nil {
			t.Fatal(err)
		}
		var back api.DiffResult
		if err := protojson.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		if got := DiffResultFromProto(&back); !reflect.DeepEqual(got, r) {
			t.Errorf("%s -> %s: diff round trip through JSON differs", p[0], p[1])
		}
		lists["changed"] += len(r.Changed)
		lists["added"] += len(r.Added)
		lists["removed"] += len(r.Removed)
		lists["licenses"] += len(r.Licenses)
		lists["suppliers"] += len(r.Suppliers)
		lists["integrity"] += len(r.Integrity)
		lists["edges"] += len(r.EdgesAdded) + len(r.EdgesRemoved)
		lists["files"] += len(r.Files.Added) + len(r.Files.Removed) + len(r.Files.Changed)
		lists["hygiene"] += len(r.Hygiene.Findings)
		lists["uncompared edges"] += len(r.UncomparedEdges)
	}
	// The corpus exercises every list, so the round trip above covers every field.
	for k, n := range lists {
		if n == 0 {
			t.Errorf("no corpus pair has %s entries", k)
		}
	}
	t.Logf("%d pairs: %v", len(pairs), lists)
	if got := DiffResultFromProto(nil); got.Added == nil || got.Files.Changed == nil || got.Hygiene.Findings == nil || got.Old.ByEcosystem == nil {
		t.Errorf("DiffResultFromProto(nil) has nil lists: %+v", got)
	}
}

// readPairs reads the old and new files of a corpus PAIRS.tsv (dir "" or "big/").
func readPairs(t *testing.T, dir string) [][2]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ingesttest.CorpusDir(), dir, "PAIRS.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, "\t")
		if i == 0 || len(f) < 2 || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, [2]string{dir + f[0], dir + f[1]})
	}
	if len(out) == 0 {
		t.Fatalf("%sPAIRS.tsv has no pairs", dir)
	}
	return out
}

// TestEnumsComplete checks that every proto enum value but UNSPECIFIED has a model value and
// back, and that every model value the model lists has a proto value.
func TestEnumsComplete(t *testing.T) {
	check := func(name string, values protoreflect.EnumValueDescriptors, toModel func(int32) any, toProto func(int32) int32) {
		for i := range values.Len() {
			v := values.Get(i)
			if v.Number() == 0 {
				continue
			}
			m := toModel(int32(v.Number()))
			if reflect.ValueOf(m).IsZero() && !strings.HasSuffix(string(v.Name()), "_UNCHANGED") {
				t.Errorf("%s: %s has no model value", name, v.Name())
			}
			if back := toProto(int32(v.Number())); back != int32(v.Number()) {
				t.Errorf("%s: %s comes back as %d", name, v.Name(), back)
			}
		}
	}
	check("Format", api.Format(0).Descriptor().Values(),
		func(n int32) any { return FormatFromProto(api.Format(n)) },
		func(n int32) int32 { return int32(FormatToProto(FormatFromProto(api.Format(n)))) })
	check("Encoding", api.Encoding(0).Descriptor().Values(),
		func(n int32) any { return EncodingFromProto(api.Encoding(n)) },
		func(n int32) int32 { return int32(EncodingToProto(EncodingFromProto(api.Encoding(n)))) })
	check("WarningCode", api.WarningCode(0).Descriptor().Values(),
		func(n int32) any { return warningCodes.model(api.WarningCode(n)) },
		func(n int32) int32 { return int32(warningCodes.proto(warningCodes.model(api.WarningCode(n)))) })
	check("EdgeKind", api.EdgeKind(0).Descriptor().Values(),
		func(n int32) any { return EdgeKindFromProto(api.EdgeKind(n)) },
		func(n int32) int32 { return int32(EdgeKindToProto(EdgeKindFromProto(api.EdgeKind(n)))) })
	check("OrderBasis", api.OrderBasis(0).Descriptor().Values(),
		func(n int32) any { return orderBases.model(api.OrderBasis(n)) },
		func(n int32) int32 { return int32(orderBases.proto(orderBases.model(api.OrderBasis(n)))) })
	check("QueryKind", api.QueryKind(0).Descriptor().Values(),
		func(n int32) any { return QueryKindFromProto(api.QueryKind(n)) },
		func(n int32) int32 { return int32(QueryKindToProto(QueryKindFromProto(api.QueryKind(n)))) })
	check("TimelineEvent", api.TimelineEvent(0).Descriptor().Values(),
		func(n int32) any { return timelineEvents.model(api.TimelineEvent(n)) },
		func(n int32) int32 { return int32(timelineEvents.proto(timelineEvents.model(api.TimelineEvent(n)))) })
	check("ChangeKind", api.ChangeKind(0).Descriptor().Values(),
		func(n int32) any { return changeKinds.model(api.ChangeKind(n)) },
		func(n int32) int32 { return int32(changeKinds.proto(changeKinds.model(api.ChangeKind(n)))) })
	check("ChangeLevel", api.ChangeLevel(0).Descriptor().Values(),
		func(n int32) any { return changeLevels.model(api.ChangeLevel(n)) },
		func(n int32) int32 { return int32(changeLevels.proto(changeLevels.model(api.ChangeLevel(n)))) })
	check("HygieneKind", api.HygieneKind(0).Descriptor().Values(),
		func(n int32) any { return hygieneKinds.model(api.HygieneKind(n)) },
		func(n int32) int32 { return int32(hygieneKinds.proto(hygieneKinds.model(api.HygieneKind(n)))) })
	check("Severity", api.Severity(0).Descriptor().Values(),
		func(n int32) any { return severities.model(api.Severity(n)) },
		func(n int32) int32 { return int32(severities.proto(severities.model(api.Severity(n)))) })
	for i := range api.FindScope(0).Descriptor().Values().Len() {
		v := api.FindScope(api.FindScope(0).Descriptor().Values().Get(i).Number())
		s, ok := ScopeFromProto(v)
		if !ok || (v != api.FindScope_FIND_SCOPE_UNSPECIFIED && ScopeToProto(s) != v) {
			t.Errorf("FindScope %s: model %v, %v", v, s, ok)
		}
	}
	if _, ok := ScopeFromProto(api.FindScope(99)); ok {
		t.Error("FindScope 99 accepted")
	}

	// The model's own lists of values.
	for _, w := range []sbom.WarningCode{sbom.WarnDuplicateID, sbom.WarnMissingID, sbom.WarnMissingPurl,
		sbom.WarnInvalidPurl, sbom.WarnDanglingRef, sbom.WarnCycle, sbom.WarnEmptyDocument, sbom.WarnLongID,
		sbom.WarnNonASCIIID, sbom.WarnUnknownRelation, sbom.WarnInvalidField} {
		if warningCodes.proto(w) == 0 {
			t.Errorf("warning code %q has no proto value", w)
		}
	}
	for _, k := range diff.HygieneKinds {
		if hygieneKinds.proto(k) == 0 {
			t.Errorf("hygiene kind %q has no proto value", k)
		}
	}
}

func TestErrorsBothWays(t *testing.T) {
	for _, tc := range []struct {
		err    error
		code   codes.Code
		reason string
	}{
		{fmt.Errorf("x.json: %w: not an SBOM", sbom.ErrInvalid), codes.InvalidArgument, ReasonInvalidSBOM},
		{fmt.Errorf("%w: CycloneDX specVersion \"9.9\"", sbom.ErrUnsupported), codes.InvalidArgument, ReasonUnsupportedSBOM},
		{fmt.Errorf("%w: input larger than 10 bytes", sbom.ErrTooLarge), codes.InvalidArgument, ReasonSBOMTooLarge},
		{fmt.Errorf("%w: bad range", query.ErrInvalid), codes.InvalidArgument, ReasonInvalidRequest},
		{fmt.Errorf("%w: app:1", graph.ErrNotFound), codes.NotFound, ReasonNotFound},
		{fmt.Errorf("%w: app:1 has another SBOM", graph.ErrConflict), codes.AlreadyExists, ReasonConflict},
		{fmt.Errorf("%w: closed", graph.ErrUnavailable), codes.Unavailable, ReasonUnavailable},
		{fmt.Errorf("read: %w", context.Canceled), codes.Canceled, ReasonCanceled},
		{fmt.Errorf("read: %w", context.DeadlineExceeded), codes.DeadlineExceeded, ReasonDeadline},
	} {
		st, known := ToStatus(tc.err)
		if !known || st.Code() != tc.code || st.Message() != tc.err.Error() {
			t.Errorf("ToStatus(%v) = %v %q, %v; want %v with the error's message", tc.err, st.Code(), st.Message(), known, tc.code)
		}
		back := FromStatus(st.Err())
		var sentinel error
		for _, m := range errorMappings {
			if m.reason == tc.reason {
				sentinel = m.err
			}
		}
		if !errors.Is(back, sentinel) || back.Error() != tc.err.Error() || status.Code(back) != tc.code {
			t.Errorf("FromStatus(%v) = %v (code %v); want it to wrap %v", st.Err(), back, status.Code(back), sentinel)
		}
		// A status without the detail (another server) still maps by code.
		if bare := FromStatus(status.Error(tc.code, "x")); tc.code != codes.InvalidArgument && !errors.Is(bare, sentinel) {
			t.Errorf("FromStatus(bare %v) does not wrap %v", tc.code, sentinel)
		}
	}
	st, known := ToStatus(errors.New("open /var/secret/db: disk on fire"))
	if known || st.Code() != codes.Internal || st.Message() != InternalMessage {
		t.Errorf("unknown error: %v %q %v, want INTERNAL with the generic message", st.Code(), st.Message(), known)
	}
	passthrough := status.Error(codes.PermissionDenied, "no")
	if st, known := ToStatus(fmt.Errorf("wrapped: %w", passthrough)); !known || st.Code() != codes.PermissionDenied {
		t.Errorf("status error: got %v", st)
	}
	if FromStatus(passthrough) != passthrough || FromStatus(nil) != nil {
		t.Error("FromStatus changed an error without a sentinel")
	}
	if st, _ := ToStatus(nil); st != nil {
		t.Errorf("ToStatus(nil) = %v", st)
	}
}

func TestSummarize(t *testing.T) {
	doc, err := ingest.DecodeBytes(context.Background(), ingesttest.Corpus(t, "big/debian-app-v1.syft.cdx.json"), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(doc)
	// MANIFEST: 5053 components: types=file:4964,library:88,operating-system:1; purls=88.
	if got := s.Types; got["file"] != 4964 || got["library"] != 88 || got["operating-system"] != 1 || len(got) != 3 {
		t.Errorf("types = %v", got)
	}
	if got := s.Ecosystems; got["deb"] != 88 || got[""] != 4965 {
		t.Errorf("ecosystems = %v", got)
	}
	total := int32(0)
	for _, n := range s.Licenses {
		total += n
	}
	if total != 5053 {
		t.Errorf("licences count %d entries, want 5053", total)
	}
	if int(s.DependsOnEdges+s.ContainsEdges) != len(doc.Edges) || s.DependsOnEdges == 0 {
		t.Errorf("edges %d + %d, want %d", s.DependsOnEdges, s.ContainsEdges, len(doc.Edges))
	}
	if s.Direct == 0 || s.MaxDepth < 2 {
		t.Errorf("direct %d, max depth %d", s.Direct, s.MaxDepth)
	}
}
