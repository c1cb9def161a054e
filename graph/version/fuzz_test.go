package version

import (
	"slices"
	"testing"

	"github.com/google/osv-scalibr/semantic"
)

// FuzzFastCompare holds the allocation-free comparisons in fast.go and the keys in key.go
// equal to osv-scalibr's comparisons, which they reimplement: for any two strings that Parse
// accepts as versions of deb, rpm, maven or the semver family, Compare must agree with
// semantic.Version.CompareStr.
func FuzzFastCompare(f *testing.F) {
	seeds := [][2]string{
		{"1.0~rc1-1", "1.0-1"}, {"1:1.0-1", "2.0-1"}, {"1.0a", "1.0.1"}, {"0.0~r131-2+deb9u1", "0.0.9+deb9u1"},
		{"1.0^git1-1", "1.0.1-1"}, {"1.0-1.el7", "1.0-1"}, {"0:1.0", "1.0"}, {"1.0-1~", "1.0-1^"},
		{"1.0.0-alpha.1", "1.0.0-alpha.beta"}, {"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3"},
		{"1.0.0-x.-1", "1.0.0-x.1"}, {"01.2.3", "1.2.3+b"}, {"1.0.0--", "1.0.0-0"}, {"1", "1.0.0-0"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	oracles := []struct {
		eco   string
		parse func(string) (semantic.Version, error)
	}{
		{"deb", func(s string) (semantic.Version, error) { return semantic.ParseDebianVersion(s) }},
		{"rpm", func(s string) (semantic.Version, error) { return semantic.ParseRedHatVersion(s), nil }},
		{"npm", func(s string) (semantic.Version, error) { return semantic.ParseSemverVersion(s), nil }},
		{"semver", func(s string) (semantic.Version, error) { return semantic.ParseSemverVersion(s), nil }},
		{"maven", func(s string) (semantic.Version, error) { return semantic.ParseMavenVersion(s), nil }},
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		// generic and intdot have no oracle; their keys must agree with their values.
		for _, eco := range []string{"generic", "intdot"} {
			va, errA := Parse(eco, a)
			vb, errB := Parse(eco, b)
			if errA != nil || errB != nil {
				continue
			}
			byValue, _ := va.val.cmp(vb.val)
			if got, _ := va.Compare(vb); got != byValue {
				t.Errorf("%s: Compare(%q, %q) = %d by key, %d by value", eco, a, b, got, byValue)
			}
		}
		for _, o := range oracles {
			va, err := Parse(o.eco, a)
			if err != nil {
				continue
			}
			vb, err := Parse(o.eco, b)
			if err != nil {
				continue
			}
			got, err := va.Compare(vb)
			if err != nil {
				t.Fatalf("%s: Compare(%q, %q): %v", o.eco, a, b, err)
			}
			oa, err := o.parse(a)
			if err != nil {
				t.Fatalf("%s: Parse accepted %q, osv-scalibr did not: %v", o.eco, a, err)
			}
			want, err := oa.CompareStr(b)
			if err != nil {
				t.Fatalf("%s: Parse accepted %q, osv-scalibr did not: %v", o.eco, b, err)
			}
			if got != want {
				t.Errorf("%s: Compare(%q, %q) = %d, osv-scalibr says %d", o.eco, a, b, got, want)
			}
			// The value comparison (fast.go) and the key comparison (key.go) agree too.
			if byValue, err := va.val.cmp(vb.val); err != nil || byValue != want {
				t.Errorf("%s: value comparison of %q and %q = %d, %v; osv-scalibr says %d", o.eco, a, b, byValue, err, want)
			}
			if back, _ := vb.Compare(va); back != -got {
				t.Errorf("%s: Compare(%q, %q) = %d but Compare(%q, %q) = %d", o.eco, a, b, got, b, a, back)
			}
		}
	})
}

// FuzzParseRange: parsing never panics, and a parsed range's String re-parses to an equal
// range; likewise for NormalizeRange and ParsePlainRange, whose results are canonical.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{
		"vers:npm/>=1.0.0|<1.2.3", "vers:maven/>=2.0.0|<2.17.1", "vers:deb/*", "vers:gem/>=2.2.0|!=2.2.1|<2.3.0",
		"vers:pypi/0.0.2|0.0.6|>=3.0.0|0.0.1", "vers:npm/>=1.0|>=2.0", "vers:lexicographic/1%202",
		"vers:deb/<1:2.38.1-5+deb12u3", "vers:golang/>=v0.0.0-20210101000000-abcdef123456|<v0.1.0",
		"vers:rpm/>=1.0^git1-1|!=1.0.1|<2", "vers:apk/>1.0_rc1-r0", "vers:example/b|a", "vers:datetime/>=2024-01-01T00:00:00Z",
		"<2.17.1", ">= 1.0, < 2", "<1.0.0 || >=2.0.0,<2.5.0 || 3.0.0", "!=1.0", "vers:npm/ | >=1 ", "VERS:NPM/=1.0.0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(what string, r Range) {
			t.Helper()
			canon := r.String()
			r2, err := ParseRange(canon)
			if err != nil {
				t.Fatalf("%s(%q) = %q, which does not re-parse: %v", what, s, canon, err)
			}
			if got := r2.String(); got != canon {
				t.Fatalf("%s(%q) = %q, re-parsed as %q", what, s, canon, got)
			}
			if r2.Ecosystem() != r.Ecosystem() || !slices.Equal(r2.Constraints(), r.Constraints()) {
				t.Fatalf("%s(%q): constraints %q re-parse as %q", what, s, r.Constraints(), r2.Constraints())
			}
			for _, v := range []string{"1.0.0", "0", s} {
				a, errA := r.Contains(v)
				b, errB := r2.Contains(v)
				if a != b || (errA == nil) != (errB == nil) {
					t.Fatalf("%s(%q): Contains(%q) = %v, %v but after re-parsing %v, %v", what, s, v, a, errA, b, errB)
				}
			}
		}
		if r, err := ParseRange(s); err == nil {
			if r.String() != s {
				t.Fatalf("ParseRange accepted %q, which is not canonical (%q)", s, r.String())
			}
			check("ParseRange", r)
		}
		if r, err := NormalizeRange(s); err == nil {
			check("NormalizeRange", r)
		}
		for _, eco := range []string{"npm", "deb", "maven", "pypi", "intdot"} {
			if r, err := ParsePlainRange(eco, s); err == nil {
				check("ParsePlainRange("+eco+")", r)
			}
		}
	})
}
