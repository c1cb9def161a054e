package spdx

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// TestCorpus decodes every SPDX 2 file of both corpus manifests: each must be read, with one
// component per package and the spec version the manifest gives.
func TestCorpus(t *testing.T) {
	n := 0
	for _, e := range ingesttest.Manifest(t, ingesttest.CorpusDir()) {
		if !isSPDX2(e) {
			continue
		}
		n++
		t.Run(e.File, func(t *testing.T) {
			doc := decode(t, ingesttest.Corpus(t, e.File))
			if got := doc.Entries(); got != e.Components {
				t.Errorf("Entries() = %d, want %d", got, e.Components)
			}
			if got := doc.Source.SpecVersion; got != e.Spec {
				t.Errorf("SpecVersion = %q, want %q", got, e.Spec)
			}
			if got, want := doc.Source.Encoding, corpusEncoding(e); got != want {
				t.Errorf("Encoding = %q, want %q", got, want)
			}
			if doc.Source.Format != sbom.FormatSPDX {
				t.Errorf("Format = %q, want SPDX", doc.Source.Format)
			}
		})
	}
	if n < 38 {
		t.Errorf("the manifests list %d SPDX 2 files; expected at least 38", n)
	}
}

// goldens are one corpus file of each encoding and spec version the corpus holds, and
// others that show what real documents get wrong, plus RDF/XML from testdata (the corpus has
// none).
var goldens = []string{
	"appbomination-example9.spdx-2.2.json",       // JSON 2.2, Source Auditor
	"kubectl-linux-amd64-v1.28.1.syft.spdx.json", // JSON 2.3, syft image with digest
	"centos-7.trivy.spdx",                        // tag-value 2.2, trivy
	"spdx-example-2.3.spdx",                      // tag-value 2.3, snippet after packages
	"spdx-example-2.3.spdx.yaml",                 // YAML 2.3
	"spdx-example-2.3.spdx.xml",                  // plain XML 2.3
	"chainguard-apko-image.spdx.json",            // JSON 2.2, needs repairs
	"sbomqs-0.0.15.ms-sbom-tool.spdx.json",       // JSON 2.2, spdxVersion last
	"photon-3.0.tern.spdx.json",                  // JSON 2.2, no purls
	"ko-multiarch-index-1.spdx.json",             // JSON 2.2, digest as name, invalid purl
	"testdata/SPDXRdfExample-v2.2.spdx.rdf.gz",   // RDF/XML 2.2
	"testdata/handwritten-2.3.spdx.rdf",          // RDF/XML 2.3
	"big/debian-app-v1.syft.spdx.json",           // JSON 2.3, syft 1.57 directory scan, a dependency cycle
	"busybox-latest-2022-10.syft.spdx.json",      // JSON 2.2, no packages
	"sbomqs-dev.trivy.spdx",                      // tag-value 2.2, trivy filesystem
	"kube-apiserver-v1.24.6.syft.spdx.json",      // JSON 2.2, syft 0.57 without DESCRIBES
	"spdx-example-2.3.spdx.json",                 // JSON 2.3, reference example
	"example6-bin.spdx-2.2.spdx",                 // tag-value 2.2, tools-golang builder
}

func TestGolden(t *testing.T) {
	for _, name := range goldens {
		t.Run(name, func(t *testing.T) {
			data := testFile(t, name)
			doc := decode(t, data)
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(name), ".gz")+".golden.json")
			ingesttest.Golden(t, golden, doc)
		})
	}
}

// TestExampleEncodings decodes the SPDX 2.3 specification's example in its four corpus
// encodings. They must describe the same graph: the same packages, root, edges and warnings.
//
// The encodings do differ as written. Tag-value has 10 relationships where JSON, YAML and XML
// have 7: it states the document's DESCRIBES as relationships where the others list
// documentDescribes, and it places files under the package they follow where the others list a
// package's hasFiles. Once tools-golang has turned documentDescribes and hasFiles into
// relationships, JSON, YAML and XML hold 13 and tag-value 10 (three CONTAINS from glibc to its
// files are implied by their position). Every difference concerns files or how DESCRIBES is
// spelled; files are not components, so the graphs are equal.
func TestExampleEncodings(t *testing.T) {
	type summary struct {
		Components []string
		Root       string
		Edges      []string
		Warnings   []string
	}
	summarise := func(doc *sbom.Document) summary {
		s := summary{Root: rootID(doc), Edges: edges(doc), Warnings: warnings(doc)}
		for _, c := range doc.Components {
			s.Components = append(s.Components, fmt.Sprintf("%s %s@%s", c.LocalID, c.Key, c.Version))
		}
		slices.Sort(s.Components)
		return s
	}
	want := summary{
		Components: []string{
			"SPDXRef-Package content:source//glibc@2.11.1",
			"SPDXRef-Saxon content:unknown//Saxon@8.8",
			"SPDXRef-fromDoap-0 pkg:maven/org.apache.jena/apache-jena@3.12.0",
			"SPDXRef-fromDoap-1 content:unknown//Apache%20Commons%20Lang@",
		},
		Root:  "SPDXRef-Package",
		Edges: []string{"SPDXRef-Package -dependsOn-> SPDXRef-Saxon"},
		Warnings: []string{
			"missing-purl SPDXRef-Package",
			"missing-purl SPDXRef-fromDoap-1",
			"missing-purl SPDXRef-Saxon",
		},
	}
	for _, name := range []string{"spdx-example-2.3.spdx.json", "spdx-example-2.3.spdx", "spdx-example-2.3.spdx.yaml", "spdx-example-2.3.spdx.xml"} {
		t.Run(name, func(t *testing.T) {
			doc := decode(t, ingesttest.Corpus(t, name))
			got := summarise(doc)
			if !slices.Equal(got.Components, want.Components) {
				t.Errorf("components:\n got  %q\n want %q", got.Components, want.Components)
			}
			if got.Root != want.Root {
				t.Errorf("root = %q, want %q", got.Root, want.Root)
			}
			if !slices.Equal(got.Edges, want.Edges) {
				t.Errorf("edges = %q, want %q", got.Edges, want.Edges)
			}
			if !slices.Equal(got.Warnings, want.Warnings) {
				t.Errorf("warnings = %q, want %q", got.Warnings, want.Warnings)
			}
		})
	}
}
