package diff

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

func corpusDoc(t testing.TB, name string) *sbom.Document {
	t.Helper()
	d, err := ingest.DecodeBytes(context.Background(), ingesttest.Corpus(t, name), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func changedNames(r *Result) []string {
	var out []string
	for _, c := range r.Changed {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return out
}

func componentNames(cs []Component) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// pair is one row of a PAIRS.tsv: two corpus files and what the corpus says changed.
type pair struct {
	table    string // "PAIRS.tsv" or "big/PAIRS.tsv"
	line     int
	old, new string // corpus file names, as ingesttest.Corpus takes them
	kind     string
	note     string
}

func (p pair) key() string { return p.old + " -> " + p.new }

// readPairs reads a PAIRS.tsv by its header's column names (old_file, new_file, kind, note);
// prefix is the corpus directory the table's files are in ("" or "big/").
func readPairs(t *testing.T, table, prefix string) []pair {
	t.Helper()
	f, err := os.Open(filepath.Join(ingesttest.CorpusDir(), table))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []pair
	var col map[string]int
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		fields := strings.Split(sc.Text(), "\t")
		if col == nil {
			col = map[string]int{}
			for i, name := range fields {
				col[name] = i
			}
			for _, name := range []string{"old_file", "new_file", "kind", "note"} {
				if _, ok := col[name]; !ok {
					t.Fatalf("%s: no %q column in the header %q", table, name, sc.Text())
				}
			}
			continue
		}
		get := func(name string) string {
			if i := col[name]; i < len(fields) {
				return strings.TrimSpace(fields[i])
			}
			return ""
		}
		out = append(out, pair{table: table, line: line, old: prefix + get("old_file"), new: prefix + get("new_file"), kind: get("kind"), note: get("note")})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s lists no pairs", table)
	}
	return out
}

// TestCorpusPairs diffs every pair of testdata/corpus/PAIRS.tsv and big/PAIRS.tsv and checks
// the result against what the row's kind and note say changed. A row without a check, or a
// check without a row, fails the test, so the tables and the checks cannot drift apart.
//
// The rows of big/PAIRS.tsv have machine-readable notes (counts and names of name@version
// pairs removed, added and changed), which pairNote reads; the others are checked one by one
// in corpusChecks. Where a note's claim and the documents disagree, the check asserts what
// the documents actually hold, and its comment says why they disagree.
func TestCorpusPairs(t *testing.T) {
	rows := append(readPairs(t, "PAIRS.tsv", ""), readPairs(t, filepath.Join("big", "PAIRS.tsv"), "big/")...)
	listed := map[string]bool{}
	for _, p := range rows {
		listed[p.key()] = true
		check, ok := corpusChecks[p.key()]
		if !ok && strings.HasPrefix(p.old, "big/") {
			check, ok = bigNoteCheck, true
		}
		if !ok {
			t.Errorf("%s line %d (%s): no check; add one to corpusChecks", p.table, p.line, p.key())
			continue
		}
		t.Run(p.key(), func(t *testing.T) {
			t.Logf("%s line %d: %s; %s", p.table, p.line, p.kind, p.note)
			old, new := corpusDoc(t, p.old), corpusDoc(t, p.new)
			r := Documents(old, new)
			check(t, p, old, new, r)
			// Deterministic: the engine walks maps, whose order changes from run to run.
			for range 3 {
				if again := Documents(old, new); !reflect.DeepEqual(again, r) {
					t.Fatalf("a second diff of the same documents differs:\n%+v\n%+v", again, r)
				}
			}
		})
	}
	for k := range corpusChecks {
		if !listed[k] {
			t.Errorf("corpusChecks has a check for %s, which no PAIRS.tsv lists", k)
		}
	}
}

type pairCheck func(t *testing.T, p pair, old, new *sbom.Document, r *Result)

// noteRE reads the counts of a big/PAIRS.tsv note: name@version pairs on each side
// (non-file components, the SPDX document root included), removed and added, then package
// names removed, added and with a changed version.
var noteRE = regexp.MustCompile(`name@version: (\d+) -> (\d+) \(-(\d+) / \+(\d+)\); names removed (\d+), added (\d+), version-changed (\d+)`)

// pairNote is a big/PAIRS.tsv note read: the counts, and the lists of names it gives.
type pairNote struct {
	oldPairs, newPairs, pairsRemoved, pairsAdded int
	removed, added, changed                      int
	lists                                        map[string][]string // "changed", "removed", "added"
}

func readNote(t *testing.T, note string) pairNote {
	t.Helper()
	m := noteRE.FindStringSubmatch(note)
	if m == nil {
		t.Fatalf("note %q does not give the counts (%s)", note, noteRE)
	}
	n := func(i int) int {
		v, _ := strconv.Atoi(m[i])
		return v
	}
	out := pairNote{oldPairs: n(1), newPairs: n(2), pairsRemoved: n(3), pairsAdded: n(4), removed: n(5), added: n(6), changed: n(7), lists: map[string][]string{}}
	for _, part := range strings.Split(note, "; ") {
		if name, list, ok := strings.Cut(part, ": "); ok && (name == "changed" || name == "removed" || name == "added") {
			out.lists[name] = strings.Fields(list)
		}
	}
	return out
}

// bigNoteCheck checks a debian-app pair against its note. The note counts name@version pairs
// as listed, the SPDX document root (the debian-app package itself) included; the diff
// reports that package as the two sides' subjects, not as a package, so for SPDX files every
// count that includes it is one lower here and its version change shows in the subjects.
func bigNoteCheck(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
	if strings.HasPrefix(p.kind, "same scan") {
		t.Fatalf("%s: a same-scan row needs its own check", p.key())
	}
	n := readNote(t, p.note)
	root := 0
	if strings.Contains(p.old, ".spdx.") {
		root = 1
		if r.Old.Subject.Name != "debian-app" || r.Old.Subject.Version == r.New.Subject.Version {
			t.Errorf("subjects %+v -> %+v: want debian-app at two versions", r.Old.Subject, r.New.Subject)
		}
	}
	if r.Old.Packages != n.oldPairs-root || r.New.Packages != n.newPairs-root {
		t.Errorf("packages %d -> %d, note says %d -> %d (less %d for the document root)", r.Old.Packages, r.New.Packages, n.oldPairs, n.newPairs, root)
	}
	s := r.Summary
	if s.Removed != n.removed || s.Added != n.added || len(r.Changed) != n.changed-root {
		t.Errorf("removed/added/changed %d/%d/%d, note says %d/%d/%d (less %d for the document root)",
			s.Removed, s.Added, len(r.Changed), n.removed, n.added, n.changed, root)
	}
	if s.Removed+len(r.Changed) != n.pairsRemoved-root || s.Added+len(r.Changed) != n.pairsAdded-root {
		t.Errorf("name@version pairs -%d / +%d, note says -%d / +%d (less %d for the document root)",
			s.Removed+len(r.Changed), s.Added+len(r.Changed), n.pairsRemoved, n.pairsAdded, root)
	}
	if s.Upgraded != len(r.Changed) {
		t.Errorf("%d of %d changes are upgrades: every change here is a Debian update", s.Upgraded, len(r.Changed))
	}
	for name, got := range map[string][]string{"changed": changedNames(r), "removed": componentNames(r.Removed), "added": componentNames(r.Added)} {
		want, ok := n.lists[name]
		if !ok {
			continue
		}
		want = slices.DeleteFunc(slices.Clone(want), func(s string) bool { return root == 1 && s == "debian-app" })
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s %v, note says %v", name, got, want)
		}
	}
	if !strings.Contains(p.old, ".cdx.") {
		return
	}
	// syft's CycloneDX lists files as components: installing packages brings files, removing
	// them takes files away.
	switch {
	case n.added > 0 && s.FilesAdded == 0:
		t.Errorf("files %+v: the packages added brought none", r.Files)
	case n.removed > 0 && s.FilesRemoved == 0:
		t.Errorf("files %+v: the packages removed took none away", r.Files)
	}
}

// sameScan checks a debian-app row "same scan, different format": one syft run written as
// CycloneDX and as SPDX. The note expects identical content, with a document root package
// added by SPDX. The packages are indeed the same, at the same versions, but the two formats
// (as syft writes them) differ in ways the diff reports:
//   - syft's CycloneDX has an operating-system component ("debian 12.15"); its SPDX has no
//     package for the OS, so that component is "removed";
//   - syft's CycloneDX lists files as components, its SPDX as SPDX files, which the model
//     does not turn into components: every file is "removed";
//
// Neither licences nor suppliers change, though syft spells them differently: a licence it
// could not name is "sha256:HEX" in CycloneDX and "LicenseRef-HEX" in SPDX (ingest reads both
// as the latter); the supplier is CycloneDX's publisher "Name <email>" and SPDX's "Person:
// Name (email)" (the same party spelt two ways), or NOASSERTION where the maintainer is a team
// (no supplier: not a change).
//
// The document root package (debian-app) is the subject on the SPDX side.
func sameScan(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
	s := r.Summary
	if s.Added != 0 || len(r.Changed) != 0 || s.Unchanged != r.New.Packages {
		t.Errorf("summary %+v: want every SPDX package unchanged", s)
	}
	if len(r.Removed) != 1 || r.Removed[0].Type != "operating-system" || r.Removed[0].Name != "debian" {
		t.Errorf("removed %+v: want only the CycloneDX operating-system component", r.Removed)
	}
	if s.FilesRemoved != r.Old.Files || r.Old.Files == 0 || r.New.Files != 0 || s.FilesAdded != 0 {
		t.Errorf("files: %d in CycloneDX, %d in SPDX, diff %+v; want every CycloneDX file removed", r.Old.Files, r.New.Files, r.Files)
	}
	if s.EdgesAdded+s.EdgesRemoved != 0 {
		t.Errorf("edges +%d -%d: the dependency graph is the same run's", s.EdgesAdded, s.EdgesRemoved)
	}
	if len(r.Licenses)+len(r.Suppliers) != 0 {
		t.Errorf("licence changes %+v, supplier changes %+v: want none", r.Licenses, r.Suppliers)
	}
	spelt := 0
	for _, n := range new.Components {
		if strings.Contains(n.Supplier, "(") {
			spelt++
		}
	}
	if spelt < 40 {
		t.Errorf("%d SPDX suppliers with a bracketed e-mail address, want the Debian maintainers'", spelt)
	}
	if r.New.Subject.Name != "debian-app" || r.Old.Subject.Version != r.New.Subject.Version {
		t.Errorf("subjects %+v and %+v: want one debian-app version", r.Old.Subject, r.New.Subject)
	}
}

// noChange fails unless r reports no package, attribute or edge change.
func noChange(t *testing.T, r *Result) {
	t.Helper()
	s := r.Summary
	if s.Added+s.Removed+len(r.Changed)+s.LicenseChanges+s.SupplierChanges+s.Integrity+s.EdgesAdded+s.EdgesRemoved != 0 {
		t.Errorf("summary %+v, want an empty diff", s)
	}
}

// upgradesOnly fails unless every change is an upgrade of one of the named packages (all of
// them, no others) and nothing but the named components was added or removed.
func upgradesOnly(t *testing.T, r *Result, changed, added, removed []string) {
	t.Helper()
	if got := changedNames(r); !slices.Equal(got, changed) {
		t.Errorf("changed %v, want %v", got, changed)
	}
	for _, c := range r.Changed {
		if c.Kind != Upgrade {
			t.Errorf("%s %s -> %s: %s, want an upgrade", c.Name, c.Old.Version, c.New.Version, c.Kind)
		}
	}
	if got := componentNames(r.Added); !slices.Equal(got, added) {
		t.Errorf("added %v, want %v", got, added)
	}
	if got := componentNames(r.Removed); !slices.Equal(got, removed) {
		t.Errorf("removed %v, want %v", got, removed)
	}
}

// osOnly is the one component syft's CycloneDX (0.57, 0.58) adds over its SPDX 2.2 for an
// image: the operating system, named after the distribution.
func osOnly(t *testing.T, r *Result, name string) []string {
	t.Helper()
	for _, c := range r.Added {
		if c.Name == name && c.Type != "operating-system" {
			t.Errorf("added %+v: want the operating-system component", c)
		}
	}
	return []string{name}
}

// sbomFiles reads the files section of an SPDX JSON corpus file: file name -> its checksums.
// The model has no SPDX files (they are not packages), so claims about them are checked on
// the file itself.
func sbomFiles(t *testing.T, name string) map[string]string {
	t.Helper()
	var doc struct {
		Files []struct {
			FileName  string `json:"fileName"`
			Checksums []struct {
				Algorithm string `json:"algorithm"`
				Value     string `json:"checksumValue"`
			} `json:"checksums"`
		} `json:"files"`
	}
	if err := json.Unmarshal(ingesttest.Corpus(t, name), &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range doc.Files {
		var sums []string
		for _, c := range f.Checksums {
			sums = append(sums, c.Algorithm+":"+c.Value)
		}
		slices.Sort(sums)
		out[f.FileName] += strings.Join(sums, ",")
	}
	return out
}

// changedFiles returns the files of two SPDX JSON corpus files whose checksums differ, and
// fails when one lists a file the other does not.
func changedFiles(t *testing.T, p pair) []string {
	t.Helper()
	a, b := sbomFiles(t, p.old), sbomFiles(t, p.new)
	if len(a) != len(b) || len(a) == 0 {
		t.Errorf("%d files -> %d: want the same file list", len(a), len(b))
	}
	var out []string
	for name, sum := range a {
		other, ok := b[name]
		switch {
		case !ok:
			t.Errorf("file %s is only in %s", name, p.old)
		case other != sum:
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// samePackages fails unless the two sides list the same packages with nothing changed.
func samePackages(t *testing.T, r *Result, n int) {
	t.Helper()
	noChange(t, r)
	if r.Old.Packages != n || r.New.Packages != n || r.Summary.Unchanged != n {
		t.Errorf("packages %d -> %d, %d unchanged; want %d identical", r.Old.Packages, r.New.Packages, r.Summary.Unchanged, n)
	}
}

// corpusChecks holds the check of every row of testdata/corpus/PAIRS.tsv (keyed by
// pair.key), and of the big/PAIRS.tsv rows whose notes bigNoteCheck cannot read.
var corpusChecks = map[string]pairCheck{
	"kube-apiserver-v1.24.6.syft.spdx.json -> kube-apiserver-v1.25.1.syft.spdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "4 -> 143 packages (+139 Go modules appear), same file list size". syft found no
		// module information in the v1.24.6 binary; all 139 appear, none of the 4 changes.
		// Two files change (the binaries), none comes or goes.
		if r.Old.Packages != 4 || r.New.Packages != 143 || r.Summary.Added != 139 || r.Summary.Removed != 0 || len(r.Changed) != 0 {
			t.Errorf("summary %+v (packages %d -> %d), want 4 -> 143 with 139 added", r.Summary, r.Old.Packages, r.New.Packages)
		}
		for _, c := range r.Added {
			if c.Ecosystem != "golang" {
				t.Errorf("added %+v, want Go modules only", c)
			}
		}
		if got := changedFiles(t, p); !slices.Equal(got, []string{"/go-runner", "/usr/local/bin/kube-apiserver"}) {
			t.Errorf("files changed %v", got)
		}
	},
	"kube-scheduler-v1.24.5.syft.spdx.json -> kube-scheduler-v1.24.6.syft.spdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "package set identical; only binary file checksums differ". The package set is; the
		// files that differ are the scheduler binary and the build log next to it, which is
		// text: "binary" is loose wording for "built", not the file type.
		samePackages(t, r, 4)
		if got := changedFiles(t, p); !slices.Equal(got, []string{"/usr/local/bin/build.log", "/usr/local/bin/kube-scheduler"}) {
			t.Errorf("files changed %v", got)
		}
	},
	"kube-controller-manager-v1.24.1.syft.spdx.json -> kube-controller-manager-v1.24.2.syft.spdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "package set identical; 3 files change".
		samePackages(t, r, 4)
		if got := changedFiles(t, p); len(got) != 3 {
			t.Errorf("files changed %v, want 3", got)
		}
	},
	"kube-proxy-v1.24.1.syft.spdx.json -> kube-proxy-v1.24.2.syft.spdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "99 packages identical; 2 files change (near no-op diff)".
		samePackages(t, r, 99)
		if got := changedFiles(t, p); len(got) != 2 {
			t.Errorf("files changed %v, want 2", got)
		}
	},
	"nginx-1.23.1.syft.spdx.json -> nginx-1.23.2.syft.cdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "SPDX 2.2 -> CDX 1.4; nginx + modules 1.23.1 -> 1.23.2".
		upgradesOnly(t, r, []string{"nginx", "nginx-module-geoip", "nginx-module-image-filter", "nginx-module-njs", "nginx-module-xslt"},
			osOnly(t, r, "debian"), nil)
		for _, c := range r.Changed {
			if !strings.HasPrefix(c.Old.Version, "1.23.1") || !strings.HasPrefix(c.New.Version, "1.23.2") {
				t.Errorf("%s %s -> %s, want 1.23.1 -> 1.23.2", c.Name, c.Old.Version, c.New.Version)
			}
		}
		if old.Source.Format != sbom.FormatSPDX || new.Source.Format != sbom.FormatCycloneDX {
			t.Errorf("formats %s -> %s", old.Source.Format, new.Source.Format)
		}
	},
	"caddy-2.6.1.syft.spdx.json -> caddy-2.6.2.syft.cdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "SPDX 2.2 -> CDX 1.4; ~18 Go modules bumped": exactly 18, caddy itself among them.
		if r.Summary.Upgraded != 18 || len(r.Changed) != 18 || r.Summary.Removed != 0 {
			t.Errorf("summary %+v, want 18 upgrades", r.Summary)
		}
		for _, c := range r.Changed {
			if c.Ecosystem != "golang" {
				t.Errorf("%s changed, want Go modules only", c.Name)
			}
		}
		if !slices.Contains(changedNames(r), "github.com/caddyserver/caddy/v2") {
			t.Errorf("changed %v, want caddy itself", changedNames(r))
		}
		upgradesOnly(t, r, changedNames(r), osOnly(t, r, "alpine"), nil)
	},
	"rabbitmq-latest-2022-10-05.syft.spdx.json -> rabbitmq-latest-2022-10-20.syft.cdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "ubuntu 20.04 security updates (libpcre2, libsystemd0, libudev1)".
		upgradesOnly(t, r, []string{"libpcre2-8-0", "libsystemd0", "libudev1"}, osOnly(t, r, "ubuntu"), nil)
	},
	"docker-latest-2022-10-05.syft.spdx.json -> docker-latest-2022-10-20.syft.cdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "264 -> 271; docker cli/buildx Go modules bumped". 264 and 271 are entries as
		// listed (duplicates included: the same module in several binaries).
		if old.Entries() != 264 || new.Entries() != 271 {
			t.Errorf("entries %d -> %d, want 264 -> 271", old.Entries(), new.Entries())
		}
		for _, want := range []string{"github.com/docker/buildx", "github.com/docker/cli"} {
			i := slices.IndexFunc(r.Changed, func(c Change) bool { return c.Name == want })
			if i < 0 || r.Changed[i].Kind != Upgrade {
				t.Errorf("%s not upgraded: %v", want, changedNames(r))
			}
		}
		for _, c := range r.Changed {
			if c.Kind != Upgrade || c.Ecosystem != "golang" {
				t.Errorf("%s %s -> %s: %s, want Go module upgrades only", c.Name, c.Old.Version, c.New.Version, c.Kind)
			}
		}
	},
	"mongo-6.0.2.syft.spdx.json -> mongo-6.0.2.syft.cdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "expected near-empty diff (292 vs 293: CDX adds OS component)". The counts hold,
		// and the CycloneDX adds the OS component, but the diff is not near-empty: four
		// Ubuntu packages are newer in the CycloneDX. The two files are not one image scanned
		// twice: the SPDX is syft 0.57's scan of mongo:latest on 2022-10-05, the CycloneDX
		// syft 0.58's scan of mongo@sha256:fd73df94… on 2022-10-08. Both are mongo 6.0.2
		// (the mongo packages are identical), but the tag was rebuilt in between on an
		// Ubuntu 20.04 base with security updates: the same three updates the rabbitmq pair
		// shows, and sqlite.
		if old.Entries() != 292 || new.Entries() != 293 {
			t.Errorf("entries %d -> %d, want 292 -> 293", old.Entries(), new.Entries())
		}
		upgradesOnly(t, r, []string{"libpcre2-8-0", "libsqlite3-0", "libsystemd0", "libudev1"}, osOnly(t, r, "ubuntu"), nil)
		if !old.Source.Created.Before(new.Source.Created) || old.Source.Tools[0] == new.Source.Tools[0] {
			t.Errorf("created %v by %v, %v by %v: want two scans", old.Source.Created, old.Source.Tools, new.Source.Created, new.Source.Tools)
		}
		for _, c := range r.Changed {
			if c.Ecosystem != "deb" || c.Level != "other" {
				t.Errorf("%s %s -> %s (%s %s), want a Debian-package revision", c.Name, c.Old.Version, c.New.Version, c.Ecosystem, c.Level)
			}
		}
	},
	"busybox-latest-2022-10.syft.spdx.json -> busybox-1.34.1.syft.cdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "SPDX has 0 packages, CDX has 1 (busybox binary)".
		if r.Old.Packages != 0 || r.New.Packages != 1 || len(r.Added) != 1 || r.Added[0].Name != "busybox" || r.Added[0].Version != "1.34.1" {
			t.Errorf("packages %d -> %d, added %+v; want the busybox binary only", r.Old.Packages, r.New.Packages, r.Added)
		}
	},
	"alpine-3.16.2.syft.cdx.json -> alpine-3.17.2.syft.cdx.xml": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "CDX 1.4 JSON (syft 0.58) -> CDX 1.4 XML (syft 0.73)", an image version change.
		// syft 0.58 wrote Alpine packages with its own purl type, "pkg:alpine/busybox@…",
		// syft 0.73 with the purl spec's, "pkg:apk/alpine/busybox@…"; ingest reads the former
		// as the latter (sbom.ParsePurl), so the packages pair. Alpine 3.17 moved to OpenSSL 3
		// (libcrypto1.1 and libssl1.1 gave way to libcrypto3 and libssl3) and split the
		// busybox package; syft 0.73 also lists the busybox binary without a purl. The new
		// file is osv-scanner's "sbom-insecure" fixture, which pins an older zlib (1.2.10-r0
		// against 3.16.2's 1.2.12-r3): the one downgrade.
		if got, want := changedNames(r), []string{"alpine", "alpine-baselayout", "alpine-baselayout-data", "apk-tools", "ca-certificates-bundle",
			"musl", "musl-utils", "scanelf", "ssl_client", "zlib"}; !slices.Equal(got, want) {
			t.Errorf("changed %v, want %v", got, want)
		}
		for _, c := range r.Changed {
			if want := Upgrade; c.Name == "zlib" {
				if c.Kind != Downgrade || c.Old.Version != "1.2.12-r3" || c.New.Version != "1.2.10-r0" {
					t.Errorf("zlib %s -> %s: %s, want a downgrade from 1.2.12-r3 to 1.2.10-r0", c.Old.Version, c.New.Version, c.Kind)
				}
			} else if c.Kind != want {
				t.Errorf("%s %s -> %s: %s, want an upgrade", c.Name, c.Old.Version, c.New.Version, c.Kind)
			}
			if c.Name != "alpine" && c.Ecosystem != "apk" {
				t.Errorf("%s: ecosystem %q, want apk", c.Name, c.Ecosystem)
			}
		}
		if got, want := componentNames(r.Added), []string{"busybox", "busybox-binsh", "libcrypto3", "libssl3"}; !slices.Equal(got, want) {
			t.Errorf("added %v, want %v", got, want)
		}
		if got, want := componentNames(r.Removed), []string{"busybox", "libcrypto1.1", "libssl1.1"}; !slices.Equal(got, want) {
			t.Errorf("removed %v, want %v", got, want)
		}
		if r.Summary.Unchanged != 2 {
			t.Errorf("unchanged %d, want 2 (alpine-keys, libc-utils)", r.Summary.Unchanged)
		}
		for _, c := range append(r.Removed, r.Added...) {
			if !strings.HasPrefix(c.Purl, "pkg:apk/alpine/") && !(c.Name == "busybox" && c.Purl == "") {
				t.Errorf("%s (%s): want only pkg:apk purls and the busybox binary", c.Name, c.Purl)
			}
		}
	},
	"photon-3.0.tern.spdx.json -> photon-4.0.syft.spdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "Tern (no purls) -> syft". Without purls, Tern's packages are identified by their
		// content (content:…), syft's by their rpm purls, so nothing pairs even where the name
		// is the same: everything is removed and added, along with Tern's edges. syft's SPDX
		// has no relationships between packages.
		if len(r.Changed) != 0 || r.Summary.Removed != r.Old.Packages || r.Summary.Added != r.New.Packages {
			t.Errorf("summary %+v: want everything removed and added", r.Summary)
		}
		for _, c := range r.Removed {
			if c.Purl != "" || !strings.HasPrefix(c.Key, sbom.ContentKeyPrefix) {
				t.Errorf("removed %+v: Tern gives no purls", c)
			}
		}
		for _, c := range r.Added {
			if !strings.HasPrefix(c.Purl, "pkg:rpm/") {
				t.Errorf("added %+v: want rpm purls", c)
			}
		}
		shared := 0
		for _, name := range componentNames(r.Removed) {
			if slices.Contains(componentNames(r.Added), name) {
				shared++
			}
		}
		// Tern records what each layer contains, syft's SPDX nothing: not compared.
		if shared < 30 || r.Summary.EdgesAdded+r.Summary.EdgesRemoved != 0 || !uncompared(r, sbom.Contains, "new") {
			t.Errorf("%d names on both sides, edges +%d -%d, uncompared %+v; want Tern's dependencies not compared",
				shared, r.Summary.EdgesAdded, r.Summary.EdgesRemoved, r.UncomparedEdges)
		}
	},
	"kubectl-linux-amd64-2023-08-29.syft.spdx.json -> kubectl-linux-amd64-v1.28.1.syft.spdx.json": kubectlPair,
	"kubectl-linux-arm64-2023-08-29.syft.spdx.json -> kubectl-linux-arm64-v1.28.1.syft.spdx.json": kubectlPair,
	"proton-bridge-v1.6.3.gomod.cdx.json -> proton-bridge-v1.8.0.gomod.cdx.json":                  protonPair,
	"proton-bridge-v1.6.3.gomod.cdx-1.2.xml -> proton-bridge-v1.8.0.gomod.cdx-1.2.xml":            protonPair,
	"juice-shop-11.1.2.cdx-1.2.json -> juice-shop-14.1.1.flat.cdx-1.4.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "840 -> 1115 components; no deps graph -> deps graph". 840 and 1115 are entries as
		// listed; npm installs some packages at several places, so there are 978 distinct.
		if old.Entries() != 840 || new.Entries() != 1115 {
			t.Errorf("entries %d -> %d, want 840 -> 1115", old.Entries(), new.Entries())
		}
		// The graph is not compared: it would all be "added".
		if len(old.Edges) != 0 || len(new.Edges) == 0 || r.Summary.EdgesRemoved+r.Summary.EdgesAdded != 0 || !uncompared(r, sbom.DependsOn, "old") {
			t.Errorf("edges %d -> %d, diff +%d -%d, uncompared %+v: want a graph only on the new side, not compared",
				len(old.Edges), len(new.Edges), r.Summary.EdgesAdded, r.Summary.EdgesRemoved, r.UncomparedEdges)
		}
		if r.Summary.Upgraded < 200 || r.Summary.Added < 200 || r.Summary.Removed < 100 {
			t.Errorf("summary %+v: three major versions apart, want hundreds of changes", r.Summary)
		}
	},
	"laravel-7.12.0.cdx-1.4.json -> laravel-7.12.0.cdx-1.4.xml": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "same content, encoding change; expected empty diff".
		noChange(t, r)
	},
	"demo-bundled-deps.bare.cdx-1.6.json -> demo-bundled-deps.flat.cdx-1.6.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "nested (2 top-level) vs flat (52 top-level); expected empty diff". The packages
		// and their attributes are the same, but the nesting is structure the model keeps:
		// a nested component is contained by its parent, an edge the flat file does not
		// have. The flat file has no containment at all, so containment is not compared,
		// and the diff is empty.
		noChange(t, r)
		if len(r.UncomparedEdges) != 1 || r.UncomparedEdges[0] != (UncomparedEdges{Kind: sbom.Contains, Side: "new", Edges: 50}) {
			t.Errorf("uncompared %+v, want the 50 nesting edges", r.UncomparedEdges)
		}
		// "Top-level" is the JSON's: components no other component contains.
		for _, c := range []struct {
			doc  *sbom.Document
			want int
		}{{old, 2}, {new, 52}} {
			contained := map[int]bool{}
			for _, e := range c.doc.Edges {
				if e.Kind == sbom.Contains && !c.doc.Components[e.From].Metadata {
					contained[e.To] = true
				}
			}
			if top := c.doc.Entries() - len(contained); top != c.want {
				t.Errorf("%d top-level components, want %d", top, c.want)
			}
		}
	},
	"sbomqs-dev.syft-0.63.cdx.json -> sbomqs-dev.trivy-0.36.cdx.json": sbomqsPair,
	"sbomqs-dev.syft-0.63.spdx -> sbomqs-dev.trivy.spdx":              sbomqsPair,
	"centos-7.trivy.spdx -> centos-7.trivy.cdx.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "same image, format change; trivy fixtures". The packages are the same (same purls),
		// but trivy writes them differently in the two formats:
		//   - SPDX versionInfo is the rpm version without its release ("4.2.46"), CycloneDX
		//     the version with it ("4.2.46-31.el7"), which is also the purl's in both: one
		//     purl is one version, so bash and openssl-libs are unchanged;
		//   - the OS package has no type in SPDX ("content:unknown//centos") and is an
		//     operating-system in CycloneDX, so it is removed and added;
		//   - licences: SPDX "LicenseRef-GPLv3-" and "OpenSSL+" where CycloneDX has "GPLv3+"
		//     and "OpenSSL".
		upgradesOnly(t, r, nil, []string{"centos"}, []string{"centos"})
		spelled := 0
		for _, c := range old.Components {
			for _, d := range new.Components {
				if c.Purl != "" && c.Purl == d.Purl && c.Version != d.Version && strings.HasPrefix(d.Version, c.Version+"-") {
					spelled++
				}
			}
		}
		if spelled != 2 || r.Summary.Unchanged != r.New.Packages-1 {
			t.Errorf("%d packages with one purl and two version spellings, %d of %d unchanged; want bash and openssl-libs, and every package but the OS", spelled, r.Summary.Unchanged, r.New.Packages)
		}
		if r.Summary.LicenseChanges != 2 {
			t.Errorf("licence changes %+v, want bash's and openssl-libs' spellings", r.Licenses)
		}
	},
	"spdx-example-2.3.spdx.json -> spdx-example-2.3.spdx": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "same document, serialization change; also compare .spdx.yaml and .spdx.xml" (the
		// YAML has a row of its own).
		noChange(t, r)
		noChange(t, Documents(old, corpusDoc(t, "spdx-example-2.3.spdx.xml")))
	},
	"spdx-example-2.3.spdx.json -> spdx-example-2.3.spdx.yaml": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		noChange(t, r)
	},
	"appbomination-example9.spdx-2.2.json -> appbomination-example9.spdx-3.0.json": func(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
		// "same product, SPDX 2.2 -> 3.0: format migration": the same packages, attributes
		// and relationships.
		noChange(t, r)
		if r.Old.Packages == 0 || r.Old.Packages != r.New.Packages || r.Old.Subject.Name != r.New.Subject.Name {
			t.Errorf("packages %d -> %d, subjects %+v -> %+v", r.Old.Packages, r.New.Packages, r.Old.Subject, r.New.Subject)
		}
	},
	"big/debian-app-v1.syft.cdx.json -> big/debian-app-v1.syft.spdx.json": sameScan,
	"big/debian-app-v4.syft.cdx.json -> big/debian-app-v4.syft.spdx.json": sameScan,
}

