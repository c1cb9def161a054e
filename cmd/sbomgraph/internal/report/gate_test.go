package report

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

func TestParseGates(t *testing.T) {
	gates, err := ParseGates([]string{"downgrade,integrity", " hygiene:shell , licence:GPL-*", "hygiene:HIGH,component:pkg:deb/*/curl*,,hygiene"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gates {
		got = append(got, g.String())
	}
	want := []string{"downgrade", "integrity", "hygiene:shell", "license:GPL-*", "hygiene:high", "component:pkg:deb/*/curl*", "hygiene"}
	if !slices.Equal(got, want) {
		t.Errorf("gates %v, want %v", got, want)
	}
	for _, bad := range []string{"downgrades", "downgrade:major", "hygiene:editor", "license:", "component", "integrity:x", "upgrade"} {
		if _, err := ParseGates([]string{bad}); !errors.Is(err, ErrInvalidGate) {
			t.Errorf("ParseGates(%q): err = %v, want ErrInvalidGate", bad, err)
		}
	}
	if g, err := ParseGates(nil); err != nil || g != nil {
		t.Errorf("no --fail-on: %v, %v", g, err)
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"GPL-*", "GPL-2.0-only", true},
		{"GPL-*", "gpl-3.0-or-later", true},
		{"GPL-*", "LGPL-2.1-only", false},
		{"*GPL-*", "AGPL-3.0-only", true},
		{"pkg:deb/*/curl*", "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u15?arch=amd64", true},
		{"pkg:deb/*/curl*", "pkg:deb/debian/libcurl4@7.88.1", false},
		{"pkg:golang/*", "pkg:golang/github.com/a/b@v1", true},
		{"pkg:npm/left-pad", "pkg:npm/left-pad", true},
		{"v1.?", "v1.2", true},
		{"a.b", "axb", false},
	} {
		if got := globRegexp(tc.pattern).MatchString(tc.s); got != tc.want {
			t.Errorf("%q matches %q = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// gateHits evaluates one --fail-on value on r and returns the matches' descriptions.
func gateHits(t *testing.T, r *diff.Result, spec string) []string {
	t.Helper()
	gates, err := ParseGates([]string{spec})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range EvaluateGates(r, gates) {
		out = append(out, m.Gate.String()+" "+m.What)
	}
	return out
}

func TestEvaluateGates(t *testing.T) {
	v1v2, _ := diffOf(t, goldenPairs[0]) // curl and ca-certificates added, 10 upgrades
	v2v1 := diff.Documents(corpusDoc(t, goldenPairs[0].new), corpusDoc(t, goldenPairs[0].old), diff.WithNow(asOf))
	v3v4, _ := diffOf(t, examplePair) // busybox added, curl removed
	juice, _ := diffOf(t, goldenPairs[len(goldenPairs)-1])

	for _, tc := range []struct {
		name string
		r    *diff.Result
		spec string
		want []string // substrings, one per expected match, in order
	}{
		{"added curl", v1v2, "component:pkg:deb/*/curl*", []string{"curl 7.88.1-10+deb12u15 added"}},
		{"removed curl never trips", v3v4, "component:pkg:deb/*/curl*", nil},
		{"removed curl, reversed", v2v1, "component:*curl*,license:GPL-*,license:curl", nil},
		{"by name", v3v4, "component:busybox", []string{"busybox"}},
		{"added GPL", v1v2, "license:GPL-3.0-or-later", []string{"curl", "libcurl4"}},
		{"shell", v3v4, "hygiene:shell", []string{"shell (medium): shell added: busybox"}},
		{"severity at least medium", v3v4, "hygiene:medium", []string{"base-os-unsupported", "shell"}},
		{"no high finding", v3v4, "hygiene:high", nil},
		{"any hygiene", v1v2, "hygiene", []string{"base-os-unsupported", "network-tool", "bloat"}},
		{"no downgrade", v1v2, "downgrade,integrity", nil},
		{"downgrade", juice, "downgrade", []string{"base64-arraybuffer 0.1.5 -> 0.1.4"}},
		{"licence newly in an expression", juice, "license:AFL-*", []string{"json-schema 0.4.0 now under AFL-2.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := gateHits(t, tc.r, tc.spec)
			if len(tc.want) == 0 && len(got) > 0 || len(tc.want) > 0 && len(got) < len(tc.want) {
				t.Fatalf("matches %q, want %d like %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if tc.name == "added GPL" {
					// Every added package under GPL-3.0-or-later, curl and libcurl4 among them.
					if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, " "+w+" ") }) {
						t.Errorf("matches %q lack %s", got, w)
					}
					continue
				}
				if i >= len(got) || !strings.Contains(got[i], w) {
					t.Errorf("match %d: %q, want it to say %q (all: %q)", i, got, w, got)
				}
			}
		})
	}
}

// TestIntegrityGate: the same debian-app scan with busybox's hash changed at the same version
// trips the integrity gate, and only that. (syft gives deb packages no hash, so both sides get
// one.)
func TestIntegrityGate(t *testing.T) {
	withHash := func(value string) *sbom.Document {
		d := *corpusDoc(t, "big/debian-app-v4.syft.cdx.json")
		d.Components = slices.Clone(d.Components)
		for i := range d.Components {
			if c := &d.Components[i]; c.Type != "file" && c.Name == "busybox" {
				c.Hashes = []sbom.Hash{{Algorithm: "SHA-256", Value: strings.Repeat(value, 64)}}
			}
		}
		return &d
	}
	r := diff.Documents(withHash("1"), withHash("0"), diff.WithNow(asOf))
	got := gateHits(t, r, "integrity,downgrade,component:*,license:*")
	if len(got) != 1 || !strings.Contains(got[0], "integrity busybox 1:1.35.0-4+deb12u1+b1: SHA-256 1111") {
		t.Errorf("matches %q, want one integrity match for busybox", got)
	}
	if s := renderDiffResult(t, r, "sarif"); !strings.Contains(s, `"ruleId": "integrity"`) {
		t.Error("the integrity finding is not in the SARIF log")
	}
}

func renderDiffResult(t *testing.T, r *diff.Result, format string) string {
	var b strings.Builder
	if err := WriteDiff(&b, format, r, DiffOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
