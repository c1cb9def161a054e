package sqlite_test

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/estate"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// The benchmarks run on a synthetic estate (graph/estate). SBOMGRAPH_ESTATE picks its size:
// "full" (1,000 images x 10 versions x 500 components: 5M containment rows, a few minutes to
// ingest), "small" (the default: a tenth of full) or "tiny". SBOMGRAPH_ESTATE_DB names a file
// to keep the ingested estate in and reuse on later runs (it is rebuilt when it does not hold
// the whole estate as graph/estate generates it now).
//
//	SBOMGRAPH_ESTATE=full go test ./graph/sqlite -run '^$' -bench . -benchtime 2000x
//
// SBOMGRAPH_DURABILITY=process runs them with DurabilityProcess.

func estateParams() estate.Params {
	switch os.Getenv("SBOMGRAPH_ESTATE") {
	case "full":
		return estate.Full
	case "tiny":
		return estate.Tiny
	}
	return estate.Small
}

// extra numbers the extra images the Put benchmarks create; bigNext the next releases of the
// big images.
var extra, bigNext atomic.Int64

func init() { extra.Store(1000) }

// benchOptions are the store options: SBOMGRAPH_DURABILITY=process selects
// DurabilityProcess (synchronous=NORMAL) instead of the default DurabilityFull.
func benchOptions() []sqlite.Option {
	if os.Getenv("SBOMGRAPH_DURABILITY") == "process" {
		return []sqlite.Option{sqlite.WithDurability(sqlite.DurabilityProcess)}
	}
	return nil
}

// bigVersions is the number of 5,000-component versions added to the estate for the
// Document benchmarks.
const bigVersions = 8

var loaded struct {
	once    sync.Once
	err     error
	dir     string
	s       *sqlite.Store
	e       *estate.Estate
	reused  bool
	rows    int64         // containment rows
	comps   int64         // components put
	putTime time.Duration // time spent in Put
	wall    time.Duration
	lat     []time.Duration // per Put
	ids     []string        // a sample of stored identities
	keys    []string        // a sample of stored keys
	big     []graph.Ref     // the 5,000-component versions
}

// store returns the store holding the estate, ingesting it on first use.
func store(b *testing.B) *sqlite.Store {
	b.Helper()
	loaded.once.Do(func() { loaded.err = load(b) })
	if loaded.err != nil {
		b.Fatal(loaded.err)
	}
	return loaded.s
}

func load(b *testing.B) error {
	ctx := context.Background()
	p := estateParams()
	e := estate.New(p)
	path := os.Getenv("SBOMGRAPH_ESTATE_DB")
	if path == "" {
		dir, err := os.MkdirTemp("", "sbomgraph-bench-")
		if err != nil {
			return err
		}
		loaded.dir = dir
		path = filepath.Join(dir, "estate.db")
	}
	s, err := sqlite.Open(ctx, path, benchOptions()...)
	if err != nil {
		return err
	}
	loaded.s, loaded.e = s, e
	var big []estate.Item
	for k := range bigVersions {
		big = append(big, e.Extra(k, 0, 5000))
		loaded.big = append(loaded.big, big[k].Ref)
	}
	if e.Holds(ctx, s, big) {
		loaded.reused = true
	} else {
		s.Close()
		os.Remove(path)
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
		if s, err = sqlite.Open(ctx, path, benchOptions()...); err != nil {
			return err
		}
		loaded.s = s
		if err := ingest(ctx, s, e); err != nil {
			return err
		}
	}
	return sample(ctx, path)
}

// ingest puts the whole estate, generating documents on another goroutine, and records the
// time spent in Put.
func ingest(ctx context.Context, s *sqlite.Store, e *estate.Estate) error {
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
	for it := range items {
		t0 := time.Now()
		v, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created})
		d := time.Since(t0)
		if err != nil {
			for range items {
			}
			return err
		}
		loaded.putTime += d
		loaded.lat = append(loaded.lat, d)
		loaded.comps += int64(v.Components)
	}
	loaded.wall = time.Since(start)
	return nil
}

