// Package version orders component versions by each ecosystem's own rules, classifies the
// change between two versions of a component, and evaluates version ranges written in the
// purl "vers" syntax or as plain operator lists.
//
// An ecosystem is a purl type ("deb", "npm", "maven", ...), the same string sbom.Component
// carries in Ecosystem; a vers range carries its own (its versioning scheme, by convention the
// purl type). The rules per ecosystem:
//
//	deb                  Debian policy / dpkg (epochs, ~ before anything, revisions)
//	rpm                  rpmvercmp (epochs, releases, ~ and ^)
//	apk, alpine          apk-tools (letters, _alpha.._p suffixes, -rN revisions)
//	npm, cargo, pub      semver 2.0 precedence (pre-releases before releases, build ignored)
//	golang               semver with or without the leading "v" (pseudo-versions are
//	                     pre-releases, "+incompatible" is build metadata); a "go" prefix as
//	                     in "go1.21.0" (the Go toolchain as a module) is accepted
//	pypi                 PEP 440 (epochs, a/b/rc, post, dev, local versions)
//	maven                Maven's ComparableVersion (qualifiers alpha < beta < milestone <
//	                     rc < snapshot < release < sp; "1.0" equals "1.0.0")
//	nuget                NuGet (four numeric parts, case-insensitive pre-release)
//	gem                  RubyGems (letters make a pre-release)
//	composer             Composer / PHP version_compare (dev < alpha < beta < RC < release < patch)
//	hackage, cran        Haskell PVP, R package_version
//	semver               strict semver 2.0 (vers scheme)
//	intdot               dot-separated integers, comparison stops at the first other character
//	lexicographic        bytewise string order (vers scheme)
//	datetime             RFC 3339 timestamps ordered by instant (vers scheme)
//	anything else        a generic semver-like order: any number of numeric parts, then a
//	                     pre-release suffix that sorts before the release ("generic",
//	                     "github", "oci", "", unknown types)
//
// Ordering follows github.com/google/osv-scalibr/semantic. For deb, rpm, maven and the semver
// family, whose osv-scalibr comparisons allocate on every call and sit on the hot path of range
// queries, this package carries allocation-free ports of the same algorithms, and for deb, rpm,
// the semver family, generic and intdot it also encodes each parsed version as a key whose
// bytewise order is the ecosystem's order; FuzzFastCompare holds both equal to osv-scalibr.
// generic, intdot, lexicographic and datetime, which osv-scalibr does not have, are
// implemented here.
//
// A version that the ecosystem's rules cannot order (an empty string, Go's "(devel)", a
// Composer branch such as "dev-main", "latest", a Maven property placeholder) is rejected with
// an error wrapping ErrInvalid rather than ordered by guesswork, so a caller can report
// "version changed, order unknown". The exact syntax accepted per ecosystem is described on
// Parse.
package version

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Errors returned by this package wrap one of them with %w and say which
// ecosystem, version or range and why; test them with errors.Is.
var (
	// ErrInvalid: a version the ecosystem's rules cannot order, or a malformed or
	// self-contradictory range.
	ErrInvalid = errors.New("invalid")
	// ErrUnsupported: an ordering was asked for where none is defined: between versions of
	// different ecosystems, or under a vers type reserved without an ordering ("example",
	// "test", "all", "none", "invalid").
	ErrUnsupported = errors.New("unsupported")
)

// Version is a version string parsed once under an ecosystem's rules. Comparing two Versions
// does not parse again, so callers that compare one version many times (range queries over
// many components) should Parse once and use Version.Compare or Range.ContainsVersion.
//
// The zero Version is invalid: comparing it returns an error wrapping ErrInvalid.
type Version struct {
	eco string
	s   *scheme
	raw string
	val value
	// key is the order-preserving key (see key.go), or "".
	key string
}

