package diff

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// asOf is the fixed "now" of the hygiene tests.
var asOf = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// findings lists "kind:component name" (or just "kind" for findings without a component),
// in the result's order.
func findings(r *Result) []string {
	var out []string
	for _, f := range r.Hygiene.Findings {
		s := string(f.Kind)
		if f.Component != nil {
			s += ":" + f.Component.Name
		}
		out = append(out, s)
	}
	return out
}

func TestDefaultHygieneRules(t *testing.T) {
	r, err := DefaultHygieneRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range categoryKinds {
		c := r.Categories[k]
		if c == nil {
			t.Fatalf("no category %q", k)
		}
		for _, eco := range []string{"deb", "apk", "rpm", "generic"} {
			if len(c.Names[eco]) == 0 {
				t.Errorf("%s lists no %s names", k, eco)
			}
		}
	}
	for _, id := range []string{"debian", "ubuntu", "alpine"} {
		d := r.BaseOS.Distributions[id]
		if d == nil || len(d.Releases) == 0 {
			t.Fatalf("no releases for %s", id)
		}
		seen := map[string]bool{}
		for _, rel := range d.Releases {
			if seen[rel.Release] {
				t.Errorf("%s %s listed twice", id, rel.Release)
			}
			seen[rel.Release] = true
			if rel.Extended != "" && rel.Extended < rel.EOL {
				t.Errorf("%s %s: extended support %s ends before regular support %s", id, rel.Release, rel.Extended, rel.EOL)
			}
		}
	}
	// Patterns say what they mean: gcc-12 is a compiler, gcc-12-base (in every Debian) is not.
	tc := r.Categories[HygieneToolchain]
	for name, want := range map[string]bool{"gcc-12": true, "gcc": true, "gcc-12-base": false, "binutils-x86-64-linux-gnu": true, "libgcc-s1": false, "make": true} {
		if got := tc.member("deb", name); got != want {
			t.Errorf("toolchain member(deb, %q) = %v, want %v", name, got, want)
		}
	}
	if !r.Categories[HygieneShell].member("apk", "busybox") || r.Categories[HygieneShell].member("npm", "bash") {
		t.Error("shell membership is per ecosystem: apk busybox is a shell, an npm package named bash is not")
	}
	if r.ecosystem("alpine") != "apk" || r.ecosystem("") != "generic" {
		t.Errorf("aliases: alpine -> %q, none -> %q", r.ecosystem("alpine"), r.ecosystem(""))
	}
}

func TestParseHygieneRulesErrors(t *testing.T) {
	base := `
bloat: {percent: 10, min: 10}
baseOS:
  changedSeverity: low
  unsupportedSeverity: high
  extendedSeverity: medium
`
	if _, err := ParseHygieneRules([]byte(base)); err != nil {
		t.Fatalf("minimal rules: %v", err)
	}
	for name, doc := range map[string]string{
		"not yaml":         "bloat: [",
		"unknown field":    base + "colour: red\n",
		"unknown category": "categories: {editor: {severity: low, names: {deb: [vim]}}}\n" + base,
		"bad severity":     "categories: {shell: {severity: fatal, names: {deb: [bash]}}}\n" + base,
		"bad pattern":      "categories: {shell: {severity: low, names: {deb: ['ba[sh']}}}\n" + base,
		"bad date":         base + "  distributions: {debian: {releases: [{release: '12', eol: 'June 2026'}]}}\n",
		"no release":       base + "  distributions: {debian: {releases: [{eol: '2026-06-10'}]}}\n",
		"negative bloat":   "bloat: {percent: -1, min: 10}\nbaseOS: {changedSeverity: low, unsupportedSeverity: high, extendedSeverity: medium}\n",
		"missing severity": "bloat: {percent: 10, min: 10}\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseHygieneRules([]byte(doc)); !errors.Is(err, ErrInvalidRules) {
				t.Errorf("err = %v, want ErrInvalidRules", err)
			}
		})
	}
}

