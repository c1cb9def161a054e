package server

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/server/convert"
)

var day0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// loadDebianApp ingests the four debian-app releases (CycloneDX, a day apart) through the
// API, each a different way: v1 compressed and whole, v2 whole, v3 streamed with its size
// announced, v4 streamed without.
func loadDebianApp(t testing.TB, c clients) []*api.Version {
	t.Helper()
	ctx := context.Background()
	var out []*api.Version
	for i, v := range []string{"1", "2", "3", "4"} {
		file := "big/debian-app-v" + v + ".syft.cdx.json"
		md := &api.IngestMetadata{Image: "debian-app", Tag: v + ".0.0", Created: timestamppb.New(day0.AddDate(0, 0, i)), Name: file}
		var got *api.Version
		var created bool
		switch v {
		case "1":
			resp, err := c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: md, Sbom: corpusGz(t, file)})
			if err != nil {
				t.Fatal(err)
			}
			got, created = resp.GetVersion(), resp.GetCreated()
		case "2":
			resp, err := c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: md, Sbom: ingesttest.Corpus(t, file)})
			if err != nil {
				t.Fatal(err)
			}
			got, created = resp.GetVersion(), resp.GetCreated()
		default:
			raw := ingesttest.Corpus(t, file)
			if v == "3" {
				md.Size = int64(len(raw))
			}
			resp, err := ingestStream(ctx, c.ingest, md, raw, 64<<10)
			if err != nil {
				t.Fatal(err)
			}
			got, created = resp.GetVersion(), resp.GetCreated()
		}
		if !created {
			t.Errorf("%s: created = false", file)
		}
		out = append(out, got)
	}
	return out
}

