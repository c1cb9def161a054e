package sbom

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Builder assembles a Document the same way for every format: it canonicalises purls, derives
// keys, resolves local ids to component indexes and records every problem as a Warning. A
// decoder parses its format with the format's library, then feeds components and relationships
// to a Builder; it never has to resolve references itself.
type Builder struct {
	doc     Document
	limits  Limits
	byLocal map[string]int
	// warned remembers (code, id) pairs already reported, so one bad id warns once.
	warned map[warnKey]bool
	// scratch is where content keys are built, so that each costs one allocation.
	scratch []byte
}

type warnKey struct {
	code WarningCode
	id   string
}

// NewBuilder returns a Builder for a document from src, bounded by limits (zero fields take
// the defaults).
func NewBuilder(src Source, limits Limits) *Builder {
	return &Builder{
		doc:     Document{Source: src, Root: -1},
		limits:  limits.WithDefaults(),
		byLocal: make(map[string]int),
		warned:  make(map[warnKey]bool),
	}
}

// Grow makes room for n more components, so a decoder that knows how many it will add (the
// length of a component list) spares the Builder growing its slice and id index step by step.
// It never grows past Limits.MaxComponents.
func (b *Builder) Grow(n int) {
	n = min(n, b.limits.MaxComponents-len(b.doc.Components))
	if n <= 0 {
		return
	}
	b.doc.Components = slices.Grow(b.doc.Components, n)
	m := make(map[string]int, len(b.byLocal)+n)
	maps.Copy(m, b.byLocal)
	b.byLocal = m
}

// Limits returns the limits the Builder enforces, defaults applied.
func (b *Builder) Limits() Limits { return b.limits }

// Source returns the Source being built, for a decoder to fill in.
func (b *Builder) Source() *Source { return &b.doc.Source }

// Subject returns the Subject being built, for a decoder to fill in.
func (b *Builder) Subject() *Subject { return &b.doc.Subject }

// Warn records a warning, once per (code, id).
func (b *Builder) Warn(code WarningCode, id, format string, args ...any) {
	k := warnKey{code, id}
	if b.warned[k] {
		return
	}
	b.warned[k] = true
	b.doc.Warnings = append(b.doc.Warnings, Warning{Code: code, ID: id, Message: fmt.Sprintf(format, args...)})
}

// Add normalises c and appends it, returning its index. A purl that does not parse is dropped
// with a WarnInvalidPurl; a component without a purl gets a content key (and, unless it is a
// file, a WarnMissingPurl). Its LocalID is registered for Edge lookups; a repeated LocalID
// warns and keeps resolving to the first component. It returns an error wrapping ErrTooLarge
// when the document holds more components than Limits.MaxComponents.
func (b *Builder) Add(c Component) (int, error) {
	if len(b.doc.Components) >= b.limits.MaxComponents {
		return -1, fmt.Errorf("%w: more than %d components", ErrTooLarge, b.limits.MaxComponents)
	}
	c.LocalID = strings.TrimSpace(c.LocalID)
	c.Name = strings.TrimSpace(c.Name)
	c.Version = strings.TrimSpace(c.Version)
	c.Type = intern(strings.ToLower(strings.TrimSpace(c.Type)))
	ref := c.LocalID
	if ref == "" {
		ref = c.Name
	}
	raw := strings.TrimSpace(c.Purl)
	c.Purl, c.Key = "", ""
	if raw != "" {
		p, err := ParsePurl(raw)
		if err != nil {
			b.Warn(WarnInvalidPurl, ref, "invalid purl %q: %v", raw, err)
		} else {
			c.Purl, c.Key, c.Ecosystem = p.Canonical, p.Key, intern(p.Type)
			if c.Namespace == "" {
				c.Namespace = p.Namespace
			}
			if c.Name == "" {
				c.Name = p.Name
			}
			if c.Version == "" {
				c.Version = p.Version
			}
		}
	} else if c.Type != "file" && !c.Metadata {
		b.Warn(WarnMissingPurl, ref, "component %q has no purl; identified by its type, namespace and name", c.Name)
	}
	if c.Key == "" {
		b.scratch = appendContentKey(b.scratch[:0], c.Type, c.Namespace, c.Name)
		c.Key = string(b.scratch)
	}
	c.Hashes = SortHashes(c.Hashes)
	i := len(b.doc.Components)
	b.doc.Components = append(b.doc.Components, c)
	b.register(c.LocalID, i)
	return i, nil
}