// TestHygieneCorpus checks the hygiene verdict on real image pairs.
func TestHygieneCorpus(t *testing.T) {
	for _, tc := range []struct {
		old, new       string
		now            time.Time
		oldOS, newOS   string
		want           []string
		unsupportedSev Severity
	}{
		// v3 -> v4 adds busybox (a shell; bash and dash were there already) and drops curl.
		// Debian 12 left regular security support on 2026-06-10; LTS runs to 2028-06-30.
		{"big/debian-app-v3.syft.cdx.json", "big/debian-app-v4.syft.cdx.json", asOf, "debian 12.15", "debian 12.15",
			[]string{"base-os-unsupported", "shell:busybox"}, SeverityMedium},
		{"big/debian-app-v3.syft.cdx.json", "big/debian-app-v4.syft.cdx.json", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "debian 12.15", "debian 12.15",
			[]string{"shell:busybox"}, ""},
		{"big/debian-app-v3.syft.cdx.json", "big/debian-app-v4.syft.cdx.json", time.Date(2028, 7, 1, 0, 0, 0, 0, time.UTC), "debian 12.15", "debian 12.15",
			[]string{"base-os-unsupported", "shell:busybox"}, SeverityHigh},
		// v1 -> v2 adds ca-certificates and curl (a network tool): 89 -> 107 packages is bloat.
		{"big/debian-app-v1.syft.cdx.json", "big/debian-app-v2.syft.cdx.json", asOf, "debian 12.15", "debian 12.15",
			[]string{"base-os-unsupported", "network-tool:curl", "bloat"}, SeverityMedium},
		// The SPDX scans have no OS component; the purls' distro qualifier says the same.
		{"big/debian-app-v1.syft.spdx.json", "big/debian-app-v2.syft.spdx.json", asOf, "debian 12.15", "debian 12.15",
			[]string{"base-os-unsupported", "network-tool:curl", "bloat"}, SeverityMedium},
		// alpine 3.16 -> 3.17: another release line, long out of support. busybox is in both
		// (pkg:alpine/busybox, then pkg:apk/alpine/busybox and a bare binary): not added.
		{"alpine-3.16.2.syft.cdx.json", "alpine-3.17.2.syft.cdx.xml", asOf, "alpine 3.16.2", "alpine 3.17.2",
			[]string{"base-os-unsupported", "base-os-changed"}, SeverityHigh},
		// debian 11 (python) -> distroless: the variant changes, the release does not.
		{"python-latest-2022-10.syft.cdx.json", "distroless-static-nonroot.syft.cdx.json", asOf, "debian 11", "distroless (debian 11)",
			[]string{"base-os-unsupported", "base-os-changed"}, SeverityHigh},
		// SPDX (distro qualifiers) -> CycloneDX (OS component) of the same debian 11 base.
		{"nginx-1.23.1.syft.spdx.json", "nginx-1.23.2.syft.cdx.json", asOf, "debian 11", "debian 11",
			[]string{"base-os-unsupported"}, SeverityHigh},
		{"rabbitmq-latest-2022-10-05.syft.spdx.json", "rabbitmq-latest-2022-10-20.syft.cdx.json", asOf, "ubuntu 20.04", "ubuntu 20.04",
			[]string{"base-os-unsupported"}, SeverityMedium},
		// Not images: no base OS, no finding but bloat.
		{"juice-shop-11.1.2.cdx-1.2.json", "juice-shop-14.1.1.flat.cdx-1.4.json", asOf, "none", "none", []string{"bloat"}, ""},
		{"laravel-7.12.0.cdx-1.4.json", "laravel-7.12.0.cdx-1.4.xml", asOf, "none", "none", nil, ""},
	} {
		t.Run(tc.old+" -> "+tc.new+" @"+tc.now.Format(time.DateOnly), func(t *testing.T) {
			r := Documents(corpusDoc(t, tc.old), corpusDoc(t, tc.new), WithNow(tc.now))
			if got := r.Hygiene.OldOS.String() + " -> " + r.Hygiene.NewOS.String(); got != tc.oldOS+" -> "+tc.newOS {
				t.Errorf("base OS %s, want %s -> %s", got, tc.oldOS, tc.newOS)
			}
			if got := findings(r); !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
				for _, f := range r.Hygiene.Findings {
					t.Log(f.Message)
				}
			}
			if r.Summary.Hygiene != len(r.Hygiene.Findings) {
				t.Errorf("summary counts %d hygiene findings, result has %d", r.Summary.Hygiene, len(r.Hygiene.Findings))
			}
			for _, f := range r.Hygiene.Findings {
				if f.Kind == HygieneBaseOSUnsupported && f.Severity != tc.unsupportedSev {
					t.Errorf("base-os-unsupported severity %s, want %s: %s", f.Severity, tc.unsupportedSev, f.Message)
				}
				if f.Message == "" || f.Severity.Rank() == 0 {
					t.Errorf("finding without message or severity: %+v", f)
				}
			}
		})
	}
}

