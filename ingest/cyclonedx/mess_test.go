package cyclonedx

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// bomJSON wraps a components array and a dependencies array in a CycloneDX 1.4 JSON document.
func bomJSON(components, dependencies string) string {
	s := `{"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "components": ` + components
	if dependencies != "" {
		s += `, "dependencies": ` + dependencies
	}
	return s + "}"
}

// lib returns a library component with a bom-ref and a purl derived from name.
func lib(ref, name string) string {
	return fmt.Sprintf(`{"type": "library", "bom-ref": %q, "name": %q, "version": "1.0", "purl": "pkg:npm/%s@1.0"}`, ref, name, name)
}

type warn struct {
	Code sbom.WarningCode
	ID   string
}

func warnings(doc *sbom.Document) []warn {
	out := []warn{}
	for _, w := range doc.Warnings {
		out = append(out, warn{w.Code, w.ID})
	}
	return out
}

// TestMess feeds documents with the problems real SBOMs have and checks that each is read,
// with exactly the expected warnings.
func TestMess(t *testing.T) {
	long := strings.Repeat("x", 400)
	tests := []struct {
		name      string
		data      string
		wantWarn  []warn
		wantEdges []sbom.Edge // nil: not checked
		entries   int
	}{
		{
			name:     "duplicate bom-refs",
			data:     bomJSON(`[`+lib("a", "one")+`,`+lib("a", "two")+`,`+lib("b", "three")+`]`, `[{"ref": "b", "dependsOn": ["a"]}]`),
			wantWarn: []warn{{sbom.WarnDuplicateID, "a"}},
			// The reference resolves to the first component with the id.
			wantEdges: []sbom.Edge{{From: 2, To: 0, Kind: sbom.DependsOn}},
			entries:   3,
		},
		{
			name:     "missing purl",
			data:     bomJSON(`[{"type": "library", "bom-ref": "a", "name": "nopurl", "version": "1"}, {"type": "file", "bom-ref": "f", "name": "/etc/passwd"}]`, ""),
			wantWarn: []warn{{sbom.WarnMissingPurl, "a"}}, // files need no purl
			entries:  2,
		},
		{
			name:     "invalid purls",
			data:     bomJSON(`[{"type": "library", "bom-ref": "a", "name": "x", "purl": "pkg:///"}, {"type": "library", "bom-ref": "b", "name": "y", "purl": "not a purl"}]`, ""),
			wantWarn: []warn{{sbom.WarnInvalidPurl, "a"}, {sbom.WarnInvalidPurl, "b"}},
			entries:  2,
		},
		{
			name: "dangling dependencies",
			data: bomJSON(`[`+lib("a", "one")+`,`+lib("b", "two")+`]`,
				`[{"ref": "a", "dependsOn": ["b", "ghost"]}, {"ref": "nobody", "dependsOn": ["a", "phantom"]}, {"ref": "", "dependsOn": []}, {"ref": "b", "dependsOn": ["ghost"]}]`),
			wantWarn:  []warn{{sbom.WarnDanglingRef, "ghost"}, {sbom.WarnDanglingRef, "nobody"}, {sbom.WarnDanglingRef, "phantom"}, {sbom.WarnDanglingRef, ""}},
			wantEdges: []sbom.Edge{{From: 0, To: 1, Kind: sbom.DependsOn}},
			entries:   2,
		},
		{
			name: "dependency on a service",
			data: `{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [` + lib("a", "one") + `],
				"services": [{"bom-ref": "svc", "name": "api", "services": [{"bom-ref": "svc/inner", "name": "db"}]}],
				"dependencies": [{"ref": "a", "dependsOn": ["svc", "svc/inner"]}, {"ref": "svc", "dependsOn": ["a"]}]}`,
			wantWarn:  []warn{{sbom.WarnDanglingRef, "svc"}, {sbom.WarnDanglingRef, "svc/inner"}},
			wantEdges: []sbom.Edge{},
			entries:   1,
		},
		{
			name: "cycle",
			data: bomJSON(`[`+lib("a", "one")+`,`+lib("b", "two")+`,`+lib("c", "three")+`]`,
				`[{"ref": "a", "dependsOn": ["b"]}, {"ref": "b", "dependsOn": ["c"]}, {"ref": "c", "dependsOn": ["a"]}]`),
			wantWarn: []warn{{sbom.WarnCycle, "a"}},
			wantEdges: []sbom.Edge{
				{From: 0, To: 1, Kind: sbom.DependsOn}, {From: 1, To: 2, Kind: sbom.DependsOn}, {From: 2, To: 0, Kind: sbom.DependsOn},
			},
			entries: 3,
		},
		{
			name:     "self dependency",
			data:     bomJSON(`[`+lib("a", "one")+`]`, `[{"ref": "a", "dependsOn": ["a"]}]`),
			wantWarn: []warn{{sbom.WarnCycle, "a"}},
			entries:  1,
		},
		{
			name:     "missing bom-ref",
			data:     bomJSON(`[`+lib("a", "one")+`, {"type": "library", "name": "anon", "purl": "pkg:npm/anon@2"}]`, ""),
			wantWarn: []warn{{sbom.WarnMissingID, "anon#1"}},
			entries:  2,
		},
		{
			name:     "empty components",
			data:     bomJSON(`[]`, ""),
			wantWarn: []warn{{sbom.WarnEmptyDocument, ""}},
			entries:  0,
		},
		{
			name:     "no components member",
			data:     `{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"component": {"type": "application", "name": "app"}}}`,
			wantWarn: []warn{{sbom.WarnEmptyDocument, ""}},
			entries:  0,
		},
		{
			name:      "400-character ids",
			data:      bomJSON(`[`+lib(long, "one")+`,`+lib("b", "two")+`]`, `[{"ref": "b", "dependsOn": ["`+long+`"]}]`),
			wantWarn:  []warn{{sbom.WarnLongID, long}},
			wantEdges: []sbom.Edge{{From: 1, To: 0, Kind: sbom.DependsOn}},
			entries:   2,
		},
		{
			name:     "non-ASCII ids and names",
			data:     bomJSON(`[`+lib("pkg:npm/ünïcode@1.0", "ünïcode")+`,`+lib("b", "Björn")+`]`, `[{"ref": "b", "dependsOn": ["pkg:npm/ünïcode@1.0"]}]`),
			wantWarn: []warn{{sbom.WarnNonASCIIID, "pkg:npm/ünïcode@1.0"}},
			entries:  2,
		},
		{
			name: "nested components three deep",
			data: bomJSON(`[{"type": "application", "bom-ref": "top", "name": "top", "purl": "pkg:npm/top@1", "components": [
					{"type": "library", "bom-ref": "mid", "name": "mid", "purl": "pkg:npm/mid@1", "components": [
						{"type": "library", "bom-ref": "leaf", "name": "leaf", "purl": "pkg:npm/leaf@1"}]},
					{"type": "library", "bom-ref": "mid2", "name": "mid2", "purl": "pkg:npm/mid2@1"}]},
				`+lib("other", "other")+`]`,
				`[{"ref": "leaf", "dependsOn": ["other"]}]`),
			wantWarn: []warn{},
			wantEdges: []sbom.Edge{
				{From: 0, To: 1, Kind: sbom.Contains}, {From: 0, To: 3, Kind: sbom.Contains},
				{From: 1, To: 2, Kind: sbom.Contains}, {From: 2, To: 4, Kind: sbom.DependsOn},
			},
			entries: 5,
		},
		{
			name: "components nested in the metadata component",
			data: `{"bomFormat": "CycloneDX", "specVersion": "1.5", "metadata": {"component": {"type": "application", "bom-ref": "app", "name": "app",
				"components": [{"type": "library", "bom-ref": "module", "name": "module", "purl": "pkg:maven/org.acme/module@1"}]}},
				"components": [` + lib("a", "one") + `], "dependencies": [{"ref": "module", "dependsOn": ["a"]}]}`,
			wantWarn: []warn{},
			wantEdges: []sbom.Edge{
				{From: 0, To: 1, Kind: sbom.Contains}, {From: 1, To: 2, Kind: sbom.DependsOn},
			},
			entries: 2,
		},
		{
			name:     "bad timestamp",
			data:     `{"bomFormat": "CycloneDX", "specVersion": "1.4", "metadata": {"timestamp": "yesterday"}, "components": [` + lib("a", "one") + `]}`,
			wantWarn: []warn{{sbom.WarnInvalidField, "metadata.timestamp"}},
			entries:  1,
		},
		{
			name: "xml with a namespace prefix and a byte order mark",
			data: "\xef\xbb\xbf" + `<?xml version="1.0"?><cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.5" version="1"><cdx:components>
				<cdx:component type="library" bom-ref="a"><cdx:name>a</cdx:name><cdx:purl>pkg:npm/a@1</cdx:purl></cdx:component>
				<cdx:component type="library" bom-ref="b"><cdx:name>b</cdx:name><cdx:purl>pkg:npm/b@1</cdx:purl></cdx:component>
				</cdx:components><cdx:dependencies><cdx:dependency ref="a"><cdx:dependency ref="b"/></cdx:dependency></cdx:dependencies></cdx:bom>`,
			wantWarn:  []warn{},
			wantEdges: []sbom.Edge{{From: 0, To: 1, Kind: sbom.DependsOn}},
			entries:   2,
		},
		{
			name:     "spec 1.0 xml has no bom-refs",
			data:     string(readTestdata(t, "mess/spec-1.0.cdx.xml")),
			wantWarn: []warn{{sbom.WarnMissingID, "tomcat-catalina#0"}, {sbom.WarnMissingPurl, "acme-util"}, {sbom.WarnMissingID, "acme-util#1"}},
			entries:  2,
		},
		{
			name:     "spec 1.1 xml with the dependency-graph extension",
			data:     string(readTestdata(t, "mess/spec-1.1.cdx.xml")),
			wantWarn: []warn{},
			wantEdges: []sbom.Edge{
				{From: 0, To: 2, Kind: sbom.DependsOn}, {From: 1, To: 2, Kind: sbom.DependsOn},
			},
			entries: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decode(t, []byte(tt.data))
			if got := warnings(doc); !slices.Equal(got, tt.wantWarn) {
				t.Errorf("warnings = %q\nwant %q\n(full: %v)", got, tt.wantWarn, doc.Warnings)
			}
			if tt.wantEdges != nil && !slices.Equal(doc.Edges, tt.wantEdges) {
				t.Errorf("edges = %v, want %v", doc.Edges, tt.wantEdges)
			}
			if got := doc.Entries(); got != tt.entries {
				t.Errorf("Entries() = %d, want %d", got, tt.entries)
			}
			checkEdges(t, doc)
		})
	}
}