func TestIngestQueryDiff(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	ts := start(t, store, Options{})
	c := newClients(ts.dial(t, nil))
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(ts.logs.String())
		}
	})
	versions := loadDebianApp(t, c)

	// Counts as MANIFEST.tsv gives them; order, basis and source as given.
	for i, want := range []int32{5053, 5553, 6609, 6548} {
		v := versions[i]
		if v.GetComponents() != want || v.GetOrderBasis() != api.OrderBasis_ORDER_BASIS_CREATED ||
			!v.GetCreated().AsTime().Equal(day0.AddDate(0, 0, i)) || v.GetSource().GetFormat() != api.Format_FORMAT_CYCLONEDX {
			t.Errorf("version %d = %d components, %v, created %v, %v", i+1, v.GetComponents(), v.GetOrderBasis(), v.GetCreated().AsTime(), v.GetSource().GetFormat())
		}
		if i > 0 && v.GetSeq() <= versions[i-1].GetSeq() {
			t.Errorf("seq %d after %d", v.GetSeq(), versions[i-1].GetSeq())
		}
	}
	if got := versions[0].GetSource().GetCompression(); got != "gzip" {
		t.Errorf("v1 compression = %q, want gzip", got)
	}
	if len(versions[0].GetWarnings()) == 0 {
		t.Error("v1 has no warnings (syft's file components have no purl)")
	}

	// The same SBOM again is a no-op.
	again, err := c.ingest.Ingest(ctx, &api.IngestRequest{
		Metadata: &api.IngestMetadata{Image: "debian-app", Tag: "1.0.0"},
		Sbom:     corpusGz(t, "big/debian-app-v1.syft.cdx.json"),
	})
	if err != nil || again.GetCreated() || again.GetVersion().GetSeq() != versions[0].GetSeq() {
		t.Errorf("re-ingest: created %v, seq %d (want %d), %v", again.GetCreated(), again.GetVersion().GetSeq(), versions[0].GetSeq(), err)
	}

	// Image, tag and digest from the SBOM's subject.
	alpine, err := c.ingest.Ingest(ctx, &api.IngestRequest{Sbom: ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json")})
	if err != nil {
		t.Fatal(err)
	}
	subj := alpine.GetVersion().GetSubject()
	if alpine.GetVersion().GetTag() != subj.GetVersion() || subj.GetVersion() == "" || alpine.GetVersion().GetImage() == "" {
		t.Errorf("alpine stored as %s:%s, subject %+v", alpine.GetVersion().GetImage(), alpine.GetVersion().GetTag(), subj)
	}

	t.Run("ListImages", func(t *testing.T) {
		var names []string
		tok := ""
		for pages := 1; ; pages++ {
			resp, err := c.query.ListImages(ctx, &api.ListImagesRequest{PageSize: 1, PageToken: tok})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.GetImages()) != 1 {
				t.Fatalf("page %d has %d images", pages, len(resp.GetImages()))
			}
			names = append(names, resp.GetImages()[0].GetName())
			if tok = resp.GetNextPageToken(); tok == "" {
				break
			}
		}
		if want := []string{alpine.GetVersion().GetImage(), "debian-app"}; !slices.Equal(names, want) {
			t.Errorf("images = %v, want %v", names, want)
		}
		resp, err := c.query.ListImages(ctx, &api.ListImagesRequest{ReadMask: &fieldmaskpb.FieldMask{Paths: []string{"name", "latest.tag"}}})
		if err != nil {
			t.Fatal(err)
		}
		last := resp.GetImages()[1]
		if last.GetVersions() != 0 || last.GetLatest().GetTag() != "4.0.0" || last.GetLatest().GetImage() != "" {
			t.Errorf("masked image = %v", last)
		}
	})

	t.Run("ListVersions", func(t *testing.T) {
		first, err := c.query.ListVersions(ctx, &api.ListVersionsRequest{Image: "debian-app", PageSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(first.GetVersions()) != 3 || first.GetNextPageToken() == "" {
			t.Fatalf("first page: %d versions, token %q", len(first.GetVersions()), first.GetNextPageToken())
		}
		// A version created between pages 1 and 2 does not shift page 2.
		if _, err := c.ingest.Ingest(ctx, &api.IngestRequest{
			Metadata: &api.IngestMetadata{Image: "debian-app", Tag: "1.5.0", Created: timestamppb.New(day0.Add(12 * time.Hour))},
			Sbom:     ingesttest.Corpus(t, "big/debian-app-v1.syft.spdx.json"),
		}); err != nil {
			t.Fatal(err)
		}
		second, err := c.query.ListVersions(ctx, &api.ListVersionsRequest{Image: "debian-app", PageSize: 3, PageToken: first.GetNextPageToken(),
			ReadMask: &fieldmaskpb.FieldMask{Paths: []string{"tag"}}})
		if err != nil {
			t.Fatal(err)
		}
		var tags []string
		for _, v := range append(first.GetVersions(), second.GetVersions()...) {
			tags = append(tags, v.GetTag())
		}
		if want := []string{"1.0.0", "2.0.0", "3.0.0", "4.0.0"}; !slices.Equal(tags, want) || second.GetNextPageToken() != "" {
			t.Errorf("tags = %v, next %q; want %v", tags, second.GetNextPageToken(), want)
		}
		if v := second.GetVersions()[0]; v.GetImage() != "" || v.GetComponents() != 0 || len(v.GetWarnings()) != 0 {
			t.Errorf("read mask \"tag\" returned %v", v)
		}
		all, err := c.query.ListVersions(ctx, &api.ListVersionsRequest{Image: "debian-app"})
		if err != nil || len(all.GetVersions()) != 5 || all.GetVersions()[1].GetTag() != "1.5.0" {
			t.Errorf("all versions: %d, %v", len(all.GetVersions()), err)
		}
		// By default a listing leaves out the warnings (thousands here: syft's file
		// components have no purl) and keeps the rest; asked for, they come.
		v := all.GetVersions()[0]
		if len(v.GetWarnings()) != 0 || v.GetComponents() != 5053 || v.GetSource().GetDigest() == "" {
			t.Errorf("default listing: %d warnings, %d components, source %v", len(v.GetWarnings()), v.GetComponents(), v.GetSource())
		}
		warned, err := c.query.ListVersions(ctx, &api.ListVersionsRequest{Image: "debian-app", PageSize: 1, ReadMask: &fieldmaskpb.FieldMask{Paths: []string{"warnings"}}})
		if err != nil || len(warned.GetVersions()[0].GetWarnings()) != len(versions[0].GetWarnings()) {
			t.Errorf("warnings asked for: %v", err)
		}
	})

	t.Run("GetVersion", func(t *testing.T) {
		resp, err := c.query.GetVersion(ctx, &api.GetVersionRequest{Ref: &api.ImageRef{Image: "debian-app", Tag: "1.0.0"}})
		if err != nil {
			t.Fatal(err)
		}
		s := resp.GetSummary()
		if resp.GetVersion().GetSeq() != versions[0].GetSeq() || s.GetTypes()["file"] != 4964 || s.GetEcosystems()["deb"] != 88 || s.GetDependsOnEdges() == 0 {
			t.Errorf("summary = %v", s)
		}
		masked, err := c.query.GetVersion(ctx, &api.GetVersionRequest{Ref: &api.ImageRef{Image: "debian-app", Tag: "1.0.0"},
			ReadMask: &fieldmaskpb.FieldMask{Paths: []string{"version.tag", "version.components"}}})
		if err != nil {
			t.Fatal(err)
		}
		if want := (&api.GetVersionResponse{Version: &api.Version{Tag: "1.0.0", Components: 5053}}); !proto.Equal(masked, want) {
			t.Errorf("masked = %v, want %v", masked, want)
		}
	})

	t.Run("Find", func(t *testing.T) {
		// curl arrived in 2.0.0 and left in 4.0.0; newest first.
		resp, err := c.query.Find(ctx, &api.FindRequest{Component: "curl"})
		if err != nil {
			t.Fatal(err)
		}
		if got := matchTags(resp.GetMatches()); !slices.Equal(got, []string{"3.0.0", "2.0.0"}) || resp.GetKind() != api.QueryKind_QUERY_KIND_NAME {
			t.Errorf("curl in %v (%v)", got, resp.GetKind())
		}
		if m := resp.GetMatches()[0]; len(m.GetVersion().GetWarnings()) != 0 || m.GetVersion().GetSeq() != versions[2].GetSeq() || len(m.GetPath()) == 0 {
			t.Errorf("default match: %d warnings, version %v, path %v", len(m.GetVersion().GetWarnings()), m.GetVersion().GetTag(), m.GetPath())
		}
		ranged, err := c.query.Find(ctx, &api.FindRequest{Component: "pkg:deb/debian/liblzma5", Range: "vers:deb/<5.4.1-1+deb12u2"})
		if err != nil {
			t.Fatal(err)
		}
		if got := matchTags(ranged.GetMatches()); !slices.Equal(got, []string{"1.5.0", "1.0.0"}) || ranged.GetKind() != api.QueryKind_QUERY_KIND_KEY {
			t.Errorf("liblzma5 below the fix in %v", got)
		}
		latest, err := c.query.Find(ctx, &api.FindRequest{Component: "libc6", Latest: true, Scope: api.FindScope_FIND_SCOPE_ALL})
		if err != nil {
			t.Fatal(err)
		}
		if got := matchTags(latest.GetMatches()); !slices.Equal(got, []string{"4.0.0"}) || !latest.GetMatches()[0].GetLatest() {
			t.Errorf("libc6 latest in %v", got)
		}
		// Paging gives the same matches as one page, whatever the page size.
		whole, err := c.query.Find(ctx, &api.FindRequest{Component: "pkg:deb/debian/libc6"})
		if err != nil {
			t.Fatal(err)
		}
		if len(whole.GetMatches()) != 5 {
			t.Fatalf("libc6 in %d versions, want 5", len(whole.GetMatches()))
		}
		for _, size := range []int32{1, 2, 4} {
			var paged []*api.Match
			tok := ""
			for {
				resp, err := c.query.Find(ctx, &api.FindRequest{Component: "pkg:deb/debian/libc6", PageSize: size, PageToken: tok})
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, resp.GetMatches()...)
				if tok = resp.GetNextPageToken(); tok == "" {
					break
				}
			}
			if !protoSliceEqual(paged, whole.GetMatches()) {
				t.Errorf("page size %d: %v, want %v", size, matchTags(paged), matchTags(whole.GetMatches()))
			}
		}
		// The conversion gives the engine's own result back.
		masked, err := c.query.Find(ctx, &api.FindRequest{Component: "curl", ReadMask: &fieldmaskpb.FieldMask{Paths: []string{"version.tag", "component.purl", "direct"}}})
		if err != nil {
			t.Fatal(err)
		}
		m := masked.GetMatches()[0]
		if m.GetVersion().GetTag() != "3.0.0" || !strings.HasPrefix(m.GetComponent().GetPurl(), "pkg:deb/debian/curl@") || m.GetComponent().GetName() != "" || len(m.GetPath()) != 0 {
			t.Errorf("masked match = %v", m)
		}
	})

	t.Run("Path", func(t *testing.T) {
		resp, err := c.query.Path(ctx, &api.PathRequest{Ref: &api.ImageRef{Image: "debian-app", Tag: "3.0.0"}, Component: "pkg:deb/debian/libcurl4"})
		if err != nil {
			t.Fatal(err)
		}
		ms := convert.MatchesFromProto(resp.GetMatches())
		if len(ms) != 1 || len(ms[0].Path) < 2 || ms[0].Path[len(ms[0].Path)-1] != ms[0].Component.Purl || ms[0].Direct {
			t.Errorf("path = %+v", ms)
		}
	})

	t.Run("Timeline", func(t *testing.T) {
		var entries []*api.TimelineEntry
		tok := ""
		for {
			resp, err := c.query.Timeline(ctx, &api.TimelineRequest{Image: "debian-app", Component: "pkg:deb/debian/curl", PageSize: 2, PageToken: tok})
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, resp.GetEntries()...)
			if tok = resp.GetNextPageToken(); tok == "" {
				break
			}
		}
		var events []string
		for _, e := range entries {
			events = append(events, e.GetVersion().GetTag()+" "+strings.TrimPrefix(e.GetEvent().String(), "TIMELINE_EVENT_"))
		}
		want := []string{"1.0.0 UNCHANGED", "1.5.0 UNCHANGED", "2.0.0 APPEARED", "3.0.0 UNCHANGED", "4.0.0 REMOVED"}
		if !slices.Equal(events, want) {
			t.Errorf("timeline = %v, want %v", events, want)
		}
	})

	t.Run("Diff", func(t *testing.T) {
		asOf := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		old, new := graph.Ref{Image: "debian-app", Tag: "3.0.0"}, graph.Ref{Image: "debian-app", Tag: "4.0.0"}
		resp, err := c.diff.Diff(ctx, &api.DiffRequest{Old: convert.RefToProto(old), New: convert.RefToProto(new), AsOf: timestamppb.New(asOf)})
		if err != nil {
			t.Fatal(err)
		}
		want, err := diff.Versions(ctx, store, old, new, diff.WithNow(asOf))
		if err != nil {
			t.Fatal(err)
		}
		got := convert.DiffResultFromProto(resp.GetResult())
		if !reflect.DeepEqual(got, want) {
			t.Errorf("diff through the API differs from the engine's:\n got %+v\nwant %+v", got.Summary, want.Summary)
		}
		// MANIFEST: v3 -> v4 removes curl and its autoremoved libraries, adds openssl and busybox.
		if want.Summary.Removed == 0 || want.Summary.Added == 0 {
			t.Errorf("summary %+v", want.Summary)
		}
		summary, err := c.diff.Diff(ctx, &api.DiffRequest{Old: convert.RefToProto(old), New: convert.RefToProto(new), ReadMask: &fieldmaskpb.FieldMask{Paths: []string{"summary"}}})
		if err != nil {
			t.Fatal(err)
		}
		if r := summary.GetResult(); r.GetSummary().GetRemoved() != int32(want.Summary.Removed) || len(r.GetFiles().GetAdded()) != 0 || r.GetOld() != nil {
			t.Errorf("masked diff = %v", r)
		}
	})
}

