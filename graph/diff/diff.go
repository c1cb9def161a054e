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
	"encoding/binary"
	"slices"
	"strings"

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
	// Suppliers are paired entries whose supplier changed.
	Suppliers []AttributeChange `json:"suppliers"`
	// Integrity are entries at the same version whose hashes differ for one algorithm.
	Integrity    []Integrity `json:"integrity"`
	EdgesAdded   []Edge      `json:"edgesAdded"`
	EdgesRemoved []Edge      `json:"edgesRemoved"`
	Files        FileChanges `json:"files"`
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
	r := &Result{
		Old: side(old), New: side(new),
		Added: []Component{}, Removed: []Component{}, Changed: []Change{},
		Licenses: []AttributeChange{}, Suppliers: []AttributeChange{}, Integrity: []Integrity{},
		EdgesAdded: []Edge{}, EdgesRemoved: []Edge{},
		Files: FileChanges{Added: []string{}, Removed: []string{}, Changed: []string{}},
	}
	// Every identity of both sides gets a number, once; entries and edges use the numbers.
	// Sized for two releases of one image, which share most of their identities.
	n := max(len(old.Components), len(new.Components)) * 9 / 8
	ids := &identities{num: make(map[string]int32, n), name: make([]string, 0, n)}
	oldNum, newNum := ids.number(old), ids.number(new)
	oldPkgs, oldFiles := entries(old, oldNum, len(ids.name))
	newPkgs, newFiles := entries(new, newNum, len(ids.name))
	r.Old.Packages, r.Old.Files, r.Old.ByEcosystem = len(oldPkgs), len(oldFiles), byEcosystem(oldPkgs)
	r.New.Packages, r.New.Files, r.New.ByEcosystem = len(newPkgs), len(newFiles), byEcosystem(newPkgs)

	// Packages in any order (count sorts what they yield): sorting every key of both sides
	// cost more than the whole comparison.
	for _, g := range groupByKey(oldPkgs, newPkgs) {
		r.diffGroup(g.old, g.new)
	}
	r.diffEdges(ids, old, new, oldNum, newNum)
	r.diffFiles(oldFiles, newFiles)
	r.hygiene(old, new, oldPkgs, newPkgs, newOptions(opts))
	r.count()
	return r
}

// side summarises a document.
func side(d *sbom.Document) Side {
	return Side{Subject: d.Subject, Format: d.Source.Format, SpecVersion: d.Source.SpecVersion, Tools: d.Source.Tools}
}

// entries returns a document's distinct package entries (by identity, first occurrence wins)
// and its distinct file components (by key), leaving out the subject's own component: a
// CycloneDX metadata.component and an SPDX root package describe the image, not its content.
// num numbers d's components' identities (see identities.number), below n.
func entries(d *sbom.Document, num []int32, n int) (pkgs, files []*sbom.Component) {
	seen := make([]bool, n)
	pkgs = make([]*sbom.Component, 0, len(d.Components))
	for i := range d.Components {
		c := &d.Components[i]
		if c.Metadata || i == d.Root {
			continue
		}
		if seen[num[i]] {
			continue
		}
		seen[num[i]] = true
		if c.Type == "file" {
			files = append(files, c)
		} else {
			pkgs = append(pkgs, c)
		}
	}
	return pkgs, files
}

