package neo4j_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/estate"
	"github.com/sbomgraph/sbomgraph/graph/neo4j"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
)

// The benchmarks put the synthetic estate (graph/estate) into Neo4j and into the embedded
// store in the same run, and report each figure for both side by side: BenchmarkIngest/neo4j
// next to BenchmarkIngest/sqlite, and so on. SBOMGRAPH_ESTATE picks the estate: "small" (the
// default: 100 images x 10 versions x 500 components, and 8 versions of 5,000 components for
// the diffs), "tiny" or "full" (ten times small). Like the tests, they need
// SBOMGRAPH_NEO4J_URI and wipe that database.
//
//	make neo4j-up && . bin/neo4j/env && go test ./graph/neo4j -run '^$' -bench . -benchtime 500x

func benchEstate() estate.Params {
	switch os.Getenv("SBOMGRAPH_ESTATE") {
	case "full":
		return estate.Full
	case "tiny":
		return estate.Tiny
	}
	return estate.Small
}

// bigVersions is the number of 5,000-component versions added for the diff benchmarks.
const bigVersions = 8

// ingested is one store holding the estate, and how long putting it took.
type ingested struct {
	name    string
	s       graph.Store
	comps   int64
	putTime time.Duration
	wall    time.Duration
	lat     latencies
	// CPU time the ingest cost this process and, for a local Neo4j whose pid is known, the
	// server: a measure of cost that other load on the machine does not distort.
	clientCPU, serverCPU time.Duration
}

var bench struct {
	once     sync.Once
	err      error
	dir      string
	e        *estate.Estate
	stores   []*ingested // sqlite, neo4j
	ids      []string    // a sample of stored identities
	keys     []string    // a sample of stored package keys
	big      []graph.Ref
	versions int
}

// benchStores ingests the estate into both stores on first use.
func benchStores(b *testing.B) []*ingested {
	b.Helper()
	cfg := testConfig(b)
	bench.once.Do(func() { bench.err = loadBench(b, cfg) })
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.stores
}

func loadBench(b *testing.B, cfg neo4j.Config) error {
	ctx := context.Background()
	bench.e = estate.New(benchEstate())
	dir, err := os.MkdirTemp("", "sbomgraph-neo4j-bench-")
	if err != nil {
		return err
	}
	bench.dir = dir
	sq, err := sqlite.Open(ctx, filepath.Join(dir, "estate.db"))
	if err != nil {
		return err
	}
	wipe(b, cfg)
	n4, err := neo4j.Open(ctx, cfg)
	if err != nil {
		return err
	}
	bench.stores = []*ingested{{name: "sqlite", s: sq}, {name: "neo4j", s: n4}}
	for k := range bigVersions {
		bench.big = append(bench.big, bench.e.Extra(k, 0, 5000).Ref)
	}
	ids, keys := map[string]bool{}, map[string]bool{}
	for it := range bench.e.All() {
		for _, c := range it.Doc.Components {
			if c.Purl != "" {
				ids[c.Purl] = true
				keys[c.Key] = true
			}
		}
		bench.versions++
	}
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(set map[string]bool) []string {
		all := slices.Sorted(func(yield func(string) bool) {
			for k := range set {
				if !yield(k) {
					return
				}
			}
		})
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		return all[:min(len(all), 5000)]
	}
	bench.ids, bench.keys = pick(ids), pick(keys)
	for _, st := range bench.stores {
		if err := ingest(ctx, st, bench.e); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		b.Logf("%s: ingested %d versions, %d components in %v", st.name, bench.versions+bigVersions, st.comps, st.wall.Round(time.Millisecond))
	}
	return nil
}

// ingest puts the whole estate (and the big versions), generating documents on another
// goroutine, and records the time spent in Put.
func ingest(ctx context.Context, st *ingested, e *estate.Estate) error {
	items := make(chan estate.Item, 8)
	go func() {
		defer close(items)
		for it := range e.All() {
			items <- it
		}
		for k := range bigVersions {
			items <- e.Extra(k, 0, 5000)
		}
	}()
	start := time.Now()
	client0, server0 := processCPU(), serverCPU(st)
	defer func() {
		st.clientCPU, st.serverCPU = processCPU()-client0, serverCPU(st)-server0
	}()
	for it := range items {
		t0 := time.Now()
		v, _, err := st.s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created})
		d := time.Since(t0)
		if err != nil {
			for range items {
			}
			return err
		}
		st.putTime += d
		st.lat.add(d)
		st.comps += int64(v.Components)
	}
	st.wall = time.Since(start)
	return nil
}

// processCPU returns the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU returns the CPU time the local Neo4j server (neo4j.sh's, named by
// SBOMGRAPH_NEO4J_HOME) has used, or 0 when st is not Neo4j or the server is not local.
func serverCPU(st *ingested) time.Duration {
	home := os.Getenv("SBOMGRAPH_NEO4J_HOME")
	if st.name != "neo4j" || home == "" {
		return 0
	}
	pid, err := os.ReadFile(filepath.Join(home, "run", "neo4j.pid"))
	if err != nil {
		return 0
	}
	stat, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces), from field 3 on; utime and
	// stime are fields 14 and 15, in clock ticks (100 per second on Linux).
	_, rest, ok := strings.Cut(string(stat), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	sy, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(u+sy) * 10 * time.Millisecond
}

