package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/estate"
	"github.com/sbomgraph/sbomgraph/graph/query"
)

// BenchmarkFind runs blast-radius queries through graph/query (what the server will call) on
// the estate: an exact purl, a package key, and a key with a version range ("<=" the middle
// stored version of the package, read in the package's ecosystem).
func BenchmarkFind(b *testing.B) {
	s := store(b)
	warmed.Do(func() { warmQueries(b, s) })
	ctx := context.Background()
	ranged := estate.RangedFinds(ctx, s, loaded.keys)
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

// BenchmarkDiff diffs successive releases of one image, as users do: the stored
// 5,000-component version 0 of each big image against its version 1 (put before the timed
// loop, deleted after), both reads and the diff engine, and reports latency percentiles.
func BenchmarkDiff(b *testing.B) {
	s := store(b)
	ctx := context.Background()
	var pairs [][2]graph.Ref
	for k := range bigVersions {
		next := loaded.e.Extra(k, 1, 5000)
		if _, _, err := s.Put(ctx, next.Ref, next.Doc, graph.PutOptions{Created: next.Created}); err != nil {
			b.Fatal(err)
		}
		pairs = append(pairs, [2]graph.Ref{loaded.big[k], next.Ref})
	}
	b.Cleanup(func() {
		for _, p := range pairs {
			if err := s.Delete(ctx, p[1]); err != nil {
				b.Error(err)
			}
		}
	})
	for _, p := range pairs {
		for _, ref := range p {
			if _, err := s.Document(ctx, ref); err != nil { // warm the caches
				b.Fatal(err)
			}
		}
	}
	var lat latencies
	changes := 0
	for i := 0; b.Loop(); i++ {
		p := pairs[i%len(pairs)]
		t0 := time.Now()
		r, err := diff.Versions(ctx, s, p[0], p[1])
		if err != nil {
			b.Fatal(err)
		}
		lat.add(time.Since(t0))
		if r.New.Packages == 0 || r.Old.Subject.Name != r.New.Subject.Name {
			b.Fatalf("diff of %s and %s: %+v", p[0], p[1], r.Summary)
		}
		changes += len(r.Changed) + len(r.Added) + len(r.Removed)
	}
	b.ReportMetric(float64(changes)/float64(lat.len()), "changes/op")
	lat.report(b)
}