// kubectlPair checks "SPDX 2.2 syft 0.58 -> SPDX 2.3 syft 0.90; k8s.io/kubernetes (devel) ->
// v1.28.1" (and the arm64 row, "same as amd64 pair"): the main module's version goes from Go's
// "(devel)", which has no order, to v1.28.1. The newer syft also reads base-files' licence.
func kubectlPair(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
	if len(r.Changed) != 1 || r.Summary.Unordered != 1 || r.Summary.Added+r.Summary.Removed != 0 {
		t.Fatalf("summary %+v, want one unordered change", r.Summary)
	}
	c := r.Changed[0]
	if c.Name != "k8s.io/kubernetes" || c.Old.Version != "(devel)" || c.New.Version != "v1.28.1" || c.Kind != Unordered || c.Note == "" {
		t.Errorf("change %+v, want k8s.io/kubernetes (devel) -> v1.28.1, unordered, with a note", c)
	}
	if old.Source.SpecVersion != "2.2" || new.Source.SpecVersion != "2.3" {
		t.Errorf("spec versions %s -> %s", old.Source.SpecVersion, new.Source.SpecVersion)
	}
	if len(r.Licenses) != 1 || r.Licenses[0].Name != "base-files" || r.Licenses[0].Old != "" {
		t.Errorf("licence changes %+v, want base-files' licence found", r.Licenses)
	}
}

