package estate

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

func TestDeterministic(t *testing.T) {
	a, b := New(Tiny), New(Tiny)
	var order []string
	for it := range a.All() {
		order = append(order, fmt.Sprint(it.Image, ".", it.Version))
		other := b.Item(it.Image, it.Version)
		x, _ := json.Marshal(it)
		y, _ := json.Marshal(other)
		if string(x) != string(y) {
			t.Fatalf("item (%d, %d) differs between two estates with the same params", it.Image, it.Version)
		}
	}
	if len(order) != a.Len() || order[0] != "0.0" || order[1] != "1.0" || order[len(order)-1] != fmt.Sprint(Tiny.Images-1, ".", Tiny.Versions-1) {
		t.Errorf("All yields %d items in order %v…", len(order), order[:3])
	}
	c := New(Params{Seed: 2, Images: Tiny.Images, Versions: Tiny.Versions, Components: Tiny.Components})
	if x, y := a.Item(0, 0).Doc.Source.Digest, c.Item(0, 0).Doc.Source.Digest; x == y {
		t.Error("different seeds give the same document")
	}
}

// TestAsDecoded rebuilds every document through sbom.Builder, as a decoder would, and expects
// the same Document.
func TestAsDecoded(t *testing.T) {
	e := New(Tiny)
	for it := range e.All() {
		doc := it.Doc
		b := sbom.NewBuilder(doc.Source, sbom.Limits{})
		*b.Subject() = doc.Subject
		for _, c := range doc.Components {
			raw := c
			raw.Key, raw.Ecosystem, raw.Namespace, raw.Name, raw.Version = "", "", "", "", ""
			if c.Purl == "" {
				raw.Namespace, raw.Name, raw.Version = c.Namespace, c.Name, c.Version
			}
			i, err := b.Add(raw)
			if err != nil {
				t.Fatal(err)
			}
			if c.Metadata {
				b.SetRoot(i)
			}
		}
		for _, ed := range doc.Edges {
			b.EdgeIndex(ed.From, ed.To, ed.Kind)
		}
		want, _ := json.MarshalIndent(b.Finish(), "", " ")
		got, _ := json.MarshalIndent(doc, "", " ")
		if string(got) != string(want) {
			t.Fatalf("%s: the generated document differs from the Builder's:\n%s", it.Ref, firstDiff(string(want), string(got)))
		}
		if err := it.Ref.Validate(); err != nil {
			t.Error(err)
		}
	}
}

func firstDiff(a, b string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			lo := max(0, i-200)
			return fmt.Sprintf("want …%s…\ngot  …%s…", a[lo:min(len(a), i+100)], b[lo:min(len(b), i+100)])
		}
	}
	return "lengths differ"
}

// TestRealistic checks the shape: sizes, sharing across images, small churn between
// versions, and depth.
func TestRealistic(t *testing.T) {
	p := Params{Seed: 1, Images: 40, Versions: 5, Components: 200}
	e := New(p)
	images := map[string]map[int]bool{} // identity -> images containing it
	maxDepth := 0
	for it := range e.All() {
		n := it.Doc.Entries()
		if n < p.Components*8/10 || n > p.Components*12/10 {
			t.Errorf("%s has %d components, want about %d", it.Ref, n, p.Components)
		}
		for _, c := range it.Doc.Components {
			if images[c.ID()] == nil {
				images[c.ID()] = map[int]bool{}
			}
			images[c.ID()][it.Image] = true
		}
		f := graph.ShortestPaths(it.Doc)
		maxDepth = max(maxDepth, slices.Max(f.Depth))
		if it.Version > 0 {
			prev := e.Item(it.Image, it.Version-1).Doc
			old := map[string]bool{}
			for _, c := range prev.Components {
				old[c.ID()] = true
			}
			changed := 0
			for _, c := range it.Doc.Components {
				if !old[c.ID()] {
					changed++
				}
			}
			if changed == 0 || changed > n/4 {
				t.Errorf("%s: %d of %d components new since the previous version", it.Ref, changed, n)
			}
			// Dependencies between packages persist: the edges between keys that changed are
			// about those of the packages added or removed, not a reshuffle of the graph.
			keysAdded, keysRemoved := keyEdges(it.Doc), keyEdges(prev)
			for k := range keysRemoved {
				if keysAdded[k] {
					delete(keysAdded, k)
					delete(keysRemoved, k)
				}
			}
			if moved := len(keysAdded) + len(keysRemoved); moved > len(it.Doc.Edges)/10 {
				t.Errorf("%s: %d of %d edges between packages changed since the previous version", it.Ref, moved, len(it.Doc.Edges))
			}
		}
	}
	shared := 0
	for _, imgs := range images {
		if len(imgs) >= 5 {
			shared++
		}
	}
	if shared < 50 {
		t.Errorf("only %d components are in 5 or more images", shared)
	}
	if maxDepth < 5 {
		t.Errorf("the deepest path is %d components long, want at least 5", maxDepth)
	}
	t.Logf("%d unique components in %d versions; %d in 5+ images; max depth %d", len(images), e.Len(), shared, maxDepth)
}