// Parse parses v as a version of ecosystem (a purl type, case-insensitive; see the package
// documentation for the rules per ecosystem). It returns an error wrapping ErrInvalid when v
// is not a version the ecosystem can order, and ErrUnsupported for a vers type reserved
// without an ordering.
//
// No version may be empty, and none but a lexicographic one may contain whitespace or control
// characters. Beyond that:
//
//   - npm, cargo, pub, golang: an optional "v" (golang also "go"), one to three dot-separated
//     numbers, then optionally "-" and a dot-separated pre-release and "+" and build metadata
//     made of [0-9A-Za-z-]. "(devel)" and branch names are invalid.
//   - semver: exactly MAJOR.MINOR.PATCH, as semver.org's grammar (no "v").
//   - nuget: one to four dot-separated numbers, then pre-release and build as above.
//   - deb: an optional numeric epoch and colon, an upstream version starting with a digit,
//     and an optional "-revision"; characters [0-9A-Za-z.+~-] (and ":" after an epoch).
//   - rpm: an optional numeric epoch and colon, then at least one letter or digit.
//   - apk: apk-tools' grammar number{.number}[letter]{_suffix[number]}[~hash][-rN].
//   - pypi: PEP 440's canonical grammar (case-insensitive, with its permitted spellings);
//     versions only pre-PEP 440 tools accepted ("legacy" versions) are invalid.
//   - maven: characters [0-9A-Za-z._+-] with at least one digit (rejects "LATEST",
//     "${project.version}").
//   - gem: RubyGems' Gem::Version pattern.
//   - composer, hackage, cran, generic and unknown types: an optional "v" (not for hackage
//     and cran) and a leading digit; hackage and cran allow only numbers separated by "."
//     (cran also "-").
//   - intdot: a leading digit. lexicographic: any printable text. datetime: RFC 3339 with
//     upper-case "T" and "Z".
func Parse(ecosystem, v string) (Version, error) {
	eco := strings.ToLower(ecosystem)
	s, err := lookup(eco)
	if err != nil {
		return Version{}, err
	}
	if v == "" {
		return Version{}, invalidVersion(eco, v, "empty")
	}
	if why := checkCommon(v); why != "" && !s.anyText {
		return Version{}, invalidVersion(eco, v, why)
	}
	if why := s.check(v); why != "" {
		return Version{}, invalidVersion(eco, v, why)
	}
	val, err := s.parse(v)
	if err != nil {
		// The check above is stricter than every parser, so this is a defect of the check;
		// still report it as an invalid version rather than panic.
		return Version{}, fmt.Errorf("%w: %s version %q: %v", ErrInvalid, displayEco(eco), v, err)
	}
	return Version{eco: eco, s: s, raw: v, val: val, key: keyOf(val)}, nil
}

// Compare parses a and b as versions of ecosystem and returns -1, 0 or +1 as a is older than,
// equal to (under the ecosystem's rules, which may differ from string equality: "1.0" and
// "1.0.0" in maven) or newer than b. It returns an error wrapping ErrInvalid when either
// version cannot be ordered (see Parse), and ErrUnsupported for a vers type reserved without
// an ordering.
func Compare(ecosystem, a, b string) (int, error) {
	va, err := Parse(ecosystem, a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(ecosystem, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb)
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than w. It returns an
// error wrapping ErrInvalid when either is the zero Version, and ErrUnsupported when they were
// parsed under different rules (npm against deb, say); ecosystems that share the generic rules
// ("github", "oci", unknown types) compare with one another.
func (v Version) Compare(w Version) (int, error) {
	if v.s == nil || w.s == nil {
		return 0, fmt.Errorf("%w: comparing the zero Version", ErrInvalid)
	}
	if v.s != w.s {
		return 0, fmt.Errorf("%w: no ordering between %s version %q and %s version %q",
			ErrUnsupported, displayEco(v.eco), v.raw, displayEco(w.eco), w.raw)
	}
	c, err := v.compareFast(w)
	if err != nil {
		return 0, fmt.Errorf("%w: comparing %s versions %q and %q: %v", ErrInvalid, displayEco(v.eco), v.raw, w.raw, err)
	}
	return c, nil
}

// String returns the version as it was given to Parse.
func (v Version) String() string { return v.raw }

// Ecosystem returns the ecosystem the version was parsed under, lower-cased as given to Parse.
func (v Version) Ecosystem() string { return v.eco }

// IsZero reports whether v is the zero Version (not the result of a successful Parse).
func (v Version) IsZero() bool { return v.s == nil }

// compareFast is Compare for two Versions known to be valid and of the same scheme.
func (v Version) compareFast(w Version) (int, error) { return cmpVersions(&v, &w) }

// cmpVersions compares two valid Versions of the same scheme by key when both have one.
func cmpVersions(v, w *Version) (int, error) {
	if v.key != "" && w.key != "" {
		return strings.Compare(v.key, w.key), nil
	}
	return v.val.cmp(w.val)
}

func invalidVersion(eco, v, why string) error {
	return fmt.Errorf("%w: %s version %q: %s", ErrInvalid, displayEco(eco), v, why)
}

func displayEco(eco string) string {
	if eco == "" {
		return "generic (no ecosystem)"
	}
	return eco
}

// checkCommon applies the rules every ecosystem shares: not empty, printable ASCII or UTF-8
// without whitespace or control characters.
func checkCommon(v string) string {
	if v == "" {
		return "empty"
	}
	for _, r := range v {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return "contains whitespace"
		case r < 0x20 || r == 0x7f:
			return "contains a control character"
		case r == 0xfffd:
			return "not valid UTF-8"
		}
	}
	return ""
}
