package server

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/estate"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/server/convert"
)

// The benchmarks measure the API through gRPC on real loopback TCP, with request logging on
// (to io.Discard), next to the same work done by calling the store directly, so the
// difference is what the server adds: encoding, transport, interceptors, conversion.
//
// Find and Diff run on the synthetic estate (graph/estate) that graph/sqlite's benchmarks
// use; SBOMGRAPH_ESTATE picks its size ("small", the default, "tiny" or "full") and
// SBOMGRAPH_ESTATE_DB names a file to keep it in between runs.
//
//	go test ./server -run '^$' -bench . -benchtime 200x

// loopback serves store over TCP on 127.0.0.1 and returns a connection to it.
func loopback(b *testing.B, store graph.Store) *grpc.ClientConn {
	b.Helper()
	srv, err := New(store, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(lis)
	b.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return conn
}

// BenchmarkIngest ingests the biggest corpus files (debian-app, 5,000-6,600 components,
// 1.5-4.6 MB) as new versions, through gRPC (one unary Ingest) and directly (decode and Put),
// and reports components per second. Each operation stores a new version; after the first,
// most components are already stored, as in a registry receiving releases.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	files := []string{
		"big/debian-app-v3.syft.cdx.json", "big/debian-app-v4.syft.cdx.json",
		"big/debian-app-v3.syft.spdx.json", "big/debian-app-v4.syft.spdx.json",
	}
	for _, file := range files {
		raw := ingesttest.Corpus(b, file)
		for _, via := range []string{"grpc", "direct"} {
			b.Run(filepath.Base(file)+"/"+via, func(b *testing.B) {
				store := openStore(b)
				client := api.NewIngestServiceClient(loopback(b, store))
				var lat latencies
				comps := 0
				for i := 0; b.Loop(); i++ {
					ref := graph.Ref{Image: "bench", Tag: fmt.Sprint(i)}
					t0 := time.Now()
					var n int
					if via == "grpc" {
						resp, err := client.Ingest(ctx, &api.IngestRequest{Metadata: &api.IngestMetadata{Image: ref.Image, Tag: ref.Tag}, Sbom: raw})
						if err != nil {
							b.Fatal(err)
						}
						n = int(resp.GetVersion().GetComponents())
					} else {
						doc, err := ingest.DecodeBytes(ctx, raw, ingest.Options{})
						if err != nil {
							b.Fatal(err)
						}
						v, _, err := store.Put(ctx, ref, doc, graph.PutOptions{})
						if err != nil {
							b.Fatal(err)
						}
						n = v.Components
					}
					lat.add(time.Since(t0))
					comps += n
				}
				b.ReportMetric(float64(comps)/lat.total().Seconds(), "components/s")
				b.ReportMetric(float64(len(raw))*float64(lat.len())/lat.total().Seconds()/1e6, "MB/s")
				lat.report(b, "")
			})
		}
	}
}

var bench struct {
	once sync.Once
	err  error
	s    *sqlite.Store
	e    *estate.Estate
	dir  string
	ids  []string // a sample of stored purls, uniform over distinct purls
	keys []string // a sample of stored package keys, uniform over distinct packages
	// popular purls and keys: a random component of a random version, so a component is
	// drawn as often as it is contained (what incident responders ask about most: widely used
	// packages, with large answers).
	popularIDs, popularKeys []string
	big                     []graph.Ref // the 5,000-component versions
}

// estateStore returns the store holding the estate, ingesting it on first use.
func estateStore(b *testing.B) *sqlite.Store {
	b.Helper()
	bench.once.Do(func() { bench.err = loadEstate() })
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.s
}

// bigVersions is the number of 5,000-component versions added for the Diff benchmark.
const bigVersions = 8

