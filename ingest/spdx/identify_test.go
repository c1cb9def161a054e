package spdx

import (
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

func TestIdentify(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		want   sbom.Encoding
		wantOK bool
	}{
		{"json 2.3", `{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT"}`, sbom.EncodingJSON, true},
		{"json with BOM and space", "\xef\xbb\xbf\n  {\"spdxVersion\":\"SPDX-2.2\"}", sbom.EncodingJSON, true},
		{"json 1.2 is claimed to be refused", `{"spdxVersion": "SPDX-1.2"}`, sbom.EncodingJSON, true},
		{"json 2.9 is claimed to be refused", `{"spdxVersion": "SPDX-2.9"}`, sbom.EncodingJSON, true},
		{"json spdxVersion 3 is not", `{"spdxVersion": "SPDX-3.0"}`, "", false},
		{"json version last, SPDXID first", `{"files": [{"SPDXID": "SPDXRef-File-1"}], "spdxVersion": "SPDX-2.2"}`, sbom.EncodingJSON, true},
		{"spdx 3 json-ld", `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": "CreationInfo", "specVersion": "3.0.1"}]}`, "", false},
		{"cyclonedx json", `{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}`, "", false},
		{"tag-value", "## Document\nSPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\n", sbom.EncodingTagValue, true},
		{"tag-value 1.2", "SPDXVersion: SPDX-1.2\n", sbom.EncodingTagValue, true},
		{"yaml", "---\nSPDXID: \"SPDXRef-DOCUMENT\"\nspdxVersion: \"SPDX-2.3\"\n", sbom.EncodingYAML, true},
		{"yaml plain scalar", "spdxVersion: SPDX-2.3 # comment\n", sbom.EncodingYAML, true},
		{"yaml spdx 3", "spdxVersion: SPDX-3.0\n", "", false},
		{"rdf/xml", `<rdf:RDF xmlns:spdx="http://spdx.org/rdf/terms#" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><spdx:SpdxDocument/></rdf:RDF>`, sbom.EncodingRDFXML, true},
		{"plain spdx xml", "<?xml version='1.0' encoding='UTF-8'?>\n<Document>\n  <SPDXID>SPDXRef-DOCUMENT</SPDXID>\n  <spdxVersion>SPDX-2.3</spdxVersion>\n", sbom.EncodingXML, true},
		{"cyclonedx xml", `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components/></bom>`, sbom.EncodingXML, false},
		{"empty", "", "", false},
		{"text", "hello: world\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Identify([]byte(tt.input))
			if ok != tt.wantOK || (ok && got != tt.want) {
				t.Errorf("Identify = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestIdentifyCorpus checks that every SPDX 2 corpus file is claimed in its encoding, and no
// other file is claimed at all.
func TestIdentifyCorpus(t *testing.T) {
	for _, e := range ingesttest.Manifest(t, ingesttest.CorpusDir()) {
		t.Run(e.File, func(t *testing.T) {
			got, ok := Identify(ingesttest.Corpus(t, e.File))
			if !isSPDX2(e) {
				if ok {
					t.Errorf("Identify claimed a %s %s %s file as %s", e.Format, e.Encoding, e.Spec, got)
				}
				return
			}
			if want := corpusEncoding(e); !ok || got != want {
				t.Errorf("Identify = %q, %v; want %q, true", got, ok, want)
			}
		})
	}
}

// isSPDX2 reports whether a corpus entry is an SPDX 2 document.
func isSPDX2(e ingesttest.Entry) bool {
	return e.Format == sbom.FormatSPDX && strings.HasPrefix(e.Spec, "2.")
}

// corpusEncoding is the encoding of an SPDX 2 corpus file. The MANIFEST's "SPDX XML" is the
// plain XML of the SPDX 2.3 example, not RDF/XML (ingesttest maps it to rdf-xml).
func corpusEncoding(e ingesttest.Entry) sbom.Encoding {
	if e.Encoding == sbom.EncodingRDFXML && strings.HasSuffix(e.File, ".spdx.xml") {
		return sbom.EncodingXML
	}
	return e.Encoding
}
