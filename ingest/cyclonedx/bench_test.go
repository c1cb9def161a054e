package cyclonedx

import (
	"bytes"
	"path"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// benchFiles are the largest CycloneDX documents of the corpus, JSON and XML.
var benchFiles = []string{
	"big/debian-app-v3.syft.cdx.json", // 2.0 MB, 6609 components, 1.7
	"juice-shop-14.1.1.flat.cdx-1.4.json",
	"blogifier.syft-0.59.cdx.json",
	"postgres-11.15-stretch.syft.cdx.xml",
	"demo-deps-from-git.cdx-1.6.xml",
}

// BenchmarkDecode measures, on each file, Decode (parse and map), the mapping alone (convert
// on an already parsed BOM) and the cyclonedx-go decode alone (its own BOMDecoder). Decode
// streams (see stream.go), so the library never builds its tree of the whole document there:
// Decode minus library is what the mapping, and the splitting of the document, add.
func BenchmarkDecode(b *testing.B) {
	for _, name := range benchFiles {
		data := ingesttest.Corpus(b, name)
		enc, ok := Identify(data)
		if !ok {
			b.Fatalf("%s: not identified", name)
		}
		doc, err := Decode(data, enc, sbom.Limits{})
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		components := float64(len(doc.Components))
		name := path.Base(name) // a "/" would make a sub-benchmark level of its own
		b.Run(name+"/decode", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(data, enc, sbom.Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(components*float64(b.N)/b.Elapsed().Seconds(), "components/s")
		})
		format := cdx.BOMFileFormatJSON
		if enc == sbom.EncodingXML {
			format = cdx.BOMFileFormatXML
		}
		b.Run(name+"/map", func(b *testing.B) {
			var bom cdx.BOM
			if enc == sbom.EncodingXML {
				err = parseXML(data, &bom)
			} else {
				err = parseJSON(data, &bom)
			}
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := convert(&bom, enc, sbom.Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(components*float64(b.N)/b.Elapsed().Seconds(), "components/s")
		})
		b.Run(name+"/library", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var bom cdx.BOM
				if err := cdx.NewBOMDecoder(bytes.NewReader(data), format).Decode(&bom); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(components*float64(b.N)/b.Elapsed().Seconds(), "components/s")
		})
	}
}
