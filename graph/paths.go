package graph

import "github.com/sbomgraph/sbomgraph/ingest/sbom"

// Forest holds one shortest path from the top of a document to each component, as parent
// links. It is computed once per version at ingest, by the same code for every backend, so
// every backend reports the same path.
type Forest struct {
	// Parent[i] is the component before i on its path, or -1 when i is top-level.
	Parent []int
	// Depth[i] is the number of components on i's path, i included: 1 means direct.
	Depth []int
}

// ShortestPaths computes the Forest of doc. The top level is the root's children when the
// document has a root (the root itself is top-level too); every component no path reaches
// from there (documents without a dependency graph, or with islands) is top-level if nothing
// points at it, and islands made only of cycles enter through their lowest index. Ties go to
// the lowest index: breadth-first search in index order, so the result is deterministic.
func ShortestPaths(doc *sbom.Document) Forest {
	n := len(doc.Components)
	f := Forest{Parent: make([]int, n), Depth: make([]int, n)}
	adj := make([][]int, n)
	indegree := make([]int, n)
	for _, e := range doc.Edges {
		adj[e.From] = append(adj[e.From], e.To)
		if e.From != e.To {
			indegree[e.To]++
		}
	}
	for i := range f.Parent {
		f.Parent[i] = -1
	}
	var queue []int
	visit := func(i, parent, depth int) {
		if f.Depth[i] != 0 {
			return
		}
		f.Parent[i], f.Depth[i] = parent, depth
		queue = append(queue, i)
	}
	bfs := func() {
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			for _, w := range adj[v] {
				visit(w, v, f.Depth[v]+1)
			}
		}
	}
	if r := doc.Root; r >= 0 && r < n {
		f.Depth[r] = 1
		for _, w := range adj[r] {
			visit(w, -1, 1)
		}
		bfs()
	}
	for i := range n {
		if indegree[i] == 0 {
			visit(i, -1, 1)
		}
	}
	bfs()
	for i := range n {
		if f.Depth[i] == 0 {
			visit(i, -1, 1)
			bfs()
		}
	}
	return f
}

// Path returns the identities of the components on i's path, top-level first, i last.
func (f Forest) Path(doc *sbom.Document, i int) []string {
	path := make([]string, f.Depth[i])
	for k := len(path) - 1; k >= 0; k-- {
		path[k] = doc.Components[i].ID()
		i = f.Parent[i]
	}
	return path
}

// Placement is where one distinct component identity sits in a document: the node that
// represents it and that node's shortest path.
type Placement struct {
	// ID is the component identity (see sbom.Component.ID).
	ID string
	// Node is the index in the document's Components of the representative node: among the
	// nodes with this identity, the one with the shortest path, ties to the lowest index.
	Node int
	// Path is the indexes of the nodes on Node's path (see Forest.Path), top-level first,
	// Node last.
	Path []int
}

// Placements returns one Placement per distinct component identity of doc (metadata
// component included), in the order the identities first appear. A document may list one
// identity several times (the same package found at several locations); the occurrence of an
// identity is its representative node, so every backend reports the same path for it.
func (f Forest) Placements(doc *sbom.Document) []Placement {
	index := make(map[string]int, len(doc.Components))
	var out []Placement
	for i := range doc.Components {
		id := doc.Components[i].ID()
		k, seen := index[id]
		if !seen {
			index[id] = len(out)
			out = append(out, Placement{ID: id, Node: i})
			continue
		}
		if f.Depth[i] < f.Depth[out[k].Node] {
			out[k].Node = i
		}
	}
	for k := range out {
		out[k].Path = f.PathNodes(out[k].Node)
	}
	return out
}

// PathNodes returns the indexes of the nodes on i's path, top-level first, i last.
func (f Forest) PathNodes(i int) []int {
	path := make([]int, f.Depth[i])
	for k := len(path) - 1; k >= 0; k-- {
		path[k] = i
		i = f.Parent[i]
	}
	return path
}
