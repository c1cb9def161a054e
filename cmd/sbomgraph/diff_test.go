package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
)

// diffCLI runs `sbomgraph diff ARGS` in-process with the given environment.
func diffCLI(environ map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }}
	code = run(context.Background(), e, append([]string{"diff"}, args...))
	return code, out.String(), errb.String()
}

// The pair of docs/examples, named as on the command line from the repository root.
const (
	exampleOld = "testdata/corpus/big/debian-app-v3.syft.cdx.json.gz"
	exampleNew = "testdata/corpus/big/debian-app-v4.syft.cdx.json.gz"
)

// TestDiffExamples: `sbomgraph diff -o FORMAT --as-of 2026-11-01 OLD NEW` from the repository
// root writes exactly the committed examples (which the report package's tests generate).
func TestDiffExamples(t *testing.T) {
	t.Chdir(ingesttest.Root())
	for format, ext := range map[string]string{"text": "txt", "json": "json", "markdown": "md", "html": "html", "sarif": "sarif"} {
		t.Run(format, func(t *testing.T) {
			code, out, stderr := diffCLI(nil, "-o", format, "--as-of", "2026-11-01", exampleOld, exampleNew)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			want, err := os.ReadFile(filepath.Join("docs", "examples", "diff-debian-app-v3-v4."+ext))
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("-o %s differs from docs/examples (regenerate with go test ./cmd/sbomgraph/internal/report -update)", format)
			}
		})
	}
}

func TestDiffFailOn(t *testing.T) {
	t.Chdir(ingesttest.Root())
	v1 := "testdata/corpus/big/debian-app-v1.syft.cdx.json.gz"
	v2 := "testdata/corpus/big/debian-app-v2.syft.cdx.json.gz"
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stderrHas  []string
		stdoutNone bool
	}{
		{"nothing asked", []string{exampleOld, exampleNew}, 0, nil, false},
		{"no downgrade", []string{"--fail-on", "downgrade,integrity", exampleOld, exampleNew}, 0, nil, false},
		{"shell added", []string{"--fail-on", "downgrade", "--fail-on", "hygiene:shell", exampleOld, exampleNew}, 3,
			[]string{"--fail-on hygiene:shell: shell (medium): shell added: busybox", "1 change matched --fail-on"}, false},
		{"removed curl never trips", []string{"--fail-on", "component:pkg:deb/*/curl*,license:GPL-*", exampleOld, exampleNew}, 0, nil, false},
		{"added curl trips", []string{"--fail-on=component:pkg:deb/*/curl*", v1, v2}, 3, []string{"curl 7.88.1-10+deb12u15 added"}, false},
		{"only high", []string{"--fail-on", "hygiene:high", "--as-of", "2026-11-01", exampleOld, exampleNew}, 0, nil, false},
		{"past LTS is high", []string{"--fail-on", "hygiene:high", "--as-of", "2028-07-01", exampleOld, exampleNew}, 3, []string{"base-os-unsupported (high)"}, false},
		{"bad condition", []string{"--fail-on", "downgrades", exampleOld, exampleNew}, 2, []string{"unknown condition"}, true},
		{"bad format", []string{"-o", "pdf", exampleOld, exampleNew}, 2, []string{"want one of text, json, markdown, html, sarif"}, true},
		{"bad day", []string{"--as-of", "tomorrow", exampleOld, exampleNew}, 2, []string{"--as-of"}, true},
		{"bad bloat", []string{"--bloat", "ten", exampleOld, exampleNew}, 2, []string{"--bloat"}, true},
		{"bad colour", []string{"--color", "sometimes", exampleOld, exampleNew}, 2, []string{"--color"}, true},
		{"one file", []string{exampleOld}, 2, []string{"want OLD and NEW"}, true},
		{"missing file", []string{exampleOld, "no-such.json"}, 1, []string{"no-such.json"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := diffCLI(nil, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.stderrHas {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if tc.stdoutNone != (out == "") {
				t.Errorf("stdout %q (a gate still prints the report; an error prints none)", firstLine(out))
			}
		})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func TestDiffBloatAndColor(t *testing.T) {
	t.Chdir(ingesttest.Root())
	v2 := "testdata/corpus/big/debian-app-v2.syft.cdx.json.gz"
	v3 := "testdata/corpus/big/debian-app-v3.syft.cdx.json.gz" // 107 -> 138 packages (+29%)
	_, out, _ := diffCLI(nil, "--fail-on", "hygiene:bloat", v2, v3)
	if !strings.Contains(out, "package count grew by 31") {
		t.Errorf("default threshold: no bloat finding:\n%s", out)
	}
	if code, out, _ := diffCLI(nil, "--bloat", "30,10", "--fail-on", "hygiene:bloat", v2, v3); code != 0 || strings.Contains(out, "bloat") {
		t.Errorf("--bloat 30,10: exit %d, bloat reported", code)
	}
	if _, out, _ := diffCLI(nil, v2, v3); strings.Contains(out, "\x1b[") {
		t.Error("colour on a pipe")
	}
	if _, out, _ := diffCLI(nil, "--color", "always", v2, v3); !strings.Contains(out, "\x1b[1mhygiene") {
		t.Error("--color always: no colour")
	}
	e := &env{getenv: func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }, stdout: os.Stdout}
	if on, err := colorMode("auto", e); err != nil || on {
		t.Errorf("NO_COLOR set: colour %v (%v)", on, err)
	}
}

func TestDiffHelp(t *testing.T) {
	code, _, stderr := diffCLI(nil, "-h")
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{"--fail-on", "hygiene:KIND", "license:PATTERN", "component:PATTERN", "3 a --fail-on", "-o string", "-as-of day", "sarif"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("help lacks %q:\n%s", want, stderr)
		}
	}
}
