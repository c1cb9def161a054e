// Package diff computes the release diff of two SBOMs: components added, removed, upgraded
// and downgraded (by each ecosystem's own version rules), licence and supplier changes,
// integrity findings (same version, different hash) and dependency edges added or removed.
//
// It is plain Go over two sbom.Documents, so a diff of two stored versions and a diff of two
// files on disk run the same code, whatever the backend.
package diff

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/license"
	"github.com/sbomgraph/sbomgraph/graph/version"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// Kind classifies a Change.
type Kind string

// The kinds of change between two entries of one package.
const (
	Upgrade   Kind = "upgrade"
	Downgrade Kind = "downgrade"
	// Rebuild: the same version (by the ecosystem's rules) with different content: a hash,
	// or a version string that differs only in spelling.
	Rebuild Kind = "rebuild"
	// Unordered: the version changed but the ecosystem's rules cannot order the two (an
	// unparseable version such as Go's "(devel)"); Note says why.
	Unordered Kind = "unordered"
)

// Result is a release diff. Every list is sorted by key, then version; empty lists are empty,
// not nil, so the JSON form always has every field.
type Result struct {
	Old     Side    `json:"old"`
	New     Side    `json:"new"`
	Summary Summary `json:"summary"`
	// Added are packages only the new side has (no entry of the same package left to pair with).
	Added []Component `json:"added"`
	// Removed are packages only the old side has.
	Removed []Component `json:"removed"`
	// Changed are entries of one package present on both sides at different versions (or the
	// same version rebuilt).
	Changed []Change `json:"changed"`
	// Licenses are paired entries whose licence expressions are not equivalent.
	Licenses []AttributeChange `json:"licenses"`
	// Suppliers are paired entries whose supplier changed (see sameSupplier: a supplier only
	// one side names, or one party spelt two ways, is not a change).
	Suppliers []AttributeChange `json:"suppliers"`
	// Integrity are entries at the same version whose hashes differ for one algorithm.
	Integrity []Integrity `json:"integrity"`
	// EdgesAdded are the new side's edges between two packages (keys) that the old side has no
	// edge of that kind between, so an upgrade does not report its package's edges again;
	// EdgesRemoved, the old side's that the new side lacks.
	EdgesAdded   []Edge `json:"edgesAdded"`
	EdgesRemoved []Edge `json:"edgesRemoved"`
	// UncomparedEdges are the kinds of edge not compared because one side records none of
	// that kind between packages while the other does: a generator that writes no dependency
	// graph (CycloneDX 1.2 tools, syft's SPDX of an image) would otherwise have every edge of
	// the other side reported added or removed. Empty when every kind was compared.
	UncomparedEdges []UncomparedEdges `json:"uncomparedEdges,omitempty"`
	Files           FileChanges       `json:"files"`
	// Hygiene is the image-hygiene verdict on the new side (see hygiene.go).
	Hygiene Hygiene `json:"hygiene"`
}

// Side describes one of the two documents.
type Side struct {
	Subject     sbom.Subject `json:"subject"`
	Format      sbom.Format  `json:"format"`
	SpecVersion string       `json:"specVersion"`
	Tools       []string     `json:"tools,omitempty"`
	// Packages is the number of distinct package entries compared (files and the subject's
	// own component excluded).
	Packages int `json:"packages"`
	// Files is the number of distinct file components.
	Files int `json:"files"`
	// ByEcosystem counts Packages per ecosystem ("" for components without a purl).
	ByEcosystem map[string]int `json:"byEcosystem"`
}

// Summary counts every list of the Result.
type Summary struct {
	Added           int `json:"added"`
	Removed         int `json:"removed"`
	Upgraded        int `json:"upgraded"`
	Downgraded      int `json:"downgraded"`
	Rebuilt         int `json:"rebuilt"`
	Unordered       int `json:"unordered"`
	Unchanged       int `json:"unchanged"`
	LicenseChanges  int `json:"licenseChanges"`
	SupplierChanges int `json:"supplierChanges"`
	Integrity       int `json:"integrity"`
	EdgesAdded      int `json:"edgesAdded"`
	EdgesRemoved    int `json:"edgesRemoved"`
	FilesAdded      int `json:"filesAdded"`
	FilesRemoved    int `json:"filesRemoved"`
	FilesChanged    int `json:"filesChanged"`
	// Hygiene counts Hygiene.Findings.
	Hygiene int `json:"hygiene"`
}