func loadEstate() error {
	ctx := context.Background()
	p := estate.Small
	switch os.Getenv("SBOMGRAPH_ESTATE") {
	case "full":
		p = estate.Full
	case "tiny":
		p = estate.Tiny
	}
	e := estate.New(p)
	path := os.Getenv("SBOMGRAPH_ESTATE_DB")
	if path == "" {
		dir, err := os.MkdirTemp("", "sbomgraph-server-bench-")
		if err != nil {
			return err
		}
		bench.dir, path = dir, filepath.Join(dir, "estate.db")
	}
	s, err := sqlite.Open(ctx, path, sqlite.WithDurability(sqlite.DurabilityProcess))
	if err != nil {
		return err
	}
	bench.s, bench.e = s, e
	var big []estate.Item
	for k := range bigVersions {
		big = append(big, e.Extra(k, 0, 5000))
		bench.big = append(bench.big, big[k].Ref)
	}
	if !e.Holds(ctx, s, big) {
		// Start over: what the file holds was generated differently, under the same refs.
		s.Close()
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(f)
		}
		if s, err = sqlite.Open(ctx, path, sqlite.WithDurability(sqlite.DurabilityProcess)); err != nil {
			return err
		}
		bench.s = s
		items := func(yield func(estate.Item) bool) {
			for it := range e.All() {
				if !yield(it) {
					return
				}
			}
			for _, it := range big {
				if !yield(it) {
					return
				}
			}
		}
		for it := range items {
			if _, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created}); err != nil {
				return err
			}
		}
	}
	// Sample purls and keys from random versions' documents.
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for range 400 {
		it := e.Item(r.IntN(p.Images), r.IntN(p.Versions))
		c := it.Doc.Components[r.IntN(len(it.Doc.Components))]
		if c.Purl == "" || seen[c.Purl] {
			continue
		}
		seen[c.Purl] = true
		bench.popularIDs = append(bench.popularIDs, c.Purl)
		bench.popularKeys = append(bench.popularKeys, c.Key)
	}
	// And uniformly over what is stored, as graph/sqlite's BenchmarkFind does.
	if bench.ids, err = estate.SampleStored(ctx, s.Path(), estate.StoredPurls, r, 5000); err != nil {
		return err
	}
	bench.keys, err = estate.SampleStored(ctx, s.Path(), estate.StoredKeys, r, 5000)
	return err
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.s != nil {
		bench.s.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// BenchmarkFind runs blast-radius queries (an exact purl, a package key, a key with a range)
// through gRPC and, alternately, through graph/query directly, and reports both latency
// distributions and the difference of their medians. purl, key and range draw their
// components uniformly from what is stored (as graph/sqlite's BenchmarkFind does);
// popular-purl and popular-key draw them as often as they are contained, so mostly widely
// used packages with large answers.
func BenchmarkFind(b *testing.B) {
	s := estateStore(b)
	client := api.NewQueryServiceClient(loopback(b, s))
	ctx := context.Background()
	ranged := estate.RangedFinds(ctx, s, bench.keys[:min(len(bench.keys), 1000)])
	for _, tc := range []struct {
		name string
		req  func(i int) query.FindRequest
	}{
		{"purl", func(i int) query.FindRequest { return query.FindRequest{Component: bench.ids[i%len(bench.ids)]} }},
		{"key", func(i int) query.FindRequest { return query.FindRequest{Component: bench.keys[i%len(bench.keys)]} }},
		{"range", func(i int) query.FindRequest { return ranged[i%len(ranged)] }},
		{"popular-purl", func(i int) query.FindRequest {
			return query.FindRequest{Component: bench.popularIDs[i%len(bench.popularIDs)]}
		}},
		{"popular-key", func(i int) query.FindRequest {
			return query.FindRequest{Component: bench.popularKeys[i%len(bench.popularKeys)]}
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			find := func(req query.FindRequest, mask *fieldmaskpb.FieldMask) (int, error) {
				preq := convert.FindRequestToProto(&req)
				preq.PageSize = maxPageSize
				preq.ReadMask = mask
				n := 0
				for {
					resp, err := client.Find(ctx, preq)
					if err != nil {
						return 0, err
					}
					n += len(resp.GetMatches())
					if preq.PageToken = resp.GetNextPageToken(); preq.PageToken == "" {
						return n, nil
					}
				}
			}
			// Warm the store's caches with every request, as a long-running server has.
			for i := range min(len(bench.ids), 1000) {
				if _, err := query.Find(ctx, s, tc.req(i)); err != nil {
					b.Fatal(err)
				}
			}
			var direct, viaGRPC, slim, codec latencies
			matches := 0
			for i := 0; b.Loop(); i++ {
				req := tc.req(i)
				t0 := time.Now()
				res, err := query.Find(ctx, s, req)
				if err != nil {
					b.Fatal(err)
				}
				direct.add(time.Since(t0))
				codec.add(codecTime(b, convert.FindResultToProto(res), &api.FindResponse{}))
				t0 = time.Now()
				n, err := find(req, nil)
				if err != nil {
					b.Fatal(err)
				}
				viaGRPC.add(time.Since(t0))
				t0 = time.Now()
				if _, err := find(req, slimMatch); err != nil {
					b.Fatal(err)
				}
				slim.add(time.Since(t0))
				if n != len(res.Matches) {
					b.Fatalf("%+v: %d matches through gRPC, %d direct", req, n, len(res.Matches))
				}
				matches += n
			}
			b.ReportMetric(float64(matches)/float64(direct.len()), "matches/op")
			direct.report(b, "direct-")
			viaGRPC.report(b, "grpc-")
			b.ReportMetric(viaGRPC.quantile(0.5)-direct.quantile(0.5), "overhead-p50-ms")
			b.ReportMetric(codec.quantile(0.5), "codec-p50-ms")
			slim.report(b, "grpc-slim-")
		})
	}
}

// slimMatch is a read mask with what a blast-radius report shows of each match: the version's
// name and order, the component, its depth and path.
var slimMatch = &fieldmaskpb.FieldMask{Paths: []string{
	"version.image", "version.tag", "version.digest", "version.created", "version.ingested",
	"version.order_basis", "version.seq", "component.purl", "component.key", "component.name",
	"component.version", "component.ecosystem", "direct", "path", "latest",
}}

// BenchmarkDiff diffs stored versions through gRPC and, alternately, with graph/diff
// directly: "release" diffs consecutive versions of the estate's images (about 500
// components each, a release's churn), "big" two 5,000-component versions of different
// images (as graph/sqlite's BenchmarkDiff does: a large result, mostly added and removed).
func BenchmarkDiff(b *testing.B) {
	s := estateStore(b)
	client := api.NewDiffServiceClient(loopback(b, s))
	ctx := context.Background()
	p := bench.e.Params()
	release := func(i int) (graph.Ref, graph.Ref) {
		img, v := i%p.Images, (i/p.Images)%(p.Versions-1)
		return bench.e.Item(img, v).Ref, bench.e.Item(img, v+1).Ref
	}
	big := func(i int) (graph.Ref, graph.Ref) {
		return bench.big[i%len(bench.big)], bench.big[(i+1)%len(bench.big)]
	}
	for _, tc := range []struct {
		name string
		pair func(int) (graph.Ref, graph.Ref)
		warm int
	}{{"release", release, p.Images}, {"big", big, len(bench.big)}} {
		b.Run(tc.name, func(b *testing.B) {
			for i := range tc.warm {
				old, new := tc.pair(i)
				if _, err := diff.Versions(ctx, s, old, new); err != nil {
					b.Fatal(err)
				}
			}
			var direct, viaGRPC, codec latencies
			size := 0
			for i := 0; b.Loop(); i++ {
				old, new := tc.pair(i)
				t0 := time.Now()
				r, err := diff.Versions(ctx, s, old, new)
				if err != nil {
					b.Fatal(err)
				}
				direct.add(time.Since(t0))
				codec.add(codecTime(b, &api.DiffResponse{Result: convert.DiffResultToProto(r)}, &api.DiffResponse{}))
				t0 = time.Now()
				resp, err := client.Diff(ctx, &api.DiffRequest{Old: convert.RefToProto(old), New: convert.RefToProto(new)})
				if err != nil {
					b.Fatal(err)
				}
				viaGRPC.add(time.Since(t0))
				if int(resp.GetResult().GetSummary().GetAdded()) != r.Summary.Added || r.New.Packages == 0 {
					b.Fatalf("diff through gRPC: %v, direct %+v", resp.GetResult().GetSummary(), r.Summary)
				}
				size += proto.Size(resp)
			}
			b.ReportMetric(float64(size)/float64(direct.len())/1024, "response-KiB")
			direct.report(b, "direct-")
			viaGRPC.report(b, "grpc-")
			b.ReportMetric(viaGRPC.quantile(0.5)-direct.quantile(0.5), "overhead-p50-ms")
			b.ReportMetric(codec.quantile(0.5), "codec-p50-ms")
		})
	}
}

// codecTime times what the server and client do to a result besides the query itself:
// marshal the converted response and unmarshal it into out. (Conversion from the model is
// done by the caller, before; it is a small part, and timing it too would need the result.)
func codecTime(b *testing.B, resp, out proto.Message) time.Duration {
	t0 := time.Now()
	buf, err := proto.Marshal(resp)
	if err != nil {
		b.Fatal(err)
	}
	if err := proto.Unmarshal(buf, out); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0)
}