func matchTags(ms []*api.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.GetVersion().GetTag())
	}
	return out
}

func protoSliceEqual[M proto.Message](a, b []M) bool {
	return slices.EqualFunc(a, b, func(x, y M) bool { return proto.Equal(x, y) })
}

// TestFindPagesOneAnswer checks that the next pages of a Find come from the answer its first
// page computed: a version ingested in between, which sorts after the first page ("zz-app"
// comes after "debian-app"), is not in them, and is in a new answer.
func TestFindPagesOneAnswer(t *testing.T) {
	ctx := context.Background()
	ts := start(t, openStore(t), Options{})
	c := newClients(ts.dial(t, nil))
	loadDebianApp(t, c)
	req := &api.FindRequest{Component: "pkg:deb/debian/libc6", PageSize: 2}
	first, err := c.query.Find(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: &api.IngestMetadata{Image: "zz-app", Tag: "1"},
		Sbom: ingesttest.Corpus(t, "big/debian-app-v1.syft.cdx.json")}); err != nil {
		t.Fatal(err)
	}
	images := func(ms []*api.Match) (out []string) {
		for _, m := range ms {
			out = append(out, m.GetVersion().GetImage())
		}
		return out
	}
	paged := first.GetMatches()
	for tok := first.GetNextPageToken(); tok != ""; {
		resp, err := c.query.Find(ctx, &api.FindRequest{Component: req.Component, PageSize: 2, PageToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, resp.GetMatches()...)
		tok = resp.GetNextPageToken()
	}
	if got := images(paged); len(got) != 4 || slices.Contains(got, "zz-app") {
		t.Errorf("pages of the first answer: %v, want debian-app's 4 versions", got)
	}
	fresh, err := c.query.Find(ctx, &api.FindRequest{Component: req.Component})
	if err != nil {
		t.Fatal(err)
	}
	if got := images(fresh.GetMatches()); len(got) != 5 || got[4] != "zz-app" {
		t.Errorf("a new answer: %v, want debian-app's 4 versions and zz-app", got)
	}
}