func TestSpecVersions(t *testing.T) {
	for _, tt := range []struct {
		file string
		want string
	}{
		{"mess/spec-1.0.cdx.xml", "1.0"},
		{"mess/spec-1.1.cdx.xml", "1.1"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			doc := decode(t, readTestdata(t, tt.file))
			if doc.Source.SpecVersion != tt.want {
				t.Errorf("SpecVersion = %q, want %q", doc.Source.SpecVersion, tt.want)
			}
		})
	}
	t.Run("spec 1.0 fields", func(t *testing.T) {
		doc := decode(t, readTestdata(t, "mess/spec-1.0.cdx.xml"))
		c := doc.Components[1]
		if c.Licenses != "LicenseRef-Acme-Proprietary-License" || !slices.Equal(c.CPEs, []string{"cpe:/a:example:acme-util:1.0"}) || c.Namespace != "org.example" {
			t.Errorf("component = %+v", c)
		}
		if got := doc.Components[0].Supplier; got != "Apache" {
			t.Errorf("Supplier = %q, want the publisher", got)
		}
	})
}

// TestErrors checks that unreadable input fails with the right sentinel and a message that
// says where and why.
func TestErrors(t *testing.T) {
	alpineJSON := ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json")
	alpineXML := ingesttest.Corpus(t, "alpine-3.17.2.syft.cdx.xml")
	nested := func(depth int) string {
		s := lib("leaf", "leaf")
		for i := depth - 1; i > 0; i-- {
			s = fmt.Sprintf(`{"type": "library", "bom-ref": "c%d", "name": "c%d", "components": [%s]}`, i, i, s)
		}
		return bomJSON("["+s+"]", "")
	}
	tests := []struct {
		name     string
		data     []byte
		enc      sbom.Encoding
		limits   sbom.Limits
		sentinel error
		want     []string // substrings of the message
	}{
		{
			name: "truncated JSON", data: alpineJSON[:20000], enc: sbom.EncodingJSON,
			sentinel: sbom.ErrInvalid, want: []string{"truncated JSON at byte 20000 (line 632)"},
		},
		{
			name: "truncated JSON with byte order mark", data: []byte("\xef\xbb\xbf{\"bomFormat\": \"CycloneDX\", \"specVers"), enc: sbom.EncodingJSON,
			sentinel: sbom.ErrInvalid, want: []string{"truncated JSON at byte 39 (line 1)"},
		},
		{
			name: "malformed JSON", data: []byte("{\"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.4\",,\n}"), enc: sbom.EncodingJSON,
			sentinel: sbom.ErrInvalid, want: []string{"malformed JSON at byte 50 (line 2, column 24)", "invalid character ','"},
		},
		{
			name: "truncated XML", data: alpineXML[:20000], enc: sbom.EncodingXML,
			sentinel: sbom.ErrInvalid, want: []string{"truncated XML at line"},
		},
		{
			name: "malformed XML", data: []byte("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">\n<components></component></bom>"), enc: sbom.EncodingXML,
			sentinel: sbom.ErrInvalid, want: []string{"malformed XML at line 2", "element <components> closed by </component>"},
		},
		{
			name: "XML with an unknown element where the library expects a choice", data: []byte("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">\n<components><component type=\"library\"><name>x</name><licenses><bogus/></licenses></component></components></bom>"), enc: sbom.EncodingXML,
			sentinel: sbom.ErrInvalid, want: []string{"CycloneDX XML at line 2", "unknown element: bogus"},
		},
		{
			name: "specVersion 2.0", data: []byte(`{"bomFormat": "CycloneDX", "specVersion": "2.0", "components": []}`), enc: sbom.EncodingJSON,
			sentinel: sbom.ErrUnsupported, want: []string{`specVersion "2.0"`},
		},
		{
			name: "specVersion 2.0 with an unfamiliar shape", data: []byte(`{"bomFormat": "CycloneDX", "specVersion": "2.0", "components": {"new": "shape"}}`), enc: sbom.EncodingJSON,
			sentinel: sbom.ErrUnsupported, want: []string{`specVersion "2.0"`},
		},
		{
			name: "specVersion a number", data: []byte(`{"bomFormat": "CycloneDX", "specVersion": 1.4}`), enc: sbom.EncodingJSON,
			sentinel: sbom.ErrInvalid, want: []string{"specVersion"},
		},
		{
			name: "no specVersion", data: []byte(`{"bomFormat": "CycloneDX", "components": []}`), enc: sbom.EncodingJSON,
			sentinel: sbom.ErrInvalid, want: []string{"no specVersion"},
		},
		{
			name: "other bomFormat", data: []byte(`{"bomFormat": "SPDX", "specVersion": "1.4"}`), enc: sbom.EncodingJSON,
			sentinel: sbom.ErrInvalid, want: []string{`bomFormat is "SPDX"`},
		},
		{
			name: "field of the wrong type", data: []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [{"name": "x", "version": 3}]}`), enc: sbom.EncodingJSON,
			sentinel: sbom.ErrInvalid, want: []string{"JSON field components.version", "number"},
		},
		{
			name: "XML namespace 1.8", data: []byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.8" version="1"/>`), enc: sbom.EncodingXML,
			sentinel: sbom.ErrUnsupported, want: []string{`namespace version "1.8"`},
		},
		{
			name: "XML in another namespace", data: []byte(`<bom xmlns="http://example.com/bom" version="1"/>`), enc: sbom.EncodingXML,
			sentinel: sbom.ErrInvalid, want: []string{`namespace "http://example.com/bom"`},
		},
		{
			name: "XML without a namespace", data: []byte(`<bom version="1"/>`), enc: sbom.EncodingXML,
			sentinel: sbom.ErrInvalid, want: []string{"no namespace"},
		},
		{
			name: "XML other root element", data: []byte(`<project xmlns="http://cyclonedx.org/schema/bom/1.4"/>`), enc: sbom.EncodingXML,
			sentinel: sbom.ErrInvalid, want: []string{"expected element type <bom> but have <project>"},
		},
		{
			name: "XML in an unsupported character encoding", data: []byte(`<?xml version="1.0" encoding="Shift_JIS"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>`), enc: sbom.EncodingXML,
			sentinel: sbom.ErrUnsupported, want: []string{`character encoding "Shift_JIS"`},
		},
		{
			name: "empty XML", data: []byte("  "), enc: sbom.EncodingXML,
			sentinel: sbom.ErrInvalid, want: []string{"no root element"},
		},
		{
			name: "nesting past MaxDepth", data: []byte(nested(4)), enc: sbom.EncodingJSON, limits: sbom.Limits{MaxDepth: 3},
			sentinel: sbom.ErrTooLarge, want: []string{"nested more than 3 deep", `components[0].components[0].components[0].components[0] (bom-ref "leaf") is at depth 4`},
		},
		{
			name: "MaxComponents", data: alpineJSON, enc: sbom.EncodingJSON, limits: sbom.Limits{MaxComponents: 10},
			sentinel: sbom.ErrTooLarge, want: []string{"more than 10 components"},
		},
		{
			name: "not a CycloneDX encoding", data: alpineJSON, enc: sbom.EncodingTagValue,
			sentinel: sbom.ErrUnsupported, want: []string{`"tag-value"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Decode(tt.data, tt.enc, tt.limits)
			if err == nil {
				t.Fatalf("Decode() = %d components, nil error; want %v", len(doc.Components), tt.sentinel)
			}
			t.Log(err)
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("Decode() error %q does not wrap %v", err, tt.sentinel)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Decode() error %q does not say %q", err, w)
				}
			}
		})
	}
	t.Run("nesting at MaxDepth is fine", func(t *testing.T) {
		if _, err := Decode([]byte(nested(3)), sbom.EncodingJSON, sbom.Limits{MaxDepth: 3}); err != nil {
			t.Errorf("Decode() error %v", err)
		}
	})
}
