package spdx

import (
	"slices"
	"testing"
)

// TestRelationshipDirections checks what each relationship type adds to the graph, on a small
// handwritten document with packages A, B and C, the file F and the document itself.
func TestRelationshipDirections(t *testing.T) {
	packages := []string{
		pkg("SPDXRef-A", "a", "pkg:npm/a@1.0"),
		pkg("SPDXRef-B", "b", "pkg:npm/b@1.0"),
		pkg("SPDXRef-C", "c", "pkg:npm/c@1.0"),
	}
	const (
		aToB = "SPDXRef-A -dependsOn-> SPDXRef-B"
		bToA = "SPDXRef-B -dependsOn-> SPDXRef-A"
		aHas = "SPDXRef-A -contains-> SPDXRef-B"
		bHas = "SPDXRef-B -contains-> SPDXRef-A"
	)
	tests := []struct {
		name      string
		rels      []string
		wantEdges []string
		wantRoot  string
		wantWarn  []string
	}{
		{"DEPENDS_ON", []string{rel("SPDXRef-A", "DEPENDS_ON", "SPDXRef-B")}, []string{aToB}, "", nil},
		{"DEPENDENCY_OF", []string{rel("SPDXRef-A", "DEPENDENCY_OF", "SPDXRef-B")}, []string{bToA}, "", nil},
		{"BUILD_DEPENDENCY_OF", []string{rel("SPDXRef-A", "BUILD_DEPENDENCY_OF", "SPDXRef-B")}, []string{bToA}, "", nil},
		{"DEV_DEPENDENCY_OF", []string{rel("SPDXRef-A", "DEV_DEPENDENCY_OF", "SPDXRef-B")}, []string{bToA}, "", nil},
		{"OPTIONAL_DEPENDENCY_OF", []string{rel("SPDXRef-A", "OPTIONAL_DEPENDENCY_OF", "SPDXRef-B")}, []string{bToA}, "", nil},
		{"PROVIDED_DEPENDENCY_OF", []string{rel("SPDXRef-A", "PROVIDED_DEPENDENCY_OF", "SPDXRef-B")}, []string{bToA}, "", nil},
		{"RUNTIME_DEPENDENCY_OF", []string{rel("SPDXRef-A", "RUNTIME_DEPENDENCY_OF", "SPDXRef-B")}, []string{bToA}, "", nil},
		{"TEST_DEPENDENCY_OF", []string{rel("SPDXRef-A", "TEST_DEPENDENCY_OF", "SPDXRef-B")}, []string{bToA}, "", nil},
		{"STATIC_LINK", []string{rel("SPDXRef-A", "STATIC_LINK", "SPDXRef-B")}, []string{aToB}, "", nil},
		{"DYNAMIC_LINK", []string{rel("SPDXRef-A", "DYNAMIC_LINK", "SPDXRef-B")}, []string{aToB}, "", nil},
		{"CONTAINS", []string{rel("SPDXRef-A", "CONTAINS", "SPDXRef-B")}, []string{aHas}, "", nil},
		{"CONTAINED_BY", []string{rel("SPDXRef-A", "CONTAINED_BY", "SPDXRef-B")}, []string{bHas}, "", nil},
		{"package DESCRIBES package", []string{rel("SPDXRef-A", "DESCRIBES", "SPDXRef-B")}, []string{aHas}, "", nil},
		{"package DESCRIBED_BY package", []string{rel("SPDXRef-A", "DESCRIBED_BY", "SPDXRef-B")}, []string{bHas}, "", nil},
		{"document DESCRIBES package", []string{rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-B")}, nil, "SPDXRef-B", nil},
		{"package DESCRIBED_BY document", []string{rel("SPDXRef-C", "DESCRIBED_BY", "SPDXRef-DOCUMENT")}, nil, "SPDXRef-C", nil},
		{"first described package is the root", []string{
			rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-F"),
			rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-C"),
			rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-A"),
		}, nil, "SPDXRef-C", nil},
		{"lower-case type", []string{rel("SPDXRef-A", "depends_on", "SPDXRef-B")}, []string{aToB}, "", nil},
		{"RDF spelling", []string{rel("SPDXRef-A", "dependencyOf", "SPDXRef-B")}, []string{bToA}, "", nil},
		{"GENERATED_FROM adds nothing", []string{rel("SPDXRef-A", "GENERATED_FROM", "SPDXRef-B")}, nil, "", nil},
		{"other known types add nothing", []string{
			rel("SPDXRef-A", "COPY_OF", "SPDXRef-B"),
			rel("SPDXRef-A", "OTHER", "SPDXRef-B"),
			rel("SPDXRef-A", "VARIANT_OF", "SPDXRef-B"),
			rel("SPDXRef-A", "DESCENDANT_OF", "SPDXRef-B"),
			rel("SPDXRef-A", "PACKAGE_OF", "SPDXRef-B"),
			rel("SPDXRef-A", "DEPENDENCY_MANIFEST_OF", "SPDXRef-B"),
			rel("SPDXRef-A", "SPECIFICATION_FOR", "SPDXRef-B"),
		}, nil, "", nil},
		{"unknown type", []string{rel("SPDXRef-A", "DEPENDS_ON_MAYBE", "SPDXRef-B")}, nil, "", []string{"unknown-relationship DEPENDS_ON_MAYBE"}},
		{"file, document, other documents and NOASSERTION are not dangling", []string{
			rel("SPDXRef-A", "CONTAINS", "SPDXRef-F"),
			rel("SPDXRef-F", "DEPENDS_ON", "SPDXRef-A"),
			rel("SPDXRef-DOCUMENT", "CONTAINS", "SPDXRef-A"),
			rel("SPDXRef-A", "DEPENDS_ON", "DocumentRef-other:SPDXRef-X"),
			rel("SPDXRef-A", "GENERATED_FROM", "NOASSERTION"),
			rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-F"),
		}, nil, "", nil},
		{"undefined ids are dangling", []string{
			rel("SPDXRef-A", "DEPENDS_ON", "SPDXRef-Nowhere"),
			rel("SPDXRef-Elsewhere", "CONTAINS", "SPDXRef-B"),
			rel("SPDXRef-Nowhere", "GENERATED_FROM", "SPDXRef-B"),
		}, nil, "", []string{"dangling-reference SPDXRef-Nowhere", "dangling-reference SPDXRef-Elsewhere"}},
		{"duplicate relationships make one edge", []string{
			rel("SPDXRef-A", "DEPENDS_ON", "SPDXRef-B"),
			rel("SPDXRef-B", "DEPENDENCY_OF", "SPDXRef-A"),
		}, []string{aToB}, "", nil},
		{"both kinds between the same packages", []string{
			rel("SPDXRef-A", "CONTAINS", "SPDXRef-B"),
			rel("SPDXRef-A", "DEPENDS_ON", "SPDXRef-B"),
		}, []string{aToB, aHas}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decode(t, spdxJSON(packages, tt.rels...))
			if got := edges(doc); !slices.Equal(got, orEmpty(tt.wantEdges)) {
				t.Errorf("edges = %q, want %q", got, tt.wantEdges)
			}
			if got := rootID(doc); got != tt.wantRoot {
				t.Errorf("root = %q, want %q", got, tt.wantRoot)
			}
			if got := warnings(doc); !slices.Equal(got, orEmpty(tt.wantWarn)) {
				t.Errorf("warnings = %q, want %q", got, tt.wantWarn)
			}
		})
	}
}

// TestDocumentDescribes checks that JSON's documentDescribes names the root like a DESCRIBES
// relationship, and that a DESCRIBES relationship written first wins.
func TestDocumentDescribes(t *testing.T) {
	packages := []string{pkg("SPDXRef-A", "a", "pkg:npm/a@1.0"), pkg("SPDXRef-B", "b", "pkg:npm/b@1.0")}
	tests := []struct {
		name     string
		doc      []byte
		wantRoot string
	}{
		{"documentDescribes", addDescribes(spdxJSON(packages), "SPDXRef-B"), "SPDXRef-B"},
		{"DESCRIBES relationship first", addDescribes(spdxJSON(packages, rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-A")), "SPDXRef-B"), "SPDXRef-A"},
		{"documentDescribes a file only", addDescribes(spdxJSON(packages), "SPDXRef-F"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rootID(decode(t, tt.doc)); got != tt.wantRoot {
				t.Errorf("root = %q, want %q", got, tt.wantRoot)
			}
		})
	}
}

// addDescribes adds a documentDescribes list to a document written by spdxJSON.
func addDescribes(doc []byte, ids ...string) []byte {
	list := `"documentDescribes": [`
	for i, id := range ids {
		if i > 0 {
			list += ", "
		}
		list += `"` + id + `"`
	}
	return append([]byte(`{`+list+"],\n"), doc[1:]...)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestToolName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"syft-0.57.0", "syft 0.57.0"},
		{"Microsoft.SBOMTool-1.0.2", "Microsoft.SBOMTool 1.0.2"},
		{"LicenseFind-1.0", "LicenseFind 1.0"},
		{"syft-v0.42.0-bogus", "syft v0.42.0-bogus"},
		{"tools-golang-0.5.0", "tools-golang 0.5.0"},
		{"trivy", "trivy"},
		{"trivy-dev", "trivy-dev"},
		{"ko 0.12.0", "ko 0.12.0"},
		{"apko (devel)", "apko (devel)"},
		{"tern-b8e13d1780cd3a02204226bba3d0772d95da24a0", "tern-b8e13d1780cd3a02204226bba3d0772d95da24a0"},
		{"github.com/spdx/tools-golang/builder", "github.com/spdx/tools-golang/builder"},
		{"x-", "x-"},
	}
	for _, tt := range tests {
		if got := toolName(tt.in); got != tt.want {
			t.Errorf("toolName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPurpose(t *testing.T) {
	tests := []struct{ in, want string }{
		{"OPERATING_SYSTEM", "operating-system"},
		{"OPERATING-SYSTEM", "operating-system"},
		{"operatingSystem", "operating-system"},
		{"CONTAINER", "container"},
		{" LIBRARY ", "library"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := purpose(tt.in); got != tt.want {
			t.Errorf("purpose(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