// protonPair checks "cyclonedx-gomod, dependency graph with cycles" (and its XML encoding):
// module upgrades, the graph's cycles reported as warnings, and the JSON and XML pairs
// giving one diff.
func protonPair(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
	if r.Summary.Upgraded != 7 || len(r.Changed) != 7 || r.Summary.Added+r.Summary.Removed != 0 {
		t.Errorf("summary %+v, want 7 upgrades", r.Summary)
	}
	for _, d := range []*sbom.Document{old, new} {
		if !slices.ContainsFunc(d.Warnings, func(w sbom.Warning) bool { return w.Code == sbom.WarnCycle }) {
			t.Errorf("%s: no dependency cycle reported", d.Subject.Version)
		}
	}
	other := map[bool][2]string{
		true:  {"proton-bridge-v1.6.3.gomod.cdx-1.2.xml", "proton-bridge-v1.8.0.gomod.cdx-1.2.xml"},
		false: {"proton-bridge-v1.6.3.gomod.cdx.json", "proton-bridge-v1.8.0.gomod.cdx.json"},
	}[strings.HasSuffix(p.old, ".json")]
	x := Documents(corpusDoc(t, other[0]), corpusDoc(t, other[1]))
	if r.Summary != x.Summary || !slices.Equal(changedNames(r), changedNames(x)) {
		t.Errorf("diff %+v differs from the other encoding's %+v", r.Summary, x.Summary)
	}
}

