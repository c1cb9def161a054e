// Package ingesttest holds what the ingest tests share: the project's copy of the SBOM corpus
// and golden files of decoded Documents.
package ingesttest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Root returns the repository's root directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// CorpusDir is the project's copy of the corpus: every file gzip-compressed, with MANIFEST.tsv
// and PAIRS.tsv giving each file's source, licence and independent counts.
func CorpusDir() string { return filepath.Join(Root(), "testdata", "corpus") }

// Corpus returns the decompressed bytes of a corpus file, named as in MANIFEST.tsv (e.g.
// "alpine-3.16.2.syft.cdx.json" or "big/debian-app-v1.syft.cdx.json").
func Corpus(tb testing.TB, name string) []byte {
	tb.Helper()
	f, err := os.Open(filepath.Join(CorpusDir(), name+".gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return data
}

// Golden compares doc, serialised as indented JSON, with the golden file at path (relative to
// the test's package directory). With -update it writes the file instead.
func Golden(tb testing.TB, path string, doc *sbom.Document) {
	tb.Helper()
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the decoded document (run with -update to accept):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line with a little context.
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
