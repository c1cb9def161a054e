package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/query"
)

// BenchmarkFind runs blast-radius queries through graph/query (what the server will call) on
// the estate: an exact purl, a package key, and a key with a version range ("<=" the middle
// stored version of the package, read in the package's ecosystem).
func BenchmarkFind(b *testing.B) {
	s := store(b)
	warmed.Do(func() { warmQueries(b, s) })
	ctx := context.Background()
	var ranged []query.FindRequest
	for _, k := range loaded.keys {
		comps, err := s.Components(ctx, mustKey(k))
		if err != nil || len(comps) == 0 {
			continue
		}
		ranged = append(ranged, query.FindRequest{Component: k, Range: "<=" + comps[len(comps)/2].Version})
	}
	for _, tc := range []struct {
		name string
		req  func(i int) query.FindRequest
	}{
		{"purl", func(i int) query.FindRequest { return query.FindRequest{Component: loaded.ids[i%len(loaded.ids)]} }},
		{"key", func(i int) query.FindRequest { return query.FindRequest{Component: loaded.keys[i%len(loaded.keys)]} }},
		{"range", func(i int) query.FindRequest { return ranged[i%len(ranged)] }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var lat latencies
			n := 0
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				res, err := query.Find(ctx, s, tc.req(i))
				if err != nil {
					b.Fatal(err)
				}
				lat.addN(time.Since(t0), len(res.Matches))
				n += len(res.Matches)
			}
			b.ReportMetric(float64(n)/float64(lat.len()), "matches/op")
			lat.report(b)
		})
	}
}

// BenchmarkDiff diffs two stored 5,000-component versions: both reads and the diff engine.
func BenchmarkDiff(b *testing.B) {
	s := store(b)
	ctx := context.Background()
	warm(b, s)
	var lat latencies
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		r, err := diff.Versions(ctx, s, loaded.big[i%len(loaded.big)], loaded.big[(i+1)%len(loaded.big)])
		if err != nil {
			b.Fatal(err)
		}
		lat.add(time.Since(t0))
		if r.New.Packages == 0 {
			b.Fatal("empty diff side")
		}
	}
	lat.report(b)
}

func mustKey(k string) graph.ComponentQuery { return graph.ComponentQuery{Key: k} }
