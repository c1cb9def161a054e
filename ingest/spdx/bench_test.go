package spdx

import (
	"bytes"
	"path"
	"testing"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/tagvalue"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// BenchmarkDecode measures Decode on the largest SPDX corpus files, and, as "library",
// tools-golang's read of the same input alone, so the cost of the mapping (Decode minus
// library) can be seen. Both report MB/s of input and components (packages) per second.
func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{
		"big/debian-app-v3.syft.spdx.json",          // JSON 2.3, 4.6 MB, 138 packages, 6471 files
		"rabbitmq-latest-2022-10-05.syft.spdx.json", // JSON 2.2, 3.9 MB, 95 packages, 8103 files
		"sbomqs-dev.syft-0.63.spdx",                 // tag-value 2.3, the largest in the corpus
	} {
		data := ingesttest.Corpus(b, name)
		enc, ok := Identify(data)
		if !ok {
			b.Fatalf("%s not identified", name)
		}
		read := spdxjson.Read
		if enc == sbom.EncodingTagValue {
			read = tagvalue.Read
		}
		b.Run(path.Base(name)+"/decode", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				doc, err := Decode(data, enc, sbom.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				n += len(doc.Components)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "components/s")
		})
		b.Run(path.Base(name)+"/library", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				doc, err := read(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				n += len(doc.Packages)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "components/s")
		})
	}
}
