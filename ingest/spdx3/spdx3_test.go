package spdx3

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

const (
	appbomination = "appbomination-example9.spdx-3.0.json"
	syftImage     = "syft-spdx3-image.golden.spdx3.json"
)

// ctx301 is the @context member of an SPDX 3.0.1 document.
const ctx301 = `"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"`

// ci is a CreationInfo node the handwritten documents share.
const ci = `{"@id": "_:ci", "type": "CreationInfo", "specVersion": "3.0.1", "created": "2024-05-01T10:00:00Z", "createdBy": ["urn:agent"]}`

// graph returns an SPDX 3.0.1 document whose @graph holds ci and nodes.
func graph(nodes ...string) []byte {
	return []byte(`{` + ctx301 + `, "@graph": [` + strings.Join(append([]string{ci}, nodes...), ",\n") + `]}`)
}

// pkg returns a software_Package node with the given id and extra properties.
func pkg(id, extra string) string {
	name := id[strings.LastIndexByte(id, ':')+1:]
	if extra != "" {
		extra = ", " + extra
	}
	return fmt.Sprintf(`{"type": "software_Package", "spdxId": %q, "name": %q, "creationInfo": "_:ci"%s}`, id, name, extra)
}

// rel returns a Relationship node.
func rel(id, typ, from string, to ...string) string {
	return fmt.Sprintf(`{"type": "Relationship", "spdxId": %q, "relationshipType": %q, "from": %q, "to": [%s], "creationInfo": "_:ci"}`, id, typ, from, quoted(to))
}

