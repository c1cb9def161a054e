package cyclonedx

import (
	"bytes"
	"path"
	"reflect"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// wholeDocument reads data the way Decode does when it does not stream: the library's tree of
// the whole document, then convert.
func wholeDocument(t *testing.T, data []byte, enc sbom.Encoding, limits sbom.Limits) (*sbom.Document, error) {
	t.Helper()
	var bom cdx.BOM
	var err error
	if enc == sbom.EncodingXML {
		err = parseXML(data, &bom)
	} else {
		err = parseJSON(data, &bom)
	}
	if err != nil {
		return nil, err
	}
	return convert(&bom, enc, limits)
}

// stream reads data with the streaming reader of its encoding.
func stream(data []byte, enc sbom.Encoding, limits sbom.Limits) (*sbom.Document, bool) {
	if enc == sbom.EncodingXML {
		return streamXML(data, limits)
	}
	return streamJSON(data, limits)
}

// TestStreaming checks that every CycloneDX document of the corpus is streamed, and that
// streaming gives exactly the Document that reading the whole document gives.
func TestStreaming(t *testing.T) {
	n := 0
	for _, e := range ingesttest.Manifest(t, ingesttest.CorpusDir()) {
		if e.Format != sbom.FormatCycloneDX {
			continue
		}
		n++
		t.Run(e.File, func(t *testing.T) {
			data := ingesttest.Corpus(t, e.File)
			got, ok := stream(data, e.Encoding, sbom.Limits{})
			if !ok {
				t.Fatal("not streamed")
			}
			want, err := wholeDocument(t, data, e.Encoding, sbom.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Error("the streamed Document differs from the whole document's")
			}
		})
	}
	if n == 0 {
		t.Error("no CycloneDX files in the corpus manifest")
	}
}

// TestStreamingDeclines checks that the streaming readers leave to Decode's whole-document
// path what they cannot read exactly as it does, and that Decode still reads it.
func TestStreamingDeclines(t *testing.T) {
	js := ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json")
	x := ingesttest.Corpus(t, "postgres-11.15-stretch.syft.cdx.xml")
	metadata := x[bytes.Index(x, []byte("<metadata>")) : bytes.Index(x, []byte("</metadata>"))+len("</metadata>")]
	for _, tc := range []struct {
		name string
		data []byte
		enc  sbom.Encoding
	}{
		// encoding/json matches names regardless of case; the last of two members wins.
		{"components in another case", bytes.Replace(js, []byte(`"components"`), []byte(`"Components"`), 1), sbom.EncodingJSON},
		{"components twice", bytes.Replace(js, []byte(`"components":`), []byte(`"components":[],"components":`), 1), sbom.EncodingJSON},
		{"escaped member name", bytes.Replace(js, []byte(`"bomFormat"`), []byte(`"bom\u0046ormat"`), 1), sbom.EncodingJSON},
		{"no components", []byte(`{"bomFormat":"CycloneDX","specVersion":"1.4"}`), sbom.EncodingJSON},
		{"number that overflows", bytes.Replace(js, []byte(`"bomFormat"`), []byte(`"x":1e999,"bomFormat"`), 1), sbom.EncodingJSON},
		// encoding/json and encoding/xml refuse nesting past 10000; an entry decoded on its own
		// is less deep than in the document.
		{"nesting past encoding/json's limit", []byte(`{"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"name":"a","x":` +
			strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}]}`), sbom.EncodingJSON},
		{"nesting past encoding/xml's limit", []byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>` +
			strings.Repeat(`<component type="library"><name>a</name><components>`, 10000) +
			strings.Repeat(`</components></component>`, 10000) + `</components></bom>`), sbom.EncodingXML},
		{"metadata after components", bytes.Replace(bytes.Replace(x, metadata, nil, 1), []byte("</components>"), append([]byte("</components>"), metadata...), 1), sbom.EncodingXML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limits := sbom.Limits{MaxDepth: 20000} // deep enough for encoding/xml's limit to matter
			if _, ok := stream(tc.data, tc.enc, limits); ok {
				t.Error("streamed")
			}
			want, wantErr := wholeDocument(t, tc.data, tc.enc, limits)
			got, err := Decode(tc.data, tc.enc, limits)
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() || !reflect.DeepEqual(got, want) {
				t.Errorf("Decode = %v, %v; the whole document gives %v, %v", got != nil, err, want != nil, wantErr)
			}
		})
	}
}

// TestStreamingLimits checks that a document hitting a limit while streamed fails as it does
// when read whole.
func TestStreamingLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limits sbom.Limits
	}{
		{"alpine-3.16.2.syft.cdx.json", sbom.Limits{MaxComponents: 3}},
		{"postgres-11.15-stretch.syft.cdx.xml", sbom.Limits{MaxComponents: 3}},
		{"cdx-components-nested.guac.cdx.json", sbom.Limits{MaxDepth: 1}},
	} {
		data := ingesttest.Corpus(t, tc.name)
		enc, _ := Identify(data)
		_, wantErr := wholeDocument(t, data, enc, tc.limits)
		_, err := Decode(data, enc, tc.limits)
		if err == nil || wantErr == nil || err.Error() != wantErr.Error() {
			t.Errorf("%s %+v: Decode error %v, want %v", path.Base(tc.name), tc.limits, err, wantErr)
		}
	}
}