// Component is one side's entry of a package.
type Component struct {
	Key       string `json:"key"`
	Purl      string `json:"purl,omitempty"`
	Name      string `json:"name"`
	Version   string `json:"version,omitempty"`
	Ecosystem string `json:"ecosystem,omitempty"`
	Type      string `json:"type,omitempty"`
	Licenses  string `json:"licenses,omitempty"`
	Supplier  string `json:"supplier,omitempty"`
}

// Change is one package entry paired across the two sides with a different version or content.
type Change struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	Ecosystem string `json:"ecosystem,omitempty"`
	Kind      Kind   `json:"kind"`
	// Level is "major", "minor" or "patch" where the ecosystem has those, "other" where the
	// change is elsewhere (a pre-release, a Debian revision), "" for rebuilds and unordered.
	Level string    `json:"level,omitempty"`
	Old   Component `json:"old"`
	New   Component `json:"new"`
	// Note explains an Unordered change or a Rebuild whose version strings differ.
	Note string `json:"note,omitempty"`
}

// AttributeChange is a licence or supplier change of a paired entry.
type AttributeChange struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	OldVersion string `json:"oldVersion,omitempty"`
	NewVersion string `json:"newVersion,omitempty"`
	Old        string `json:"old"`
	New        string `json:"new"`
}

// Integrity is an entry at the same version on both sides whose hash differs.
type Integrity struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	Version   string `json:"version,omitempty"`
	Purl      string `json:"purl,omitempty"`
	Algorithm string `json:"alg"`
	Old       string `json:"old"`
	New       string `json:"new"`
}

// Edge is a dependency edge between two component identities (see sbom.Component.ID).
type Edge struct {
	From string        `json:"from"`
	To   string        `json:"to"`
	Kind sbom.EdgeKind `json:"kind"`
}

// UncomparedEdges is a kind of edge one side records none of, so left out of the diff.
type UncomparedEdges struct {
	Kind sbom.EdgeKind `json:"kind"`
	// Side is the side that records none: "old" or "new".
	Side string `json:"side"`
	// Edges is how many edges of the kind, between packages, the other side records.
	Edges int `json:"edges"`
}

// FileChanges summarises file components (CycloneDX type "file", as syft emits by the
// thousand): they have no versions, so they are compared by path and hash and listed apart
// from packages.
type FileChanges struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	// Changed are paths whose hash differs.
	Changed []string `json:"changed"`
}

// Documents diffs old against new; opts tune the hygiene verdict (see WithNow).
func Documents(old, new *sbom.Document, opts ...Option) *Result {
	return Views(graph.ViewOf(old), graph.ViewOf(new), opts...)
}

// Views is Documents for views (see graph.View), which it does not modify.
func Views(old, new *graph.View, opts ...Option) *Result {
	r := &Result{
		Old: side(old), New: side(new),
		Added: []Component{}, Removed: []Component{}, Changed: []Change{},
		Licenses: []AttributeChange{}, Suppliers: []AttributeChange{}, Integrity: []Integrity{},
		EdgesAdded: []Edge{}, EdgesRemoved: []Edge{},
		Files: FileChanges{Added: []string{}, Removed: []string{}, Changed: []string{}},
	}
	// Every key of both sides gets a number, once: entries are grouped and edges compared by
	// number. Sized for two releases of one image, which share most of their keys.
	n := max(len(old.Components), len(new.Components)) * 9 / 8
	ks := &keys{num: make(map[string]int32, n)}
	oldNum, newNum := ks.number(old), ks.number(new)
	t := &table{pkgs: make([]sides, ks.n)}
	o, nw := t.file(old, oldNum, false), t.file(new, newNum, true)
	r.Old.Packages, r.Old.Files, r.Old.ByEcosystem = len(o.pkgs), o.files, byEcosystem(o.pkgs)
	r.New.Packages, r.New.Files, r.New.ByEcosystem = len(nw.pkgs), nw.files, byEcosystem(nw.pkgs)

	// Packages in key-number order, which is deterministic (count sorts what they yield):
	// sorting every key of both sides cost more than the whole comparison.
	for _, g := range t.pkgs {
		if g.old.one != nil || g.new.one != nil { // not a key of files only
			r.diffGroup(g.old, g.new)
		}
	}
	r.diffEdges(old, new, oldNum, newNum)
	r.diffFiles(t.files)
	r.hygiene(old, new, o.pkgs, nw.fresh, newOptions(opts))
	r.count()
	return r
}