func TestExtra(t *testing.T) {
	e := New(Small)
	it := e.Extra(0, 0, 5000)
	if n := it.Doc.Entries(); n < 4500 || n > 5500 {
		t.Errorf("Extra(0, 0, 5000) has %d components", n)
	}
	if it.Ref.Image == e.Item(0, 0).Ref.Image || e.Extra(1, 0, 100).Ref.Image == it.Ref.Image {
		t.Error("extra images collide")
	}
	next := e.Extra(0, 1, 5000)
	if next.Ref.Image != it.Ref.Image || next.Ref == it.Ref {
		t.Errorf("Extra(0, 1) = %s after %s", next.Ref, it.Ref)
	}
	old := map[string]bool{}
	for _, c := range it.Doc.Components {
		old[c.ID()] = true
	}
	same := 0
	for _, c := range next.Doc.Components {
		if old[c.ID()] {
			same++
		}
	}
	if same < len(next.Doc.Components)*9/10 {
		t.Errorf("only %d of %d components carried over to the next version", same, len(next.Doc.Components))
	}
}

// TestStats logs the shape of the estate SBOMGRAPH_ESTATE names (full, small; default tiny):
// unique components, containment rows, how widely components and packages are shared.
func TestStats(t *testing.T) {
	p := Tiny
	switch os.Getenv("SBOMGRAPH_ESTATE") {
	case "full":
		p = Full
	case "small":
		p = Small
	}
	start := time.Now()
	e := New(p)
	perID := map[string]int{}
	perKey := map[string]int{}
	rows, edges, depthSum := 0, 0, 0
	for it := range e.All() {
		seen := map[string]bool{}
		f := graph.ShortestPaths(it.Doc)
		for _, pl := range f.Placements(it.Doc) {
			seen[pl.ID] = true
			perID[pl.ID]++
			depthSum += len(pl.Path)
		}
		keys := map[string]bool{}
		for _, c := range it.Doc.Components {
			keys[c.Key] = true
		}
		for k := range keys {
			perKey[k]++
		}
		rows += len(seen)
		edges += len(it.Doc.Edges)
	}
	counts := func(m map[string]int) (p50, p99, top int) {
		var v []int
		for _, n := range m {
			v = append(v, n)
		}
		sort.Ints(v)
		return v[len(v)/2], v[len(v)*99/100], v[len(v)-1]
	}
	a, b, c := counts(perID)
	x, y, z := counts(perKey)
	t.Logf("%+v: %d versions, %d containment rows, %d unique components, %d keys, %d edges, mean depth %.2f; "+
		"versions per component p50/p99/max %d/%d/%d; per key %d/%d/%d; generated in %v",
		p, e.Len(), rows, len(perID), len(perKey), edges, float64(depthSum)/float64(rows), a, b, c, x, y, z, time.Since(start))
}

// keyEdges returns d's edges between package keys, as "from to kind".
func keyEdges(d *sbom.Document) map[string]bool {
	out := map[string]bool{}
	for _, e := range d.Edges {
		out[fmt.Sprint(d.Components[e.From].Key, " ", d.Components[e.To].Key, " ", e.Kind)] = true
	}
	return out
}
