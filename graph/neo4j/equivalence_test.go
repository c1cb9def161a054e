package neo4j_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/graphtest"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// backend is one store under comparison, with the rank of each Seq it assigned: both get the
// same Puts in the same order, so rank i is the i-th Put in both.
type backend struct {
	name string
	s    graph.Store
	rank map[int64]int64
}

// norm replaces what legitimately differs between two stores holding the same data (the
// store-wide Seq and the ingest clock) with the Put's rank, in every Version inside v.
func (b *backend) norm(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		t.Fatal(err)
	}
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if seq, ok := x["seq"].(float64); ok {
				if _, ok := x["ingested"]; ok {
					r, known := b.rank[int64(seq)]
					if !known {
						t.Errorf("%s: a version with seq %v that no Put returned", b.name, seq)
					}
					x["seq"], x["ingested"] = r, "-"
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(tree)
	out, _ := json.Marshal(tree)
	return string(out)
}

// corpusImages groups the corpus files into images by PAIRS.tsv (a pair is two versions of one
// image) and returns each file's image name.
func corpusImages(t *testing.T) map[string]string {
	t.Helper()
	group := map[string]string{}
	var find func(f string) string
	find = func(f string) string {
		if g, ok := group[f]; ok && g != f {
			group[f] = find(g)
			return group[f]
		}
		return f
	}
	for _, dir := range []string{"", "big/"} {
		data, err := os.ReadFile(filepath.Join(ingesttest.CorpusDir(), dir, "PAIRS.tsv"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
			f := strings.Split(line, "\t")
			if len(f) < 2 {
				continue
			}
			a, b := find(dir+f[0]), find(dir+f[1])
			group[a], group[b] = a, a
		}
	}
	out := map[string]string{}
	for _, d := range graphtest.Corpus(t) {
		root := find(d.File)
		out[d.File] = "corpus/" + strings.ToLower(strings.SplitN(strings.ReplaceAll(root, "/", "-"), ".", 2)[0])
	}
	return out
}

// TestEquivalence ingests the corpus into the embedded store and into Neo4j and checks that
// every answer of the query and diff packages (find by purl, key, name and range, with every
// scope, latest-only and per image; path; timeline; release diffs between versions of an
// image) and every catalog and document read is the same on both.
func TestEquivalence(t *testing.T) {
	n4 := openEmpty(t)
	ctx := context.Background()
	sq, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	backends := []*backend{{name: "sqlite", s: sq, rank: map[int64]int64{}}, {name: "neo4j", s: n4, rank: map[int64]int64{}}}

	start := time.Now()
	phase := func(what string) { t.Logf("%s: %v", what, time.Since(start).Round(time.Millisecond)) }
	images := corpusImages(t)
	var refs []graph.Ref
	ids := map[string]bool{}
	keys := map[string]bool{}
	names := map[string]bool{}
	for i, d := range graphtest.Corpus(t) {
		ref := graph.Ref{Image: images[d.File], Tag: strings.ReplaceAll(d.File, "/", "_")}
		for _, b := range backends {
			v, _, err := b.s.Put(ctx, ref, d.Doc, graph.PutOptions{})
			if err != nil {
				t.Fatalf("%s: Put(%s): %v", b.name, ref, err)
			}
			b.rank[v.Seq] = int64(i)
		}
		refs = append(refs, ref)
		for _, c := range d.Doc.Components {
			ids[c.ID()] = true
			keys[c.Key] = true
			if c.Name != "" {
				names[c.Name] = true
			}
		}
	}

	phase("ingest")
	// same calls f on both backends and compares the normalised answers (or errors).
	calls := 0
	same := func(what string, f func(s graph.Store) (any, error)) {
		t.Helper()
		calls++
		var got [2]string
		for k, b := range backends {
			v, err := f(b.s)
			if err != nil {
				got[k] = "error: " + strings.ReplaceAll(err.Error(), b.name, "STORE")
				continue
			}
			got[k] = b.norm(t, v)
		}
		if got[0] != got[1] {
			t.Errorf("%s differs:\n  sqlite: %.2000s\n  neo4j:  %.2000s", what, got[0], got[1])
		}
	}

	same("Images", func(s graph.Store) (any, error) { return s.Images(ctx) })
	imgs, err := sq.Images(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range imgs {
		same("Versions "+im.Name, func(s graph.Store) (any, error) { return s.Versions(ctx, im.Name) })
	}
	for _, ref := range refs {
		same("Version "+ref.String(), func(s graph.Store) (any, error) { return s.Version(ctx, ref) })
		same("Document "+ref.String(), func(s graph.Store) (any, error) { return s.Document(ctx, ref) })
	}

	phase("catalog and documents")
	// A deterministic sample of the stored identities, keys and names: every one of the
	// small documents' and a spread of the big ones' (every k-th in sorted order).
	sample := func(set map[string]bool, n int) []string {
		all := slices.Sorted(func(yield func(string) bool) {
			for k := range set {
				if !yield(k) {
					return
				}
			}
		})
		if len(all) <= n {
			return all
		}
		out := make([]string, 0, n)
		for i := range n {
			out = append(out, all[i*len(all)/n])
		}
		return out
	}
	purls := sample(ids, 400)
	for _, id := range purls {
		same("Find "+id, func(s graph.Store) (any, error) { return query.Find(ctx, s, query.FindRequest{Component: id}) })
	}
	for i, key := range sample(keys, 300) {
		same("Find key "+key, func(s graph.Store) (any, error) { return query.Find(ctx, s, query.FindRequest{Component: key}) })
		req := query.FindRequest{Component: key, Scope: query.Scope(i % 3), Latest: i%2 == 0}
		same(fmt.Sprintf("Find %+v", req), func(s graph.Store) (any, error) { return query.Find(ctx, s, req) })
		if !strings.HasPrefix(key, "pkg:") {
			continue
		}
		// A range around a version some component of the package has.
		comps, err := sq.Components(ctx, graph.ComponentQuery{Key: key})
		if err != nil || len(comps) == 0 {
			continue
		}
		v := comps[len(comps)/2].Version
		for _, r := range []string{"<=" + v, ">" + v, ">=" + v + ",<" + v + "1"} {
			req := query.FindRequest{Component: key, Range: r}
			same(fmt.Sprintf("Find %+v", req), func(s graph.Store) (any, error) { return query.Find(ctx, s, req) })
		}
		p, err := sbom.ParsePurl(key)
		if err == nil {
			req := query.FindRequest{Component: key, Range: "vers:" + p.Type + "/<" + v}
			same(fmt.Sprintf("Find %+v", req), func(s graph.Store) (any, error) { return query.Find(ctx, s, req) })
		}
	}
	for _, name := range sample(names, 100) {
		same("Find name "+name, func(s graph.Store) (any, error) { return query.Find(ctx, s, query.FindRequest{Component: name}) })
	}
	for i, img := range imgs {
		req := query.FindRequest{Component: purls[i%len(purls)], Image: img.Name}
		same(fmt.Sprintf("Find %+v", req), func(s graph.Store) (any, error) { return query.Find(ctx, s, req) })
	}

	phase("find")
	// Path and Timeline: for a spread of versions, a spread of what each contains.
	for i, ref := range refs {
		doc, err := sq.Document(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < len(doc.Components); k += max(1, len(doc.Components)/8) {
			c := doc.Components[k]
			same("Path "+ref.String()+" "+c.ID(), func(s graph.Store) (any, error) { return query.Path(ctx, s, ref, c.ID()) })
			if k%2 == i%2 {
				same("Timeline "+ref.Image+" "+c.Key, func(s graph.Store) (any, error) { return query.Timeline(ctx, s, ref.Image, c.Key) })
			}
		}
		same("Path (absent) "+ref.String(), func(s graph.Store) (any, error) { return query.Path(ctx, s, ref, "pkg:npm/not-there@1") })
	}

	phase("path and timeline")
	// Release diffs: each version of an image against the one before, and the last against the
	// first.
	for _, im := range imgs {
		vs, err := sq.Versions(ctx, im.Name)
		if err != nil {
			t.Fatal(err)
		}
		pairs := [][2]int{{len(vs) - 1, 0}}
		for a := 1; a < len(vs); a++ {
			pairs = append(pairs, [2]int{a - 1, a})
		}
		for _, p := range pairs {
			if p[0] == p[1] {
				continue
			}
			same("Diff "+vs[p[0]].Ref().String()+" "+vs[p[1]].Ref().String(), func(s graph.Store) (any, error) {
				return diff.Versions(ctx, s, vs[p[0]].Ref(), vs[p[1]].Ref())
			})
		}
	}
	phase("diff")
	t.Logf("%d answers compared over %d versions", calls, len(refs))
}
