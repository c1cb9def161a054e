package graph

import (
	"slices"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

func TestPlacements(t *testing.T) {
	c := func(purl string) sbom.Component { return sbom.Component{Purl: purl, Key: purl} }
	// 0 root -> 1 a -> 2 b -> 3 x, and 0 -> 4 x: the same identity, shallower. 7 is x again,
	// at the top level like 4: a tie on depth, which the lower index (4) wins. 5 y <-> 6 z is
	// an island made of a cycle, entered through its lowest index.
	doc := &sbom.Document{Root: 0, Components: []sbom.Component{
		c("pkg:a/root"), c("pkg:a/a"), c("pkg:a/b"), c("pkg:a/x"), c("pkg:a/x"), c("pkg:a/y"), c("pkg:a/z"), c("pkg:a/x"),
	}, Edges: []sbom.Edge{
		{From: 0, To: 1}, {From: 0, To: 4}, {From: 1, To: 2}, {From: 2, To: 3}, {From: 5, To: 6}, {From: 6, To: 5},
	}}
	f := ShortestPaths(doc)
	got := map[string][]int{}
	var order []string
	for _, p := range f.Placements(doc) {
		got[p.ID] = p.Path
		order = append(order, p.ID)
		if p.Path[len(p.Path)-1] != p.Node || len(p.Path) != f.Depth[p.Node] {
			t.Errorf("%s: node %d, path %v", p.ID, p.Node, p.Path)
		}
	}
	want := map[string][]int{
		"pkg:a/root": {0}, "pkg:a/a": {1}, "pkg:a/b": {1, 2}, "pkg:a/x": {4}, "pkg:a/y": {5}, "pkg:a/z": {5, 6},
	}
	if len(got) != len(want) {
		t.Errorf("placements = %v", got)
	}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("%s: path %v, want %v", id, got[id], w)
		}
	}
	if !slices.Equal(order, []string{"pkg:a/root", "pkg:a/a", "pkg:a/b", "pkg:a/x", "pkg:a/y", "pkg:a/z"}) {
		t.Errorf("order = %v, want first appearance", order)
	}
	if p := f.Path(doc, 3); !slices.Equal(p, []string{"pkg:a/a", "pkg:a/b", "pkg:a/x"}) {
		t.Errorf("Path(3) = %v", p)
	}
}