// TestHygieneAddedTools: going from distroless to a full Debian image adds every category.
func TestHygieneAddedTools(t *testing.T) {
	r := Documents(corpusDoc(t, "distroless-static-nonroot.syft.cdx.json"), corpusDoc(t, "python-latest-2022-10.syft.cdx.json"), WithNow(asOf))
	byKind := map[HygieneKind][]string{}
	for _, f := range r.Hygiene.Findings {
		if f.Component != nil {
			byKind[f.Kind] = append(byKind[f.Kind], f.Component.Name)
		}
	}
	want := map[HygieneKind][]string{
		HygieneShell:          {"bash", "dash"},
		HygienePackageManager: {"apt", "dpkg", "pip"},
		HygieneToolchain:      {"gcc", "gcc-10", "make", "binutils", "g++", "cpp"},
		HygieneNetworkTool:    {"curl", "wget", "openssh-client"},
	}
	for kind, names := range want {
		for _, n := range names {
			if !slices.Contains(byKind[kind], n) {
				t.Errorf("%s findings %v lack %s", kind, byKind[kind], n)
			}
		}
	}
	for _, n := range byKind[HygieneToolchain] {
		if strings.HasSuffix(n, "-base") || strings.HasPrefix(n, "libgcc") || strings.HasPrefix(n, "libstdc") {
			t.Errorf("toolchain finding for %s, a runtime package", n)
		}
	}
	// Findings are sorted: severity first (toolchain is high), then kind, then key.
	for i := 1; i < len(r.Hygiene.Findings); i++ {
		a, b := r.Hygiene.Findings[i-1], r.Hygiene.Findings[i]
		if a.Severity.Rank() < b.Severity.Rank() {
			t.Errorf("finding %d (%s) sorts after a lower one (%s)", i, b.Severity, a.Severity)
		}
	}
	// The reverse direction removes them all: removals never count.
	back := Documents(corpusDoc(t, "python-latest-2022-10.syft.cdx.json"), corpusDoc(t, "distroless-static-nonroot.syft.cdx.json"), WithNow(asOf))
	for _, f := range back.Hygiene.Findings {
		if f.Component != nil {
			t.Errorf("removal reported as a finding: %s", f.Message)
		}
	}
}

func TestBloatThreshold(t *testing.T) {
	old, new := corpusDoc(t, "big/debian-app-v2.syft.cdx.json"), corpusDoc(t, "big/debian-app-v3.syft.cdx.json") // 107 -> 138 packages
	for _, tc := range []struct {
		percent float64
		min     int
		want    bool
	}{
		{10, 10, true},
		{28.9, 31, true},
		{29, 10, false}, // 31/107 = 28.97%
		{10, 32, false},
		{0, 0, true},
	} {
		r := Documents(old, new, WithNow(asOf), WithBloatThreshold(tc.percent, tc.min))
		if got := slices.Contains(findings(r), "bloat"); got != tc.want {
			t.Errorf("threshold %g%%/%d: bloat %v, want %v", tc.percent, tc.min, got, tc.want)
		}
	}
	// A shrinking image is never bloated.
	if r := Documents(new, old, WithNow(asOf), WithBloatThreshold(0, 0)); slices.Contains(findings(r), "bloat") {
		t.Error("shrinking image reported as bloat")
	}
}

// TestWithHygieneRules: rules of one's own replace the defaults.
func TestWithHygieneRules(t *testing.T) {
	rules, err := ParseHygieneRules([]byte(`
bloat: {percent: 1000, min: 1000}
categories:
  network-tool: {severity: high, names: {deb: [busybox]}}
baseOS: {changedSeverity: low, unsupportedSeverity: high, extendedSeverity: medium}
`))
	if err != nil {
		t.Fatal(err)
	}
	r := Documents(corpusDoc(t, "big/debian-app-v3.syft.cdx.json"), corpusDoc(t, "big/debian-app-v4.syft.cdx.json"), WithNow(asOf), WithHygieneRules(rules))
	// busybox (with its wget and nc applets) was added in v4; these rules call it a network
	// tool and know no shells; without distributions nothing is unsupported.
	if got := findings(r); !slices.Equal(got, []string{"network-tool:busybox"}) {
		t.Errorf("findings %v, want the rules' own network-tool busybox only", got)
	}
	if r.Hygiene.NewOS == nil || r.Hygiene.NewOS.EOL != "" {
		t.Errorf("new OS %+v: without distribution data there is no EOL", r.Hygiene.NewOS)
	}
}

