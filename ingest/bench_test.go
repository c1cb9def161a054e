package ingest

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
)

// benchFiles are the biggest corpus file of each format and encoding.
var benchFiles = []string{
	"big/debian-app-v3.syft.cdx.json",     // CycloneDX JSON 1.7, 6.6k components
	"blogifier.syft-0.59.cdx.json",        // CycloneDX JSON 1.4
	"postgres-11.15-stretch.syft.cdx.xml", // CycloneDX XML 1.4
	"big/debian-app-v3.syft.spdx.json",    // SPDX JSON 2.3
	"rabbitmq-latest-2022-10-05.syft.spdx.json",
	"sbomqs-dev.syft-0.63.spdx",            // SPDX tag-value
	"spdx-example-2.3.spdx.yaml",           // SPDX YAML
	"spdx-example-2.3.spdx.xml",            // SPDX RDF/XML
	"appbomination-example9.spdx-3.0.json", // SPDX 3 JSON-LD
}

// BenchmarkDecode reports, per file, decode throughput (MB/s), components/s and the peak
// heap in use during a decode divided by the input size (peak-heap/input-B; the target is
// under 4).
func BenchmarkDecode(b *testing.B) {
	for _, name := range benchFiles {
		data := ingesttest.Corpus(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var comps int
			for b.Loop() {
				doc, err := DecodeBytes(context.Background(), data, Options{})
				if err != nil {
					b.Fatal(err)
				}
				comps = len(doc.Components)
			}
			b.ReportMetric(float64(comps)*float64(b.N)/b.Elapsed().Seconds(), "components/s")
			b.ReportMetric(peakHeap(data)/float64(len(data)), "peak-heap/input-B")
		})
	}
}

// peakHeap decodes data once and returns the most heap in use seen during the decode, above
// what was in use before it, sampling every 200µs.
func peakHeap(data []byte) float64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			if v := read(); v > peak {
				peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	doc, _ := DecodeBytes(context.Background(), data, Options{})
	close(done)
	wg.Wait()
	runtime.KeepAlive(doc)
	if peak < base {
		return 0
	}
	return float64(peak - base)
}