// sample reads the counts and a sample of identities and keys straight from the file.
func sample(ctx context.Context, path string) error {
	st, err := loaded.s.Stats(ctx)
	if err != nil {
		return err
	}
	loaded.rows = st.Occurrences
	r := rand.New(rand.NewPCG(1, 2))
	if loaded.ids, err = estate.SampleStored(ctx, path, estate.StoredPurls, r, 5000); err != nil {
		return err
	}
	loaded.keys, err = estate.SampleStored(ctx, path, estate.StoredKeys, r, 5000)
	return err
}

// latencies collects per-operation times (and, optionally, result sizes) and reports
// percentiles.
type latencies struct {
	d []time.Duration
	n []int
}

func (l *latencies) add(d time.Duration) { l.d = append(l.d, d) }

// addN records an operation that returned n results.
func (l *latencies) addN(d time.Duration, n int) {
	l.d = append(l.d, d)
	l.n = append(l.n, n)
}

func (l *latencies) len() int { return len(l.d) }

func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	idx := make([]int, len(l.d))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int { return cmp.Compare(l.d[i], l.d[j]) })
	at := func(q float64) int { return min(len(idx)-1, int(q*float64(len(idx)))) }
	ms := func(q float64) float64 { return float64(l.d[idx[at(q)]]) / 1e6 }
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(float64(l.d[idx[len(idx)-1]])/1e6, "max-ms")
	if len(l.n) == len(l.d) {
		// What the slowest 1% returned: large answers, or ordinary ones that were unlucky.
		sum, k := 0, 0
		for _, i := range idx[at(0.99):] {
			sum += l.n[i]
			k++
		}
		b.ReportMetric(float64(sum)/float64(k), "slowest1%-results")
	}
	reportRSS(b)
}

// reportRSS reports the process's peak resident set size.
func reportRSS(b *testing.B) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
		}
	}
}

// BenchmarkIngestEstate ingests the whole estate once (b.N is ignored: the first run is the
// measurement, later benchmarks query the result) and reports Put throughput, per-version
// Put latency, and the database's size per containment row.
func BenchmarkIngestEstate(b *testing.B) {
	s := store(b)
	if loaded.reused {
		b.Skip("the estate was reused from SBOMGRAPH_ESTATE_DB; nothing was ingested")
	}
	b.ReportMetric(float64(loaded.comps)/loaded.putTime.Seconds(), "components/s")
	b.ReportMetric(float64(loaded.comps)/loaded.wall.Seconds(), "wall-components/s")
	b.ReportMetric(loaded.wall.Seconds(), "wall-s")
	b.ReportMetric(float64(len(loaded.lat)), "versions")
	size := dbSize(b, s)
	b.ReportMetric(float64(size)/float64(loaded.rows), "bytes/row")
	b.ReportMetric(float64(loaded.rows), "rows")
	(&latencies{d: loaded.lat}).report(b)
	b.ReportMetric(0, "ns/op")
}

