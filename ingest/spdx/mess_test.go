package spdx

import (
	"slices"
	"strings"
	"testing"
)

// TestMess checks that what real documents get wrong is read, with exactly the warnings
// expected, and never fails the document.
func TestMess(t *testing.T) {
	longID := "SPDXRef-" + strings.Repeat("x", 392)
	tests := []struct {
		name      string
		doc       []byte
		wantIDs   []string // LocalIDs of the components, in order
		wantWarn  []string
		wantEdges []string
	}{
		{
			name: "duplicate SPDXID",
			doc: spdxJSON([]string{pkg("SPDXRef-A", "a", "pkg:npm/a@1"), pkg("SPDXRef-A", "a2", "pkg:npm/a2@1"), pkg("SPDXRef-B", "b", "pkg:npm/b@1")},
				rel("SPDXRef-A", "DEPENDS_ON", "SPDXRef-B")),
			wantIDs:   []string{"SPDXRef-A", "SPDXRef-A", "SPDXRef-B"},
			wantWarn:  []string{"duplicate-id SPDXRef-A"},
			wantEdges: []string{"SPDXRef-A -dependsOn-> SPDXRef-B"},
		},
		{
			name:     "package id used by a file",
			doc:      spdxJSON([]string{pkg("SPDXRef-F", "f", "pkg:npm/f@1")}),
			wantIDs:  []string{"SPDXRef-F"},
			wantWarn: []string{"duplicate-id SPDXRef-F"},
		},
		{
			name:     "missing purl",
			doc:      spdxJSON([]string{pkg("SPDXRef-A", "a", ""), pkg("SPDXRef-B", "b", "pkg:npm/b@1")}),
			wantIDs:  []string{"SPDXRef-A", "SPDXRef-B"},
			wantWarn: []string{"missing-purl SPDXRef-A"},
		},
		{
			name:     "invalid purl",
			doc:      spdxJSON([]string{pkg("SPDXRef-A", "a", "pkg:golang/@?type=module"), pkg("SPDXRef-B", "b", "not a purl")}),
			wantIDs:  []string{"SPDXRef-A", "SPDXRef-B"},
			wantWarn: []string{"invalid-purl SPDXRef-A", "invalid-purl SPDXRef-B"},
		},
		{
			name: "two different purls",
			doc: spdxJSON([]string{`{"SPDXID": "SPDXRef-A", "name": "a", "externalRefs": [
				{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/a@1"},
				{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/a@1"},
				{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/other@1"}]}`}),
			wantIDs:  []string{"SPDXRef-A"},
			wantWarn: []string{"invalid-field SPDXRef-A"},
		},
		{
			name: "dangling relationship",
			doc: spdxJSON([]string{pkg("SPDXRef-A", "a", "pkg:npm/a@1")},
				rel("SPDXRef-A", "DEPENDS_ON", "SPDXRef-Gone")),
			wantIDs:  []string{"SPDXRef-A"},
			wantWarn: []string{"dangling-reference SPDXRef-Gone"},
		},
		{
			name: "cycle",
			doc: spdxJSON([]string{pkg("SPDXRef-A", "a", "pkg:npm/a@1"), pkg("SPDXRef-B", "b", "pkg:npm/b@1"), pkg("SPDXRef-C", "c", "pkg:npm/c@1")},
				rel("SPDXRef-A", "DEPENDS_ON", "SPDXRef-B"),
				rel("SPDXRef-B", "DEPENDS_ON", "SPDXRef-C"),
				rel("SPDXRef-A", "DEPENDENCY_OF", "SPDXRef-C")),
			wantIDs:   []string{"SPDXRef-A", "SPDXRef-B", "SPDXRef-C"},
			wantWarn:  []string{"cycle SPDXRef-A"},
			wantEdges: []string{"SPDXRef-A -dependsOn-> SPDXRef-B", "SPDXRef-B -dependsOn-> SPDXRef-C", "SPDXRef-C -dependsOn-> SPDXRef-A"},
		},
		{
			name:     "no packages",
			doc:      spdxJSON(nil, rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-F")),
			wantIDs:  []string{},
			wantWarn: []string{"empty-document "},
		},
		{
			name:     "400-character SPDXID",
			doc:      spdxJSON([]string{pkg(longID, "a", "pkg:npm/a@1")}),
			wantIDs:  []string{longID},
			wantWarn: []string{"long-id " + longID},
		},
		{
			name:     "non-ASCII SPDXID",
			doc:      spdxJSON([]string{pkg("SPDXRef-Sören", "sören", "pkg:npm/soren@1")}),
			wantIDs:  []string{"SPDXRef-Sören"},
			wantWarn: []string{"non-ascii-id SPDXRef-Sören"},
		},
		{
			name: "empty and untyped supplier and originator (apko)",
			doc: spdxJSON([]string{
				`{"SPDXID": "SPDXRef-A", "name": "a", "originator": "", "supplier": "NOASSERTION", "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:apk/alpine/a@1"}]}`,
				`{"SPDXID": "SPDXRef-B", "name": "b", "originator": "Natanael Copa <ncopa@alpinelinux.org>", "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:apk/alpine/b@1"}]}`}),
			wantIDs:  []string{"SPDXRef-A", "SPDXRef-B"},
			wantWarn: []string{"invalid-field SPDXRef-A", "invalid-field SPDXRef-B"},
		},
		{
			name: "relationship naming something that is not an SPDX id",
			doc: spdxJSON([]string{pkg("SPDXRef-A", "a", "pkg:npm/a@1"), pkg("SPDXRef-B", "b", "pkg:npm/b@1")},
				rel("SPDXRef-A", "DEPENDS_ON", "SPDXRef-B"),
				rel("SPDXRef-A", "DEPENDS_ON", "")),
			wantIDs:   []string{"SPDXRef-A", "SPDXRef-B"},
			wantWarn:  []string{"dangling-reference "},
			wantEdges: []string{"SPDXRef-A -dependsOn-> SPDXRef-B"},
		},
		{
			name: "tag-value snippet after the packages, as in the SPDX 2.3 example",
			doc: []byte(`SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: snippets
DocumentNamespace: https://example.com/snippets
Creator: Tool: handwriter-1.0
Created: 2024-01-02T03:04:05Z
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-A
PackageName: a
SPDXID: SPDXRef-A
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:npm/a@1
SnippetSPDXID: SPDXRef-Snippet
SnippetFromFileSPDXID: SPDXRef-A
SnippetByteRange: 1:2
Relationship: SPDXRef-Snippet GENERATED_FROM SPDXRef-A
`),
			wantIDs: []string{"SPDXRef-A"},
		},
		{
			name: "tag-value untyped supplier, unknown creator type, relationship to nothing",
			doc: []byte(`SPDXVersion: SPDX-2.2
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: mess
DocumentNamespace: https://example.com/mess
Creator: Robot: r2d2
Created: 2024-01-02T03:04:05Z
PackageName: a
SPDXID: SPDXRef-A
PackageSupplier: ACME Inc.
PackageOriginator:
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE_MANAGER purl pkg:npm/a@1
Relationship: SPDXRef-A DEPENDS_ON NONE
Relationship: NOASSERTION DEPENDS_ON SPDXRef-A
Relationship: SPDXRef-A DEPENDS_ON Whatever
RelationshipComment: <text>goes with the relationship
that is dropped</text>
`),
			wantIDs: []string{"SPDXRef-A"},
			wantWarn: []string{"invalid-field Creator", "invalid-field SPDXRef-A",
				"dangling-reference NOASSERTION", "dangling-reference Whatever"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decode(t, tt.doc)
			var ids []string
			for _, c := range doc.Components {
				ids = append(ids, c.LocalID)
			}
			if !slices.Equal(orEmpty(ids), tt.wantIDs) {
				t.Errorf("components = %q, want %q", ids, tt.wantIDs)
			}
			if got := warnings(doc); !slices.Equal(got, orEmpty(tt.wantWarn)) {
				t.Errorf("warnings = %q, want %q", got, tt.wantWarn)
				for _, w := range doc.Warnings {
					t.Logf("  %s", w.Message)
				}
			}
			if got := edges(doc); !slices.Equal(got, orEmpty(tt.wantEdges)) {
				t.Errorf("edges = %q, want %q", got, tt.wantEdges)
			}
		})
	}
}

// TestMapping checks the fields of one package mapped in full.
func TestMapping(t *testing.T) {
	doc := decode(t, spdxJSON([]string{`{
		"SPDXID": "SPDXRef-Package-deb-libc6", "name": "libc6", "versionInfo": "2.36-9",
		"primaryPackagePurpose": "OPERATING_SYSTEM",
		"supplier": "Organization: Debian Project <debian@lists.debian.org>",
		"originator": "Person: Someone Else",
		"licenseConcluded": "NOASSERTION", "licenseDeclared": "GPL-2.0-only AND LGPL-2.1-only",
		"checksums": [{"algorithm": "SHA256", "checksumValue": "ABCDEF0123"}, {"algorithm": "MD5", "checksumValue": "00ff"}],
		"externalRefs": [
			{"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:libc6:libc6:2.36-9:*:*:*:*:*:*:*"},
			{"referenceCategory": "SECURITY", "referenceType": "cpe22Type", "referenceLocator": "cpe:/a:libc6:libc6:2.36-9"},
			{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/libc6@2.36-9?distro=debian-12&arch=amd64"},
			{"referenceCategory": "OTHER", "referenceType": "website", "referenceLocator": "https://example.com"}]
	}`}, rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Package-deb-libc6")))
	c := doc.Components[0]
	checks := []struct{ field, got, want string }{
		{"LocalID", c.LocalID, "SPDXRef-Package-deb-libc6"},
		{"Type", c.Type, "operating-system"},
		{"Purl", c.Purl, "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12"},
		{"Key", c.Key, "pkg:deb/debian/libc6"},
		{"Name", c.Name, "libc6"},
		{"Version", c.Version, "2.36-9"},
		{"CPEs", strings.Join(c.CPEs, " "), "cpe:2.3:a:libc6:libc6:2.36-9:*:*:*:*:*:*:* cpe:/a:libc6:libc6:2.36-9"},
		{"Licenses", c.Licenses, "GPL-2.0-only AND LGPL-2.1-only"},
		{"Hashes", hashes(c.Hashes), "MD5:00ff SHA-256:abcdef0123"},
		{"Supplier", c.Supplier, "Debian Project <debian@lists.debian.org>"},
		{"Source.Name", doc.Source.Name, "handwritten"},
		{"Source.Namespace", doc.Source.Namespace, "https://example.com/handwritten"},
		{"Source.Tools", strings.Join(doc.Source.Tools, ","), "handwriter 1.0"},
		{"Source.Created", doc.Source.Created.Format("2006-01-02T15:04:05Z07:00"), "2024-01-02T03:04:05Z"},
		{"Subject.Name", doc.Subject.Name, "libc6"},
		{"Subject.Version", doc.Subject.Version, "2.36-9"},
		{"Subject.Type", doc.Subject.Type, "operating-system"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.field, ch.got, ch.want)
		}
	}
}

func TestSubject(t *testing.T) {
	tests := []struct {
		name                     string
		doc                      []byte
		wantName, wantVer, wantD string
	}{
		{
			name: "image root with digest purl",
			doc: spdxJSON([]string{pkg("SPDXRef-I", "docker.io/library/alpine:3.16", "pkg:oci/alpine@sha256%3A1304f174557314a7ed9eddb4eab12fed12cb0cd9809e4c28f29af86979a3c870?tag=3.16")},
				rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-I")),
			wantName: "docker.io/library/alpine", wantVer: "3.16",
			wantD: "sha256:1304f174557314a7ed9eddb4eab12fed12cb0cd9809e4c28f29af86979a3c870",
		},
		{
			name: "root named by its digest",
			doc: spdxJSON([]string{pkg("SPDXRef-I", "sha256:1304f174557314a7ed9eddb4eab12fed12cb0cd9809e4c28f29af86979a3c870", "")},
				rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-I")),
			wantVer: "1.0", wantD: "sha256:1304f174557314a7ed9eddb4eab12fed12cb0cd9809e4c28f29af86979a3c870",
		},
		{
			name:     "no root: the document name",
			doc:      []byte(strings.Replace(string(spdxJSON(nil)), `"name": "handwritten"`, `"name": "localhost:5000/app:v2"`, 1)),
			wantName: "localhost:5000/app", wantVer: "v2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := decode(t, tt.doc).Subject
			if s.Name != tt.wantName || s.Version != tt.wantVer || s.Digest != tt.wantD {
				t.Errorf("subject = %q %q %q, want %q %q %q", s.Name, s.Version, s.Digest, tt.wantName, tt.wantVer, tt.wantD)
			}
		})
	}
}