// BenchmarkRoundTrip times the smallest call (a health check) through gRPC on loopback: the
// fixed cost of a call on this machine, which the other benchmarks' overhead includes.
func BenchmarkRoundTrip(b *testing.B) {
	health := healthpb.NewHealthClient(loopback(b, openStore(b)))
	ctx := context.Background()
	var lat latencies
	for b.Loop() {
		t0 := time.Now()
		if _, err := health.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
			b.Fatal(err)
		}
		lat.add(time.Since(t0))
	}
	lat.report(b, "")
}

// latencies collects per-operation times and reports percentiles in milliseconds.
type latencies struct{ d []time.Duration }

func (l *latencies) add(d time.Duration) { l.d = append(l.d, d) }
func (l *latencies) len() int            { return len(l.d) }

func (l *latencies) total() time.Duration {
	var t time.Duration
	for _, d := range l.d {
		t += d
	}
	return t
}

// quantile returns the q-quantile in milliseconds.
func (l *latencies) quantile(q float64) float64 {
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.SortFunc(s, cmp.Compare)
	return float64(s[min(len(s)-1, int(q*float64(len(s))))]) / 1e6
}

func (l *latencies) report(b *testing.B, prefix string) {
	b.ReportMetric(l.quantile(0.5), prefix+"p50-ms")
	b.ReportMetric(l.quantile(0.99), prefix+"p99-ms")
}
