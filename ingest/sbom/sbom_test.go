package sbom

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParsePurl(t *testing.T) {
	for _, tc := range []struct{ in, canonical, key, version string }{
		{"pkg:npm/%40angular/core@12.0.0", "pkg:npm/%40angular/core@12.0.0", "pkg:npm/%40angular/core", "12.0.0"},
		{"pkg:PyPI/Django_Rest@3.0", "pkg:pypi/django-rest@3.0", "pkg:pypi/django-rest", "3.0"},
		{"pkg:deb/Debian/libc6@2.36-9?distro=debian-12&arch=amd64", "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12", "pkg:deb/debian/libc6", "2.36-9"},
		{"pkg:golang/github.com/Foo/Bar@v1.2.3#sub/dir", "pkg:golang/github.com/foo/bar@v1.2.3#sub/dir", "pkg:golang/github.com/foo/bar", "v1.2.3"},
		// Types written before the spec had one: syft 0.58's Alpine, syft 0.59's .NET.
		{"pkg:alpine/musl@1.2.3-r0?arch=x86_64&upstream=musl&distro=alpine-3.16.2", "pkg:apk/alpine/musl@1.2.3-r0?arch=x86_64&distro=alpine-3.16.2&upstream=musl", "pkg:apk/alpine/musl", "1.2.3-r0"},
		{"pkg:Alpine/musl", "pkg:apk/alpine/musl", "pkg:apk/alpine/musl", ""},
		{"pkg:alpine/MUSL@1", "pkg:apk/alpine/musl@1", "pkg:apk/alpine/musl", "1"},
		{"pkg:alpine/other/musl@1", "pkg:alpine/other/musl@1", "pkg:alpine/other/musl", "1"},
		{"pkg:golang/github.com/spf13/cobra@1.6.1", "pkg:golang/github.com/spf13/cobra@v1.6.1", "pkg:golang/github.com/spf13/cobra", "v1.6.1"},
		{"pkg:golang/stdlib@1.20.1", "pkg:golang/stdlib@v1.20.1", "pkg:golang/stdlib", "v1.20.1"},
		{"pkg:golang/github.com/interlynk-io/sbomqs@(devel)", "pkg:golang/github.com/interlynk-io/sbomqs@%28devel%29", "pkg:golang/github.com/interlynk-io/sbomqs", "(devel)"},
		{"pkg:dotnet/Blazored.Typeahead@4.6.0", "pkg:nuget/Blazored.Typeahead@4.6.0", "pkg:nuget/Blazored.Typeahead", "4.6.0"},
		{" pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 ", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core", "2.14.1"},
	} {
		p, err := ParsePurl(tc.in)
		if err != nil {
			t.Errorf("ParsePurl(%q): %v", tc.in, err)
			continue
		}
		if p.Canonical != tc.canonical || p.Key != tc.key || p.Version != tc.version {
			t.Errorf("ParsePurl(%q) = %q key %q version %q, want %q %q %q", tc.in, p.Canonical, p.Key, p.Version, tc.canonical, tc.key, tc.version)
		}
	}
	for _, bad := range []string{"", "pkg:///", "a-purl-1", "pkg:npm", "http://example.com/x"} {
		if _, err := ParsePurl(bad); err == nil {
			t.Errorf("ParsePurl(%q) succeeded", bad)
		}
	}
}

func TestPurlMatches(t *testing.T) {
	const stored = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12#usr/lib"
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{stored, true},
		{"pkg:deb/debian/libc6@2.36-9+deb12u3", true},
		{"pkg:deb/Debian/libc6@2.36-9%2Bdeb12u3?ARCH=amd64", true},
		{"pkg:deb/debian/libc6@2.36-9+deb12u3?distro=debian-12&arch=amd64#usr/lib", true},
		{"pkg:deb/debian/libc6@2.36-9+deb12u3?arch=", true}, // no value: no qualifier
		{"pkg:deb/debian/libc6@2.36-9+deb12u3?arch=arm64", false},
		{"pkg:deb/debian/libc6@2.36-9+deb12u3?arch=AMD64", false}, // values are case-sensitive
		{"pkg:deb/debian/libc6@2.36-9+deb12u3?epoch=1", true},     // not stated: not contradicted
		{"pkg:deb/debian/libc6@2.36-9+deb12u3?arch=amd64&distro=debian-12.4&upstream=glibc", true},
		{"pkg:deb/debian/libc6@2.36-9+deb12u3?distro=bookworm", true}, // where from, not what
		{"pkg:deb/debian/libc6@2.36-9+deb12u3#usr/bin", false},
		{"pkg:deb/debian/libc6@2.36-9", false},
		{"pkg:deb/debian/libc6", false},
		{"pkg:deb/ubuntu/libc6@2.36-9+deb12u3", false},
		{"pkg:rpm/debian/libc6@2.36-9+deb12u3", false},
	} {
		q, err := ParsePurl(tc.query)
		if err != nil {
			t.Fatalf("ParsePurl(%q): %v", tc.query, err)
		}
		p, _ := ParsePurl(stored)
		if got := q.Matches(&p); got != tc.want {
			t.Errorf("%q matches %q = %v, want %v", tc.query, stored, got, tc.want)
		}
	}
	// A purl that states neither qualifiers nor subpath contradicts none.
	q, _ := ParsePurl("pkg:npm/a@1.0.0?arch=x&checksum=sha256:ab#lib/x")
	if p, _ := ParsePurl("pkg:npm/a@1.0.0"); !q.Matches(&p) {
		t.Errorf("%q does not match %q", q.Canonical, p.Canonical)
	}
}