func TestDetectBaseOS(t *testing.T) {
	rules, err := DefaultHygieneRules()
	if err != nil {
		t.Fatal(err)
	}
	build := func(subject string, comps ...sbom.Component) *sbom.Document {
		b := sbom.NewBuilder(sbom.Source{Format: sbom.FormatCycloneDX}, sbom.Limits{})
		b.Subject().Name = subject
		for _, c := range comps {
			if _, err := b.Add(c); err != nil {
				t.Fatal(err)
			}
		}
		return b.Finish()
	}
	deb := func(name, distro string) sbom.Component {
		return sbom.Component{LocalID: name, Purl: "pkg:deb/debian/" + name + "@1.0?distro=" + distro, Type: "library"}
	}
	for _, tc := range []struct {
		name string
		doc  *sbom.Document
		want string
		eol  string
	}{
		{"os component wins", build("x", deb("a", "debian-11"), sbom.Component{LocalID: "os", Name: "Alpine", Version: "3.18.4", Type: "operating-system"}), "alpine 3.18.4", "2025-05-09"},
		{"most common qualifier", build("x", deb("a", "debian-11"), deb("b", "debian-12"), deb("c", "debian-12")), "debian 12", "2026-06-10"},
		{"tie to the smaller", build("x", deb("a", "debian-12"), deb("b", "debian-11")), "debian 11", "2024-08-14"},
		{"escaped qualifier", build("x", sbom.Component{LocalID: "a", Purl: "pkg:rpm/centos/bash@4.2?distro=centos-7.6.1810", Type: "library"}), "centos 7.6.1810", "2024-06-30"},
		{"unknown release", build("x", deb("a", "debian-99")), "debian 99", ""},
		{"variant from the subject", build("gcr.io/distroless/base-debian12", deb("a", "debian-12")), "distroless (debian 12)", "2026-06-10"},
		{"nothing", build("x", sbom.Component{LocalID: "a", Purl: "pkg:npm/a@1"}), "none", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := DetectBaseOS(tc.doc, rules)
			if got := b.String(); got != tc.want {
				t.Errorf("base OS %q, want %q", got, tc.want)
			}
			if b != nil && b.EOL != tc.eol {
				t.Errorf("EOL %q, want %q", b.EOL, tc.eol)
			}
		})
	}
}

// TestVersionsHygiene: a diff of two stored versions judges hygiene like a diff of the files,
// so what the store keeps (types, purls, subject) is enough.
func TestVersionsHygiene(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	files := map[string]string{"3.0.0": "big/debian-app-v3.syft.cdx.json", "4.0.0": "big/debian-app-v4.syft.cdx.json"}
	docs := map[string]*sbom.Document{}
	for tag, f := range files {
		docs[tag] = corpusDoc(t, f)
		if _, _, err := s.Put(ctx, graph.Ref{Image: "debian-app", Tag: tag}, docs[tag], graph.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Versions(ctx, s, graph.Ref{Image: "debian-app", Tag: "3.0.0"}, graph.Ref{Image: "debian-app", Tag: "4.0.0"}, WithNow(asOf))
	if err != nil {
		t.Fatal(err)
	}
	want := Documents(docs["3.0.0"], docs["4.0.0"], WithNow(asOf))
	if !slices.Equal(findings(got), findings(want)) || got.Hygiene.NewOS.String() != want.Hygiene.NewOS.String() {
		t.Errorf("stored diff hygiene %v (%s), file diff %v (%s)", findings(got), got.Hygiene.NewOS, findings(want), want.Hygiene.NewOS)
	}
	if len(got.Hygiene.Findings) == 0 {
		t.Error("no hygiene findings from the stored versions")
	}
}
