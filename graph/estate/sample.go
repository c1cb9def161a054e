package estate

import (
	"context"
	"database/sql"
	"math/rand/v2"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/query"
)

// The queries the benchmarks sample stored components with (see SampleStored): the purls of
// the components that have one, and their distinct package keys.
const (
	StoredPurls = `SELECT identity FROM components WHERE purl = 1 ORDER BY id`
	StoredKeys  = `SELECT DISTINCT key FROM components WHERE purl = 1 ORDER BY key`
)

// SampleStored returns up to n of the strings query selects (one column) from the SQLite store
// in the file at path, opened read-only, shuffled with r: the benchmarks draw the components
// they ask about uniformly from what a store holds. The "sqlite" database/sql driver must be
// registered (importing graph/sqlite does).
func SampleStored(ctx context.Context, path, query string, r *rand.Rand, n int) ([]string, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(len(all), n)], rows.Err()
}

// RangedFinds returns the benchmarks' version-range questions: for each key that s stores, a
// find of that package at or below its middle stored version ("<=" the version of the middle
// one in identity order), read in the package's ecosystem. Keys s does not answer for are left
// out.
func RangedFinds(ctx context.Context, s graph.Index, keys []string) []query.FindRequest {
	out := make([]query.FindRequest, 0, len(keys))
	for _, k := range keys {
		comps, err := s.Components(ctx, graph.ComponentQuery{Key: k})
		if err != nil || len(comps) == 0 {
			continue
		}
		out = append(out, query.FindRequest{Component: k, Range: "<=" + comps[len(comps)/2].Version})
	}
	return out
}

// Holds reports whether c holds exactly e's images plus those of extras, with e's first and last
// items and every extra stored as generated (judged by their counts of components, distinct
// components and edges). Benchmarks keep an ingested estate in a file between runs; a file
// written before a change to the generator or its parameters must be built again.
func (e *Estate) Holds(ctx context.Context, c graph.Catalog, extras []Item) bool {
	images := map[string]bool{}
	for _, it := range extras {
		images[it.Ref.Image] = true
	}
	imgs, err := c.Images(ctx)
	if err != nil || len(imgs) != e.p.Images+len(images) {
		return false
	}
	check := append([]Item{e.Item(0, 0), e.Item(e.p.Images-1, e.p.Versions-1)}, extras...)
	for _, it := range check {
		v, err := c.Version(ctx, it.Ref)
		if err != nil || v.Components != it.Doc.Entries() || v.Unique != it.Doc.Unique() || v.Edges != len(it.Doc.Edges) {
			return false
		}
	}
	return true
}