func quoted(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func decode(t testing.TB, data []byte) *sbom.Document {
	t.Helper()
	enc, ok := Identify(data)
	if !ok {
		t.Fatalf("Identify = false, want true")
	}
	doc, err := Decode(data, enc, sbom.Limits{})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return doc
}

func TestIdentify(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		wantOK bool
	}{
		{"appbomination", ingesttest.Corpus(t, appbomination), true},
		{"syft image", ingesttest.Corpus(t, syftImage), true},
		{"3.0.0 context", []byte(`{"@context": "https://spdx.org/rdf/3.0.0/spdx-context.jsonld", "@graph": []}`), true},
		{"context list", []byte(`{"@context": [{"ex": "https://example.com/"}, "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"], "@graph": []}`), true},
		{"context after other members", []byte(`{"x": {"y": [1, 2, {"z": null}]}, "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}`), true},
		{"byte order mark and space", []byte("\xef\xbb\xbf\n {\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\"}"), true},
		{"3.1 still identified", []byte(`{"@context": "https://spdx.org/rdf/3.1/spdx-context.jsonld", "@graph": []}`), true},
		{"spdx 2 json", ingesttest.Corpus(t, "appbomination-example9.spdx-2.2.json"), false},
		{"cyclonedx", ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json"), false},
		{"other json-ld", []byte(`{"@context": "https://schema.org/", "@graph": []}`), false},
		{"spdx context nested, not top level", []byte(`{"x": {"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}}`), false},
		{"spdx 2 rdf terms", []byte(`{"@context": "http://spdx.org/rdf/terms#"}`), false},
		{"context beyond the sniff", []byte(`{"@graph": ["` + strings.Repeat("x", sniffLen) + `"], "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}`), false},
		{"array", []byte(`[{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}]`), false},
		{"empty", nil, false},
		{"not json", []byte("SPDXVersion: SPDX-2.3\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, ok := Identify(tt.data)
			if ok != tt.wantOK {
				t.Fatalf("Identify ok = %v, want %v", ok, tt.wantOK)
			}
			if ok && enc != sbom.EncodingJSONLD {
				t.Errorf("Identify encoding = %q, want %q", enc, sbom.EncodingJSONLD)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	for _, name := range []string{appbomination, syftImage} {
		t.Run(name, func(t *testing.T) {
			doc := decode(t, ingesttest.Corpus(t, name))
			ingesttest.Golden(t, filepath.Join("testdata", "golden", name+".golden.json"), doc)
		})
	}
}

// TestCorpus decodes every SPDX 3 file of the corpus manifests and checks the entry count and
// spec version against the manifest's independent figures.
func TestCorpus(t *testing.T) {
	n := 0
	for _, e := range ingesttest.Manifest(t, ingesttest.CorpusDir()) {
		if e.Format != sbom.FormatSPDX || e.Encoding != sbom.EncodingJSONLD {
			continue
		}
		n++
		t.Run(e.File, func(t *testing.T) {
			doc := decode(t, ingesttest.Corpus(t, e.File))
			if got := doc.Entries(); got != e.Components {
				t.Errorf("Entries() = %d, want %d (MANIFEST component_count)", got, e.Components)
			}
			if got := doc.Source.SpecVersion; got != e.Spec {
				t.Errorf("SpecVersion = %q, want %q", got, e.Spec)
			}
			checkDocument(t, doc)
		})
	}
	if n < 2 {
		t.Errorf("the manifests list %d SPDX 3 files, want at least 2", n)
	}
}

// TestAppbominationMatchesSPDX2 checks the SPDX 3.0 migration of spdx-examples' example9
// against what its SPDX 2.2 original (appbomination-example9.spdx-2.2.json) says. The
// expectations were read from the 2.2 file: its seven packages with versionInfo and purl
// externalRefs, their checksums (which the migration moves to each package's distribution
// artifact), licenseConcluded, the supplier of SPDXRef-1, and its four *DEPENDENCY_OF
// relationships, reversed. The 2.2 file's CONTAINED_BY and METAFILE_OF relationships name
// files, which are not components.
func TestAppbominationMatchesSPDX2(t *testing.T) {
	doc := decode(t, ingesttest.Corpus(t, appbomination))
	type pkg struct{ name, version, purl, sha1, license string }
	want := []pkg{
		{"App-BOM-ination", "1.0", "", "498cebd51a4483d6e68c2fc62d27008252fa4f7b", "(Apache-2.0 AND LicenseRef-1)"},
		{"Faust Proprietary File", "", "", "", "LicenseRef-1"},
		{"Gradle", "", "", "", "Apache-2.0"},
		{"commons-lang3", "3.4", "pkg:maven/org.apache.commons/commons-lang3@3.4", "5fe28b9518e58819180a43a850fbc0dd24b7c050", "Apache-2.0"},
		{"hamcrest-core", "1.3", "pkg:maven/org.hamcrest/hamcrest-core@1.3", "42a25dc3219429f0e5d060061f71acb49bf010a0", "BSD-3-Clause"},
		{"junit", "4.12", "pkg:maven/junit/junit@4.12", "4e6be5af63e3373b4f0cbc4c151c13e059151e00", "EPL-1.0"},
		{"slf4j-api", "1.7.21", "pkg:maven/org.slf4j/slf4j-api@1.7.21", "466308a5554594190da5fe2c86b4a8e5037c37cc", "Apache-2.0"},
	}
	var got []pkg
	for _, c := range doc.Components {
		p := pkg{name: c.Name, version: c.Version, purl: c.Purl, license: c.Licenses}
		for _, h := range c.Hashes {
			if h.Algorithm == "SHA-1" {
				p.sha1 = h.Value
			}
		}
		got = append(got, p)
	}
	slices.SortFunc(got, func(a, b pkg) int { return strings.Compare(a.name, b.name) })
	// The 2.2 file concludes "(LicenseRef-1 AND Apache-2.0)" for App-BOM-ination; the 3.0
	// file's expression has the operands the other way round, which is the same licence.
	if !slices.Equal(got, want) {
		t.Errorf("packages:\n got %+v\nwant %+v", got, want)
	}

	var edges []string
	for _, e := range doc.Edges {
		edges = append(edges, doc.Components[e.From].Name+" "+e.Kind.String()+" "+doc.Components[e.To].Name)
	}
	slices.Sort(edges)
	wantEdges := []string{
		"App-BOM-ination dependsOn commons-lang3",
		"App-BOM-ination dependsOn junit", // TEST_DEPENDENCY_OF in 2.2, a test-scoped dependsOn in 3.0
		"App-BOM-ination dependsOn slf4j-api",
		"junit dependsOn hamcrest-core",
	}
	if !slices.Equal(edges, wantEdges) {
		t.Errorf("edges:\n got %q\nwant %q", edges, wantEdges)
	}
	if doc.Root < 0 || doc.Components[doc.Root].Name != "App-BOM-ination" {
		t.Errorf("Root = %d, want App-BOM-ination (documentDescribes SPDXRef-1)", doc.Root)
	}
	if got, want := doc.Components[doc.Root].Supplier, "ACT Project"; got != want {
		t.Errorf("root Supplier = %q, want %q", got, want)
	}
	if got, want := doc.Source.Name, "SpdxDoc for App-BOM-ination"; got != want {
		t.Errorf("Source.Name = %q, want %q", got, want)
	}
	if got, want := doc.Source.Created, time.Date(2021, 9, 2, 13, 46, 32, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Source.Created = %v, want %v", got, want)
	}
	if got, want := doc.Source.Tools, []string{"Source Auditor Open Source Console"}; !slices.Equal(got, want) {
		t.Errorf("Source.Tools = %q, want %q", got, want)
	}
}

func TestSyftImage(t *testing.T) {
	doc := decode(t, ingesttest.Corpus(t, syftImage))
	want := sbom.Subject{
		Name:   "user-image-input",
		Digest: "sha256:2731251dc34951c0e50fcc643b4c5f74922dad1a5d98f302b504cf46cd5d9368",
		Type:   "container",
	}
	if doc.Subject != want {
		t.Errorf("Subject = %+v, want %+v", doc.Subject, want)
	}
	if doc.Root != 0 {
		t.Errorf("Root = %d, want 0 (the SpdxDocument's root is an Sbom whose root is the image)", doc.Root)
	}
	if got, want := doc.Source.Tools, []string{"syft-v0.42.0-bogus"}; !slices.Equal(got, want) {
		t.Errorf("Source.Tools = %q, want %q", got, want)
	}
	if got, want := warnings(doc), []string{
		"invalid-field _:CreationInfo-1", // created is "redacted"
		"invalid-purl SPDXRef:Package-python-package-1-2f52f617f1548337",
	}; !slices.Equal(got, want) {
		t.Errorf("warnings = %q, want %q", got, want)
	}
}

// summary is a decoded document reduced to what the mess cases check.
type summary struct {
	components []string // LocalID, and "=" purl when there is one
	edges      []string // "from kind to", by LocalID
	root       string
	warnings   []string // "code id"
}

func summarize(doc *sbom.Document) summary {
	var s summary
	for _, c := range doc.Components {
		entry := c.LocalID
		if c.Purl != "" {
			entry += "=" + c.Purl
		}
		s.components = append(s.components, entry)
	}
	for _, e := range doc.Edges {
		s.edges = append(s.edges, doc.Components[e.From].LocalID+" "+e.Kind.String()+" "+doc.Components[e.To].LocalID)
	}
	if doc.Root >= 0 {
		s.root = doc.Components[doc.Root].LocalID
	}
	s.warnings = warnings(doc)
	return s
}

func warnings(doc *sbom.Document) []string {
	var out []string
	for _, w := range doc.Warnings {
		out = append(out, string(w.Code)+" "+w.ID)
	}
	return out
}

func TestMess(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want summary
		// check, if set, looks at what the summary does not show.
		check func(t *testing.T, doc *sbom.Document)
	}{
		{
			name: "missing purl",
			data: graph(pkg("urn:a", `"software_packageVersion": "1.0"`)),
			want: summary{components: []string{"urn:a"}, warnings: []string{"missing-purl urn:a"}},
		},
		{
			name: "invalid purl",
			data: graph(pkg("urn:a", `"software_packageUrl": "npm/left-pad@1.0"`)),
			want: summary{components: []string{"urn:a"}, warnings: []string{"invalid-purl urn:a"}},
		},
		{
			name: "purl and cpe from external identifiers",
			data: graph(pkg("urn:a", `"externalIdentifier": [
				{"type": "ExternalIdentifier", "externalIdentifierType": "cpe23", "identifier": "cpe:2.3:a:x:a:1:*:*:*:*:*:*:*"},
				{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": "pkg:npm/a@1"},
				{"type": "ExternalIdentifier", "externalIdentifierType": "cpe22", "identifier": "cpe:/a:x:a:1"}]`)),
			want: summary{components: []string{"urn:a=pkg:npm/a@1"}},
			check: func(t *testing.T, doc *sbom.Document) {
				want := []string{"cpe:2.3:a:x:a:1:*:*:*:*:*:*:*", "cpe:/a:x:a:1"}
				if got := doc.Components[0].CPEs; !slices.Equal(got, want) {
					t.Errorf("CPEs = %q, want %q", got, want)
				}
			},
		},
		{
			name: "dangling relationship",
			data: graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`), rel("urn:r", "dependsOn", "urn:a", "urn:nowhere")),
			want: summary{components: []string{"urn:a=pkg:npm/a@1"}, warnings: []string{"dangling-reference urn:nowhere"}},
		},
		{
			name: "dangling from, and a dangling licence",
			data: graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`),
				rel("urn:r1", "contains", "urn:ghost", "urn:a"),
				rel("urn:r2", "hasDeclaredLicense", "urn:a", "urn:no-such-licence")),
			want: summary{components: []string{"urn:a=pkg:npm/a@1"}, warnings: []string{"dangling-reference urn:ghost", "dangling-reference urn:no-such-licence"}},
		},
		{
			name: "dependsOn cycle",
			data: graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`), pkg("urn:b", `"software_packageUrl": "pkg:npm/b@1"`),
				rel("urn:r1", "dependsOn", "urn:a", "urn:b"), rel("urn:r2", "dependsOn", "urn:b", "urn:a")),
			want: summary{
				components: []string{"urn:a=pkg:npm/a@1", "urn:b=pkg:npm/b@1"},
				edges:      []string{"urn:a dependsOn urn:b", "urn:b dependsOn urn:a"},
				warnings:   []string{"cycle urn:a"},
			},
		},
		{
			name: "zero packages",
			data: graph(`{"type": "SpdxDocument", "spdxId": "urn:doc", "name": "nothing here", "creationInfo": "_:ci", "rootElement": ["urn:f"]}`,
				`{"type": "software_File", "spdxId": "urn:f", "name": "./README", "creationInfo": "_:ci"}`),
			want: summary{warnings: []string{"empty-document "}},
			check: func(t *testing.T, doc *sbom.Document) {
				if got, want := doc.Subject, (sbom.Subject{Name: "nothing here"}); got != want {
					t.Errorf("Subject = %+v, want %+v", got, want)
				}
			},
		},
		{
			name: "empty graph",
			data: graph(),
			want: summary{warnings: []string{"empty-document "}},
		},
		{
			name: "duplicate spdxId",
			data: graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`), pkg("urn:a", `"software_packageUrl": "pkg:npm/a@2"`),
				pkg("urn:b", `"software_packageUrl": "pkg:npm/b@1"`), rel("urn:r", "dependsOn", "urn:b", "urn:a")),
			want: summary{
				components: []string{"urn:a=pkg:npm/a@1", "urn:a=pkg:npm/a@2", "urn:b=pkg:npm/b@1"},
				edges:      []string{"urn:b dependsOn urn:a"}, // the first urn:a
				warnings:   []string{"duplicate-id urn:a"},
			},
			check: func(t *testing.T, doc *sbom.Document) {
				if e := doc.Edges[0]; e.To != 0 {
					t.Errorf("edge to %d, want 0 (the first urn:a)", e.To)
				}
			},
		},
		{
			name: "duplicate id across kinds",
			data: graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`), `{"type": "software_File", "spdxId": "urn:a", "creationInfo": "_:ci"}`),
			want: summary{components: []string{"urn:a=pkg:npm/a@1"}, warnings: []string{"duplicate-id urn:a"}},
		},
		{
			name: "relationships with files, agents and the document are skipped",
			data: graph(
				`{"type": "SpdxDocument", "spdxId": "urn:doc", "creationInfo": "_:ci"}`,
				`{"type": "Person", "spdxId": "urn:agent", "name": "Ann", "creationInfo": "_:ci"}`,
				`{"type": "software_File", "spdxId": "urn:f", "name": "./a.js", "creationInfo": "_:ci"}`,
				pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`),
				rel("urn:r1", "contains", "urn:a", "urn:f"),
				rel("urn:r2", "dependsOn", "urn:f", "urn:a"),
				rel("urn:r3", "dependsOn", "urn:doc", "urn:agent"),
				rel("urn:r4", "dependsOn", "urn:a", "NoneElement"),
				rel("urn:r5", "hasStaticLink", "urn:f", "urn:missing")),
			want: summary{
				components: []string{"urn:a=pkg:npm/a@1"},
				root:       "",
				warnings:   []string{"dangling-reference urn:missing"},
			},
		},
		{
			name: "edge kinds",
			data: graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`), pkg("urn:b", `"software_packageUrl": "pkg:npm/b@1"`),
				pkg("urn:c", `"software_packageUrl": "pkg:npm/c@1"`), pkg("urn:d", `"software_packageUrl": "pkg:npm/d@1"`),
				rel("urn:r1", "contains", "urn:a", "urn:b", "urn:c"),
				rel("urn:r2", "hasDynamicLink", "urn:b", "urn:c"),
				rel("urn:r3", "hasStaticLink", "urn:b", "urn:d"),
				`{"type": "LifecycleScopedRelationship", "spdxId": "urn:r4", "relationshipType": "dependsOn", "scope": "build", "from": "urn:c", "to": ["urn:d"], "creationInfo": "_:ci"}`,
				rel("urn:r5", "hasTest", "urn:a", "urn:d"),
				rel("urn:r6", "descendantOf", "urn:d", "urn:a")),
			want: summary{
				components: []string{"urn:a=pkg:npm/a@1", "urn:b=pkg:npm/b@1", "urn:c=pkg:npm/c@1", "urn:d=pkg:npm/d@1"},
				edges:      []string{"urn:a contains urn:b", "urn:a contains urn:c", "urn:b dependsOn urn:c", "urn:b dependsOn urn:d", "urn:c dependsOn urn:d"},
			},
		},
		{
			name: "unknown relationship type",
			data: graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`), pkg("urn:b", `"software_packageUrl": "pkg:npm/b@1"`),
				rel("urn:r", "dependencyOf", "urn:a", "urn:b")),
			want: summary{components: []string{"urn:a=pkg:npm/a@1", "urn:b=pkg:npm/b@1"}, warnings: []string{"unknown-relationship urn:r"}},
		},
		{
			name: "root from rootElement through an Sbom",
			data: graph(
				`{"type": "SpdxDocument", "spdxId": "urn:doc", "creationInfo": "_:ci", "rootElement": ["urn:sbom"]}`,
				`{"type": "software_Sbom", "spdxId": "urn:sbom", "creationInfo": "_:ci", "rootElement": ["urn:b"]}`,
				pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`),
				pkg("urn:b", `"software_packageUrl": "pkg:npm/b@2", "software_packageVersion": "2", "software_primaryPurpose": "application"`),
				rel("urn:r", "describes", "urn:doc", "urn:a")),
			want: summary{components: []string{"urn:a=pkg:npm/a@1", "urn:b=pkg:npm/b@2"}, root: "urn:b"},
			check: func(t *testing.T, doc *sbom.Document) {
				if got, want := doc.Subject, (sbom.Subject{Name: "b", Version: "2", Type: "application"}); got != want {
					t.Errorf("Subject = %+v, want %+v", got, want)
				}
			},
		},
		{
			name: "root from describes",
			data: graph(
				`{"type": "SpdxDocument", "spdxId": "urn:doc", "creationInfo": "_:ci", "rootElement": ["urn:f"]}`,
				`{"type": "software_File", "spdxId": "urn:f", "creationInfo": "_:ci"}`,
				pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`),
				pkg("urn:b", `"software_packageUrl": "pkg:npm/b@1"`),
				rel("urn:r", "describes", "urn:doc", "urn:b")),
			want: summary{components: []string{"urn:a=pkg:npm/a@1", "urn:b=pkg:npm/b@1"}, root: "urn:b"},
		},
		{
			name: "container root named as an image",
			data: graph(
				`{"type": "SpdxDocument", "spdxId": "urn:doc", "creationInfo": "_:ci", "rootElement": ["urn:img"]}`,
				pkg("urn:img", `"name": "docker.io/library/alpine:3.16", "software_primaryPurpose": "container",
					"software_packageUrl": "pkg:oci/alpine@sha256%3Aabcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789?repository_url=docker.io/library/alpine"`)),
			want: summary{components: []string{"urn:img=pkg:oci/alpine@sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789?repository_url=docker.io%2Flibrary%2Falpine"}, root: "urn:img"},
			check: func(t *testing.T, doc *sbom.Document) {
				want := sbom.Subject{Name: "docker.io/library/alpine", Version: "3.16", Digest: "sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", Type: "container"}
				if doc.Subject != want {
					t.Errorf("Subject = %+v, want %+v", doc.Subject, want)
				}
			},
		},
		{
			name: "no root: subject from the document name",
			data: graph(`{"type": "SpdxDocument", "spdxId": "urn:doc", "name": "ghcr.io/acme/app:v2", "creationInfo": "_:ci"}`,
				pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`)),
			want: summary{components: []string{"urn:a=pkg:npm/a@1"}},
			check: func(t *testing.T, doc *sbom.Document) {
				if got, want := doc.Subject, (sbom.Subject{Name: "ghcr.io/acme/app", Version: "v2"}); got != want {
					t.Errorf("Subject = %+v, want %+v", got, want)
				}
			},
		},
		{
			name: "supplier, originator, hashes and purpose",
			data: graph(
				`{"type": "Organization", "spdxId": "urn:org", "name": "Acme", "creationInfo": "_:ci"}`,
				`{"type": "Person", "spdxId": "urn:ann", "name": "Ann", "creationInfo": "_:ci"}`,
				pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1", "suppliedBy": "urn:org", "originatedBy": ["urn:ann"], "software_primaryPurpose": "operatingSystem",
					"verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": "AB12"}, {"type": "PackageVerificationCode", "algorithm": "sha1", "hashValue": "ffff"}, {"type": "Hash", "algorithm": "blake2b256", "hashValue": "cd34"}]`),
				pkg("urn:b", `"software_packageUrl": "pkg:npm/b@1", "originatedBy": ["urn:ann"]`),
				pkg("urn:c", `"software_packageUrl": "pkg:npm/c@1", "suppliedBy": "urn:unknown-agent"`)),
			want: summary{components: []string{"urn:a=pkg:npm/a@1", "urn:b=pkg:npm/b@1", "urn:c=pkg:npm/c@1"}, warnings: []string{"dangling-reference urn:unknown-agent"}},
			check: func(t *testing.T, doc *sbom.Document) {
				a := doc.Components[0]
				if a.Supplier != "Acme" || doc.Components[1].Supplier != "Ann" {
					t.Errorf("Suppliers = %q, %q, want Acme, Ann", a.Supplier, doc.Components[1].Supplier)
				}
				if a.Type != "operating-system" {
					t.Errorf("Type = %q, want operating-system", a.Type)
				}
				want := []sbom.Hash{{Algorithm: "BLAKE2b-256", Value: "cd34"}, {Algorithm: "SHA-256", Value: "ab12"}}
				if !slices.Equal(a.Hashes, want) {
					t.Errorf("Hashes = %v, want %v", a.Hashes, want)
				}
			},
		},
		{
			name: "licences: concluded over declared, expressions, listed and expanded",
			data: graph(
				pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`),
				pkg("urn:b", `"software_packageUrl": "pkg:npm/b@1"`),
				pkg("urn:c", `"software_packageUrl": "pkg:npm/c@1"`),
				`{"type": "simplelicensing_LicenseExpression", "spdxId": "urn:l-mit", "simplelicensing_licenseExpression": "MIT", "creationInfo": "_:ci"}`,
				`{"type": "simplelicensing_LicenseExpression", "spdxId": "urn:l-noassert", "simplelicensing_licenseExpression": "NOASSERTION", "creationInfo": "_:ci"}`,
				`{"type": "expandedlicensing_DisjunctiveLicenseSet", "spdxId": "urn:l-set", "creationInfo": "_:ci", "expandedlicensing_member": [
					"https://spdx.org/licenses/Apache-2.0",
					{"type": "expandedlicensing_OrLaterOperator", "expandedlicensing_subjectLicense": "https://spdx.org/licenses/GPL-2.0"},
					{"type": "expandedlicensing_WithAdditionOperator", "expandedlicensing_subjectExtendableLicense": "https://spdx.org/licenses/GPL-2.0-only", "expandedlicensing_subjectAddition": "https://spdx.org/licenses/Classpath-exception-2.0"}]}`,
				rel("urn:r1", "hasDeclaredLicense", "urn:a", "urn:l-mit"),
				rel("urn:r2", "hasConcludedLicense", "urn:a", "urn:l-noassert"),
				rel("urn:r3", "hasConcludedLicense", "urn:b", "urn:l-set"),
				rel("urn:r4", "hasDeclaredLicense", "urn:b", "urn:l-mit"),
				rel("urn:r5", "hasConcludedLicense", "urn:c", "https://spdx.org/licenses/MIT", "expandedlicensing_NoAssertionLicense", "urn:l-mit")),
			want: summary{components: []string{"urn:a=pkg:npm/a@1", "urn:b=pkg:npm/b@1", "urn:c=pkg:npm/c@1"}},
			check: func(t *testing.T, doc *sbom.Document) {
				var got []string
				for _, c := range doc.Components {
					got = append(got, c.Licenses)
				}
				want := []string{"MIT", "(Apache-2.0 OR GPL-2.0+ OR GPL-2.0-only WITH Classpath-exception-2.0)", "MIT"}
				if !slices.Equal(got, want) {
					t.Errorf("Licenses = %q, want %q", got, want)
				}
			},
		},
		{
			name: "licence set that contains itself",
			data: graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`),
				`{"type": "expandedlicensing_ConjunctiveLicenseSet", "spdxId": "urn:l", "creationInfo": "_:ci", "expandedlicensing_member": ["urn:l", "https://spdx.org/licenses/MIT"]}`,
				rel("urn:r", "hasConcludedLicense", "urn:a", "urn:l")),
			want: summary{components: []string{"urn:a=pkg:npm/a@1"}, warnings: []string{"invalid-field urn:l"}},
			check: func(t *testing.T, doc *sbom.Document) {
				if got := doc.Components[0].Licenses; got != "MIT" {
					t.Errorf("Licenses = %q, want MIT", got)
				}
			},
		},
		{
			name: "compacted single values, inline nodes and IRIs",
			data: []byte(`{` + ctx301 + `, "@graph": [
				{"@type": "https://spdx.org/rdf/3.0.1/terms/Core/SpdxDocument", "@id": "urn:doc", "creationInfo": {"type": "CreationInfo", "specVersion": "3.0.1", "created": "2024-05-01T10:00:00Z", "createdUsing": {"type": "Tool", "name": "handmade"}}, "rootElement": "urn:a"},
				{"type": "spdx:Software/Package", "spdxId": "urn:a", "name": "a", "software_packageUrl": "pkg:npm/a@1",
					"suppliedBy": {"type": "Organization", "name": "Inline Org"},
					"verifiedUsing": {"type": "Hash", "algorithm": "https://spdx.org/rdf/3.0.1/terms/Core/HashAlgorithm/sha1", "hashValue": "aa"}},
				{"type": "software_Package", "spdxId": "urn:b", "name": "b", "software_packageUrl": "pkg:npm/b@1"},
				{"type": "Relationship", "spdxId": "urn:r1", "relationshipType": "https://spdx.org/rdf/3.0.1/terms/Core/RelationshipType/dependsOn", "from": "urn:a", "to": "urn:b"},
				{"type": "Relationship", "spdxId": "urn:r2", "relationshipType": "contains", "from": {"@id": "urn:a"}, "to": [{"type": "ai_AIPackage", "spdxId": "urn:model", "name": "model", "software_packageUrl": "pkg:huggingface/acme/model@abc"}]}]}`),
			want: summary{
				components: []string{"urn:a=pkg:npm/a@1", "urn:b=pkg:npm/b@1", "urn:model=pkg:huggingface/acme/model@abc"},
				edges:      []string{"urn:a dependsOn urn:b", "urn:a contains urn:model"},
				root:       "urn:a",
			},
			check: func(t *testing.T, doc *sbom.Document) {
				if got := doc.Components[0].Supplier; got != "Inline Org" {
					t.Errorf("Supplier = %q, want Inline Org", got)
				}
				if got, want := doc.Components[0].Hashes, []sbom.Hash{{Algorithm: "SHA-1", Value: "aa"}}; !slices.Equal(got, want) {
					t.Errorf("Hashes = %v, want %v", got, want)
				}
				if got, want := doc.Source.Tools, []string{"handmade"}; !slices.Equal(got, want) {
					t.Errorf("Tools = %q, want %q", got, want)
				}
			},
		},
		{
			name: "properties that cannot be read",
			data: graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1", "software_packageVersion": 7`),
				pkg("urn:b", `"software_packageUrl": "pkg:npm/b@1"`),
				`{"type": "Relationship", "spdxId": "urn:r", "relationshipType": "dependsOn", "from": "urn:a", "to": [true, "urn:b"], "creationInfo": "_:ci"}`,
				`{"spdxId": "urn:untyped"}`),
			want: summary{
				components: []string{"urn:a=pkg:npm/a@1", "urn:b=pkg:npm/b@1"},
				edges:      []string{"urn:a dependsOn urn:b"},
				warnings:   []string{"invalid-field urn:a", "invalid-field urn:r", "invalid-field urn:untyped"},
			},
			check: func(t *testing.T, doc *sbom.Document) {
				if got := doc.Components[0].Version; got != "1" {
					t.Errorf("Version = %q, want 1 (from the purl, the unreadable version being left empty)", got)
				}
			},
		},
		{
			name: "package without an id",
			data: graph(`{"type": "software_Package", "name": "anon", "software_packageUrl": "pkg:npm/anon@1"}`),
			want: summary{components: []string{"=pkg:npm/anon@1"}, warnings: []string{"missing-id anon#0"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decode(t, tt.data)
			checkDocument(t, doc)
			got := summarize(doc)
			if !slices.Equal(got.components, tt.want.components) {
				t.Errorf("components = %q, want %q", got.components, tt.want.components)
			}
			if !slices.Equal(got.edges, tt.want.edges) {
				t.Errorf("edges = %q, want %q", got.edges, tt.want.edges)
			}
			if got.root != tt.want.root {
				t.Errorf("root = %q, want %q", got.root, tt.want.root)
			}
			if !slices.Equal(got.warnings, tt.want.warnings) {
				t.Errorf("warnings = %q, want %q", got.warnings, tt.want.warnings)
				for _, w := range doc.Warnings {
					t.Logf("  %s", w.Message)
				}
			}
			if tt.check != nil {
				tt.check(t, doc)
			}
		})
	}
}

