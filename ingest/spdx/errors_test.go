package spdx

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// TestErrors checks that unreadable input fails with the right sentinel and a message that
// says where (bytes counted from 1) and why.
func TestErrors(t *testing.T) {
	example := string(ingesttest.Corpus(t, "spdx-example-2.3.spdx.json"))
	tagValue := string(ingesttest.Corpus(t, "centos-7.trivy.spdx"))
	yamlDoc := string(ingesttest.Corpus(t, "spdx-example-2.3.spdx.yaml"))
	xmlDoc := string(ingesttest.Corpus(t, "spdx-example-2.3.spdx.xml"))
	rdfDoc := string(readGzip(t, rdfExample))
	twoPackages := string(spdxJSON([]string{pkg("SPDXRef-A", "a", "pkg:npm/a@1"), pkg("SPDXRef-B", "b", "pkg:npm/b@1")}))

	tests := []struct {
		name         string
		input        string
		enc          sbom.Encoding
		limits       sbom.Limits
		wantSentinel string
		wantMsg      []string
	}{
		{
			name: "truncated JSON", input: example[:5000], enc: sbom.EncodingJSON,
			wantSentinel: "ErrInvalid", wantMsg: []string{"byte 5000", "unexpected end of JSON input"},
		},
		{
			name: "JSON syntax error", input: strings.Replace(example, `"name" : "SPDX-Tools-v2.0"`, `"name" : "SPDX-Tools-v2.0",,`, 1), enc: sbom.EncodingJSON,
			wantSentinel: "ErrInvalid", wantMsg: []string{"byte " + itoa(strings.Index(example, `"name" : "SPDX-Tools-v2.0"`)+len(`"name" : "SPDX-Tools-v2.0",`)+1), "invalid character ','"},
		},
		{
			name: "JSON field of the wrong type", input: strings.Replace(twoPackages, `"name": "b", "versionInfo": "1.0"`, `"name": "b", "versionInfo": 10`, 1), enc: sbom.EncodingJSON,
			wantSentinel: "ErrInvalid", wantMsg: []string{"byte " + itoa(indexAfter(twoPackages, `"name": "b"`, `"1.0"`)+1), "packages.versionInfo"},
		},
		{
			name: "JSON package id without SPDXRef-", input: strings.Replace(twoPackages, `"SPDXRef-B"`, `"Package-B"`, 1), enc: sbom.EncodingJSON,
			wantSentinel: "ErrInvalid", wantMsg: []string{"byte " + itoa(strings.Index(twoPackages, `"SPDXRef-B"`)+1), "Package-B"},
		},
		{
			name: "JSON without spdxVersion", input: `{"SPDXID": "SPDXRef-DOCUMENT", "packages": []}`, enc: sbom.EncodingJSON,
			wantSentinel: "ErrInvalid", wantMsg: []string{"spdxVersion"},
		},
		{
			name: "JSON SPDX-2.9", input: strings.Replace(example, "SPDX-2.3", "SPDX-2.9", 1), enc: sbom.EncodingJSON,
			wantSentinel: "ErrUnsupported", wantMsg: []string{`"SPDX-2.9"`},
		},
		{
			name: "tag-value SPDX-1.2", input: "SPDXVersion: SPDX-1.2\nDataLicense: PDDL-1.0\nDocumentComment: <text>old</text>\n", enc: sbom.EncodingTagValue,
			wantSentinel: "ErrUnsupported", wantMsg: []string{`"SPDX-1.2"`},
		},
		{
			name: "tag-value line without colon", input: strings.Replace(tagValue, "PackageName: centos\n", "PackageName centos\n", 1), enc: sbom.EncodingTagValue,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line " + lineOf(tagValue, "PackageName: centos"), "no colon"},
		},
		{
			name: "tag-value text never closed", input: tagValue + "PackageComment: <text>opened\nand never closed\n", enc: sbom.EncodingTagValue,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line " + itoa(strings.Count(tagValue, "\n")+1), "never closed"},
		},
		{
			name: "tag-value bad checksum", input: strings.Replace(tagValue, "PackageName: centos\n", "PackageName: centos\nPackageChecksum: SHA256\n", 1), enc: sbom.EncodingTagValue,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line " + itoa(atoi(lineOf(tagValue, "PackageName: centos"))+1)},
		},
		{
			name: "tag-value package without SPDXID", input: strings.Replace(tagValue, "SPDXID: SPDXRef-Package-5a18334f22149877\n", "", 1), enc: sbom.EncodingTagValue,
			wantSentinel: "ErrInvalid", wantMsg: []string{"does not have SPDX identifier"},
		},
		{
			name: "tag-value without SPDXVersion", input: "DataLicense: CC0-1.0\n", enc: sbom.EncodingTagValue,
			wantSentinel: "ErrInvalid", wantMsg: []string{"no SPDX version"},
		},
		{
			name: "YAML syntax error", input: strings.Replace(yamlDoc, "name: \"SPDX-Tools-v2.0\"", "name: [\"SPDX-Tools-v2.0\"", 1), enc: sbom.EncodingYAML,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line "},
		},
		{
			name: "YAML supplier without type", input: strings.Replace(yamlDoc, `supplier: "Person: Jane Doe (jane.doe@example.com)"`, `supplier: "Jane Doe"`, 1), enc: sbom.EncodingYAML,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line " + lineOf(yamlDoc, `supplier: "Person: Jane Doe`), "Supplier 'Jane Doe'"},
		},
		{
			name: "YAML field of the wrong type", input: strings.Replace(yamlDoc, "  checksums:\n", "  checksums: 5\n  oldChecksums:\n", 1), enc: sbom.EncodingYAML,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line " + lineOf(yamlDoc, "  checksums:"), "checksums"},
		},
		{
			name: "YAML SPDX-2.0", input: strings.Replace(yamlDoc, "SPDX-2.3", "SPDX-2.0", 1), enc: sbom.EncodingYAML,
			wantSentinel: "ErrUnsupported", wantMsg: []string{`"SPDX-2.0"`},
		},
		{
			name: "XML not well-formed", input: strings.Replace(xmlDoc, "</spdxVersion>", "</spdxversion>", 1), enc: sbom.EncodingXML,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line " + lineOf(xmlDoc, "<spdxVersion>")},
		},
		{
			name: "XML package id without SPDXRef-", input: strings.Replace(xmlDoc, "<SPDXID>SPDXRef-Saxon</SPDXID>", "<SPDXID>Saxon</SPDXID>", 1), enc: sbom.EncodingXML,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line " + lineOf(xmlDoc, "<SPDXID>SPDXRef-Saxon</SPDXID>"), "Saxon"},
		},
		{
			name: "XML field of the wrong type", input: strings.Replace(xmlDoc, "<offset>310</offset>", "<offset><x>1</x></offset>", 1), enc: sbom.EncodingXML,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line " + lineOf(xmlDoc, "<offset>310</offset>")},
		},
		{
			name: "RDF not well-formed", input: strings.Replace(rdfDoc, "</spdx:specVersion>", "</spdx:specversion>", 1), enc: sbom.EncodingRDFXML,
			wantSentinel: "ErrInvalid", wantMsg: []string{"line " + lineOf(rdfDoc, "<spdx:specVersion>")},
		},
		{
			name: "RDF SPDX-1.2", input: strings.Replace(rdfDoc, ">SPDX-2.2<", ">SPDX-1.2<", 1), enc: sbom.EncodingRDFXML,
			wantSentinel: "ErrUnsupported", wantMsg: []string{`"SPDX-1.2"`},
		},
		{
			name: "too many packages", input: twoPackages, enc: sbom.EncodingJSON, limits: sbom.Limits{MaxComponents: 1},
			wantSentinel: "ErrTooLarge", wantMsg: []string{"more than 1 components"},
		},
		{
			name: "XML nested too deep", input: "<Document><spdxVersion>SPDX-2.3</spdxVersion>" + strings.Repeat("<a>", 20) + strings.Repeat("</a>", 20) + "</Document>", enc: sbom.EncodingXML, limits: sbom.Limits{MaxDepth: 10},
			wantSentinel: "ErrTooLarge", wantMsg: []string{"deeper than 10"},
		},
		{
			name: "encoding that is not SPDX 2", input: example, enc: sbom.EncodingJSONLD,
			wantSentinel: "ErrUnsupported", wantMsg: []string{"json-ld"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Decode([]byte(tt.input), tt.enc, tt.limits)
			if err == nil {
				t.Fatalf("Decode succeeded (%d components), want an error", len(doc.Components))
			}
			if got := sentinel(err); got != tt.wantSentinel {
				t.Errorf("error wraps %q, want %s: %v", got, tt.wantSentinel, err)
			}
			for _, want := range tt.wantMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if doc != nil {
				t.Errorf("Decode returned a document with its error")
			}
		})
	}
}

// lineOf returns the 1-based line of the first occurrence of s in text, as a string.
func lineOf(text, s string) string {
	i := strings.Index(text, s)
	if i < 0 {
		panic("lineOf: " + s + " not found")
	}
	return itoa(strings.Count(text[:i], "\n") + 1)
}

// indexAfter returns the offset of the first s in text after the first after.
func indexAfter(text, after, s string) int {
	i := strings.Index(text, after)
	return i + strings.Index(text[i:], s)
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// TestSafely checks that a panic in the library becomes an error.
func TestSafely(t *testing.T) {
	_, err := safely(func() (*int, error) {
		var m map[string]int
		m["x"] = 1 // panics: assignment to entry in nil map
		return nil, nil
	})
	if !errors.Is(err, errPanic) || !strings.Contains(err.Error(), "nil map") {
		t.Errorf("safely(panicking call) = %v, want an error wrapping errPanic that names the panic", err)
	}
}