// dbSize checkpoints the WAL and returns the size of the database file.
func dbSize(b *testing.B, s *sqlite.Store) int64 {
	db, err := sql.Open("sqlite", "file:"+s.Path())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	rows, err := db.Query(`SELECT name, sum(pgsize), sum(pgsize - unused) FROM dbstat GROUP BY name ORDER BY 2 DESC`)
	if err == nil {
		var parts []string
		for rows.Next() {
			var name string
			var size, used int64
			rows.Scan(&name, &size, &used)
			parts = append(parts, fmt.Sprintf("%s %.1f (%.0f%% full)", name, float64(size)/float64(loaded.rows), 100*float64(used)/float64(size)))
		}
		rows.Close()
		b.Logf("bytes per containment row by table/index: %s", strings.Join(parts, ", "))
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// warmQueries runs every sampled query once, so the timed loop measures a long-running
// process whose caches hold what it has read (the Cold benchmarks measure without).
func warmQueries(b *testing.B, s *sqlite.Store) {
	ctx := context.Background()
	for _, id := range loaded.ids {
		if _, err := s.Occurrences(ctx, []string{id}); err != nil {
			b.Fatal(err)
		}
	}
	for _, key := range loaded.keys {
		if _, err := s.Components(ctx, graph.ComponentQuery{Key: key}); err != nil {
			b.Fatal(err)
		}
	}
}

var warmed sync.Once

// BenchmarkOccurrencesPurl looks up every version containing one exact purl, the purls drawn
// uniformly from the stored components.
func BenchmarkOccurrencesPurl(b *testing.B) {
	s := store(b)
	warmed.Do(func() { warmQueries(b, s) })
	ctx := context.Background()
	var lat latencies
	n := 0
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		occ, err := s.Occurrences(ctx, []string{loaded.ids[i%len(loaded.ids)]})
		if err != nil {
			b.Fatal(err)
		}
		lat.addN(time.Since(t0), len(occ))
		n += len(occ)
	}
	b.ReportMetric(float64(n)/float64(lat.len()), "occurrences/op")
	lat.report(b)
}

// BenchmarkOccurrencesKey looks up every version containing any version of one package: the
// components with the key, then their occurrences.
func BenchmarkOccurrencesKey(b *testing.B) {
	s := store(b)
	warmed.Do(func() { warmQueries(b, s) })
	ctx := context.Background()
	var lat latencies
	n := 0
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		comps, err := s.Components(ctx, graph.ComponentQuery{Key: loaded.keys[i%len(loaded.keys)]})
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]string, len(comps))
		for k, c := range comps {
			ids[k] = c.ID()
		}
		occ, err := s.Occurrences(ctx, ids)
		if err != nil {
			b.Fatal(err)
		}
		lat.addN(time.Since(t0), len(occ))
		n += len(occ)
	}
	b.ReportMetric(float64(n)/float64(lat.len()), "occurrences/op")
	lat.report(b)
}

// BenchmarkOccurrencesRange stands in for a range query: the components with a key, filtered
// by version (here: the lower half in string order, where the real query compares versions
// by the ecosystem's rules), then their occurrences.
func BenchmarkOccurrencesRange(b *testing.B) {
	s := store(b)
	warmed.Do(func() { warmQueries(b, s) })
	ctx := context.Background()
	var lat latencies
	n := 0
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		comps, err := s.Components(ctx, graph.ComponentQuery{Key: loaded.keys[i%len(loaded.keys)]})
		if err != nil {
			b.Fatal(err)
		}
		slices.SortFunc(comps, func(x, y sbom.Component) int { return strings.Compare(x.Version, y.Version) })
		var ids []string
		for _, c := range comps[:(len(comps)+1)/2] {
			ids = append(ids, c.ID())
		}
		occ, err := s.Occurrences(ctx, ids)
		if err != nil {
			b.Fatal(err)
		}
		lat.addN(time.Since(t0), len(occ))
		n += len(occ)
	}
	b.ReportMetric(float64(n)/float64(lat.len()), "occurrences/op")
	lat.report(b)
}

// BenchmarkOccurrencesHottest looks up the component most versions contain (the worst case).
func BenchmarkOccurrencesHottest(b *testing.B) {
	s := store(b)
	warmed.Do(func() { warmQueries(b, s) })
	ctx := context.Background()
	id, _, err := s.HottestComponent(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var lat latencies
	n := 0
	for b.Loop() {
		t0 := time.Now()
		occ, err := s.Occurrences(ctx, []string{id})
		if err != nil {
			b.Fatal(err)
		}
		lat.add(time.Since(t0))
		n = len(occ)
	}
	b.ReportMetric(float64(n), "occurrences/op")
	lat.report(b)
}

// warm reads every big version once, so the warm benchmarks measure the in-process cache
// (BenchmarkDocumentColdCache measures without it).
func warm(b *testing.B, s *sqlite.Store) {
	for _, ref := range loaded.big {
		if _, err := s.Document(context.Background(), ref); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOccurrencesKeyCold is BenchmarkOccurrencesKey on a freshly opened store: every
// version and component row comes from the file (the first queries after a restart without
// WithPreload).
func BenchmarkOccurrencesKeyCold(b *testing.B) {
	s := store(b)
	ctx := context.Background()
	var lat latencies
	n := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		cold, err := sqlite.Open(ctx, s.Path())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		comps, err := cold.Components(ctx, graph.ComponentQuery{Key: loaded.keys[i%len(loaded.keys)]})
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]string, len(comps))
		for k, c := range comps {
			ids[k] = c.ID()
		}
		occ, err := cold.Occurrences(ctx, ids)
		if err != nil {
			b.Fatal(err)
		}
		lat.addN(time.Since(t0), len(occ))
		n += len(occ)
		b.StopTimer()
		cold.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)/float64(lat.len()), "occurrences/op")
	lat.report(b)
}

