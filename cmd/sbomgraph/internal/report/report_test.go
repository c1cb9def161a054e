package report

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// asOf is the day the golden reports judge base OS support windows on.
var asOf = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// extensions maps a format to its file extension.
var extensions = map[string]string{"text": "txt", "json": "json", "markdown": "md", "html": "html", "sarif": "sarif", "csv": "csv"}

// updating reports whether the tests run with -update (the flag ingesttest defines).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with the file at path; with -update it writes the file instead.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, w, g)
		}
	}
	return ""
}

var (
	docsMu sync.Mutex
	docs   = map[string]*sbom.Document{}
)

// corpusDoc decodes a corpus file once per test binary.
func corpusDoc(t testing.TB, name string) *sbom.Document {
	t.Helper()
	docsMu.Lock()
	defer docsMu.Unlock()
	if d, ok := docs[name]; ok {
		return d
	}
	d, err := ingest.DecodeBytes(context.Background(), ingesttest.Corpus(t, name), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs[name] = d
	return d
}

// diffPair is a corpus pair rendered in golden tests.
type diffPair struct {
	name     string
	old, new string
	formats  []string
}

// corpusPath is how a corpus file is named on the command line from the repository root.
func corpusPath(name string) string { return "testdata/corpus/" + name + ".gz" }

// diffOf diffs a pair as `sbomgraph diff --as-of 2026-11-01` does.
func diffOf(t testing.TB, p diffPair) (*diff.Result, DiffOptions) {
	r := diff.Documents(corpusDoc(t, p.old), corpusDoc(t, p.new), diff.WithNow(asOf))
	return r, DiffOptions{OldName: corpusPath(p.old), NewName: corpusPath(p.new), NewURI: corpusPath(p.new)}
}

// examplePair is the pair of docs/examples.
var examplePair = diffPair{"debian-app-v3-v4", "big/debian-app-v3.syft.cdx.json", "big/debian-app-v4.syft.cdx.json", DiffFormats}

// goldenPairs are rendered into testdata/diff.
var goldenPairs = []diffPair{
	// Its JSON lists 482 new file paths: the v3 -> v4 JSON in docs/examples stands for it.
	{"debian-app-v1-v2", "big/debian-app-v1.syft.cdx.json", "big/debian-app-v2.syft.cdx.json", []string{"text", "markdown", "html", "sarif"}},
	{"alpine-3.16-3.17", "alpine-3.16.2.syft.cdx.json", "alpine-3.17.2.syft.cdx.xml", DiffFormats},
	{"centos-7-spdx-cdx", "centos-7.trivy.spdx", "centos-7.trivy.cdx.json", DiffFormats},
	{"kubectl-amd64", "kubectl-linux-amd64-2023-08-29.syft.spdx.json", "kubectl-linux-amd64-v1.28.1.syft.spdx.json", DiffFormats},
	// 1,100 npm packages: a downgrade, licence changes and long lists folded into <details>;
	// markdown and SARIF only (its JSON lists 1,589 new edges).
	{"juice-shop-11-14", "juice-shop-11.1.2.cdx-1.2.json", "juice-shop-14.1.1.flat.cdx-1.4.json", []string{"markdown", "sarif"}},
}

func renderDiff(t testing.TB, p diffPair, format string) []byte {
	r, opts := diffOf(t, p)
	var b bytes.Buffer
	if err := WriteDiff(&b, format, r, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDiffGolden(t *testing.T) {
	for _, p := range goldenPairs {
		for _, f := range p.formats {
			t.Run(p.name+"/"+f, func(t *testing.T) {
				golden(t, filepath.Join("testdata", "diff", p.name+"."+extensions[f]), renderDiff(t, p, f))
			})
		}
	}
}

// examplesDir is docs/examples.
func examplesDir() string { return filepath.Join(ingesttest.Root(), "docs", "examples") }

// TestExamples keeps docs/examples in step with the renderers: one corpus pair in every diff
// format and one blast-radius question in every find format (-update regenerates them).
func TestExamples(t *testing.T) {
	for _, f := range DiffFormats {
		t.Run("diff/"+f, func(t *testing.T) {
			golden(t, filepath.Join(examplesDir(), "diff-"+examplePair.name+"."+extensions[f]), renderDiff(t, examplePair, f))
		})
	}
	b := findReport(t, exampleFind)
	for _, f := range FindFormats {
		t.Run("find/"+f, func(t *testing.T) {
			golden(t, filepath.Join(examplesDir(), "find-liblzma5."+extensions[f]), renderFind(t, b, f))
		})
	}
}

var (
	storeOnce sync.Once
	store     graph.Store
	storeDir  string
	storeErr  error
)

// TestMain removes the shared store.
func TestMain(m *testing.M) {
	code := m.Run()
	if store != nil {
		store.Close()
	}
	if storeDir != "" {
		os.RemoveAll(storeDir)
	}
	os.Exit(code)
}

// series is the store the find reports run on: debian-app 1.0.0..4.0.0 (a day apart, curl
// added in 2.0.0 and removed in 4.0.0), alpine 3.16.2 and 3.17.2, nginx 1.23.1 and 1.23.2.
func series(t testing.TB) graph.Store {
	t.Helper()
	storeOnce.Do(func() {
		ctx := context.Background()
		if storeDir, storeErr = os.MkdirTemp("", "report-test-"); storeErr != nil {
			return
		}
		if store, storeErr = sqlite.Open(ctx, filepath.Join(storeDir, "g.db")); storeErr != nil {
			return
		}
		day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		put := func(file string, ref graph.Ref, created time.Time) {
			if storeErr != nil {
				return
			}
			_, _, storeErr = store.Put(ctx, ref, corpusDoc(t, file), graph.PutOptions{Created: created})
		}
		for i, v := range []string{"1", "2", "3", "4"} {
			put("big/debian-app-v"+v+".syft.cdx.json", graph.Ref{Image: "debian-app", Tag: v + ".0.0"}, day.AddDate(0, 0, i))
		}
		put("alpine-3.16.2.syft.cdx.json", graph.Ref{Image: "alpine", Tag: "3.16.2"}, day)
		put("alpine-3.17.2.syft.cdx.xml", graph.Ref{Image: "alpine", Tag: "3.17.2"}, day.AddDate(0, 0, 1))
		put("nginx-1.23.1.syft.spdx.json", graph.Ref{Image: "nginx", Tag: "1.23.1"}, day)
		put("nginx-1.23.2.syft.cdx.json", graph.Ref{Image: "nginx", Tag: "1.23.2"}, day.AddDate(0, 0, 1))
	})
	if storeErr != nil {
		t.Fatal(storeErr)
	}
	return store
}

// exampleFind is the question of docs/examples: which images ship an xz (liblzma5) older
// than the Debian 12 fix 5.4.1-1+deb12u2?
var exampleFind = query.FindRequest{Component: "pkg:deb/debian/liblzma5", Range: "vers:deb/<5.4.1-1+deb12u2"}

func findReport(t testing.TB, req query.FindRequest) *BlastRadius {
	t.Helper()
	b, err := BuildBlastRadius(context.Background(), StoreSource(series(t)), req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func renderFind(t testing.TB, b *BlastRadius, format string) []byte {
	var buf bytes.Buffer
	if err := WriteFind(&buf, format, b, FindOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFindGolden(t *testing.T) {
	for _, tc := range []struct {
		name    string
		req     query.FindRequest
		formats []string
	}{
		// libcurl4: direct in nginx (still affected), transitive via curl in debian-app
		// 2.0.0 and 3.0.0 (removed in 4.0.0).
		{"libcurl4", query.FindRequest{Component: "libcurl4"}, FindFormats},
		// busybox: newest versions of both images, found as apk, deb and a bare binary.
		{"busybox-latest", query.FindRequest{Component: "busybox", Latest: true}, []string{"text", "json", "csv"}},
		{"transitive-openssl", query.FindRequest{Component: "openssl", Scope: query.TransitiveOnly}, []string{"text", "markdown"}},
		{"nothing", query.FindRequest{Component: "pkg:maven/org.apache.logging.log4j/log4j-core"}, FindFormats},
	} {
		b := findReport(t, tc.req)
		for _, f := range tc.formats {
			t.Run(tc.name+"/"+f, func(t *testing.T) {
				golden(t, filepath.Join("testdata", "find", tc.name+"."+extensions[f]), renderFind(t, b, f))
			})
		}
	}
}