// checkDocument checks what every decoded document must satisfy.
func checkDocument(t testing.TB, doc *sbom.Document) {
	t.Helper()
	if doc.Source.Format != sbom.FormatSPDX || doc.Source.Encoding != sbom.EncodingJSONLD {
		t.Errorf("Source = %s %s, want SPDX json-ld", doc.Source.Format, doc.Source.Encoding)
	}
	n := len(doc.Components)
	for _, e := range doc.Edges {
		if e.From < 0 || e.From >= n || e.To < 0 || e.To >= n {
			t.Errorf("edge %+v indexes outside the %d components", e, n)
		}
	}
	if doc.Root < -1 || doc.Root >= n {
		t.Errorf("Root = %d with %d components", doc.Root, n)
	}
	for _, w := range doc.Warnings {
		if w.Message == "" {
			t.Errorf("warning %s %q has no message", w.Code, w.ID)
		}
	}
}

func TestErrors(t *testing.T) {
	app := ingesttest.Corpus(t, appbomination)
	ciVersion := func(v string) string {
		return strings.Replace(ci, `"3.0.1"`, fmt.Sprintf("%q", v), 1)
	}
	tests := []struct {
		name    string
		data    []byte
		enc     sbom.Encoding
		limits  sbom.Limits
		wantErr error
		wantMsg string
	}{
		{"truncated", app[:20000], sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "truncated: the JSON ends at byte 20000"},
		{"truncated after the graph", app[:len(app)-3], sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, fmt.Sprintf("ends at byte %d", len(app)-3)},
		{"empty", nil, sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "ends at byte 0"},
		{"malformed", []byte(`{"@context": "x", "@graph": [{"type": "Tool" "name": "x"}]}`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "malformed JSON at byte 45: invalid character '\"' after object key:value pair"},
		{"array", []byte(` [{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}]`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "the document is a JSON array at byte 1, not a JSON-LD object"},
		{"string", []byte(`"@graph"`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "the document is a JSON string at byte 0"},
		{"no graph", []byte(`{` + ctx301 + `}`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "no @graph"},
		{"graph not a list", []byte(`{` + ctx301 + `, "@graph": {"type": "SpdxDocument"}}`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "@graph at byte 73 is a JSON object, not a list of nodes"},
		{"graph entry not an object", []byte(`{` + ctx301 + `, "@graph": [` + ci + `, "urn:x"]}`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "@graph entry 1 at byte 202 is not a node object"},
		{"trailing data", append(graph(), " {}"...), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "unexpected data after the document's closing brace at byte 203"},
		{"specVersion 3.1", []byte(`{` + ctx301 + `, "@graph": [` + ciVersion("3.1") + `]}`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrUnsupported, `specVersion "3.1" in the CreationInfo at byte 74`},
		{"SPDX 2.3 in JSON-LD", []byte(`{` + ctx301 + `, "@graph": [` + ciVersion("SPDX-2.3") + `]}`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrUnsupported, `specVersion "SPDX-2.3"`},
		{"context 3.1", []byte(`{"@context": "https://spdx.org/rdf/3.1/spdx-context.jsonld", "@graph": []}`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrUnsupported, "SPDX 3.1 (the @context is https://spdx.org/rdf/3.1/spdx-context.jsonld)"},
		{"no version anywhere", []byte(`{"@context": {"@vocab": "https://example.com/"}, "@graph": []}`), sbom.EncodingJSONLD, sbom.Limits{}, sbom.ErrInvalid, "names an SPDX 3 version"},
		{"wrong encoding", graph(), sbom.EncodingJSON, sbom.Limits{}, sbom.ErrUnsupported, `encoding "json"`},
		{"too many components", app, sbom.EncodingJSONLD, sbom.Limits{MaxComponents: 6}, sbom.ErrTooLarge, "more than 6 components"},
		{"too many bytes", app, sbom.EncodingJSONLD, sbom.Limits{MaxBytes: 1000}, sbom.ErrTooLarge, "larger than 1000 bytes"},
		{"inline nodes too deep", graph(pkg("urn:a", `"suppliedBy": {"type": "Relationship", "from": {"type": "Relationship", "from": {"type": "Relationship", "from": "urn:a"}}}`)), sbom.EncodingJSONLD, sbom.Limits{MaxDepth: 3}, sbom.ErrTooLarge, "deeper than 3 levels at byte 202"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Decode(tt.data, tt.enc, tt.limits)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decode error = %v, want %v", err, tt.wantErr)
			}
			if doc != nil {
				t.Errorf("Decode returned a document with error %v", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Decode error = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(ingesttest.Corpus(f, appbomination))
	f.Add(ingesttest.Corpus(f, syftImage))
	f.Add(graph(pkg("urn:a", `"software_packageUrl": "pkg:npm/a@1"`), pkg("urn:b", ""),
		rel("urn:r1", "dependsOn", "urn:a", "urn:b", "urn:nowhere"), rel("urn:r2", "dependsOn", "urn:b", "urn:a")))
	f.Add(graph(`{"type": "SpdxDocument", "spdxId": "urn:doc", "creationInfo": {"type": "CreationInfo", "specVersion": "3.0.1"}, "rootElement": "urn:a"}`,
		pkg("urn:a", `"suppliedBy": {"type": "Organization", "name": "x"}, "verifiedUsing": {"type": "Hash", "algorithm": "sha256", "hashValue": "ab"}`),
		`{"type": "expandedlicensing_ConjunctiveLicenseSet", "spdxId": "urn:l", "expandedlicensing_member": ["urn:l", "https://spdx.org/licenses/MIT", {"type": "expandedlicensing_OrLaterOperator", "expandedlicensing_subjectLicense": "urn:l"}]}`,
		rel("urn:r", "hasConcludedLicense", "urn:a", "urn:l")))
	f.Add([]byte(`{"@context": "https://spdx.org/rdf/3.1/spdx-context.jsonld", "@graph": []}`))
	f.Add([]byte(`[1, 2]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Decode(data, sbom.EncodingJSONLD, sbom.Limits{MaxDepth: 64, MaxComponents: 10_000})
		if err != nil {
			if doc != nil {
				t.Errorf("Decode returned a document with error %v", err)
			}
			if !errors.Is(err, sbom.ErrInvalid) && !errors.Is(err, sbom.ErrUnsupported) && !errors.Is(err, sbom.ErrTooLarge) {
				t.Errorf("Decode error %v wraps none of the sentinels", err)
			}
			return
		}
		if doc == nil {
			t.Fatal("Decode returned neither a document nor an error")
		}
		checkDocument(t, doc)
	})
}

func BenchmarkDecode(b *testing.B) {
	data := ingesttest.Corpus(b, appbomination)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	components := 0
	for b.Loop() {
		doc, err := Decode(data, sbom.EncodingJSONLD, sbom.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		components += len(doc.Components)
	}
	b.ReportMetric(float64(components)/b.Elapsed().Seconds(), "components/s")
}