// side summarises a document. The Result owns what it holds: a view's slices are the store's.
func side(d *graph.View) Side {
	return Side{Subject: d.Subject, Format: d.Source.Format, SpecVersion: d.Source.SpecVersion, Tools: slices.Clone(d.Source.Tools)}
}

// keys numbers the package keys of both sides of a diff, so that entries are grouped and edges
// compared by small integers rather than strings, and each key is hashed once per component.
type keys struct {
	num map[string]int32
	n   int32
}

// number returns the number of each of d's components' key, numbering those not seen yet.
func (ks *keys) number(d *graph.View) []int32 {
	out := make([]int32, len(d.Components))
	for i, c := range d.Components {
		n, ok := ks.num[c.Key]
		if !ok {
			n = ks.n
			ks.num[c.Key] = n
			ks.n++
		}
		out[i] = n
	}
	return out
}

// compared reports whether a diff compares d's component i: files and the subject's own
// component are left out (a CycloneDX metadata.component and an SPDX root package describe
// the image, not its content), as are the edges that touch them.
func compared(d *graph.View, i int) bool {
	c := d.Components[i]
	return !c.Metadata && i != d.Root && c.Type != "file"
}

// table holds both sides' entries grouped by key number: packages, and file components
// (CycloneDX type "file"), which are compared apart. files is nil when neither side has one.
type table struct {
	pkgs, files []sides
}

// sideEntries is what table.file found on one side.
type sideEntries struct {
	// pkgs are the side's distinct package entries (by identity; the first occurrence wins), in
	// document order; fresh, those of the new side whose key the old side does not have.
	pkgs, fresh []*sbom.Component
	files       int // distinct file components
}

// file files d's package and file entries into their keys' groups, on the new side or the old
// (which must be filed first), leaving out the subject's own component. num numbers d's
// components' keys (see keys.number).
func (t *table) file(d *graph.View, num []int32, new bool) sideEntries {
	var e sideEntries
	e.pkgs = make([]*sbom.Component, 0, len(d.Components))
	pick := func(s *sides) *group {
		if new {
			return &s.new
		}
		return &s.old
	}
	for i, c := range d.Components {
		if c.Metadata || i == d.Root {
			continue
		}
		if c.Type == "file" {
			if t.files == nil {
				t.files = make([]sides, len(t.pkgs))
			}
			if pick(&t.files[num[i]]).add(c) {
				e.files++
			}
			continue
		}
		s := &t.pkgs[num[i]]
		if !pick(s).add(c) {
			continue
		}
		e.pkgs = append(e.pkgs, c)
		if new && s.old.one == nil {
			e.fresh = append(e.fresh, c)
		}
	}
	return e
}

// byEcosystem counts packages per ecosystem. A document has a handful of ecosystems, so a
// short list with the last one first beats a map lookup per package.
func byEcosystem(pkgs []*sbom.Component) map[string]int {
	type count struct {
		eco string
		n   int
	}
	var counts []count
	for _, c := range pkgs {
		k := 0
		for k < len(counts) && counts[k].eco != c.Ecosystem {
			k++
		}
		if k == len(counts) {
			counts = append(counts, count{eco: c.Ecosystem})
		}
		counts[k].n++
	}
	m := make(map[string]int, len(counts))
	for _, c := range counts {
		m[c.eco] = c.n
	}
	return m
}

// group is one package's entries on one side: most packages have one, which needs no slice.
type group struct {
	one  *sbom.Component    // the first entry
	more *[]*sbom.Component // every entry, when there are several
}

func (g group) entries() []*sbom.Component {
	switch {
	case g.more != nil:
		return *g.more
	case g.one != nil:
		return []*sbom.Component{g.one}
	}
	return nil
}

// add adds c unless the group has an entry of the same identity (see sbom.Component.ID),
// reporting whether it did. Entries of one group share their key, so their identities are
// equal when their purls are, or without purls when their versions are.
func (g *group) add(c *sbom.Component) bool {
	same := func(d *sbom.Component) bool {
		if c.Purl != "" || d.Purl != "" {
			return c.Purl == d.Purl
		}
		return c.Version == d.Version
	}
	switch {
	case g.one == nil:
		g.one = c
	case g.more == nil:
		if same(g.one) {
			return false
		}
		g.more = &[]*sbom.Component{g.one, c}
	default:
		if slices.ContainsFunc(*g.more, same) {
			return false
		}
		*g.more = append(*g.more, c)
	}
	return true
}

