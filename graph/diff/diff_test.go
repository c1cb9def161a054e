package diff

import (
	"reflect"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// doc builds a Document from components through the Builder, as a decoder would; edges name
// components by LocalID.
func doc(t *testing.T, comps []sbom.Component, edges ...[2]string) *sbom.Document {
	t.Helper()
	b := sbom.NewBuilder(sbom.Source{Format: sbom.FormatCycloneDX}, sbom.Limits{})
	for _, c := range comps {
		if _, err := b.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range edges {
		b.Edge(e[0], e[1], sbom.DependsOn)
	}
	return b.Finish()
}

func npm(name, version string) sbom.Component {
	return sbom.Component{LocalID: name + "@" + version, Purl: "pkg:npm/" + name + "@" + version, Type: "library"}
}

func withHash(c sbom.Component, sha string) sbom.Component {
	c.Hashes = []sbom.Hash{{Algorithm: "SHA-256", Value: sha}}
	return c
}

func withLicense(c sbom.Component, l string) sbom.Component { c.Licenses = l; return c }

func kinds(r *Result) map[string]string {
	m := map[string]string{}
	for _, c := range r.Changed {
		m[c.Name+" "+c.Old.Version+"->"+c.New.Version] = string(c.Kind) + " " + c.Level
	}
	return m
}

func names(cs []Component) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Name+"@"+c.Version)
	}
	return out
}

func TestDocuments(t *testing.T) {
	for _, tc := range []struct {
		name          string
		old, new      []sbom.Component
		wantChanged   map[string]string
		wantAdded     []string
		wantRemoved   []string
		wantSummary   func(s Summary) bool
		wantUnchanged int
	}{
		{
			name:        "upgrade and downgrade levels",
			old:         []sbom.Component{npm("a", "1.2.3"), npm("b", "1.2.3"), npm("c", "1.2.3"), npm("d", "2.0.0")},
			new:         []sbom.Component{npm("a", "2.0.0"), npm("b", "1.3.0"), npm("c", "1.2.4"), npm("d", "1.9.9")},
			wantChanged: map[string]string{"a 1.2.3->2.0.0": "upgrade major", "b 1.2.3->1.3.0": "upgrade minor", "c 1.2.3->1.2.4": "upgrade patch", "d 2.0.0->1.9.9": "downgrade major"},
			wantAdded:   []string{}, wantRemoved: []string{},
		},
		{
			name:        "multiset: two lines of one package, one moves",
			old:         []sbom.Component{npm("lodash", "4.17.20"), npm("lodash", "3.10.1")},
			new:         []sbom.Component{npm("lodash", "3.10.1"), npm("lodash", "4.17.21")},
			wantChanged: map[string]string{"lodash 4.17.20->4.17.21": "upgrade patch"},
			wantAdded:   []string{}, wantRemoved: []string{},
			wantUnchanged: 1,
		},
		{
			name:        "multiset: the newest line continues, the oldest goes",
			old:         []sbom.Component{npm("lodash", "3.10.1"), npm("lodash", "4.17.20")},
			new:         []sbom.Component{npm("lodash", "4.17.21")},
			wantChanged: map[string]string{"lodash 4.17.20->4.17.21": "upgrade patch"},
			wantAdded:   []string{}, wantRemoved: []string{"lodash@3.10.1"},
		},
		{
			name:        "added and removed packages",
			old:         []sbom.Component{npm("left-pad", "1.0.0"), npm("keep", "1.0.0")},
			new:         []sbom.Component{npm("keep", "1.0.0"), npm("right-pad", "1.0.0")},
			wantChanged: map[string]string{},
			wantAdded:   []string{"right-pad@1.0.0"}, wantRemoved: []string{"left-pad@1.0.0"},
			wantUnchanged: 1,
		},
		{
			name:        "same version, different hash: rebuild with an integrity finding",
			old:         []sbom.Component{withHash(npm("a", "1.0.0"), "aa")},
			new:         []sbom.Component{withHash(npm("a", "1.0.0"), "bb")},
			wantChanged: map[string]string{"a 1.0.0->1.0.0": "rebuild "},
			wantAdded:   []string{}, wantRemoved: []string{},
			wantSummary: func(s Summary) bool { return s.Integrity == 1 && s.Rebuilt == 1 },
		},
		{
			name:        "equivalent licence expressions are not a change",
			old:         []sbom.Component{withLicense(npm("a", "1.0.0"), "MIT AND Apache-2.0")},
			new:         []sbom.Component{withLicense(npm("a", "1.0.0"), "(apache-2.0 AND MIT)")},
			wantChanged: map[string]string{},
			wantAdded:   []string{}, wantRemoved: []string{},
			wantSummary:   func(s Summary) bool { return s.LicenseChanges == 0 },
			wantUnchanged: 1,
		},
		{
			name:        "licence change",
			old:         []sbom.Component{withLicense(npm("a", "1.0.0"), "Apache-2.0")},
			new:         []sbom.Component{withLicense(npm("a", "1.0.1"), "BUSL-1.1")},
			wantChanged: map[string]string{"a 1.0.0->1.0.1": "upgrade patch"},
			wantAdded:   []string{}, wantRemoved: []string{},
			wantSummary: func(s Summary) bool { return s.LicenseChanges == 1 },
		},
		{
			name:        "unorderable version",
			old:         []sbom.Component{{LocalID: "k", Purl: "pkg:golang/k8s.io/kubernetes@(devel)"}},
			new:         []sbom.Component{{LocalID: "k", Purl: "pkg:golang/k8s.io/kubernetes@v1.28.1"}},
			wantChanged: map[string]string{"kubernetes (devel)->v1.28.1": "unordered "},
			wantAdded:   []string{}, wantRemoved: []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Documents(doc(t, tc.old), doc(t, tc.new))
			if got := kinds(r); !reflect.DeepEqual(got, tc.wantChanged) {
				t.Errorf("changed = %v, want %v", got, tc.wantChanged)
			}
			if got := names(r.Added); !reflect.DeepEqual(got, tc.wantAdded) {
				t.Errorf("added = %v, want %v", got, tc.wantAdded)
			}
			if got := names(r.Removed); !reflect.DeepEqual(got, tc.wantRemoved) {
				t.Errorf("removed = %v, want %v", got, tc.wantRemoved)
			}
			if r.Summary.Unchanged != tc.wantUnchanged {
				t.Errorf("unchanged = %d, want %d", r.Summary.Unchanged, tc.wantUnchanged)
			}
			if tc.wantSummary != nil && !tc.wantSummary(r.Summary) {
				t.Errorf("summary = %+v", r.Summary)
			}
		})
	}
}