// BenchmarkIngest reports how fast each store took the estate (ingested once, on first use;
// b.N is ignored): components per second of Put time and of wall time, and per-version Put
// latency.
func BenchmarkIngest(b *testing.B) {
	for _, st := range benchStores(b) {
		b.Run(st.name, func(b *testing.B) {
			for b.Loop() {
			}
			b.ReportMetric(float64(st.comps)/st.putTime.Seconds(), "components/s")
			b.ReportMetric(float64(st.comps)/st.wall.Seconds(), "wall-components/s")
			b.ReportMetric(st.wall.Seconds(), "wall-s")
			b.ReportMetric(float64(st.lat.len()), "versions")
			if cpu := st.clientCPU + st.serverCPU; cpu > 0 {
				// Components per second of CPU, the client's (which includes the generator and,
				// for sqlite, all the work) plus a local Neo4j server's.
				b.ReportMetric(float64(st.comps)/cpu.Seconds(), "cpu-components/s")
				b.ReportMetric(st.serverCPU.Seconds(), "server-cpu-s")
			}
			st.lat.report(b)
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkIngestParallel puts 200 more versions of new images (about 500 components each,
// most of them stored already) into each store from 4 goroutines at once, as `sbomgraph
// ingest` sends a directory of SBOMs, and reports components per second of wall time.
func BenchmarkIngestParallel(b *testing.B) {
	ctx := context.Background()
	const writers, versions = 4, 200
	for _, st := range benchStores(b) {
		b.Run(st.name, func(b *testing.B) {
			for b.Loop() {
			}
			items := make(chan estate.Item)
			go func() {
				defer close(items)
				for v := range versions {
					items <- bench.e.Extra(bigVersions+1+v%50, v/50, 500)
				}
			}()
			var mu sync.Mutex
			var comps int64
			var firstErr error
			var wg sync.WaitGroup
			start := time.Now()
			for range writers {
				wg.Go(func() {
					for it := range items {
						v, _, err := st.s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created})
						mu.Lock()
						if err != nil && firstErr == nil {
							firstErr = err
						}
						comps += int64(v.Components)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			wall := time.Since(start)
			if firstErr != nil {
				b.Fatal(firstErr)
			}
			b.ReportMetric(float64(comps)/wall.Seconds(), "wall-components/s")
			b.ReportMetric(wall.Seconds(), "wall-s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkFind runs blast-radius queries through graph/query on each store: an exact purl, a
// package key, and a key with a version range ("<=" the middle stored version).
func BenchmarkFind(b *testing.B) {
	ctx := context.Background()
	stores := benchStores(b)
	ranged := estate.RangedFinds(ctx, stores[0].s, bench.keys[:min(len(bench.keys), 1000)])
	for _, tc := range []struct {
		name string
		req  func(i int) query.FindRequest
	}{
		{"purl", func(i int) query.FindRequest { return query.FindRequest{Component: bench.ids[wrap(i, len(bench.ids))]} }},
		{"key", func(i int) query.FindRequest {
			return query.FindRequest{Component: bench.keys[wrap(i, len(bench.keys))]}
		}},
		{"range", func(i int) query.FindRequest { return ranged[wrap(i, len(ranged))] }},
	} {
		for _, st := range stores {
			b.Run(tc.name+"/"+st.name, func(b *testing.B) {
				// Warm up as a long-running server is: Neo4j plans each statement once per
				// size class of its list arguments (10-30 ms each) and its JIT compiles the
				// hot paths. The warm-up asks about other components than the timed loop
				// (counting down from the sample's end), so no answer is cached for it.
				for i := range 100 {
					if _, err := query.Find(ctx, st.s, tc.req(-1-i)); err != nil {
						b.Fatal(err)
					}
				}
				var lat latencies
				n := 0
				for i := 0; b.Loop(); i++ {
					t0 := time.Now()
					res, err := query.Find(ctx, st.s, tc.req(i))
					if err != nil {
						b.Fatal(err)
					}
					lat.add(time.Since(t0))
					n += len(res.Matches)
				}
				b.ReportMetric(float64(n)/float64(lat.len()), "matches/op")
				lat.report(b)
			})
		}
	}
}

// wrap maps any i, negative too, into [0, n).
func wrap(i, n int) int { return (i%n + n) % n }

// BenchmarkDiff diffs two stored 5,000-component versions on each store: both reads and the
// diff engine.
func BenchmarkDiff(b *testing.B) {
	ctx := context.Background()
	for _, st := range benchStores(b) {
		b.Run(st.name, func(b *testing.B) {
			var lat latencies
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				r, err := diff.Versions(ctx, st.s, bench.big[i%len(bench.big)], bench.big[(i+1)%len(bench.big)])
				if err != nil {
					b.Fatal(err)
				}
				lat.add(time.Since(t0))
				if r.New.Packages == 0 {
					b.Fatal("empty diff side")
				}
			}
			lat.report(b)
		})
	}
}

// BenchmarkDocument5000 reads one 5,000-component version as a Document from each store.
func BenchmarkDocument5000(b *testing.B) {
	ctx := context.Background()
	for _, st := range benchStores(b) {
		b.Run(st.name, func(b *testing.B) {
			var lat latencies
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				if _, err := st.s.Document(ctx, bench.big[i%len(bench.big)]); err != nil {
					b.Fatal(err)
				}
				lat.add(time.Since(t0))
			}
			lat.report(b)
		})
	}
}

// latencies collects per-operation times and reports percentiles.
type latencies struct{ d []time.Duration }

func (l *latencies) add(d time.Duration) { l.d = append(l.d, d) }

func (l *latencies) len() int { return len(l.d) }

func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	s := slices.SortedFunc(slices.Values(l.d), cmp.Compare)
	at := func(q float64) float64 { return float64(s[min(len(s)-1, int(q*float64(len(s))))]) / 1e6 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(s[len(s)-1])/1e6, "max-ms")
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, st := range bench.stores {
		st.s.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}