// sides is one package's entries on both sides.
type sides struct{ old, new group }

// diffGroup is diffPackage for groups, without copies in the common case.
func (r *Result) diffGroup(old, new group) {
	// The common case, one entry on each side at the same version, needs no slices.
	if old.more == nil && new.more == nil && old.one != nil && new.one != nil && sameVersion(old.one, new.one) {
		r.compare(&pkgEntry{c: old.one}, &pkgEntry{c: new.one})
		return
	}
	r.diffPackage(old.entries(), new.entries())
}

// diffPackage pairs the entries of one package (a multiset on each side): first identical
// purls, then equal version strings, then versions equal under the ecosystem's rules, then the
// rest from the highest version down, so the newest line of a package continues into the
// newest line; what is left unpaired is added or removed.
func (r *Result) diffPackage(old, new []*sbom.Component) {
	old, new = slices.Clone(old), slices.Clone(new)
	samePurl := func(a, b *sbom.Component) bool { return a.Purl != "" && a.Purl == b.Purl }
	sameString := func(a, b *sbom.Component) bool { return a.Version == b.Version }
	for _, same := range []func(a, b *sbom.Component) bool{samePurl, sameString} {
		for i := 0; i < len(old); i++ {
			for j := range new {
				if same(old[i], new[j]) {
					r.compare(&pkgEntry{c: old[i]}, &pkgEntry{c: new[j]})
					old = slices.Delete(old, i, i+1)
					new = slices.Delete(new, j, j+1)
					i--
					break
				}
			}
		}
	}
	if len(old) == 0 || len(new) == 0 {
		// Nothing left to pair (Added and Removed are sorted at the end).
		for _, c := range old {
			r.Removed = append(r.Removed, component(c))
		}
		for _, c := range new {
			r.Added = append(r.Added, component(c))
		}
		return
	}
	// What is left is paired by the ecosystem's rules, each version parsed once.
	oe, ne := pkgEntries(old), pkgEntries(new)
	for i := 0; i < len(oe); i++ {
		for j := range ne {
			if oe[i].c.Ecosystem != ne[j].c.Ecosystem {
				continue
			}
			if c, err := oe[i].compare(&ne[j]); err == nil && c == 0 {
				r.compare(&oe[i], &ne[j])
				oe = slices.Delete(oe, i, i+1)
				ne = slices.Delete(ne, j, j+1)
				i--
				break
			}
		}
	}
	sortDescending(oe)
	sortDescending(ne)
	n := min(len(oe), len(ne))
	for i := range n {
		r.compare(&oe[i], &ne[i])
	}
	for i := range oe[n:] {
		r.Removed = append(r.Removed, component(oe[n+i].c))
	}
	for i := range ne[n:] {
		r.Added = append(r.Added, component(ne[n+i].c))
	}
}

// pkgEntry is one side's entry of a package with its version parsed (once, on first use) under
// its ecosystem's rules, so pairing, sorting and classifying never parse a version twice.
type pkgEntry struct {
	c      *sbom.Component
	v      version.Version
	err    error
	parsed bool
}

func pkgEntries(cs []*sbom.Component) []pkgEntry {
	out := make([]pkgEntry, len(cs))
	for i, c := range cs {
		out[i].c = c
	}
	return out
}

// version returns the entry's parsed version, or why its ecosystem cannot order it.
func (e *pkgEntry) version() (version.Version, error) {
	if !e.parsed {
		e.v, e.err = version.Parse(e.c.Ecosystem, e.c.Version)
		e.parsed = true
	}
	return e.v, e.err
}

// compare compares the versions of two entries of one ecosystem, as version.Compare does.
func (e *pkgEntry) compare(f *pkgEntry) (int, error) {
	v, err := e.version()
	if err != nil {
		return 0, err
	}
	w, err := f.version()
	if err != nil {
		return 0, err
	}
	return v.Compare(w)
}