func TestEdgesAndFiles(t *testing.T) {
	file := func(path, sha string) sbom.Component {
		return sbom.Component{LocalID: path, Type: "file", Name: path, Hashes: []sbom.Hash{{Algorithm: "SHA-1", Value: sha}}}
	}
	old := doc(t, []sbom.Component{npm("app", "1.0.0"), npm("a", "1.0.0"), npm("b", "1.0.0"), file("/etc/x", "11"), file("/etc/gone", "22")},
		[2]string{"app@1.0.0", "a@1.0.0"}, [2]string{"app@1.0.0", "b@1.0.0"})
	new := doc(t, []sbom.Component{npm("app", "1.0.0"), npm("a", "1.0.0"), npm("b", "1.0.0"), file("/etc/x", "33"), file("/etc/new", "44")},
		[2]string{"app@1.0.0", "a@1.0.0"}, [2]string{"a@1.0.0", "b@1.0.0"})
	r := Documents(old, new)
	wantAdded := []Edge{{From: "pkg:npm/a@1.0.0", To: "pkg:npm/b@1.0.0", Kind: sbom.DependsOn}}
	wantRemoved := []Edge{{From: "pkg:npm/app@1.0.0", To: "pkg:npm/b@1.0.0", Kind: sbom.DependsOn}}
	if !reflect.DeepEqual(r.EdgesAdded, wantAdded) || !reflect.DeepEqual(r.EdgesRemoved, wantRemoved) {
		t.Errorf("edges added %v removed %v, want %v and %v", r.EdgesAdded, r.EdgesRemoved, wantAdded, wantRemoved)
	}
	wantFiles := FileChanges{Added: []string{"/etc/new"}, Removed: []string{"/etc/gone"}, Changed: []string{"/etc/x"}}
	if !reflect.DeepEqual(r.Files, wantFiles) {
		t.Errorf("files = %+v, want %+v", r.Files, wantFiles)
	}
	if r.Summary.Integrity != 0 {
		t.Errorf("a changed file is not an integrity finding: %+v", r.Integrity)
	}
}