func byEcosystem(pkgs []*sbom.Component) map[string]int {
	m := map[string]int{}
	for _, c := range pkgs {
		m[c.Ecosystem]++
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

func (g *group) add(c *sbom.Component) {
	switch {
	case g.one == nil:
		g.one = c
	case g.more == nil:
		g.more = &[]*sbom.Component{g.one, c}
	default:
		*g.more = append(*g.more, c)
	}
}

// sides is one package's entries on both sides.
type sides struct{ old, new group }

// groupByKey groups both sides' package entries by key, in one map.
func groupByKey(oldPkgs, newPkgs []*sbom.Component) map[string]sides {
	m := make(map[string]sides, max(len(oldPkgs), len(newPkgs)))
	for _, c := range oldPkgs {
		g := m[c.Key]
		g.old.add(c)
		m[c.Key] = g
	}
	for _, c := range newPkgs {
		g := m[c.Key]
		g.new.add(c)
		m[c.Key] = g
	}
	return m
}

// diffGroup is diffPackage for groups, without copies in the common case.
func (r *Result) diffGroup(old, new group) {
	// The common case, one entry on each side at the same version string, needs no slices.
	if old.more == nil && new.more == nil && old.one != nil && new.one != nil && old.one.Version == new.one.Version {
		r.compare(&pkgEntry{c: old.one}, &pkgEntry{c: new.one})
		return
	}
	r.diffPackage(old.entries(), new.entries())
}

// diffPackage pairs the entries of one package (a multiset on each side): first equal version
// strings, then versions equal under the ecosystem's rules, then the rest from the highest
// version down, so the newest line of a package continues into the newest line; what is left
// unpaired is added or removed.
func (r *Result) diffPackage(old, new []*sbom.Component) {
	old, new = slices.Clone(old), slices.Clone(new)
	for i := 0; i < len(old); i++ {
		for j := range new {
			if old[i].Version == new[j].Version {
				r.compare(&pkgEntry{c: old[i]}, &pkgEntry{c: new[j]})
				old = slices.Delete(old, i, i+1)
				new = slices.Delete(new, j, j+1)
				i--
				break
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

// compare records what differs between two paired entries.
func (r *Result) compare(oe, ne *pkgEntry) {
	o, n := oe.c, ne.c
	same := o.Version == n.Version
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
	sameVersion := same || ch.Kind == Rebuild
	if sameVersion {
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
	if o.Supplier != n.Supplier {
		r.Suppliers = append(r.Suppliers, AttributeChange{Key: n.Key, Name: n.Name, OldVersion: o.Version, NewVersion: n.Version, Old: o.Supplier, New: n.Supplier})
	}
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

// diffEdges compares the edge sets by component identity; edges that touch files or the
// subject's own component are left out, as those components are. oldNum and newNum number the
// sides' components' identities (see identities.number).
func (r *Result) diffEdges(ids *identities, old, new *sbom.Document, oldNum, newNum []int32) {
	oe, ne := edgeKeys(old, oldNum), edgeKeys(new, newNum)
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
	rank, byRank := ids.rank(removed, added)
	r.EdgesRemoved = ids.appendEdges(r.EdgesRemoved, removed, rank, byRank)
	r.EdgesAdded = ids.appendEdges(r.EdgesAdded, added, rank, byRank)
}

// identities numbers the component identities of both sides of a diff, so that entries and
// edges compare small integers rather than strings, and each identity is hashed once.
type identities struct {
	num  map[string]int32
	name []string
}

// number returns the number of each of d's components' identity (see sbom.Component.ID),
// numbering those not seen yet.
func (ids *identities) number(d *sbom.Document) []int32 {
	out := make([]int32, len(d.Components))
	for i := range d.Components {
		id := d.Components[i].ID()
		n, ok := ids.num[id]
		if !ok {
			n = int32(len(ids.name))
			ids.num[id] = n
			ids.name = append(ids.name, id)
		}
		out[i] = n
	}
	return out
}

// edgeKey is an Edge with its identities numbered, packed into 64 bits (from: 28, to: 28,
// kind: 8) so that keys sort by from, to, then kind. Two documents cannot come near 2^28
// identities: ingest stops at sbom.DefaultLimits' 2 million components each, and 2^28
// components would take tens of gigabytes.
type edgeKey uint64

func newEdgeKey(from, to int32, kind sbom.EdgeKind) edgeKey {
	return edgeKey(uint64(from)<<36 | uint64(to)<<8 | uint64(kind))
}

func (k edgeKey) from() int32         { return int32(k >> 36) }
func (k edgeKey) to() int32           { return int32(k >> 8 & (1<<28 - 1)) }
func (k edgeKey) kind() sbom.EdgeKind { return sbom.EdgeKind(k & 0xff) }

// edgeKeys returns d's edges between the components a diff compares, sorted, without
// duplicates. num numbers d's components' identities.
func edgeKeys(d *sbom.Document, num []int32) []edgeKey {
	keep := func(i int) bool {
		c := &d.Components[i]
		return !c.Metadata && i != d.Root && c.Type != "file"
	}
	keys := make([]edgeKey, 0, len(d.Edges))
	for _, e := range d.Edges {
		if keep(e.From) && keep(e.To) {
			keys = append(keys, newEdgeKey(num[e.From], num[e.To], e.Kind))
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// rank returns, for every identity the given edges use, its position in the identities'
// byte order (rank), and the identities in that order (byRank), so that sorting edges compares
// integers instead of strings.
func (ids *identities) rank(edges ...[]edgeKey) (rank, byRank []int32) {
	rank = make([]int32, len(ids.name))
	for _, es := range edges {
		for _, e := range es {
			for _, n := range [2]int32{e.from(), e.to()} {
				if rank[n] == 0 {
					rank[n] = 1
					byRank = append(byRank, n)
				}
			}
		}
	}
	sortByName(byRank, ids.name)
	for r, n := range byRank {
		rank[n] = int32(r)
	}
	return rank, byRank
}

// sortByName sorts identity numbers by their names. Identities share long prefixes
// ("pkg:deb/debian/"), so each is given the 8 bytes that follow the prefix all share as an
// integer, which decides most comparisons; equal integers fall back to the names. (Padded with
// zero bytes, the integers order as the names do: a's below b's means a sorts before b.)
func sortByName(nums []int32, name []string) {
	if len(nums) < 2 {
		return
	}
	common := name[nums[0]]
	for _, n := range nums[1:] {
		s := name[n]
		i := 0
		for i < len(common) && i < len(s) && common[i] == s[i] {
			i++
		}
		common = common[:i]
	}
	type keyed struct {
		key uint64
		n   int32
	}
	ks := make([]keyed, len(nums))
	for i, n := range nums {
		var b [8]byte
		copy(b[:], name[n][len(common):])
		ks[i] = keyed{binary.BigEndian.Uint64(b[:]), n}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(name[a.n], name[b.n])
	})
	for i, k := range ks {
		nums[i] = k.n
	}
}

// appendEdges appends keys to dst as Edges, sorted by from, to, then kind (rank and byRank
// order the identities; see rank).
func (ids *identities) appendEdges(dst []Edge, keys []edgeKey, rank, byRank []int32) []Edge {
	// The same packing with ranks for numbers sorts as plain integers.
	ranked := make([]edgeKey, len(keys))
	for i, k := range keys {
		ranked[i] = newEdgeKey(rank[k.from()], rank[k.to()], k.kind())
	}
	slices.Sort(ranked)
	dst = slices.Grow(dst, len(ranked))
	for _, k := range ranked {
		dst = append(dst, Edge{From: ids.name[byRank[k.from()]], To: ids.name[byRank[k.to()]], Kind: k.kind()})
	}
	return dst
}

// diffFiles compares file components by key (their path) and hash.
func (r *Result) diffFiles(old, new []*sbom.Component) {
	om, nm := map[string]*sbom.Component{}, map[string]*sbom.Component{}
	for _, c := range old {
		om[c.Key] = c
	}
	for _, c := range new {
		nm[c.Key] = c
	}
	for k, o := range om {
		n, ok := nm[k]
		switch {
		case !ok:
			r.Files.Removed = append(r.Files.Removed, o.Name)
		case len(hashDiffs(o.Hashes, n.Hashes)) > 0:
			r.Files.Changed = append(r.Files.Changed, n.Name)
		}
	}
	for k, n := range nm {
		if _, ok := om[k]; !ok {
			r.Files.Added = append(r.Files.Added, n.Name)
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

// Contents is the part of a store Versions reads; graph.Store satisfies it.
type Contents interface {
	Document(ctx context.Context, ref graph.Ref) (*sbom.Document, error)
}

// Versions diffs two stored image versions with the same engine as Documents. It returns the
// store's errors (graph.ErrNotFound for an unknown version).
func Versions(ctx context.Context, s Contents, old, new graph.Ref, opts ...Option) (*Result, error) {
	o, err := s.Document(ctx, old)
	if err != nil {
		return nil, err
	}
	n, err := s.Document(ctx, new)
	if err != nil {
		return nil, err
	}
	return Documents(o, n, opts...), nil
}