// sortDescending orders entries from the highest version down (ecosystem rules, falling back
// to the version strings when they cannot be ordered). Each version is parsed once, before
// sorting, not per comparison.
func sortDescending(es []pkgEntry) {
	if len(es) < 2 {
		return
	}
	for i := range es {
		es[i].version()
	}
	slices.SortStableFunc(es, func(a, b pkgEntry) int {
		if a.c.Ecosystem == b.c.Ecosystem && a.err == nil && b.err == nil {
			if c, err := a.v.Compare(b.v); err == nil {
				return -c
			}
		}
		return -cmp.Compare(a.c.Version, b.c.Version)
	})
}

// sameVersion reports whether two entries of a package are at the same version as written:
// equal version strings, or one purl (which holds the version; generators disagree on how
// much of it the version field repeats, as trivy's SPDX and CycloneDX do for rpm releases).
func sameVersion(o, n *sbom.Component) bool {
	return o.Version == n.Version || o.Purl != "" && o.Purl == n.Purl
}

// compare records what differs between two paired entries.
func (r *Result) compare(oe, ne *pkgEntry) {
	o, n := oe.c, ne.c
	same := sameVersion(o, n)
	ch := Change{Key: n.Key, Name: n.Name, Ecosystem: n.Ecosystem, Old: component(o), New: component(n)}
	if !same {
		var c version.Change
		var err error
		if o.Ecosystem == n.Ecosystem {
			c, err = oe.classify(ne)
		} else {
			c, err = version.Classify(n.Ecosystem, o.Version, n.Version)
		}
		switch {
		case err != nil:
			ch.Kind, ch.Note = Unordered, err.Error()
		case c.Direction == version.Upgrade:
			ch.Kind, ch.Level = Upgrade, c.Level.String()
		case c.Direction == version.Downgrade:
			ch.Kind, ch.Level = Downgrade, c.Level.String()
		default:
			ch.Kind, ch.Note = Rebuild, "version strings differ but are equal under "+n.Ecosystem+" rules"
		}
	}
	if same || ch.Kind == Rebuild {
		for _, f := range hashDiffs(o.Hashes, n.Hashes) {
			r.Integrity = append(r.Integrity, Integrity{Key: n.Key, Name: n.Name, Version: n.Version, Purl: n.Purl, Algorithm: f.alg, Old: f.old, New: f.new})
			ch.Kind = Rebuild
		}
	}
	if ch.Kind != "" {
		r.Changed = append(r.Changed, ch)
	} else {
		r.Summary.Unchanged++
	}
	if o.Licenses != n.Licenses && !license.Equivalent(o.Licenses, n.Licenses) {
		r.Licenses = append(r.Licenses, AttributeChange{Key: n.Key, Name: n.Name, OldVersion: o.Version, NewVersion: n.Version, Old: o.Licenses, New: n.Licenses})
	}
	if o.Supplier != n.Supplier && !sameSupplier(o.Supplier, n.Supplier) {
		r.Suppliers = append(r.Suppliers, AttributeChange{Key: n.Key, Name: n.Name, OldVersion: o.Version, NewVersion: n.Version, Old: o.Supplier, New: n.Supplier})
	}
}

// sameSupplier reports whether two suppliers of a paired entry are no change: one side does
// not name one (a generator that records none, or NOASSERTION), or both name the same party
// spelt two ways, in another case, spacing or bracketing of its e-mail address (syft writes a
// Debian maintainer "Name <email>" in CycloneDX and "Name (email)" in SPDX).
func sameSupplier(a, b string) bool {
	if a == "" || b == "" {
		return true
	}
	return slices.Equal(supplierWords(a), supplierWords(b))
}

// supplierWords splits a supplier into lower-case words, brackets dropped.
func supplierWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("<>()[]", r)
	})
}

// classify is version.Classify of two entries of one ecosystem, with their cached versions.
func (e *pkgEntry) classify(f *pkgEntry) (version.Change, error) {
	v, err := e.version()
	if err != nil {
		return version.Change{}, err
	}
	w, err := f.version()
	if err != nil {
		return version.Change{}, err
	}
	return version.ClassifyVersions(v, w)
}

type hashDiff struct{ alg, old, new string }

// hashDiffs returns, for every algorithm both sides have, the values that differ. A side with
// several values for one algorithm differs only if the two sets share none.
func hashDiffs(old, new []sbom.Hash) []hashDiff {
	var out []hashDiff
	for _, o := range old {
		if slices.ContainsFunc(out, func(d hashDiff) bool { return d.alg == o.Algorithm }) {
			continue
		}
		var newVals []string
		for _, n := range new {
			if n.Algorithm == o.Algorithm {
				newVals = append(newVals, n.Value)
			}
		}
		if len(newVals) == 0 {
			continue
		}
		shared := false
		for _, o2 := range old {
			if o2.Algorithm == o.Algorithm && slices.Contains(newVals, o2.Value) {
				shared = true
			}
		}
		if !shared {
			out = append(out, hashDiff{alg: o.Algorithm, old: o.Value, new: newVals[0]})
		}
	}
	return out
}