// TestEdgesByPackage: edges are compared between packages, so an upgrade keeps its edges (they
// are not all removed and added again) and only a new or lost relationship is reported, between
// the identities of its side.
func TestEdgesByPackage(t *testing.T) {
	old := doc(t, []sbom.Component{npm("app", "1.0.0"), npm("a", "1.0.0"), npm("b", "1.0.0"), npm("gone", "1.0.0")},
		[2]string{"app@1.0.0", "a@1.0.0"}, [2]string{"a@1.0.0", "b@1.0.0"}, [2]string{"b@1.0.0", "gone@1.0.0"})
	// a upgraded, b present at two versions, a depends on c now, b no longer on gone.
	new := doc(t, []sbom.Component{npm("app", "1.0.0"), npm("a", "2.0.0"), npm("b", "1.0.0"), npm("b", "2.0.0"), npm("c", "1.0.0"), npm("gone", "1.0.0")},
		[2]string{"app@1.0.0", "a@2.0.0"}, [2]string{"a@2.0.0", "b@1.0.0"}, [2]string{"a@2.0.0", "b@2.0.0"}, [2]string{"a@2.0.0", "c@1.0.0"})
	r := Documents(old, new)
	wantAdded := []Edge{{From: "pkg:npm/a@2.0.0", To: "pkg:npm/c@1.0.0", Kind: sbom.DependsOn}}
	wantRemoved := []Edge{{From: "pkg:npm/b@1.0.0", To: "pkg:npm/gone@1.0.0", Kind: sbom.DependsOn}}
	if !reflect.DeepEqual(r.EdgesAdded, wantAdded) || !reflect.DeepEqual(r.EdgesRemoved, wantRemoved) {
		t.Errorf("edges added %v removed %v, want %v and %v", r.EdgesAdded, r.EdgesRemoved, wantAdded, wantRemoved)
	}
	if s := r.Summary; s.Upgraded != 1 || s.Added != 2 || s.Removed != 0 {
		t.Errorf("summary %+v, want a upgraded, b 2.0.0 and c added", s)
	}
}

