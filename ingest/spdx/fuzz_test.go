package spdx

import (
	"errors"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// fuzzEncodings are the encodings FuzzDecode tries an input in, besides the one Identify names.
var fuzzEncodings = []sbom.Encoding{sbom.EncodingJSON, sbom.EncodingTagValue, sbom.EncodingYAML, sbom.EncodingRDFXML, sbom.EncodingXML}

// FuzzDecode checks that no input makes Decode panic, that every error wraps one of the
// sbom sentinels, and that a document returned without error is consistent: its edges and
// root index its components.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{
		"centos-7.trivy.spdx",            // tag-value 2.2
		"ko-multiarch-index-1.spdx.json", // JSON 2.2
		"ko-multiarch-image-3.spdx.json", // JSON 2.2
		"spdx-example-2.3.spdx",          // tag-value 2.3
		"spdx-example-2.3.spdx.yaml",     // YAML 2.3
		"spdx-example-2.3.spdx.xml",      // XML 2.3
	} {
		f.Add(ingesttest.Corpus(f, name), uint8(0))
	}
	f.Add(testFile(f, rdfHandwritten), uint8(3))
	pkgs := []string{pkg("SPDXRef-A", "a", "pkg:npm/a@1"), pkg("SPDXRef-B", "b", ""), pkg("SPDXRef-A", "dup", "not a purl")}
	f.Add(spdxJSON(pkgs, rel("SPDXRef-A", "DEPENDS_ON", "SPDXRef-B"), rel("SPDXRef-B", "DEPENDENCY_OF", "SPDXRef-A"),
		rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-A"), rel("SPDXRef-A", "FOO", "SPDXRef-Gone")), uint8(0))
	f.Add(spdxJSON(nil), uint8(0))
	f.Add([]byte("SPDXVersion: SPDX-2.3\nDocumentComment: <text>a\nb</text>\nPackageName: a\nSPDXID: SPDXRef-a\nSnippetSPDXID: SPDXRef-s\n"), uint8(1))
	f.Add([]byte("spdxVersion: SPDX-2.2\npackages:\n- SPDXID: SPDXRef-a\n  name: a\n  supplier: nobody\n"), uint8(2))
	f.Add([]byte(`{"spdxVersion": "SPDX-1.2"}`), uint8(0))

	limits := sbom.Limits{MaxComponents: 10_000, MaxDepth: 64}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		if enc, ok := Identify(data); ok {
			check(t, data, enc, limits)
		}
		check(t, data, fuzzEncodings[int(which)%len(fuzzEncodings)], limits)
	})
}

// check decodes data in enc and checks the result.
func check(t *testing.T, data []byte, enc sbom.Encoding, limits sbom.Limits) {
	doc, err := Decode(data, enc, limits)
	if err != nil {
		if !errors.Is(err, sbom.ErrInvalid) && !errors.Is(err, sbom.ErrUnsupported) && !errors.Is(err, sbom.ErrTooLarge) {
			t.Fatalf("Decode(%s) error wraps no sbom sentinel: %v", enc, err)
		}
		if doc != nil {
			t.Fatalf("Decode(%s) returned a document with its error", enc)
		}
		return
	}
	if doc == nil {
		t.Fatalf("Decode(%s) returned neither document nor error", enc)
	}
	checkDocument(t, doc)
	if doc.Entries() != len(doc.Components) {
		t.Fatalf("Decode(%s): %d entries of %d components", enc, doc.Entries(), len(doc.Components))
	}
}
