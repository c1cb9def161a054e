package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
)

// writeCorpus copies corpus files (decompressed) into a temp dir and returns their paths.
func writeCorpus(t *testing.T, names ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, n := range names {
		p := filepath.Join(dir, filepath.Base(n))
		if err := os.WriteFile(p, ingesttest.Corpus(t, n), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

func TestInspectJSON(t *testing.T) {
	files := writeCorpus(t, "alpine-3.16.2.syft.cdx.json", "spdx-example-2.3.spdx")
	gz := filepath.Join(ingesttest.CorpusDir(), "centos-7.trivy.spdx.gz")
	code, out, stderr := runCLI("inspect", files[0], "-o", "json", "--components", files[1], gz)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var reports []inspectReport
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(reports) != 3 {
		t.Fatalf("%d reports, want 3", len(reports))
	}
	want := []struct {
		format, spec, enc string
		components        int
	}{{"CycloneDX", "1.4", "json", 15}, {"SPDX", "2.3", "tag-value", 4}, {"SPDX", "2.2", "tag-value", 4}}
	for i, w := range want {
		r := reports[i]
		if string(r.Format) != w.format || r.SpecVersion != w.spec || string(r.Encoding) != w.enc || r.Components != w.components {
			t.Errorf("report %d = %s %s %s %d components, want %+v", i, r.Format, r.SpecVersion, r.Encoding, r.Components, w)
		}
		if len(r.ComponentList) != r.Components {
			t.Errorf("report %d lists %d components, counts %d", i, len(r.ComponentList), r.Components)
		}
	}
	if reports[2].Compression != "gzip" {
		t.Errorf("compression = %q, want gzip", reports[2].Compression)
	}
	if !strings.Contains(out, `"specVersion"`) || strings.Contains(out, `"SpecVersion"`) {
		t.Error("JSON keys are not lowerCamelCase")
	}
}

func TestInspectFailure(t *testing.T) {
	files := writeCorpus(t, "alpine-3.16.2.syft.cdx.json")
	bad := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(bad, []byte("not an sbom"), 0o644)
	code, out, stderr := runCLI("inspect", bad, files[0])
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out, "not an SBOM") || !strings.Contains(out, "CycloneDX 1.4") {
		t.Errorf("output does not report both files:\n%s", out)
	}
	if !strings.Contains(stderr, "1 of 2 files could not be read") {
		t.Errorf("stderr = %q", stderr)
	}
	if code, _, _ := runCLI("inspect", "-o", "yaml", files[0]); code != 2 {
		t.Errorf("bad -o: exit %d, want 2", code)
	}
	if code, _, _ := runCLI("nope"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

func TestDiffFiles(t *testing.T) {
	dir := ingesttest.CorpusDir()
	code, out, stderr := runCLI("diff", filepath.Join(dir, "big/debian-app-v3.syft.cdx.json.gz"), filepath.Join(dir, "big/debian-app-v4.syft.cdx.json.gz"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"added 1  removed 10", "  + busybox", "  - curl ", "  - libcurl4 "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI("diff", "-o", "json", filepath.Join(dir, "laravel-7.12.0.cdx-1.4.json.gz"), filepath.Join(dir, "laravel-7.12.0.cdx-1.4.xml.gz"))
	var r struct {
		Summary map[string]int `json:"summary"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Summary["unchanged"] != 62 || r.Summary["added"] != 0 {
		t.Errorf("laravel JSON vs XML: exit %d, summary %v", code, r.Summary)
	}
	if code, _, _ := runCLI("diff", "only-one"); code != 2 {
		t.Errorf("one argument: exit %d, want 2", code)
	}
}
