package cyclonedx

import (
	"slices"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

const digest = "sha256:cbaa390ec61abd889dfa5146a411c11717c19ef9e5e18458dbdc06439076ffe7"

func TestSubject(t *testing.T) {
	props := func(kv ...string) *[]cdx.Property {
		var ps []cdx.Property
		for i := 0; i+1 < len(kv); i += 2 {
			ps = append(ps, cdx.Property{Name: kv[i], Value: kv[i+1]})
		}
		return &ps
	}
	tests := []struct {
		name string
		c    cdx.Component
		want sbom.Subject
	}{
		{
			name: "syft image: tag in the name, digest as version",
			c:    cdx.Component{Type: cdx.ComponentTypeContainer, Name: "docker.io/library/alpine:latest", Version: digest},
			want: sbom.Subject{Name: "docker.io/library/alpine", Version: "latest", Digest: digest, Type: "container"},
		},
		{
			name: "syft image without tag",
			c:    cdx.Component{Type: cdx.ComponentTypeContainer, Name: "docker.io/library/mongo", Version: digest},
			want: sbom.Subject{Name: "docker.io/library/mongo", Digest: digest, Type: "container"},
		},
		{
			name: "registry port is not a tag",
			c:    cdx.Component{Type: cdx.ComponentTypeContainer, Name: "localhost:5000/app", Version: "1.2"},
			want: sbom.Subject{Name: "localhost:5000/app", Version: "1.2", Type: "container"},
		},
		{
			name: "digest in the name",
			c:    cdx.Component{Type: cdx.ComponentTypeContainer, Name: "ghcr.io/org/app:v2@" + digest},
			want: sbom.Subject{Name: "ghcr.io/org/app", Version: "v2", Digest: digest, Type: "container"},
		},
		{
			name: "oci purl carries digest and tag",
			c: cdx.Component{Type: cdx.ComponentTypeContainer, Name: "quarkus/mandrel",
				PackageURL: "pkg:oci/mandrel@sha256%3Acbaa390ec61abd889dfa5146a411c11717c19ef9e5e18458dbdc06439076ffe7?arch=amd64&tag=23.1"},
			want: sbom.Subject{Name: "quarkus/mandrel", Version: "23.1", Digest: digest, Type: "container"},
		},
		{
			name: "name only in the purl",
			c: cdx.Component{Type: cdx.ComponentTypeContainer,
				PackageURL: "pkg:oci/app@sha256%3Acbaa390ec61abd889dfa5146a411c11717c19ef9e5e18458dbdc06439076ffe7?repository_url=ghcr.io/org/app"},
			want: sbom.Subject{Name: "ghcr.io/org/app", Digest: digest, Type: "container"},
		},
		{
			name: "trivy tarball named by its RepoTag",
			c: cdx.Component{Type: cdx.ComponentTypeContainer, Name: "fixtures/centos-7.tar.gz",
				Properties: props(trivyRepoTag, "ghcr.io/aquasecurity/trivy-test-images:centos-7", trivyRepoDigest, "ghcr.io/aquasecurity/trivy-test-images@"+digest)},
			want: sbom.Subject{Name: "ghcr.io/aquasecurity/trivy-test-images", Version: "centos-7", Digest: digest, Type: "container"},
		},
		{
			name: "trivy RepoTag does not override a tagged name",
			c: cdx.Component{Type: cdx.ComponentTypeContainer, Name: "alpine:3.16",
				Properties: props(trivyRepoTag, "alpine:latest")},
			want: sbom.Subject{Name: "alpine", Version: "3.16", Type: "container"},
		},
		{
			name: "application with a group",
			c:    cdx.Component{Type: cdx.ComponentTypeLibrary, Group: "io.dropwizard", Name: "dropwizard-parent", Version: "1.3.15"},
			want: sbom.Subject{Name: "io.dropwizard/dropwizard-parent", Version: "1.3.15", Type: "library"},
		},
		{
			name: "npm scope as group",
			c:    cdx.Component{Type: cdx.ComponentTypeApplication, Group: "@acme", Name: "web"},
			want: sbom.Subject{Name: "@acme/web", Type: "application"},
		},
		{
			name: "version from the purl",
			c:    cdx.Component{Type: cdx.ComponentTypeApplication, Name: "app", PackageURL: "pkg:npm/app@2.0.1"},
			want: sbom.Subject{Name: "app", Version: "2.0.1", Type: "application"},
		},
		{
			name: "directory scan",
			c:    cdx.Component{Type: cdx.ComponentTypeFile, Name: "debian-app", Version: "1.0.0"},
			want: sbom.Subject{Name: "debian-app", Version: "1.0.0", Type: "file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := subject(&tt.c); got != tt.want {
				t.Errorf("subject() = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLicenses(t *testing.T) {
	id := func(s string) cdx.LicenseChoice { return cdx.LicenseChoice{License: &cdx.License{ID: s}} }
	name := func(s string) cdx.LicenseChoice { return cdx.LicenseChoice{License: &cdx.License{Name: s}} }
	expr := func(s string) cdx.LicenseChoice { return cdx.LicenseChoice{Expression: s} }
	tests := []struct {
		name string
		in   cdx.Licenses
		want string
	}{
		{"none", nil, ""},
		{"id as is", cdx.Licenses{id("LGPL-2.1+")}, "LGPL-2.1+"},
		{"name that is an id", cdx.Licenses{name("MIT")}, "MIT"},
		{"name that is an id in another case", cdx.Licenses{name("apache-2.0")}, "Apache-2.0"},
		{"name that is a deprecated id", cdx.Licenses{name("GPL-2.0")}, "GPL-2.0"},
		{"name that is an id with +", cdx.Licenses{name("GFDL-1.3+")}, "GFDL-1.3+"},
		{"free-text name", cdx.Licenses{name("Ultimate Liberty license (SLA0044)")}, "LicenseRef-Ultimate-Liberty-license--SLA0044-"},
		{"name that is an expression", cdx.Licenses{name("(MIT OR Apache-2.0)")}, "(MIT OR Apache-2.0)"},
		{"name that is an expression of an unknown id", cdx.Licenses{name("MIT OR Beerware-ish")}, "LicenseRef-MIT-OR-Beerware-ish"},
		{"syft's digest of an unidentified text", cdx.Licenses{name("sha256:FD7E4AAE7E7B05F217BCF2D02322825C360E66C52C4C2F1B28D784D6297A1C23")},
			"LicenseRef-fd7e4aae7e7b05f217bcf2d02322825c360e66c52c4c2f1b28d784d6297a1c23"},
		{"a digest too short", cdx.Licenses{name("sha256:fd7e")}, "LicenseRef-sha256-fd7e"},
		{"NOASSERTION name dropped", cdx.Licenses{name("noassertion"), id("MIT")}, "MIT"},
		{"expression", cdx.Licenses{expr("MIT OR Apache-2.0")}, "MIT OR Apache-2.0"},
		{"several, deduplicated", cdx.Licenses{id("MIT"), name("GPL"), expr("BSD-3-Clause OR MIT"), id("MIT")}, "MIT AND LicenseRef-GPL AND (BSD-3-Clause OR MIT)"},
		{"license with neither id nor name", cdx.Licenses{{License: &cdx.License{URL: "https://example.com"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &tt.in
			if tt.in == nil {
				in = nil
			}
			if got := licenses(in); got != tt.want {
				t.Errorf("licenses() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestComponentFields(t *testing.T) {
	tests := []struct {
		name string
		c    cdx.Component
		want sbom.Component
	}{
		{
			name: "syft cpes deduplicated, in order",
			c: cdx.Component{Name: "x", CPE: "cpe:2.3:a:x:x:1:*:*:*:*:*:*:*", Properties: &[]cdx.Property{
				{Name: syftCPEProperty, Value: "cpe:2.3:a:x:x:1:*:*:*:*:*:*:*"},
				{Name: "syft:package:type", Value: "apk"},
				{Name: syftCPEProperty, Value: "cpe:2.3:a:y:x:1:*:*:*:*:*:*:*"},
				{Name: syftCPEProperty, Value: " "},
			}},
			want: sbom.Component{Name: "x", CPEs: []string{"cpe:2.3:a:x:x:1:*:*:*:*:*:*:*", "cpe:2.3:a:y:x:1:*:*:*:*:*:*:*"}},
		},
		{
			name: "supplier first",
			c:    cdx.Component{Name: "x", Supplier: &cdx.OrganizationalEntity{Name: "Supplier"}, Publisher: "Publisher", Author: "Author"},
			want: sbom.Component{Name: "x", Supplier: "Supplier"},
		},
		{
			name: "then publisher",
			c:    cdx.Component{Name: "x", Supplier: &cdx.OrganizationalEntity{Name: " "}, Publisher: "Publisher", Author: "Author"},
			want: sbom.Component{Name: "x", Supplier: "Publisher"},
		},
		{
			name: "then author",
			c:    cdx.Component{Name: "x", Author: "Author", Authors: &[]cdx.OrganizationalContact{{Name: "First"}}},
			want: sbom.Component{Name: "x", Supplier: "Author"},
		},
		{
			name: "then the first named author",
			c:    cdx.Component{Name: "x", Authors: &[]cdx.OrganizationalContact{{Email: "a@example.com"}, {Name: "Second"}}},
			want: sbom.Component{Name: "x", Supplier: "Second"},
		},
		{
			name: "group, hashes, type, purl passed on",
			c: cdx.Component{BOMRef: "r", Type: cdx.ComponentTypeLibrary, Group: "org.acme", Name: "x", Version: "1", PackageURL: "pkg:maven/org.acme/x@1",
				Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA1, Value: "AB"}}},
			want: sbom.Component{LocalID: "r", Type: "library", Namespace: "org.acme", Name: "x", Version: "1", Purl: "pkg:maven/org.acme/x@1",
				Hashes: []sbom.Hash{{Algorithm: "SHA-1", Value: "AB"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := component(&tt.c, false)
			if got.LocalID != tt.want.LocalID || got.Type != tt.want.Type || got.Namespace != tt.want.Namespace ||
				got.Name != tt.want.Name || got.Version != tt.want.Version || got.Purl != tt.want.Purl ||
				got.Supplier != tt.want.Supplier || !slices.Equal(got.CPEs, tt.want.CPEs) || !slices.Equal(got.Hashes, tt.want.Hashes) {
				t.Errorf("component() = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestTools(t *testing.T) {
	tests := []struct {
		name string
		in   *cdx.ToolsChoice
		want []string
	}{
		{"none", nil, nil},
		{"legacy", &cdx.ToolsChoice{Tools: &[]cdx.Tool{{Vendor: "anchore", Name: "syft", Version: "0.58.0"}, {Name: "bare"}, {Version: "no name"}}},
			[]string{"syft 0.58.0", "bare"}},
		{"components and services", &cdx.ToolsChoice{
			Components: &[]cdx.Component{{Name: "npm", Version: "11.4.1"}, {Group: "@cyclonedx", Name: "cyclonedx-npm", Version: "3.1.0"}},
			Services:   &[]cdx.Service{{Name: "builder", Version: "2"}},
		}, []string{"npm 11.4.1", "cyclonedx-npm 3.1.0", "builder 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tools(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("tools() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSource(t *testing.T) {
	tests := []struct {
		name        string
		data        string
		wantCreated time.Time
		wantTools   []string
	}{
		{
			name:        "json legacy tools, zoned timestamp",
			data:        `{"bomFormat": "CycloneDX", "specVersion": "1.4", "serialNumber": "urn:uuid:1", "metadata": {"timestamp": "2022-10-07T10:41:07-04:00", "tools": [{"name": "syft", "version": "0.58.0"}]}, "components": []}`,
			wantCreated: time.Date(2022, 10, 7, 14, 41, 7, 0, time.UTC),
			wantTools:   []string{"syft 0.58.0"},
		},
		{
			name:        "xml 1.5 tool components, timestamp without zone",
			data:        `<bom xmlns="http://cyclonedx.org/schema/bom/1.5" serialNumber="urn:uuid:1" version="1"><metadata><timestamp>2024-01-02T03:04:05</timestamp><tools><components><component type="application"><name>cdxgen</name><version>10.0</version></component></components><services><service><name>ci</name></service></services></tools></metadata></bom>`,
			wantCreated: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
			wantTools:   []string{"cdxgen 10.0", "ci"},
		},
		{
			name:        "xml declared ISO-8859-1",
			data:        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.3\" serialNumber=\"urn:uuid:1\" version=\"1\"><metadata><tools><tool><name>caf\xe9</name></tool></tools></metadata></bom>",
			wantCreated: time.Time{},
			wantTools:   []string{"café"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decode(t, []byte(tt.data))
			if !doc.Source.Created.Equal(tt.wantCreated) {
				t.Errorf("Created = %v, want %v", doc.Source.Created, tt.wantCreated)
			}
			if !slices.Equal(doc.Source.Tools, tt.wantTools) {
				t.Errorf("Tools = %q, want %q", doc.Source.Tools, tt.wantTools)
			}
			if doc.Source.Namespace != "urn:uuid:1" || doc.Source.Format != sbom.FormatCycloneDX {
				t.Errorf("Source = %+v", doc.Source)
			}
		})
	}
}
