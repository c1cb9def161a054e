package spdx

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// wholeJSON reads SPDX JSON the way Decode does when it does not stream: tools-golang's model of
// the whole document, then build.
func wholeJSON(data []byte, limits sbom.Limits) (*sbom.Document, error) {
	p, err := readJSON(data)
	if err != nil {
		return nil, err
	}
	return build(p, sbom.EncodingJSON, limits)
}

// TestStreaming checks that every SPDX JSON document of the corpus is streamed, and that
// streaming gives exactly the Document that reading the whole document gives.
func TestStreaming(t *testing.T) {
	n := 0
	for _, e := range ingesttest.Manifest(t, ingesttest.CorpusDir()) {
		if e.Format != sbom.FormatSPDX || e.Encoding != sbom.EncodingJSON || e.Spec >= "3" {
			continue
		}
		if strings.HasPrefix(e.File, "big/") && e.File != "big/debian-app-v3.syft.spdx.json" {
			continue // the same generator as v3; they take long to read whole
		}
		n++
		t.Run(e.File, func(t *testing.T) {
			data := ingesttest.Corpus(t, e.File)
			got, ok := streamJSON(data, sbom.Limits{})
			p, err := readJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				if len(p.fixes) > 0 {
					return // tools-golang reads it only once repaired (see repairJSON)
				}
				t.Fatal("not streamed")
			}
			want, err := build(p, sbom.EncodingJSON, sbom.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Error("the streamed Document differs from the whole document's")
			}
		})
	}
	if n == 0 {
		t.Error("no SPDX JSON files in the corpus manifest")
	}
}

// TestStreamingDeclines checks that streamJSON leaves to the whole-document path what it cannot
// read exactly as that does, and that Decode still reads it.
func TestStreamingDeclines(t *testing.T) {
	data := ingesttest.Corpus(t, "spdx-example-2.3.spdx.json")
	for _, tc := range []struct{ name, old, new string }{
		// encoding/json matches names regardless of case; tools-golang reads spdxVersion by its
		// exact name.
		{"packages in another case", `"packages"`, `"Packages"`},
		{"files twice", `"files" :`, `"files":null,"files":`},
		{"spdxVersion in another case", `"spdxVersion"`, `"SPDXVersion"`},
		{"number that overflows", `"spdxVersion"`, `"x":1e999,"spdxVersion"`},
		{"a relationship tools-golang rejects", `"relationships" : [`, `"relationships":[{"spdxElementId":"x","relatedSpdxElement":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES"},`},
		{"unsupported version", `"SPDX-2.3"`, `"SPDX-2.4"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := bytes.Replace(data, []byte(tc.old), []byte(tc.new), 1)
			if bytes.Equal(in, data) {
				t.Fatalf("%s is not in the document", tc.old)
			}
			if _, ok := streamJSON(in, sbom.Limits{}); ok {
				t.Error("streamed")
			}
			want, wantErr := wholeJSON(in, sbom.Limits{})
			got, err := Decode(in, sbom.EncodingJSON, sbom.Limits{})
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() || !reflect.DeepEqual(got, want) {
				t.Errorf("Decode = %v, %v; the whole document gives %v, %v", got != nil, err, want != nil, wantErr)
			}
		})
	}
}

// TestStreamingLimits checks that a document with too many packages fails while streamed as it
// does when read whole.
func TestStreamingLimits(t *testing.T) {
	data := ingesttest.Corpus(t, "spdx-example-2.3.spdx.json")
	limits := sbom.Limits{MaxComponents: 3}
	_, wantErr := wholeJSON(data, limits)
	_, err := Decode(data, sbom.EncodingJSON, limits)
	if err == nil || wantErr == nil || err.Error() != wantErr.Error() {
		t.Errorf("Decode error %v, want %v", err, wantErr)
	}
}