func TestContentKey(t *testing.T) {
	if got, want := ContentKey(" Library", "org.acme", "my lib"), "content:library/org.acme/my%20lib"; got != want {
		t.Errorf("ContentKey = %q, want %q", got, want)
	}
	if got, want := ContentKey("", "", "x"), "content:unknown//x"; got != want {
		t.Errorf("ContentKey = %q, want %q", got, want)
	}
}

func TestSortHashes(t *testing.T) {
	got := SortHashes([]Hash{{"SHA256", "AB"}, {"sha1", "01"}, {"SHA-256", "ab"}, {"MD5", ""}, {"blake2b-256", "ff"}})
	want := []Hash{{"BLAKE2b-256", "ff"}, {"SHA-1", "01"}, {"SHA-256", "ab"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SortHashes = %v, want %v", got, want)
	}
}

func TestSplitImageRef(t *testing.T) {
	digest := "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tc := range []struct{ in, name, tag, digest string }{
		{"alpine:latest", "alpine", "latest", ""},
		{"docker.io/library/alpine:3.16@" + digest, "docker.io/library/alpine", "3.16", digest},
		{"localhost:5000/app", "localhost:5000/app", "", ""},
		{"localhost:5000/app:1.0", "localhost:5000/app", "1.0", ""},
		{"app@" + digest, "app", "", digest},
	} {
		n, tag, d := SplitImageRef(tc.in)
		if n != tc.name || tag != tc.tag || d != tc.digest {
			t.Errorf("SplitImageRef(%q) = %q %q %q, want %q %q %q", tc.in, n, tag, d, tc.name, tc.tag, tc.digest)
		}
	}
}

func TestJoinLicenses(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"MIT"}, "MIT"},
		{[]string{"MIT", "NOASSERTION", "MIT", "Apache-2.0 OR BSD-3-Clause"}, "MIT AND (Apache-2.0 OR BSD-3-Clause)"},
		{[]string{"NONE", ""}, ""},
	} {
		if got := JoinLicenses(tc.in...); got != tc.want {
			t.Errorf("JoinLicenses(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, want := LicenseRef("Custom licence (v2)"), "LicenseRef-Custom-licence--v2-"; got != want {
		t.Errorf("LicenseRef = %q, want %q", got, want)
	}
}

func TestBuilder(t *testing.T) {
	b := NewBuilder(Source{}, Limits{MaxComponents: 4})
	add := func(c Component) int {
		i, err := b.Add(c)
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	add(Component{LocalID: "a", Purl: "pkg:npm/a@1"})
	add(Component{LocalID: "b", Purl: "pkg:///"})
	add(Component{LocalID: "a", Name: "dup", Type: "library"})
	add(Component{LocalID: "c", Purl: "pkg:npm/c@1"})
	if _, err := b.Add(Component{LocalID: "d"}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("fifth component: err = %v, want ErrTooLarge", err)
	}
	b.Edge("a", "b", DependsOn)
	b.Edge("b", "a", DependsOn)
	b.Edge("a", "c", Contains)
	b.Edge("c", "a", Contains) // a containment loop is not a dependency cycle
	b.Edge("a", "zz", DependsOn)
	b.Edge("a", "b", DependsOn) // duplicate edge
	d := b.Finish()
	var got []string
	for _, w := range d.Warnings {
		got = append(got, string(w.Code)+" "+w.ID)
	}
	want := []string{"invalid-purl b", "missing-purl a", "duplicate-id a", "dangling-reference zz", "cycle a"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings = %v, want %v", got, want)
	}
	if len(d.Edges) != 4 {
		t.Errorf("edges = %v, want 4 after de-duplication", d.Edges)
	}
	if d.Components[1].Key != "content:unknown//" || d.Components[2].Key != "content:library//dup" {
		t.Errorf("content keys = %q, %q", d.Components[1].Key, d.Components[2].Key)
	}
	if d.Entries() != 4 || d.Unique() != 4 {
		t.Errorf("entries %d unique %d, want 4 and 4", d.Entries(), d.Unique())
	}
}

func TestContentKeyEscapesAsPathEscape(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	for _, s := range []string{string(all), "/var/lib/dpkg/status", "@scope", "a b%c", "ünï", ""} {
		want := "content:x/" + url.PathEscape(s) + "/" + url.PathEscape(s)
		if got := ContentKey("x", s, s); got != want {
			t.Errorf("ContentKey(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestNormalizeHashAlgorithm(t *testing.T) {
	// Every CycloneDX spelling maps to itself.
	for _, v := range hashAlgorithms {
		if got := NormalizeHashAlgorithm(v); got != v {
			t.Errorf("NormalizeHashAlgorithm(%q) = %q", v, got)
		}
	}
	for in, want := range map[string]string{"sha256": "SHA-256", " SHA_1 ": "SHA-1", "blake2b-512": "BLAKE2b-512", "crc32": "CRC32", "sha-256 ": "SHA-256"} {
		if got := NormalizeHashAlgorithm(in); got != want {
			t.Errorf("NormalizeHashAlgorithm(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLowerHex(t *testing.T) {
	for c := range 256 {
		for _, at := range []int{0, 3, 7, 8, 12, 15, 16, 20} {
			b := []byte("0123456789abcdef0123")
			if at >= len(b) {
				continue
			}
			b[at] = byte(c)
			s := string(b)
			if got, want := lowerHex(s), strings.ToLower(strings.TrimSpace(s)); got != want {
				t.Fatalf("lowerHex(%q) = %q, want %q", s, got, want)
			}
		}
	}
}