// intern returns the one shared copy of a common component type or purl type, so that a
// document's thousands of components do not each keep their own copy of "library" or "deb"
// (nor, for a purl type, the whole purl it was cut from). Other strings are returned as given.
func intern(s string) string {
	switch s {
	case "library":
		return "library"
	case "file":
		return "file"
	case "application":
		return "application"
	case "operating-system":
		return "operating-system"
	case "container":
		return "container"
	case "framework":
		return "framework"
	case "deb":
		return "deb"
	case "rpm":
		return "rpm"
	case "apk":
		return "apk"
	case "npm":
		return "npm"
	case "maven":
		return "maven"
	case "golang":
		return "golang"
	case "pypi":
		return "pypi"
	case "gem":
		return "gem"
	case "nuget":
		return "nuget"
	case "cargo":
		return "cargo"
	case "composer":
		return "composer"
	case "github":
		return "github"
	}
	return s
}

func (b *Builder) register(id string, i int) {
	if id == "" {
		if !b.doc.Components[i].Metadata {
			b.Warn(WarnMissingID, b.doc.Components[i].Name+"#"+fmt.Sprint(i), "component %q (entry %d) has no id, so no relationship can name it", b.doc.Components[i].Name, i)
		}
		return
	}
	b.checkID(id)
	if _, dup := b.byLocal[id]; dup {
		b.Warn(WarnDuplicateID, id, "id %q is used by more than one component; references resolve to the first", id)
		return
	}
	b.byLocal[id] = i
}

// checkID warns about ids that are legal but likely to trouble other tools.
func (b *Builder) checkID(id string) {
	// A string has no more runes than bytes, so only a long one needs counting.
	if len(id) > LongID && utf8.RuneCountInString(id) > LongID {
		b.Warn(WarnLongID, id, "id is %d characters long", utf8.RuneCountInString(id))
	}
	for i := 0; i < len(id); i++ {
		if id[i] >= utf8.RuneSelf {
			b.Warn(WarnNonASCIIID, id, "id has non-ASCII characters")
			break
		}
	}
}

// Lookup returns the index of the component with the given LocalID.
func (b *Builder) Lookup(id string) (int, bool) {
	i, ok := b.byLocal[strings.TrimSpace(id)]
	return i, ok
}

// Component returns the component at index i, for a decoder that fills it in after Add.
func (b *Builder) Component(i int) *Component { return &b.doc.Components[i] }

// Len returns the number of components added so far.
func (b *Builder) Len() int { return len(b.doc.Components) }

// Edge adds an edge between the components with LocalIDs from and to. An id that names no
// component is reported as a WarnDanglingRef and the edge is dropped (there is nothing to
// point at); it reports whether the edge was added.
func (b *Builder) Edge(from, to string, kind EdgeKind) bool {
	fi, ok := b.Lookup(from)
	if !ok {
		b.Warn(WarnDanglingRef, from, "relationship names %q, which no component has", from)
		return false
	}
	ti, ok := b.Lookup(to)
	if !ok {
		b.Warn(WarnDanglingRef, to, "relationship names %q, which no component has", to)
		return false
	}
	b.EdgeIndex(fi, ti, kind)
	return true
}

// EdgeIndex adds an edge between two components by index.
func (b *Builder) EdgeIndex(from, to int, kind EdgeKind) {
	b.doc.Edges = append(b.doc.Edges, Edge{From: from, To: to, Kind: kind})
}

