package cyclonedx

import (
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// FuzzDecode checks that no input makes Decode panic, and that a document it accepts has
// edges (and a root) that index its components.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{
		"busybox-1.34.1.syft.cdx.json",
		"centos-7.trivy.cdx.json",
		"cdx-components-nested.guac.cdx.json",
		"demo-workspaces.cdx-1.6.json",
		"nested-packages.trivy-fixture.cdx.json",
	} {
		f.Add(ingesttest.Corpus(f, name))
	}
	for _, name := range []string{"handmade-1.7.cdx.json", "mess/spec-1.0.cdx.xml", "mess/spec-1.1.cdx.xml"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(bomJSON(`[`+lib("a", "one")+`,`+lib("a", "two")+`, {"type": "library", "name": "x", "purl": "pkg:///"}]`,
		`[{"ref": "a", "dependsOn": ["a", "ghost"]}, {"ref": "", "dependsOn": []}]`)))
	f.Add([]byte(`{"bomFormat": "CycloneDX", "specVersion": "1.4", "metadata": {"component": {"type": "container", "name": "a:b@sha256:0"}, "tools": {"components": []}}, "components": [{"name": "a", "components": [{"name": "b", "components": [{"name": "c"}]}]}]}`))
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><metadata><tools><components><component type="application"><name>t</name></component></components></tools></metadata><components><component type="library" bom-ref="a"><name>a</name><licenses><expression>MIT</expression></licenses><components><component bom-ref="b"><name>b</name></component></components></component></components><dependencies><dependency ref="a"><dependency ref="b"/></dependency></dependencies></bom>`))
	f.Add([]byte(`{"bomFormat": "CycloneDX", "specVersion": "2.0"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		encs := []sbom.Encoding{sbom.EncodingJSON, sbom.EncodingXML}
		if enc, ok := Identify(data); ok {
			encs = []sbom.Encoding{enc}
		}
		for _, enc := range encs {
			doc, err := Decode(data, enc, sbom.Limits{MaxDepth: 16, MaxComponents: 10_000})
			if err != nil {
				continue
			}
			if doc == nil {
				t.Fatalf("Decode(%s) = nil, nil", enc)
			}
			checkEdges(t, doc)
		}
	})
}