// TestUncomparedEdges: a kind of edge only one side records is left out and said so; kinds
// both record are compared.
func TestUncomparedEdges(t *testing.T) {
	comps := []sbom.Component{npm("app", "1.0.0"), npm("a", "1.0.0"), npm("b", "1.0.0")}
	flat := doc(t, comps)
	graphed := doc(t, comps, [2]string{"app@1.0.0", "a@1.0.0"}, [2]string{"a@1.0.0", "b@1.0.0"})
	for _, tc := range []struct {
		name     string
		old, new *sbom.Document
		want     []UncomparedEdges
	}{
		{"graph appears", flat, graphed, []UncomparedEdges{{Kind: sbom.DependsOn, Side: "old", Edges: 2}}},
		{"graph goes", graphed, flat, []UncomparedEdges{{Kind: sbom.DependsOn, Side: "new", Edges: 2}}},
		{"neither has one", flat, flat, nil},
	} {
		r := Documents(tc.old, tc.new)
		if !reflect.DeepEqual(r.UncomparedEdges, tc.want) || r.Summary.EdgesAdded+r.Summary.EdgesRemoved != 0 {
			t.Errorf("%s: uncompared %+v, edges +%d -%d; want %+v and none", tc.name, r.UncomparedEdges, r.Summary.EdgesAdded, r.Summary.EdgesRemoved, tc.want)
		}
	}
	// Containment on one side only; dependencies on both, one of them new.
	b := sbom.NewBuilder(sbom.Source{Format: sbom.FormatCycloneDX}, sbom.Limits{})
	for _, c := range append(comps, npm("c", "1.0.0")) {
		if _, err := b.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	b.Edge("app@1.0.0", "a@1.0.0", sbom.DependsOn)
	b.Edge("a@1.0.0", "b@1.0.0", sbom.DependsOn)
	b.Edge("a@1.0.0", "c@1.0.0", sbom.DependsOn)
	b.Edge("app@1.0.0", "c@1.0.0", sbom.Contains)
	r := Documents(graphed, b.Finish())
	wantAdded := []Edge{{From: "pkg:npm/a@1.0.0", To: "pkg:npm/c@1.0.0", Kind: sbom.DependsOn}}
	if !reflect.DeepEqual(r.EdgesAdded, wantAdded) || len(r.EdgesRemoved) != 0 ||
		!reflect.DeepEqual(r.UncomparedEdges, []UncomparedEdges{{Kind: sbom.Contains, Side: "old", Edges: 1}}) {
		t.Errorf("edges added %v removed %v, uncompared %+v; want a -> c added and containment not compared", r.EdgesAdded, r.EdgesRemoved, r.UncomparedEdges)
	}
}

// TestDuplicateEntries: an identity listed twice on a side is one entry (the first), for
// packages and files alike.
func TestDuplicateEntries(t *testing.T) {
	file := sbom.Component{LocalID: "/etc/x", Type: "file", Name: "/etc/x", Hashes: []sbom.Hash{{Algorithm: "SHA-1", Value: "11"}}}
	dupFile := file
	dupFile.LocalID = "x-again"
	dup := npm("a", "1.0.0")
	dup.LocalID = "a-again"
	dup.Licenses = "MIT"
	old := doc(t, []sbom.Component{npm("a", "1.0.0"), dup, file, dupFile})
	new := doc(t, []sbom.Component{npm("a", "1.0.0"), file})
	if len(old.Components) != 4 {
		t.Fatalf("the builder kept %d of 4 components", len(old.Components))
	}
	r := Documents(old, new)
	if r.Old.Packages != 1 || r.Old.Files != 1 || r.New.Packages != 1 || r.New.Files != 1 {
		t.Errorf("old %d packages %d files, new %d and %d: want one of each", r.Old.Packages, r.Old.Files, r.New.Packages, r.New.Files)
	}
	if s := r.Summary; s.Unchanged != 1 || s.Added+s.Removed+s.LicenseChanges+s.FilesAdded+s.FilesRemoved+s.FilesChanged != 0 {
		t.Errorf("summary %+v, want a unchanged (its duplicate's licence ignored) and nothing else", s)
	}
}

// TestSamePurl: one purl is one version, however the version fields spell it, and entries with
// identical purls are paired before entries with equal version strings, so two architectures
// of one version listed in another order raise no integrity alarm.
func TestSamePurl(t *testing.T) {
	rpm := func(arch, version, sha string) sbom.Component {
		return sbom.Component{LocalID: arch + version, Type: "library", Version: version,
			Purl: "pkg:rpm/centos/openssl-libs@1.0.2k-19.el7?arch=" + arch, Hashes: []sbom.Hash{{Algorithm: "SHA-256", Value: sha}}}
	}
	old := doc(t, []sbom.Component{rpm("x86_64", "1.0.2k", "aa"), rpm("i686", "1.0.2k", "bb")})
	new := doc(t, []sbom.Component{rpm("i686", "1.0.2k-19.el7", "bb"), rpm("x86_64", "1.0.2k-19.el7", "aa")})
	r := Documents(old, new)
	if s := r.Summary; s.Unchanged != 2 || len(r.Changed)+s.Integrity+s.Added+s.Removed != 0 {
		t.Errorf("summary %+v, changed %+v; want both entries unchanged", s, r.Changed)
	}
	// A different hash under one purl is still an integrity finding.
	new = doc(t, []sbom.Component{rpm("i686", "1.0.2k-19.el7", "bb"), rpm("x86_64", "1.0.2k-19.el7", "cc")})
	r = Documents(old, new)
	if s := r.Summary; s.Integrity != 1 || s.Rebuilt != 1 || r.Integrity[0].Purl != "pkg:rpm/centos/openssl-libs@1.0.2k-19.el7?arch=x86_64" {
		t.Errorf("summary %+v, integrity %+v; want x86_64 rebuilt", s, r.Integrity)
	}
}

// TestSuppliers reports a supplier change only when both sides name a supplier and they are
// not one party spelt two ways.
func TestSuppliers(t *testing.T) {
	with := func(name, supplier string) sbom.Component { c := npm(name, "1.0.0"); c.Supplier = supplier; return c }
	old := doc(t, []sbom.Component{
		with("taken-over", "Jane Doe <jane@example.com>"),
		with("spelt", "Jane Doe <jane@example.com>"),
		with("stated", ""),
		with("dropped", "Example Corp"),
		with("cased", "Example  Corp"),
	})
	new := doc(t, []sbom.Component{
		with("taken-over", "Mallory <mallory@example.net>"),
		with("spelt", "jane doe (jane@example.com)"),
		with("stated", "Example Corp"),
		with("dropped", ""),
		with("cased", "EXAMPLE CORP"),
	})
	r := Documents(old, new)
	if len(r.Suppliers) != 1 || r.Suppliers[0].Name != "taken-over" || r.Suppliers[0].New != "Mallory <mallory@example.net>" || r.Summary.SupplierChanges != 1 {
		t.Errorf("supplier changes %+v (summary %d), want taken-over's only", r.Suppliers, r.Summary.SupplierChanges)
	}
}