// SetRoot marks the component at index i as the subject's own component.
func (b *Builder) SetRoot(i int) { b.doc.Root = i }

// Root returns the index of the subject's component, or -1.
func (b *Builder) Root() int { return b.doc.Root }

// Finish sorts and de-duplicates the edges, reports dependency cycles and empty documents, and
// returns the Document. The Builder must not be used afterwards.
func (b *Builder) Finish() *Document {
	d := &b.doc
	sort.Slice(d.Edges, func(i, j int) bool {
		x, y := d.Edges[i], d.Edges[j]
		if x.From != y.From {
			return x.From < y.From
		}
		if x.To != y.To {
			return x.To < y.To
		}
		return x.Kind < y.Kind
	})
	edges := d.Edges[:0]
	for i, e := range d.Edges {
		if i > 0 && e == d.Edges[i-1] {
			continue
		}
		edges = append(edges, e)
	}
	d.Edges = edges
	if d.Edges == nil {
		d.Edges = []Edge{}
	}
	if d.Components == nil {
		d.Components = []Component{}
	}
	for _, cycle := range Cycles(d) {
		ids := make([]string, 0, len(cycle))
		for _, i := range cycle {
			ids = append(ids, d.Components[i].ref())
		}
		b.Warn(WarnCycle, ids[0], "dependency cycle through %d components: %s", len(ids), strings.Join(truncate(ids, 5), " -> "))
	}
	if d.Entries() == 0 {
		b.Warn(WarnEmptyDocument, "", "the document lists no components")
	}
	if d.Warnings == nil {
		d.Warnings = []Warning{}
	}
	return d
}

func truncate(ids []string, n int) []string {
	if len(ids) <= n {
		return ids
	}
	return append(ids[:n:n], fmt.Sprintf("... (%d more)", len(ids)-n))
}

// ref names a component in a message: its LocalID, else its identity.
func (c *Component) ref() string {
	if c.LocalID != "" {
		return c.LocalID
	}
	return c.ID()
}

// Cycles returns the strongly connected components of d's DependsOn graph that are cycles (more
// than one member, or one member with an edge to itself), each as component indexes in
// ascending order, the cycles ordered by their first member. It runs Tarjan's algorithm
// iteratively, so deep graphs cannot exhaust the stack.
func Cycles(d *Document) [][]int {
	n := len(d.Components)
	adj := make([][]int, n)
	self := make([]bool, n)
	for _, e := range d.Edges {
		if e.Kind != DependsOn {
			continue
		}
		if e.From == e.To {
			self[e.From] = true
		}
		adj[e.From] = append(adj[e.From], e.To)
	}
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var out [][]int
	var sccStack []int
	next := 0
	type frame struct{ v, edge int }
	var call []frame
	for root := 0; root < n; root++ {
		// A component with no DependsOn edge of its own is in no cycle, and any it depends
		// on are reached from a component that has one.
		if index[root] >= 0 || len(adj[root]) == 0 {
			continue
		}
		call = append(call[:0], frame{root, 0})
		index[root], low[root] = next, next
		next++
		sccStack = append(sccStack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.edge < len(adj[f.v]) {
				w := adj[f.v][f.edge]
				f.edge++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					sccStack = append(sccStack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] && index[w] < low[f.v] {
					low[f.v] = index[w]
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				if low[v] < low[p] {
					low[p] = low[v]
				}
			}
			if low[v] != index[v] {
				continue
			}
			// v's strongly connected component is v and everything above it on the stack.
			k := len(sccStack) - 1
			for sccStack[k] != v {
				k--
			}
			members := sccStack[k:]
			for _, w := range members {
				onStack[w] = false
			}
			if len(members) > 1 || self[v] {
				scc := slices.Clone(members)
				sort.Ints(scc)
				out = append(out, scc)
			}
			sccStack = sccStack[:k]
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
