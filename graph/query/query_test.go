package query

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// debianApp stores the four debian-app versions (v1..v4, created a day apart) and the alpine
// pair (under two spellings of its name), and returns the store.
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
	// The same image under another spelling (graph.NormalizeImage): one image, two versions.
	put("alpine-3.17.2.syft.cdx.xml", graph.Ref{Image: "docker.io/library/alpine", Tag: "3.17.2"}, day.AddDate(0, 0, 1))
	return s
}

func tags(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Version.Image+":"+m.Version.Tag)
	}
	return out
}

func TestFind(t *testing.T) {
	s := debianApp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		req  FindRequest
		kind string
		want []string
	}{
		// curl arrived in v2 and was removed in v4.
		{"by name", FindRequest{Component: "curl"}, "name", []string{"debian-app:3.0.0", "debian-app:2.0.0"}},
		{"by key", FindRequest{Component: "pkg:deb/debian/curl"}, "key", []string{"debian-app:3.0.0", "debian-app:2.0.0"}},
		{"latest only", FindRequest{Component: "curl", Latest: true}, "name", nil},
		{"busybox latest", FindRequest{Component: "busybox", Latest: true}, "name", []string{"alpine:3.17.2", "debian-app:4.0.0"}},
		// liblzma5 was upgraded between v1 and v2 (5.4.1-1+deb12u1 -> 5.4.1-1+deb12u2).
		{"range below the fix", FindRequest{Component: "pkg:deb/debian/liblzma5", Range: "vers:deb/<5.4.1-1+deb12u2"}, "key", []string{"debian-app:1.0.0"}},
		{"plain range", FindRequest{Component: "pkg:deb/debian/liblzma5", Range: ">=5.4.1-1+deb12u2"}, "key", []string{"debian-app:4.0.0", "debian-app:3.0.0", "debian-app:2.0.0"}},
		// A purl matches with the qualifiers it gives; syft's SBOMs add arch, distro, upstream.
		{"purl as advisories write it", FindRequest{Component: "pkg:deb/debian/liblzma5@5.4.1-1+deb12u1"}, "purl", []string{"debian-app:1.0.0"}},
		{"purl as the SBOM writes it", FindRequest{Component: "pkg:deb/debian/liblzma5@5.4.1-1%2Bdeb12u1?arch=amd64&distro=debian-12.15&upstream=xz-utils"}, "purl", []string{"debian-app:1.0.0"}},
		{"purl with a qualifier it has", FindRequest{Component: "pkg:deb/debian/liblzma5@5.4.1-1+deb12u2?ARCH=amd64"}, "purl", []string{"debian-app:4.0.0", "debian-app:3.0.0", "debian-app:2.0.0"}},
		{"purl with a qualifier it contradicts", FindRequest{Component: "pkg:deb/debian/liblzma5@5.4.1-1+deb12u2?arch=arm64"}, "purl", nil},
		{"purl as a scanner of another point release writes it", FindRequest{Component: "pkg:deb/debian/liblzma5@5.4.1-1+deb12u1?arch=amd64&distro=debian-12.4&upstream=xz-utils"}, "purl", []string{"debian-app:1.0.0"}},
		{"purl of another version", FindRequest{Component: "pkg:deb/debian/liblzma5@5.4.1-1"}, "purl", nil},
		// alpine 3.16.2 is syft 0.58's scan (pkg:alpine/musl@1.2.3-r0), 3.17.2 syft 0.73's
		// (pkg:apk/alpine/musl@1.2.3-r4): one package, whichever spelling asks.
		{"old purl type", FindRequest{Component: "pkg:alpine/musl", Range: "vers:apk/>=1.2.3-r0"}, "key", []string{"alpine:3.17.2", "alpine:3.16.2"}},
		{"vers alpine type", FindRequest{Component: "pkg:apk/alpine/musl", Range: "vers:alpine/<1.2.3-r4"}, "key", []string{"alpine:3.16.2"}},
		{"other image", FindRequest{Component: "musl"}, "name", []string{"alpine:3.17.2", "alpine:3.16.2"}},
		{"one image", FindRequest{Component: "busybox", Image: "alpine"}, "name", []string{"alpine:3.17.2", "alpine:3.16.2"}},
		{"one image spelt out", FindRequest{Component: "busybox", Image: "index.docker.io/library/alpine"}, "name", []string{"alpine:3.17.2", "alpine:3.16.2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Find(ctx, s, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != tc.kind {
				t.Errorf("kind = %q, want %q", res.Kind, tc.kind)
			}
			if got := tags(res.Matches); !slices.Equal(got, tc.want) {
				t.Errorf("matches = %v, want %v", got, tc.want)
			}
			for _, m := range res.Matches {
				if len(m.Path) == 0 || m.Path[len(m.Path)-1] != m.Component.ID() || m.Direct != (len(m.Path) == 1) {
					t.Errorf("match %s: path %v does not end at %s", m.Version.Tag, m.Path, m.Component.ID())
				}
			}
		})
	}
	if _, err := Find(ctx, s, FindRequest{Component: "curl", Range: "vers:deb/>=1|>=2"}); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("bad range: err = %v, want ErrInvalid", err)
	}
	if _, err := Find(ctx, s, FindRequest{Component: " "}); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("empty component: err = %v, want ErrInvalid", err)
	}
}

