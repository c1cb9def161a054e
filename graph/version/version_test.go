package version

import (
	"errors"
	"strings"
	"testing"
)

// Ascending version lists per ecosystem: every version is older than every later one. Each
// list's comment names the rule (or document) the order comes from; versions marked "corpus"
// are real strings from /work/shared/corpus SBOMs.
var orderTests = []struct {
	eco      string
	why      string
	versions []string
}{
	{"deb", "Debian policy 5.6.12: ~ sorts before anything, even the end; a missing revision is 0; letters before non-letters; epoch first",
		[]string{"1.0~rc1", "1.0~rc1-1", "1.0", "1.0-1", "1.0-1+deb9u1", "1.0-2", "1.0a-1", "1.0.1-1", "2.0-1", "1:0.1-1", "1:1.0-1"}},
	{"deb", "corpus: libcap2, bsdutils; ~ before . after 0.0",
		[]string{"0.0~r131-2+deb9u1", "0.0.9+deb9u1", "0.23.3-2+deb9u1", "0.23.20-1ubuntu0.1", "0.23.22-1", "1:2.29.2-1+deb9u1", "1:2.38.1-5+deb12u3"}},
	{"rpm", "rpmvercmp: ~ sorts before the end, ^ after it; a longer release wins when the rest is equal; epoch first",
		[]string{"1.0~rc1-1", "1.0-1", "1.0-1.el7", "1.0-2", "1.0^git1-1", "1.0.1-1", "1:0.1-1"}},
	{"rpm", "corpus: openssl-libs (centos 7), bash (photon)",
		[]string{"1.0.2k-16.el7", "1.0.2k-19.el7", "4.2.46-31.el7", "5.0-3.ph4"}},
	{"apk", "apk-tools: _alpha < _beta < _pre < _rc < no suffix < _p; -rN after; the letter before suffixes",
		[]string{"1.0_alpha1-r0", "1.0_beta1-r0", "1.0_pre1-r0", "1.0_rc1-r0", "1.0-r0", "1.0-r1", "1.0_p1-r0", "1.0a-r0", "1.0.1-r0"}},
	{"apk", "corpus: busybox, openssl, ca-certificates",
		[]string{"1.1.1o-r0", "1.35.0-r17", "1.36.1-r27", "20211220-r0", "20220614-r4"}},
	{"npm", "semver 2.0 §11 example chain, then core increments",
		[]string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"}},
	{"npm", "corpus: pre-release 0.0.2-1 before 0.0.2; numeric, not string, order",
		[]string{"0.0.2-1", "0.0.2", "0.0.10", "0.1.43", "0.10.1", "0.10.31", "9.1.1"}},
	{"cargo", "semver 2.0 §11",
		[]string{"0.9.9", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-rc.1", "1.0.0", "1.10.0"}},
	{"pub", "semver 2.0 §11",
		[]string{"1.0.0-dev.1", "1.0.0", "1.0.1", "2.0.0-nullsafety.0", "2.0.0"}},
	{"pypi", "PEP 440, \"Summary of permitted suffixes and relative ordering\"",
		[]string{"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1"}},
	{"pypi", "PEP 440: the epoch orders first; corpus: urllib3, certifi, setuptools",
		[]string{"1.26.12", "63.2.0", "2022.9.24", "1!0.1"}},
	{"maven", "Maven version order specification: alpha < beta < milestone < rc = cr < snapshot < \"\" = ga = final < sp; unknown qualifiers after known ones",
		[]string{"1.0-alpha-1", "1.0-alpha-2", "1.0-beta-1", "1.0-milestone-1", "1.0-rc-1", "1.0-SNAPSHOT", "1.0", "1.0-sp-1", "1.0.1"}},
	{"maven", "corpus: Hibernate/Netty style .Final and .CRn, Guava -jre (unknown qualifier sorts after the release), Jetty dated",
		[]string{"7.0.0.CR1", "7.0.0.Final", "9.4.18.v20190429", "24.1.1", "24.1.1-jre"}},
	{"golang", "Go modules reference: a pseudo-version vX.Y.(Z+1)-0.yyyymmddhhmmss-hash sorts after vX.Y.Z and before vX.Y.(Z+1); v0.0.0 pseudo-versions by time",
		[]string{"v0.0.0-20150114235600-33e0aa1cb7c0", "v0.0.0-20220303212507-bbda1eaf7a17", "v0.1.0", "v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4"}},
	{"golang", "corpus: +incompatible is build metadata; the docker/cli pseudo-version is a pre-release of v20.10.3",
		[]string{"v2.1.0+incompatible", "v20.10.2", "v20.10.3-0.20220309205733-2b52f62e9627+incompatible", "v20.10.3", "v55.0.0+incompatible"}},
	{"nuget", "NuGet versioning: four numeric parts; pre-release before release (osv-scalibr nuget-versions.txt)",
		[]string{"1.0.0-BETA", "1.0.0-beta2", "1.0.0", "1.0.0.1", "1.0.1", "1.999.9999", "2.1.1"}},
	{"gem", "RubyGems: a segment with a letter makes a pre-release; segments compare numerically",
		[]string{"1.0.a", "1.0.b1", "1.0", "1.2.4.beta", "1.2.4", "3.2", "3.10"}},
	{"composer", "PHP version_compare as Composer uses it: dev < alpha < beta < RC < release < pl (php-src version_compare.phpt)",
		[]string{"1.0-dev", "1.0a1", "1.0b1", "1.0RC1", "1.0", "1.0pl1", "v1.1.10"}},
	{"hackage", "Haskell PVP: numeric components, a longer version sorts after its prefix",
		[]string{"0.11.3.0", "1.0", "1.0.0", "1.0.1.0", "2.0"}},
	{"cran", "R package_version: \".\" and \"-\" separate numbers alike",
		[]string{"0.1-1", "0.1-4", "0.2-2", "1.0", "1.0.1"}},
	{"generic", "generic semver-like: numbers compared numerically with any count of parts; a suffix is a pre-release",
		[]string{"1.0-rc1", "1.0", "1.2.3", "1.2.3.4", "11.9", "11.15"}},
	{"", "an empty ecosystem orders generically",
		[]string{"0.9", "1.0.0-beta", "1.0.0"}},
	{"github", "corpus: github versions order generically, upper-case V accepted",
		[]string{"1.7.1", "5.6.0", "V10.3.1"}},
	{"semver", "semver 2.0 §11",
		[]string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0", "2.0.0"}},
}

func TestCompareOrder(t *testing.T) {
	for _, tt := range orderTests {
		t.Run(tt.eco+"/"+tt.versions[0], func(t *testing.T) {
			for i, a := range tt.versions {
				for j, b := range tt.versions {
					want := 0
					switch {
					case i < j:
						want = -1
					case i > j:
						want = 1
					}
					got, err := Compare(tt.eco, a, b)
					if err != nil {
						t.Fatalf("Compare(%q, %q, %q): %v", tt.eco, a, b, err)
					}
					if got != want {
						t.Errorf("Compare(%q, %q, %q) = %d, want %d (%s)", tt.eco, a, b, got, want, tt.why)
					}
				}
			}
		})
	}
}

// Versions equal under their ecosystem's rules though the strings differ.
func TestCompareEqual(t *testing.T) {
	tests := []struct {
		eco, a, b, why string
	}{
		{"maven", "1.0", "1.0.0", "trailing zeros are trimmed"},
		{"maven", "1", "1.0", "osv-scalibr maven-versions.txt"},
		{"maven", "1.0.0.Final", "1.0.0", "final is the release"},
		{"maven", "1.0-ga", "1.0", "ga is the release"},
		{"maven", "1.0-CR1", "1.0-rc1", "cr equals rc"},
		{"maven", "1.0-a1", "1.0-alpha-1", "a followed by a number is alpha"},
		{"npm", "1.0.0+build.5", "1.0.0", "semver §10: build metadata is ignored"},
		{"npm", "v1.2.3", "1.2.3", "node-semver ignores a leading v"},
		{"golang", "v55.0.0+incompatible", "v55.0.0", "+incompatible is build metadata"},
		{"golang", "0.0.0-20201111095634-7098f93598fb", "v0.0.0-20201111095634-7098f93598fb", "corpus: Trivy writes Go versions without v"},
		{"golang", "go1.21.0", "v1.21.0", "the Go toolchain's own version spelling"},
		{"pypi", "1.0", "1.0.0", "PEP 440: release segments are zero-padded"},
		{"pypi", "1.0alpha1", "1.0a1", "PEP 440 normalization of alpha"},
		{"pypi", "1.0-1", "1.0.post1", "PEP 440 implicit post release"},
		{"pypi", "1.0RC1", "1.0rc1", "PEP 440 is case-insensitive"},
		{"deb", "1.0", "0:1.0-0", "a missing epoch is 0, a missing revision is 0"},
		{"rpm", "0:1.0-1", "1.0-1", "a missing epoch is 0"},
		{"apk", "1.0-r0", "1.0", "-r0 is the default revision"},
		{"nuget", "1.0.0-BETA", "1.0.0-beta", "NuGet pre-release labels are case-insensitive"},
		{"nuget", "1.0", "1.0.0.0", "missing parts are zero"},
		{"gem", "1.0.a2", "1.0.a.2", "osv-scalibr rubygems-versions.txt"},
		{"generic", "V10.3.1", "10.3.1", "a leading v or V is not part of the number"},
		{"generic", "1.0", "1.0.0", "missing parts are zero"},
		{"hackage", "0.1.0.0", "0.1.0.0", "identity"},
	}
	for _, tt := range tests {
		t.Run(tt.eco+"/"+tt.a, func(t *testing.T) {
			for _, p := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
				got, err := Compare(tt.eco, p[0], p[1])
				if err != nil || got != 0 {
					t.Errorf("Compare(%q, %q, %q) = %d, %v; want 0 (%s)", tt.eco, p[0], p[1], got, err, tt.why)
				}
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		eco, v string
	}{
		{"golang", "(devel)"}, // Go's main module built from a work tree
		{"golang", ""},
		{"golang", "latest"},
		{"npm", ""},
		{"npm", "1.0.0 "},
		{"npm", "^1.2.3"},
		{"npm", "1.2.3.4.5"},
		{"npm", "git+https://github.com/x/y"},
		{"npm", "1.0.0-"},
		{"npm", "1.0.0-beta..1"},
		{"cargo", "*"},
		{"semver", "1.2"},
		{"semver", "01.2.3"},
		{"semver", "v1.2.3"},
		{"deb", "abc"},
		{"deb", "a:1.0"},
		{"deb", "1.0-"},
		{"deb", "1.0_1"},
		{"rpm", "+_"},
		{"rpm", "1.1.α"},
		{"apk", "1.0-rx"},
		{"apk", "1.2_blah"},
		{"apk", "5.1p1-r0"}, // digits after the letter: osv-scalibr marks it invalid too
		{"pypi", "0.9-doduo"},
		{"pypi", "1.0+"},
		{"pypi", "abc"},
		{"maven", "LATEST"},
		{"maven", "${project.version}"},
		{"gem", "1beta"},
		{"gem", "1.0-"},
		{"composer", "dev-master"},
		{"composer", "dev-main"},
		{"nuget", "1.2.3.4.5"},
		{"hackage", "1.2.3-rc1"},
		{"cran", "1.a.2"},
		{"generic", "master"},
		{"oci", "sha256:1bc7e53e25de5c00ecaeca1473ab56bfaf4e39cea747edcf7db467389a287931"},
		{"", "release-1.2"},
		{"intdot", "x1"},
		{"datetime", "2024-01-01t00:00:00z"},
		{"datetime", "2024-01-01"},
		{"lexicographic", ""},
		{"generic", "1.0\n"},
		{"generic", "1.0\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.eco+"/"+tt.v, func(t *testing.T) {
			_, err := Parse(tt.eco, tt.v)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q, %q) = %v, want an error wrapping ErrInvalid", tt.eco, tt.v, err)
			}
			if errors.Is(err, ErrUnsupported) {
				t.Errorf("Parse(%q, %q) = %v, also wraps ErrUnsupported", tt.eco, tt.v, err)
			}
			if !strings.Contains(err.Error(), displayEco(tt.eco)) || !strings.Contains(err.Error(), "version") {
				t.Errorf("Parse(%q, %q) = %q; the message should name the ecosystem and the version", tt.eco, tt.v, err)
			}
			if _, err := Compare(tt.eco, tt.v, "1.0"); !errors.Is(err, ErrInvalid) {
				t.Errorf("Compare(%q, %q, 1.0) = %v, want ErrInvalid", tt.eco, tt.v, err)
			}
		})
	}
}

func TestParseUnsupported(t *testing.T) {
	for _, eco := range []string{"example", "test", "invalid", "all", "none", "EXAMPLE"} {
		t.Run(eco, func(t *testing.T) {
			if _, err := Parse(eco, "1.0.0"); !errors.Is(err, ErrUnsupported) {
				t.Errorf("Parse(%q, 1.0.0) = %v, want ErrUnsupported", eco, err)
			}
		})
	}
}

func TestVersionCompareErrors(t *testing.T) {
	npm, err := Parse("npm", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	deb, err := Parse("deb", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := npm.Compare(deb); !errors.Is(err, ErrUnsupported) {
		t.Errorf("npm.Compare(deb) = %v, want ErrUnsupported", err)
	}
	if _, err := npm.Compare(Version{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("npm.Compare(zero) = %v, want ErrInvalid", err)
	}
	// Ecosystems that share the generic rules order against one another.
	gh, _ := Parse("github", "1.0")
	oci, _ := Parse("oci", "2.0")
	if got, err := gh.Compare(oci); err != nil || got != -1 {
		t.Errorf("github 1.0 vs oci 2.0 = %d, %v; want -1", got, err)
	}
	if got, want := npm.String(), "1.0.0"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := npm.Ecosystem(), "npm"; got != want {
		t.Errorf("Ecosystem() = %q, want %q", got, want)
	}
	if !(Version{}).IsZero() || npm.IsZero() {
		t.Error("IsZero is wrong")
	}
	// Ecosystem names are case-insensitive purl types.
	if got, err := Compare("NPM", "1.0.0", "1.0.0-rc.1"); err != nil || got != 1 {
		t.Errorf("Compare(NPM) = %d, %v; want 1", got, err)
	}
}

func TestSameEcosystem(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"apk", "apk", true}, {"npm", "NPM", true}, {"alpine", "apk", true}, {"APK", "Alpine", true},
		{"apk", "deb", false}, {"alpine", "alpm", false}, {"", "generic", false},
	} {
		if got := SameEcosystem(tc.a, tc.b); got != tc.want {
			t.Errorf("SameEcosystem(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
