package sbom

import "testing"

// FuzzParsePurl checks that a canonical purl is a fixed point: stores keep components under
// their canonical purl and canonicalise a query the same way, so parsing the canonical form
// again must give it back, with the same key, and a purl must match itself.
func FuzzParsePurl(f *testing.F) {
	for _, s := range []string{
		"pkg:npm/%40angular/core@12.0.0",
		"pkg:deb/Debian/libc6@2.36-9?distro=debian-12&arch=amd64",
		"pkg:golang/github.com/Foo/Bar@v1.2.3#sub/dir",
		"pkg:alpine/musl@1.2.3-r0?arch=x86_64&upstream=musl&distro=alpine-3.16.2",
		"pkg:dotnet/Blazored.Typeahead@4.6.0",
		"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
		"pkg:pypi/Django_Rest@3.0",
		"pkg:rpm/centos/openssl-libs@1:1.0.2k-19.el7?arch=x86_64&epoch=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePurl(s)
		if err != nil {
			return
		}
		q, err := ParsePurl(p.Canonical)
		if err != nil {
			t.Fatalf("ParsePurl(%q) = %q, which does not parse: %v", s, p.Canonical, err)
		}
		if q.Canonical != p.Canonical || q.Key != p.Key || q.Version != p.Version {
			t.Fatalf("ParsePurl(%q) = %q key %q; parsed again %q key %q", s, p.Canonical, p.Key, q.Canonical, q.Key)
		}
		if !p.Matches(&q) {
			t.Fatalf("%q does not match itself", p.Canonical)
		}
	})
}