func TestTimeline(t *testing.T) {
	s := debianApp(t)
	tl, err := Timeline(context.Background(), s, "debian-app", "pkg:deb/debian/curl")
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range tl {
		events = append(events, e.Version.Tag+"="+e.Event)
	}
	want := []string{"1.0.0=", "2.0.0=appeared", "3.0.0=", "4.0.0=removed"}
	if !slices.Equal(events, want) {
		t.Errorf("timeline = %v, want %v", events, want)
	}
	spelt, err := Timeline(context.Background(), s, "docker.io/library/debian-app", "pkg:deb/debian/curl")
	if err != nil || len(spelt) != len(tl) || spelt[1].Event != "appeared" {
		t.Errorf("timeline of docker.io/library/debian-app = %d entries, %v; want debian-app's", len(spelt), err)
	}
	if _, err := Timeline(context.Background(), s, "no-such-image", "curl"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("unknown image: err = %v, want ErrNotFound", err)
	}
}

// TestTimelineSpellings: one product scanned by syft, then by trivy 0.36, which writes Go
// module versions without their "v" ("1.6.1") under the purl syft writes ("@v1.6.1", once
// ingest restores trivy's): the module is unchanged, shown as each SBOM wrote it.
func TestTimelineSpellings(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, file := range []string{"sbomqs-dev.syft-0.63.cdx.json", "sbomqs-dev.trivy-0.36.cdx.json"} {
		doc, err := ingest.DecodeBytes(ctx, ingesttest.Corpus(t, file), ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Put(ctx, graph.Ref{Image: "sbomqs", Tag: []string{"syft", "trivy"}[i]}, doc, graph.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	tl, err := Timeline(ctx, s, "sbomqs", "pkg:golang/github.com/spf13/cobra")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl {
		got = append(got, e.Version.Tag+"="+e.Event+" "+strings.Join(e.Versions, ","))
	}
	if want := []string{"syft=appeared v1.6.1", "trivy= 1.6.1"}; !slices.Equal(got, want) {
		t.Errorf("timeline = %q, want %q", got, want)
	}
}

func TestPath(t *testing.T) {
	s := debianApp(t)
	ms, err := Path(context.Background(), s, graph.Ref{Image: "debian-app", Tag: "2.0.0"}, "pkg:deb/debian/libcurl4")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Version.Tag != "2.0.0" {
		t.Fatalf("matches = %+v", ms)
	}
	spelt, err := Path(context.Background(), s, graph.Ref{Image: "docker.io/debian-app", Tag: "2.0.0"}, "pkg:deb/debian/libcurl4")
	if err != nil || len(spelt) != 1 || spelt[0].Version.Seq != ms[0].Version.Seq {
		t.Errorf("Path in docker.io/debian-app:2.0.0 = %+v, %v; want debian-app:2.0.0's", spelt, err)
	}
	if _, err := Path(context.Background(), s, graph.Ref{Image: "debian-app", Tag: "1.0.0"}, "pkg:deb/debian/libcurl4"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("absent: err = %v, want ErrNotFound", err)
	}
}

// TestTimelineWithoutPurls: components without a purl are compared by their version fields,
// each its own (content keys are one package across versions).
func TestTimelineWithoutPurls(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, v := range []string{"1.0", "1.0", "2.0"} {
		b := sbom.NewBuilder(sbom.Source{Format: sbom.FormatCycloneDX}, sbom.Limits{})
		if _, err := b.Add(sbom.Component{LocalID: "tool", Type: "application", Name: "tool", Version: v}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Put(ctx, graph.Ref{Image: "app", Tag: fmt.Sprint(i)}, b.Finish(), graph.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	tl, err := Timeline(ctx, s, "app", sbom.ContentKey("application", "", "tool"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl {
		got = append(got, e.Version.Tag+"="+e.Event+" "+strings.Join(e.Versions, ","))
	}
	if want := []string{"0=appeared 1.0", "1= 1.0", "2=changed 2.0"}; !slices.Equal(got, want) {
		t.Errorf("timeline = %q, want %q", got, want)
	}
}