func component(c *sbom.Component) Component {
	return Component{Key: c.Key, Purl: c.Purl, Name: c.Name, Version: c.Version, Ecosystem: c.Ecosystem, Type: c.Type, Licenses: c.Licenses, Supplier: c.Supplier}
}

// diffEdges compares the sides' dependency edges by package: an edge is added when the new
// side has an edge of its kind between two packages (keys) the old side has none between, so
// an upgraded package's edges are not all reported removed and added again. What is reported
// are the side's edges between component identities. Edges that touch files or the subject's
// own component are left out, as those components are. oldNum and newNum number the sides'
// components' keys (see keys.number).
func (r *Result) diffEdges(old, new *graph.View, oldNum, newNum []int32) {
	oe, ne := r.comparable(edgeKeys(old, oldNum), edgeKeys(new, newNum))
	// Both sorted and without duplicates: one merge walk finds what each side lacks.
	var removed, added []edgeKey
	i, j := 0, 0
	for i < len(oe) || j < len(ne) {
		switch {
		case j == len(ne) || i < len(oe) && oe[i] < ne[j]:
			removed = append(removed, oe[i])
			i++
		case i == len(oe) || ne[j] < oe[i]:
			added = append(added, ne[j])
			j++
		default:
			i++
			j++
		}
	}
	r.EdgesRemoved = appendEdges(r.EdgesRemoved, old, oldNum, removed)
	r.EdgesAdded = appendEdges(r.EdgesAdded, new, newNum, added)
}

// comparable returns the sides' key edges of the kinds both sides record, and records the
// kinds only one side does in r.UncomparedEdges.
func (r *Result) comparable(oe, ne []edgeKey) ([]edgeKey, []edgeKey) {
	var oc, nc [256]int
	for _, k := range oe {
		oc[k.kind()]++
	}
	for _, k := range ne {
		nc[k.kind()]++
	}
	var skip [256]bool
	for kind := range skip {
		switch {
		case oc[kind] == 0 && nc[kind] > 0:
			r.UncomparedEdges = append(r.UncomparedEdges, UncomparedEdges{Kind: sbom.EdgeKind(kind), Side: "old", Edges: nc[kind]})
		case nc[kind] == 0 && oc[kind] > 0:
			r.UncomparedEdges = append(r.UncomparedEdges, UncomparedEdges{Kind: sbom.EdgeKind(kind), Side: "new", Edges: oc[kind]})
		default:
			continue
		}
		skip[kind] = true
	}
	if len(r.UncomparedEdges) == 0 {
		return oe, ne
	}
	uncompared := func(k edgeKey) bool { return skip[k.kind()] }
	return slices.DeleteFunc(oe, uncompared), slices.DeleteFunc(ne, uncompared)
}

// edgeKey is an edge between two keys, numbered, packed into 64 bits (from: 28, to: 28,
// kind: 8) so that keys sort by from, to, then kind. Two documents cannot come near 2^28
// keys: ingest stops at sbom.DefaultLimits' 2 million components each, and 2^28 components
// would take tens of gigabytes.
type edgeKey uint64

func newEdgeKey(from, to int32, kind sbom.EdgeKind) edgeKey {
	return edgeKey(uint64(from)<<36 | uint64(to)<<8 | uint64(kind))
}

func (k edgeKey) kind() uint8 { return uint8(k) }