func TestAnswers(t *testing.T) {
	t0 := time.Now()
	res := func(n int) *query.FindResult { return &query.FindResult{Matches: make([]query.Match, n)} }
	var a answers
	a.put("q1", res(1), t0)
	a.put("q2", res(2), t0.Add(time.Second))
	if got, ok := a.get("q1", t0.Add(2*time.Second)); !ok || len(got.Matches) != 1 {
		t.Errorf("q1 = %v, %v", got, ok)
	}
	if _, ok := a.get("q1", t0.Add(answerTTL)); ok {
		t.Error("q1 is served after answerTTL")
	}
	a.put("q1", res(3), t0.Add(3*time.Second)) // replaces the older answer to q1
	if got, ok := a.get("q1", t0.Add(4*time.Second)); !ok || len(got.Matches) != 3 || len(a.entries) != 2 {
		t.Errorf("q1 = %v, %v with %d kept, want the newer answer of 2 kept", got, ok, len(a.entries))
	}
	for i := range maxAnswers + 2 {
		a.put(fmt.Sprint("n", i), res(1), t0.Add(5*time.Second))
	}
	if len(a.entries) != maxAnswers {
		t.Errorf("%d answers kept, want %d", len(a.entries), maxAnswers)
	}
	if _, ok := a.get("n0", t0.Add(6*time.Second)); ok {
		t.Error("the oldest answer was not pushed out")
	}
	if _, ok := a.get(fmt.Sprint("n", maxAnswers+1), t0.Add(6*time.Second)); !ok {
		t.Error("the newest answer was pushed out")
	}
	a.put("huge", res(maxAnswerMatches), t0.Add(7*time.Second)) // pushes out every other
	if len(a.entries) != 1 {
		t.Errorf("%d answers kept beside one of maxAnswerMatches", len(a.entries)-1)
	}
	a.put("too big", res(maxAnswerMatches+1), t0.Add(8*time.Second))
	if _, ok := a.get("too big", t0.Add(8*time.Second)); ok {
		t.Error("an answer over maxAnswerMatches was kept")
	}
}
