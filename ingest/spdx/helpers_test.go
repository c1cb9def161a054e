package spdx

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// rdfExample is the SPDX 2.2 RDF/XML example shipped with tools-golang
// (examples/sample-docs/rdf/SPDXRdfExample-v2.2.spdx.rdf, from the SPDX specification's
// examples), kept gzipped in testdata because the corpus holds no RDF/XML.
const rdfExample = "testdata/SPDXRdfExample-v2.2.spdx.rdf.gz"

// rdfHandwritten is a small SPDX 2.3 RDF/XML document written for these tests.
const rdfHandwritten = "testdata/handwritten-2.3.spdx.rdf"

// testFile returns a test input: a file under testdata (gunzipped if it ends in .gz), or
// else a corpus file.
func testFile(tb testing.TB, name string) []byte {
	tb.Helper()
	if !strings.HasPrefix(name, "testdata/") {
		return ingesttest.Corpus(tb, name)
	}
	if strings.HasSuffix(name, ".gz") {
		return readGzip(tb, name)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// readGzip returns the decompressed contents of a gzipped test file.
func readGzip(tb testing.TB, path string) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// decode identifies and decodes data, failing the test on any error.
func decode(tb testing.TB, data []byte) *sbom.Document {
	tb.Helper()
	enc, ok := Identify(data)
	if !ok {
		tb.Fatalf("Identify did not claim the input (starting %q)", data[:min(len(data), 60)])
	}
	doc, err := Decode(data, enc, sbom.Limits{})
	if err != nil {
		tb.Fatalf("Decode: %v", err)
	}
	checkDocument(tb, doc)
	return doc
}

// checkDocument checks what every decoded Document must satisfy: edges and root index
// components, warnings and edges are never nil.
func checkDocument(tb testing.TB, doc *sbom.Document) {
	tb.Helper()
	n := len(doc.Components)
	for _, e := range doc.Edges {
		if e.From < 0 || e.From >= n || e.To < 0 || e.To >= n {
			tb.Fatalf("edge %+v indexes outside %d components", e, n)
		}
		if e.Kind != sbom.DependsOn && e.Kind != sbom.Contains {
			tb.Fatalf("edge %+v has kind %d", e, e.Kind)
		}
	}
	if doc.Root < -1 || doc.Root >= n {
		tb.Fatalf("root %d outside %d components", doc.Root, n)
	}
	if doc.Edges == nil || doc.Warnings == nil || doc.Components == nil {
		tb.Fatalf("nil slice in document: edges %v, warnings %v, components %v", doc.Edges == nil, doc.Warnings == nil, doc.Components == nil)
	}
}

// edges renders a document's edges by LocalID, "from -kind-> to", in the document's order.
func edges(doc *sbom.Document) []string {
	out := []string{}
	for _, e := range doc.Edges {
		out = append(out, fmt.Sprintf("%s -%s-> %s", doc.Components[e.From].LocalID, e.Kind, doc.Components[e.To].LocalID))
	}
	return out
}

// warnings renders a document's warnings as "code id", in order.
func warnings(doc *sbom.Document) []string {
	out := []string{}
	for _, w := range doc.Warnings {
		out = append(out, string(w.Code)+" "+w.ID)
	}
	return out
}

// rootID returns the LocalID of the document's root, or "" when there is none.
func rootID(doc *sbom.Document) string {
	if doc.Root < 0 {
		return ""
	}
	return doc.Components[doc.Root].LocalID
}

// sentinel names the sbom sentinel err wraps, or "" for none.
func sentinel(err error) string {
	for _, s := range []struct {
		err  error
		name string
	}{{sbom.ErrInvalid, "ErrInvalid"}, {sbom.ErrUnsupported, "ErrUnsupported"}, {sbom.ErrTooLarge, "ErrTooLarge"}} {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	return ""
}

// spdxJSON writes a small SPDX 2.3 JSON document: packages and relationships are JSON array
// elements, written as given.
func spdxJSON(packages []string, relationships ...string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
 "name": "handwritten", "documentNamespace": "https://example.com/handwritten",
 "creationInfo": {"created": "2024-01-02T03:04:05Z", "creators": ["Tool: handwriter-1.0"]},
 "files": [{"fileName": "./f", "SPDXID": "SPDXRef-F", "checksums": [{"algorithm": "SHA1", "checksumValue": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}]}],
 "packages": [`)
	b.WriteString(strings.Join(packages, ",\n  "))
	b.WriteString("],\n \"relationships\": [")
	b.WriteString(strings.Join(relationships, ",\n  "))
	b.WriteString("]}\n")
	return b.Bytes()
}

// pkg writes a package with the given id, name and purl (none when empty).
func pkg(id, name, purl string) string {
	refs := ""
	if purl != "" {
		refs = fmt.Sprintf(`, "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": %q}]`, purl)
	}
	return fmt.Sprintf(`{"SPDXID": %q, "name": %q, "versionInfo": "1.0", "downloadLocation": "NOASSERTION"%s}`, id, name, refs)
}

// rel writes a relationship.
func rel(a, typ, b string) string {
	return fmt.Sprintf(`{"spdxElementId": %q, "relationshipType": %q, "relatedSpdxElement": %q}`, a, typ, b)
}

// hashes renders hashes as "ALG:value" separated by spaces.
func hashes(hs []sbom.Hash) string {
	var parts []string
	for _, h := range hs {
		parts = append(parts, h.Algorithm+":"+h.Value)
	}
	return strings.Join(parts, " ")
}