// edgeKeys returns d's edges between the components a diff compares, by key, sorted, without
// duplicates. num numbers d's components' keys.
func edgeKeys(d *graph.View, num []int32) []edgeKey {
	out := make([]edgeKey, 0, len(d.Edges))
	for _, e := range d.Edges {
		if compared(d, e.From) && compared(d, e.To) {
			out = append(out, newEdgeKey(num[e.From], num[e.To], e.Kind))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// appendEdges appends d's compared edges whose key edge is one of ks (sorted) to dst, between
// identities, sorted by from, to, then kind, without duplicates.
func appendEdges(dst []Edge, d *graph.View, num []int32, ks []edgeKey) []Edge {
	if len(ks) == 0 {
		return dst
	}
	start := len(dst)
	for _, e := range d.Edges {
		if !compared(d, e.From) || !compared(d, e.To) {
			continue
		}
		if _, ok := slices.BinarySearch(ks, newEdgeKey(num[e.From], num[e.To], e.Kind)); ok {
			dst = append(dst, Edge{From: d.Components[e.From].ID(), To: d.Components[e.To].ID(), Kind: e.Kind})
		}
	}
	out := dst[start:]
	slices.SortFunc(out, func(a, b Edge) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To), cmp.Compare(a.Kind, b.Kind))
	})
	return dst[:start+len(slices.Compact(out))]
}

// diffFiles compares file components by key (their path) and hash; of several entries of one
// path on one side, the last is compared. files is table.files.
func (r *Result) diffFiles(files []sides) {
	last := func(g group) *sbom.Component {
		if g.more != nil {
			return (*g.more)[len(*g.more)-1]
		}
		return g.one
	}
	for _, g := range files {
		o, n := last(g.old), last(g.new)
		switch {
		case o == nil && n == nil:
		case n == nil:
			r.Files.Removed = append(r.Files.Removed, o.Name)
		case o == nil:
			r.Files.Added = append(r.Files.Added, n.Name)
		case len(hashDiffs(o.Hashes, n.Hashes)) > 0:
			r.Files.Changed = append(r.Files.Changed, n.Name)
		}
	}
	slices.Sort(r.Files.Added)
	slices.Sort(r.Files.Removed)
	slices.Sort(r.Files.Changed)
}

// count sorts the lists and fills the Summary.
func (r *Result) count() {
	byKey := func(a, b Component) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if c := strings.Compare(a.Version, b.Version); c != 0 {
			return c
		}
		return strings.Compare(a.Purl, b.Purl)
	}
	slices.SortFunc(r.Added, byKey)
	slices.SortFunc(r.Removed, byKey)
	slices.SortFunc(r.Changed, func(a, b Change) int {
		if c := byKey(a.New, b.New); c != 0 {
			return c
		}
		return byKey(a.Old, b.Old)
	})
	// One package's attribute and integrity findings come out of one diffPackage call in a
	// fixed order; a stable sort by key puts the packages in order and keeps it.
	slices.SortStableFunc(r.Licenses, func(a, b AttributeChange) int { return strings.Compare(a.Key, b.Key) })
	slices.SortStableFunc(r.Suppliers, func(a, b AttributeChange) int { return strings.Compare(a.Key, b.Key) })
	slices.SortStableFunc(r.Integrity, func(a, b Integrity) int { return strings.Compare(a.Key, b.Key) })
	s := &r.Summary
	s.Added, s.Removed = len(r.Added), len(r.Removed)
	for _, c := range r.Changed {
		switch c.Kind {
		case Upgrade:
			s.Upgraded++
		case Downgrade:
			s.Downgraded++
		case Rebuild:
			s.Rebuilt++
		case Unordered:
			s.Unordered++
		}
	}
	s.LicenseChanges, s.SupplierChanges, s.Integrity = len(r.Licenses), len(r.Suppliers), len(r.Integrity)
	s.EdgesAdded, s.EdgesRemoved = len(r.EdgesAdded), len(r.EdgesRemoved)
	s.FilesAdded, s.FilesRemoved, s.FilesChanged = len(r.Files.Added), len(r.Files.Removed), len(r.Files.Changed)
	s.Hygiene = len(r.Hygiene.Findings)
}

// Versions diffs two stored image versions with the same engine as Documents, reading them as
// views when the store lends them (graph.Viewer). It returns the store's errors
// (graph.ErrNotFound for an unknown version).
func Versions(ctx context.Context, s graph.Contents, old, new graph.Ref, opts ...Option) (*Result, error) {
	o, err := view(ctx, s, old)
	if err != nil {
		return nil, err
	}
	n, err := view(ctx, s, new)
	if err != nil {
		return nil, err
	}
	return Views(o, n, opts...), nil
}

func view(ctx context.Context, s graph.Contents, ref graph.Ref) (*graph.View, error) {
	if v, ok := s.(graph.Viewer); ok {
		return v.View(ctx, ref)
	}
	d, err := s.Document(ctx, ref)
	if err != nil {
		return nil, err
	}
	return graph.ViewOf(d), nil
}
