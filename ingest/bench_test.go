package ingest

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
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
// live heap during a decode divided by the input size (peak-heap/input-B; the target is at most
// 4 on large inputs). See peakHeap for how the peak is measured.
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

// peakGCPercent is the GOGC peakHeap decodes under. The heap the runtime reports holds the live
// objects and the dead ones the collector has not yet freed; at the default GOGC (100) a decode
// that allocates less than the 4 MB minimum heap is never collected at all, so the figure would
// be the bytes allocated, not the bytes live. Collecting whenever the heap grows by 2% keeps the
// dead share at a few percent, so what is measured is the live heap (slightly over, never under).
const peakGCPercent = 2

// peakHeap decodes data once and returns the most heap in use at any time during the decode,
// above what was in use before it (the input itself is not counted), with the result still
// live at the end counted. It decodes under GOGC=peakGCPercent, sampling the heap every 50µs
// and once more when the decode returns; under that GOGC a rise in the live heap stays visible
// until the next collection ends, which takes longer than the sampling interval.
func peakHeap(data []byte) float64 {
	defer debug.SetGCPercent(debug.SetGCPercent(peakGCPercent))
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	record := func() {
		if v := read(); v > peak.Load() {
			peak.Store(v)
		}
	}
	started, done := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Microsecond)
		defer t.Stop()
		record()
		close(started)
		for {
			select {
			case <-done:
				return
			case <-t.C:
				record()
			}
		}
	}()
	<-started
	doc, _ := DecodeBytes(context.Background(), data, Options{})
	close(done)
	wg.Wait()
	record()
	runtime.KeepAlive(doc)
	if p := peak.Load(); p > base {
		return float64(p - base)
	}
	return 0
}