// BenchmarkDocument5000 reads one 5,000-component version as a Document.
func BenchmarkDocument5000(b *testing.B) {
	s := store(b)
	ctx := context.Background()
	warm(b, s)
	var lat latencies
	n := 0
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		doc, err := s.Document(ctx, loaded.big[i%len(loaded.big)])
		if err != nil {
			b.Fatal(err)
		}
		lat.add(time.Since(t0))
		n += len(doc.Components)
	}
	b.ReportMetric(float64(n)/float64(lat.len()), "components/op")
	lat.report(b)
}

// BenchmarkDiffRead reads the two 5,000-component Documents a diff compares, concurrently as
// the diff engine may.
func BenchmarkDiffRead(b *testing.B) {
	s := store(b)
	ctx := context.Background()
	warm(b, s)
	var lat latencies
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		var wg sync.WaitGroup
		var errs [2]error
		for k := range 2 {
			wg.Go(func() { _, errs[k] = s.Document(ctx, loaded.big[(i+k)%len(loaded.big)]) })
		}
		wg.Wait()
		lat.add(time.Since(t0))
		if errs[0] != nil || errs[1] != nil {
			b.Fatal(errs)
		}
	}
	lat.report(b)
}

// BenchmarkDocumentColdCache reads 5,000-component versions from a freshly opened store, so
// every component row comes from the file.
func BenchmarkDocumentColdCache(b *testing.B) {
	s := store(b)
	ctx := context.Background()
	var lat latencies
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		cold, err := sqlite.Open(ctx, s.Path())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := cold.Document(ctx, loaded.big[i%len(loaded.big)]); err != nil {
			b.Fatal(err)
		}
		lat.add(time.Since(t0))
		b.StopTimer()
		cold.Close()
		b.StartTimer()
	}
	lat.report(b)
}

// BenchmarkPut5000 puts a new release of one of the big images per operation: 5,000
// components, most of them already stored.
func BenchmarkPut5000(b *testing.B) {
	s := store(b)
	putBench(b, s, func() estate.Item {
		n := int(bigNext.Add(1)) - 1
		return loaded.e.Extra(n%bigVersions, 1+n/bigVersions, 5000)
	})
}

// BenchmarkPut5000New is BenchmarkPut5000 with components no version has yet: the worst case.
func BenchmarkPut5000New(b *testing.B) {
	s := store(b)
	putBench(b, s, func() estate.Item {
		n := extra.Add(1)
		it := loaded.e.Extra(int(n), 0, 5000)
		freshen(it.Doc, fmt.Sprintf("-new%d", n))
		return it
	})
}

// putBench puts one generated item per operation (generated outside the timer), then deletes
// them all.
func putBench(b *testing.B, s *sqlite.Store, gen func() estate.Item) {
	ctx := context.Background()
	var lat latencies
	var refs []graph.Ref
	n := 0
	for b.Loop() {
		b.StopTimer()
		it := gen()
		b.StartTimer()
		t0 := time.Now()
		v, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created})
		if err != nil {
			b.Fatal(err)
		}
		lat.add(time.Since(t0))
		refs = append(refs, it.Ref)
		n += v.Components
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/float64(lat.len()), "components/op")
	lat.report(b)
	for _, ref := range refs {
		if err := s.Delete(ctx, ref); err != nil {
			b.Fatal(err)
		}
	}
}

// freshen renames every component of doc so that none is stored yet.
func freshen(doc *sbom.Document, suffix string) {
	doc.Source.Digest += suffix
	for i := range doc.Components {
		c := &doc.Components[i]
		if c.Purl != "" {
			at := strings.LastIndex(c.Purl, "@")
			c.Purl = c.Purl[:at] + suffix + c.Purl[at:]
		}
		c.Key += suffix
		c.Name += suffix
		c.LocalID += suffix
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if loaded.s != nil {
		loaded.s.Close()
	}
	if loaded.dir != "" {
		os.RemoveAll(loaded.dir)
	}
	os.Exit(code)
}
