package ingest

import (
	"slices"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// packageSet returns the distinct "key@version" of a document's packages: files and the
// subject's own component (CycloneDX metadata.component, the SPDX described package) left out.
func packageSet(d *sbom.Document) []string {
	var out []string
	for i, c := range d.Components {
		if c.Metadata || i == d.Root || c.Type == "file" {
			continue
		}
		out = append(out, c.Key+"@"+c.Version)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestParity decodes the same content written in two formats or encodings and checks that
// both give the same packages, apart from the documented differences of each pair.
func TestParity(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		// onlyA and onlyB are the documented differences.
		onlyA, onlyB []string
	}{
		{a: "laravel-7.12.0.cdx-1.4.json", b: "laravel-7.12.0.cdx-1.4.xml"},
		{a: "spdx-example-2.3.spdx.json", b: "spdx-example-2.3.spdx"},
		{a: "spdx-example-2.3.spdx.json", b: "spdx-example-2.3.spdx.yaml"},
		{a: "spdx-example-2.3.spdx.json", b: "spdx-example-2.3.spdx.xml"},
		{a: "demo-bundled-deps.bare.cdx-1.6.json", b: "demo-bundled-deps.flat.cdx-1.6.json"},
		{a: "proton-bridge-v1.6.3.gomod.cdx.json", b: "proton-bridge-v1.6.3.gomod.cdx-1.2.xml"},
		// One syft run written twice: identical packages (SPDX's extra DocumentRoot package is
		// its root, and CycloneDX's file components are not packages), except that syft's
		// CycloneDX adds the operating-system component its SPDX output does not have.
		{a: "big/debian-app-v1.syft.cdx.json", b: "big/debian-app-v1.syft.spdx.json", onlyA: []string{"content:operating-system//debian@12.15"}},
		{a: "big/debian-app-v4.syft.cdx.json", b: "big/debian-app-v4.syft.spdx.json", onlyA: []string{"content:operating-system//debian@12.15"}},
		// Not one scan: the CycloneDX file was made after four Ubuntu security updates, and
		// adds the operating-system component.
		{
			a: "mongo-6.0.2.syft.spdx.json", b: "mongo-6.0.2.syft.cdx.json",
			onlyA: []string{"pkg:deb/ubuntu/libpcre2-8-0@10.34-7", "pkg:deb/ubuntu/libsqlite3-0@3.31.1-4ubuntu0.3", "pkg:deb/ubuntu/libsystemd0@245.4-4ubuntu3.17", "pkg:deb/ubuntu/libudev1@245.4-4ubuntu3.17"},
			onlyB: []string{"content:operating-system//ubuntu@20.04", "pkg:deb/ubuntu/libpcre2-8-0@10.34-7ubuntu0.1", "pkg:deb/ubuntu/libsqlite3-0@3.31.1-4ubuntu0.4", "pkg:deb/ubuntu/libsystemd0@245.4-4ubuntu3.18", "pkg:deb/ubuntu/libudev1@245.4-4ubuntu3.18"},
		},
	} {
		t.Run(tc.a+" vs "+tc.b, func(t *testing.T) {
			a, b := packageSet(decode(t, ingesttest.Corpus(t, tc.a))), packageSet(decode(t, ingesttest.Corpus(t, tc.b)))
			onlyA, onlyB := minus(a, b), minus(b, a)
			if !slices.Equal(onlyA, tc.onlyA) || !slices.Equal(onlyB, tc.onlyB) {
				t.Errorf("only in %s: %v (want %v)\nonly in %s: %v (want %v)", tc.a, onlyA, tc.onlyA, tc.b, onlyB, tc.onlyB)
			}
			if len(a) == 0 {
				t.Error("no packages compared")
			}
		})
	}
}

// minus returns the sorted elements of a not in b.
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}