// sbomqsPair checks "syft vs trivy on the same source tree" (CycloneDX and SPDX tag-value).
// The dependencies are the same modules at the same versions. syft writes Go versions with
// their "v" and trivy 0.36 without, in the version field and in the purl; ingest reads
// trivy's purls with the "v" (sbom.ParsePurl), so the purls are one and the 15 modules
// unchanged. The main module is syft's "github.com/interlynk-io/sbomqs (devel)" and trivy's
// "go.mod" (or "gomod") application: different identities, so removed and added. trivy also
// records the module graph, which syft 0.63 did not: not compared, as it would all be added.
func sbomqsPair(t *testing.T, p pair, old, new *sbom.Document, r *Result) {
	s := r.Summary
	if s.Unchanged != 15 || len(r.Changed) != 0 || s.Added != 1 || s.Removed != 1 || s.Integrity != 0 {
		t.Errorf("summary %+v, want 15 unchanged, the main module removed and added", s)
	}
	spelt := 0
	for _, c := range new.Components {
		if c.Ecosystem == "golang" && c.Version != "" && c.Version[0] >= '0' && c.Version[0] <= '9' {
			if !strings.HasSuffix(c.Purl, "@v"+c.Version) {
				t.Errorf("%s %s: purl %s, want the version with its v", c.Name, c.Version, c.Purl)
			}
			spelt++
		}
	}
	if spelt != 15 {
		t.Errorf("%d trivy modules with a version without its v, want 15", spelt)
	}
	if r.Removed[0].Name != "github.com/interlynk-io/sbomqs" || r.Removed[0].Version != "(devel)" {
		t.Errorf("removed %+v, want syft's main module", r.Removed)
	}
	// (trivy's CycloneDX says depends-on, its SPDX contains.)
	if s.EdgesRemoved+s.EdgesAdded != 0 || len(r.UncomparedEdges) != 1 || r.UncomparedEdges[0].Side != "old" {
		t.Errorf("edges +%d -%d, uncompared %+v: want trivy's graph not compared", s.EdgesAdded, s.EdgesRemoved, r.UncomparedEdges)
	}
}

// uncompared reports whether r left edges of kind out because side records none.
func uncompared(r *Result, kind sbom.EdgeKind, side string) bool {
	return slices.ContainsFunc(r.UncomparedEdges, func(u UncomparedEdges) bool { return u.Kind == kind && u.Side == side && u.Edges > 0 })
}
