package spdx3

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestTypeTerm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"software_Package", "software_Package"},
		{"Relationship", "Relationship"},
		{"https://spdx.org/rdf/3.0.1/terms/Software/Package", "software_Package"},
		{"https://spdx.org/rdf/3.0.0/terms/Core/SpdxDocument", "SpdxDocument"},
		{"spdx:ExpandedLicensing/NoAssertionLicense", "expandedlicensing_NoAssertionLicense"},
		{"https://spdx.org/rdf/3.0.1/terms/Core/NoneElement", "NoneElement"},
		{" Tool ", "Tool"},
		{"https://example.com/terms/Package", "https://example.com/terms/Package"},
	}
	for _, tt := range tests {
		if got := typeTerm(tt.in); got != tt.want {
			t.Errorf("typeTerm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValueTerm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"dependsOn", "dependsOn"},
		{"https://spdx.org/rdf/3.0.1/terms/Core/RelationshipType/dependsOn", "dependsOn"},
		{"spdx:Core/HashAlgorithm/sha256", "sha256"},
		{"https://example.com/x/y", "https://example.com/x/y"},
	}
	for _, tt := range tests {
		if got := valueTerm(tt.in); got != tt.want {
			t.Errorf("valueTerm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRefsUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		ids     []string // id of each ref, "{}" for an inline node, "!kind" for a bad one
		wantErr bool
	}{
		{"one id", `"urn:a"`, []string{"urn:a"}, false},
		{"list of ids", `[ "urn:a" ,"urn:b"]`, []string{"urn:a", "urn:b"}, false},
		{"empty list", `[]`, nil, false},
		{"escaped id", `["urn:\u0061\"b"]`, []string{`urn:a"b`}, false},
		{"inline node", `{"type": "Person", "name": "x"}`, []string{"{}"}, false},
		{"mixed list", `["urn:a", {"@id": "urn:b"}, 7, null, true, [1]]`, []string{"urn:a", "{}", "!number", "!null", "!boolean", "!nested list"}, false},
		{"null", `null`, nil, false},
		{"number", `12`, []string{"!number"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				R refs `json:"r"`
			}
			err := json.Unmarshal([]byte(`{"r": `+tt.in+`}`), &v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal error = %v, want error %v", err, tt.wantErr)
			}
			var got []string
			for _, r := range v.R {
				switch {
				case r.bad != "":
					got = append(got, "!"+r.bad)
				case r.inline != nil:
					got = append(got, "{}")
				default:
					got = append(got, r.id)
				}
			}
			if !slices.Equal(got, tt.ids) {
				t.Errorf("refs = %q, want %q", got, tt.ids)
			}
		})
	}
}

func TestListUnmarshal(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`"a"`, []string{"a"}},
		{`["a", "b"]`, []string{"a", "b"}},
		{`null`, nil},
		{`[]`, []string{}},
	}
	for _, tt := range tests {
		var l list[string]
		if err := json.Unmarshal([]byte(tt.in), &l); err != nil {
			t.Fatalf("Unmarshal(%s): %v", tt.in, err)
		}
		if !slices.Equal([]string(l), tt.want) {
			t.Errorf("Unmarshal(%s) = %q, want %q", tt.in, l, tt.want)
		}
	}
}

func TestCompound(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"MIT", false},
		{"GPL-2.0-only WITH Classpath-exception-2.0", false},
		{"(MIT OR Apache-2.0)", false},
		{"MIT OR Apache-2.0", true},
		{"(MIT) and (BSD-3-Clause)", true},
	}
	for _, tt := range tests {
		if got := compound(tt.in); got != tt.want {
			t.Errorf("compound(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
