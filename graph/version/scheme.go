package version

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/osv-scalibr/semantic"
)

// value is a parsed version that orders against values of the same scheme.
type value interface {
	cmp(other value) (int, error)
}

// scheme is one ecosystem's versioning rules.
type scheme struct {
	// name is the scheme's own name, for tests and messages.
	name string
	// check returns why v is not a version of this scheme, or "" when it is. It runs after
	// checkCommon.
	check func(v string) string
	// parse parses a version that passed check.
	parse func(v string) (value, error)
	// release extracts the numeric release components Classify reports levels from.
	release func(v string) release
	// level maps the index of the first differing release component to a Level.
	level func(i int) Level
	// anyText is set for schemes whose versions may be any non-empty text (lexicographic).
	anyText bool
}

// release is the part of a version Classify reads: an epoch (compared numerically) and the
// leading numeric components, as digit strings without leading zeros.
type release struct {
	epoch string
	nums  []string
	// ok is false for schemes without numeric structure (lexicographic, datetime).
	ok bool
}

var (
	schemeDeb     = &scheme{name: "deb", check: checkDeb, parse: parseDeb, release: releaseDeb, level: semverLevel}
	schemeRPM     = &scheme{name: "rpm", check: checkRPM, parse: parseRPM, release: releaseRPM, level: semverLevel}
	schemeAPK     = &scheme{name: "apk", check: checkAPK, parse: parseAPK, release: releaseNumeric(""), level: semverLevel}
	schemeNPM     = &scheme{name: "npm", check: checkSemverFamily("v", 3), parse: parseSemverFamily(""), release: releaseNumeric("v"), level: semverLevel}
	schemeCargo   = &scheme{name: "cargo", check: checkSemverFamily("v", 3), parse: parseSemverFamily(""), release: releaseNumeric("v"), level: semverLevel}
	schemeGolang  = &scheme{name: "golang", check: checkGolang, parse: parseSemverFamily("go"), release: releaseGolang, level: semverLevel}
	schemeSemver  = &scheme{name: "semver", check: checkStrictSemver, parse: parseSemverFamily(""), release: releaseNumeric(""), level: semverLevel}
	schemePub     = &scheme{name: "pub", check: checkSemverFamily("v", 3), parse: parseOSV(semantic.ParsePubVersion), release: releaseNumeric("v"), level: semverLevel}
	schemeNuGet   = &scheme{name: "nuget", check: checkSemverFamily("", 4), parse: parseOSV(semantic.ParseNuGetVersion), release: releaseNumeric(""), level: semverLevel}
	schemePyPI    = &scheme{name: "pypi", check: checkPyPI, parse: parsePyPI, release: releasePyPI, level: semverLevel}
	schemeMaven   = &scheme{name: "maven", check: checkMaven, parse: parseMaven, release: releaseNumeric(""), level: semverLevel}
	schemeGem     = &scheme{name: "gem", check: checkGem, parse: parseOSV(semantic.ParseRubyGemsVersion), release: releaseNumeric(""), level: semverLevel}
	schemeCompose = &scheme{name: "composer", check: checkLeadingDigit("vV"), parse: parseOSV(semantic.ParsePackagistVersion), release: releaseNumeric("vV"), level: semverLevel}
	schemeHackage = &scheme{name: "hackage", check: checkDotted("."), parse: parseHackage, release: releaseNumeric(""), level: hackageLevel}
	schemeCRAN    = &scheme{name: "cran", check: checkDotted(".-"), parse: parseCRAN, release: releaseCRAN, level: semverLevel}
	schemeIntdot  = &scheme{name: "intdot", check: checkLeadingDigit(""), parse: parseIntdot, release: releaseNumeric(""), level: semverLevel}
	schemeLex     = &scheme{name: "lexicographic", check: func(string) string { return "" }, parse: parseLex, release: noRelease, level: semverLevel, anyText: true}
	schemeTime    = &scheme{name: "datetime", check: checkDatetime, parse: parseDatetime, release: noRelease, level: semverLevel}
	schemeGeneric = &scheme{name: "generic", check: checkLeadingDigit("vV"), parse: parseGeneric, release: releaseNumeric("vV"), level: semverLevel}
)

// schemes maps purl types and vers types to their rules; anything else is generic.
var schemes = map[string]*scheme{
	"deb":           schemeDeb,
	"rpm":           schemeRPM,
	"apk":           schemeAPK,
	"alpine":        schemeAPK,
	"npm":           schemeNPM,
	"cargo":         schemeCargo,
	"golang":        schemeGolang,
	"semver":        schemeSemver,
	"pub":           schemePub,
	"nuget":         schemeNuGet,
	"pypi":          schemePyPI,
	"maven":         schemeMaven,
	"gem":           schemeGem,
	"composer":      schemeCompose,
	"hackage":       schemeHackage,
	"cran":          schemeCRAN,
	"intdot":        schemeIntdot,
	"lexicographic": schemeLex,
	"datetime":      schemeTime,
}

// SameEcosystem reports whether two ecosystem names, purl or vers types, name one ecosystem:
// equal but for case, or "alpine" (a vers type) and "apk" (the purl type).
func SameEcosystem(a, b string) bool {
	return strings.EqualFold(a, b) || canonicalEcosystem(a) == canonicalEcosystem(b)
}

func canonicalEcosystem(eco string) string {
	if strings.EqualFold(eco, "alpine") {
		return "apk"
	}
	return strings.ToLower(eco)
}

// reserved are the vers types the vers specification reserves without a version ordering.
var reserved = map[string]string{
	"example": "no version ordering is defined for the reserved vers type \"example\"",
	"test":    "no version ordering is defined for the reserved vers type \"test\"",
	"invalid": "the vers type \"invalid\" is reserved for intentionally invalid ranges",
	"all":     "the vers type \"all\" has no versions to order (only vers:all/* is valid)",
	"none":    "the vers type \"none\" has no versions to order (only vers:none/* is valid)",
}

// lookup returns the scheme for a lower-cased ecosystem.
func lookup(eco string) (*scheme, error) {
	if s, ok := schemes[eco]; ok {
		return s, nil
	}
	if why, ok := reserved[eco]; ok {
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, why)
	}
	return schemeGeneric, nil
}

// ---- checks ----

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }

// allBytes reports whether every byte of s satisfies ok.
func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// scanNumbers returns the length of the prefix of s made of digit runs separated by single
// separator bytes from seps, and how many runs it holds. A separator not followed by a digit
// ends the prefix before it.
func scanNumbers(s, seps string) (n, runs int) {
	i := 0
	for {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i {
			return n, runs
		}
		runs++
		n = j
		if j+1 < len(s) && strings.IndexByte(seps, s[j]) >= 0 && isDigit(s[j+1]) {
			i = j + 1
			continue
		}
		return n, runs
	}
}

// checkIdentifiers checks a dot-separated list of non-empty [0-9A-Za-z-] identifiers.
func checkIdentifiers(s string) bool {
	if s == "" {
		return false
	}
	for _, id := range strings.Split(s, ".") {
		if id == "" || !allBytes(id, func(c byte) bool { return isAlnum(c) || c == '-' }) {
			return false
		}
	}
	return true
}

// checkSemverTail checks an optional "-pre-release" then an optional "+build".
func checkSemverTail(rest string) string {
	if rest == "" {
		return ""
	}
	pre, build, hasBuild := strings.Cut(rest, "+")
	if pre != "" {
		if pre[0] != '-' || !checkIdentifiers(pre[1:]) {
			return "the numbers must be followed by \"-\" and a pre-release of [0-9A-Za-z-] identifiers, or by \"+\" and build metadata"
		}
	}
	if hasBuild && !checkIdentifiers(build) {
		return "build metadata after \"+\" must be [0-9A-Za-z-] identifiers separated by dots"
	}
	return ""
}

// checkSemverFamily checks an optional prefix letter from prefixes, one to maxParts
// dot-separated numbers, and the semver tail.
func checkSemverFamily(prefixes string, maxParts int) func(string) string {
	return func(v string) string {
		s := v
		if s != "" && strings.IndexByte(prefixes, s[0]) >= 0 {
			s = s[1:]
		}
		n, runs := scanNumbers(s, ".")
		if runs == 0 {
			return "does not start with a number"
		}
		if runs > maxParts {
			return fmt.Sprintf("has more than %d numeric parts", maxParts)
		}
		return checkSemverTail(s[n:])
	}
}

func checkGolang(v string) string {
	s := v
	if strings.HasPrefix(s, "go") && len(s) > 2 && isDigit(s[2]) {
		s = s[2:]
	}
	return checkSemverFamily("v", 3)(s)
}

// checkStrictSemver checks semver.org's grammar: MAJOR.MINOR.PATCH without leading zeros,
// then the tail.
func checkStrictSemver(v string) string {
	n, runs := scanNumbers(v, ".")
	if runs != 3 {
		return "is not MAJOR.MINOR.PATCH"
	}
	for _, p := range strings.Split(v[:n], ".") {
		if len(p) > 1 && p[0] == '0' {
			return "has a numeric part with a leading zero"
		}
	}
	return checkSemverTail(v[n:])
}

func checkLeadingDigit(prefixes string) func(string) string {
	return func(v string) string {
		s := v
		if len(s) > 1 && strings.IndexByte(prefixes, s[0]) >= 0 {
			s = s[1:]
		}
		if !isDigit(s[0]) {
			return "does not start with a digit"
		}
		return ""
	}
}

// checkDotted checks numbers separated by single bytes from seps and nothing else.
func checkDotted(seps string) func(string) string {
	return func(v string) string {
		n, runs := scanNumbers(v, seps)
		if runs == 0 || n != len(v) {
			return fmt.Sprintf("is not numbers separated by %q", seps)
		}
		return ""
	}
}

// checkDeb follows Debian policy 5.6.12: [epoch:]upstream[-revision].
func checkDeb(v string) string {
	s := v
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if i == 0 || !allBytes(s[:i], isDigit) {
			return "the epoch before \":\" is not a number"
		}
		s = s[i+1:]
	}
	upstream, revision := s, ""
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		upstream, revision = s[:i], s[i+1:]
		if revision == "" {
			return "the revision after the last \"-\" is empty"
		}
		if !allBytes(revision, func(c byte) bool { return isAlnum(c) || c == '.' || c == '+' || c == '~' }) {
			return "the revision may only hold [0-9A-Za-z.+~]"
		}
	}
	if upstream == "" || !isDigit(upstream[0]) {
		return "the upstream version does not start with a digit"
	}
	if !allBytes(upstream, func(c byte) bool {
		return isAlnum(c) || c == '.' || c == '+' || c == '~' || c == '-' || c == ':'
	}) {
		return "the upstream version may only hold [0-9A-Za-z.+~-:]"
	}
	return ""
}

func checkRPM(v string) string {
	if !allBytes(v, func(c byte) bool { return c > 0x20 && c < 0x7f }) {
		return "is not printable ASCII"
	}
	s := v
	if e, rest, ok := strings.Cut(s, ":"); ok && allBytes(e, isDigit) {
		s = rest
	}
	vr, _, _ := strings.Cut(s, "-")
	for i := 0; i < len(vr); i++ {
		if isAlnum(vr[i]) {
			return ""
		}
	}
	return "the version part holds no letter or digit"
}

// checkAPK follows apk-tools: number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}.
func checkAPK(v string) string {
	n, runs := scanNumbers(v, ".")
	if runs == 0 {
		return "does not start with a number"
	}
	s := v[n:]
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		s = s[1:]
	}
	for strings.HasPrefix(s, "_") {
		j := 1
		for j < len(s) && 'a' <= s[j] && s[j] <= 'z' {
			j++
		}
		switch s[1:j] {
		case "alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p":
		default:
			return fmt.Sprintf("unknown suffix %q", "_"+s[1:j])
		}
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		s = s[j:]
	}
	if strings.HasPrefix(s, "~") {
		j := 1
		for j < len(s) && (isDigit(s[j]) || 'a' <= s[j] && s[j] <= 'f') {
			j++
		}
		if j == 1 {
			return "\"~\" is not followed by a lower-case hex commit hash"
		}
		s = s[j:]
	}
	if strings.HasPrefix(s, "-r") && allBytes(s[2:], isDigit) {
		s = ""
	}
	if s != "" {
		return fmt.Sprintf("unexpected %q (want number{.number}[letter]{_suffix[number]}[~hash][-rN])", s)
	}
	return ""
}

// checkPyPI accepts PEP 440's grammar with its permitted spellings (Appendix B), without
// surrounding whitespace.
func checkPyPI(v string) string {
	s := strings.ToLower(v)
	i := 0
	if i < len(s) && s[i] == 'v' {
		i++
	}
	// epoch
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j < len(s) && s[j] == '!' && j > i {
		i = j + 1
	}
	n, runs := scanNumbers(s[i:], ".")
	if runs == 0 {
		return "does not start with a release number (PEP 440)"
	}
	i += n
	sep := func() {
		if i < len(s) && (s[i] == '.' || s[i] == '-' || s[i] == '_') {
			i++
		}
	}
	word := func(words ...string) bool {
		for _, w := range words {
			if strings.HasPrefix(s[i:], w) {
				i += len(w)
				return true
			}
		}
		return false
	}
	num := func() {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	try := func(f func() bool) {
		save := i
		if !f() {
			i = save
		}
	}
	// pre-release: [-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?N?
	try(func() bool {
		sep()
		if !word("alpha", "beta", "preview", "pre", "rc", "a", "b", "c") {
			return false
		}
		save := i
		sep()
		if i < len(s) && isDigit(s[i]) {
			num()
		} else {
			i = save
		}
		return true
	})
	// post-release: -N | [-_.]?(post|rev|r)[-_.]?N?
	try(func() bool {
		if i+1 < len(s) && s[i] == '-' && isDigit(s[i+1]) {
			i++
			num()
			return true
		}
		sep()
		if !word("post", "rev", "r") {
			return false
		}
		save := i
		sep()
		if i < len(s) && isDigit(s[i]) {
			num()
		} else {
			i = save
		}
		return true
	})
	// dev-release: [-_.]?dev[-_.]?N?
	try(func() bool {
		sep()
		if !word("dev") {
			return false
		}
		save := i
		sep()
		if i < len(s) && isDigit(s[i]) {
			num()
		} else {
			i = save
		}
		return true
	})
	// local version: +[a-z0-9]+([-_.][a-z0-9]+)*
	if i < len(s) && s[i] == '+' {
		i++
		start := true
		for i < len(s) {
			c := s[i]
			switch {
			case isDigit(c) || 'a' <= c && c <= 'z':
				start = false
			case (c == '.' || c == '-' || c == '_') && !start:
				start = true
			default:
				return fmt.Sprintf("invalid local version label at %q", s[i:])
			}
			i++
		}
		if start {
			return "empty or unterminated local version label"
		}
	}
	if i != len(s) {
		return fmt.Sprintf("unexpected %q (not a PEP 440 version)", v[i:])
	}
	return ""
}

func checkMaven(v string) string {
	digit := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isDigit(c):
			digit = true
		case isLetter(c) || c == '.' || c == '-' || c == '_' || c == '+':
		default:
			return fmt.Sprintf("contains %q (only [0-9A-Za-z._+-] are allowed)", c)
		}
	}
	if !digit {
		return "holds no digit"
	}
	return ""
}

// checkGem follows Gem::Version's ANCHORED_VERSION_PATTERN:
// [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
func checkGem(v string) string {
	main, pre, hasPre := strings.Cut(v, "-")
	parts := strings.Split(main, ".")
	if parts[0] == "" || !allBytes(parts[0], isDigit) {
		return "does not start with a number"
	}
	for _, p := range parts[1:] {
		if p == "" || !allBytes(p, isAlnum) {
			return "segments after the first must be non-empty [0-9A-Za-z]"
		}
	}
	if hasPre && !checkIdentifiers(pre) {
		return "the part after \"-\" must be [0-9A-Za-z-] segments"
	}
	return ""
}

func checkDatetime(v string) string {
	if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
		return "is not an RFC 3339 timestamp with upper-case T and Z"
	}
	return ""
}

// ---- parsers ----

type osvValue struct{ v semantic.Version }

func (a osvValue) cmp(b value) (int, error) { return a.v.Compare(b.(osvValue).v) }

func parseOSV[T semantic.Version](f func(string) T) func(string) (value, error) {
	return func(v string) (value, error) { return osvValue{f(v)}, nil }
}

// parseOSVChecked adapts an osv-scalibr parser that can fail.
func parseOSVChecked[T semantic.Version](f func(string) (T, error)) func(string) (value, error) {
	return func(v string) (value, error) {
		p, err := f(v)
		if err != nil {
			return nil, err
		}
		return osvValue{p}, nil
	}
}

var (
	parsePyPI    = parseOSVChecked(semantic.ParsePyPIVersion)
	parseAPK     = parseOSVChecked(semantic.ParseAlpineVersion)
	parseHackage = parseOSVChecked(semantic.ParseHackageVersion)
	parseCRAN    = parseOSVChecked(semantic.ParseCRANVersion)
)

type lexValue string

func (a lexValue) cmp(b value) (int, error) {
	return strings.Compare(string(a), string(b.(lexValue))), nil
}

func parseLex(v string) (value, error) { return lexValue(v), nil }

type timeValue struct{ t time.Time }

func (a timeValue) cmp(b value) (int, error) { return a.t.Compare(b.(timeValue).t), nil }

func parseDatetime(v string) (value, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, err
	}
	return timeValue{t}, nil
}

// numsValue is a list of numeric components (digit strings) compared with zero padding.
type numsValue []string

func (a numsValue) cmp(b value) (int, error) { return cmpNumLists(a, b.(numsValue)), nil }

// parseIntdot reads digit runs separated by dots up to the first other character; an empty
// run counts as zero.
func parseIntdot(v string) (value, error) {
	end := 0
	for end < len(v) && (isDigit(v[end]) || v[end] == '.') {
		end++
	}
	parts := strings.Split(strings.TrimRight(v[:end], "."), ".")
	nums := make(numsValue, len(parts))
	for i, p := range parts {
		nums[i] = trimZeros(p)
	}
	return nums, nil
}

// genericValue is the generic semver-like order: numeric components compared with zero
// padding, then a pre-release (anything after the numbers up to "+", a leading "-" or "."
// dropped) that sorts before no pre-release, compared by semver's identifier rules. Build
// metadata after "+" is ignored.
type genericValue struct {
	nums numsValue
	pre  string
}

func (a genericValue) cmp(b value) (int, error) {
	w := b.(genericValue)
	if c := cmpNumLists(a.nums, w.nums); c != 0 {
		return c, nil
	}
	return cmpPrerelease(a.pre, w.pre), nil
}

func parseGeneric(v string) (value, error) {
	s := v
	if s[0] == 'v' || s[0] == 'V' {
		s = s[1:]
	}
	n, _ := scanNumbers(s, ".")
	g := genericValue{nums: splitNums(s[:n], ".")}
	rest := s[n:]
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		rest = rest[:i]
	}
	if rest != "" && (rest[0] == '-' || rest[0] == '.') {
		rest = rest[1:]
		if rest == "" {
			// "1.0-" sorts as a pre-release with an empty identifier.
			rest = "."
		}
	}
	g.pre = rest
	return g, nil
}

// ---- shared numeric helpers ----

func trimZeros(d string) string {
	for len(d) > 1 && d[0] == '0' {
		d = d[1:]
	}
	if d == "" {
		return "0"
	}
	return d
}

// cmpDigits compares two digit strings numerically.
func cmpDigits(a, b string) int {
	for len(a) > 0 && a[0] == '0' {
		a = a[1:]
	}
	for len(b) > 0 && b[0] == '0' {
		b = b[1:]
	}
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func cmpNumLists(a, b []string) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		x, y := "0", "0"
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmpDigits(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func splitNums(s, seps string) numsValue {
	if s == "" {
		return nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
	for i, p := range parts {
		parts[i] = trimZeros(p)
	}
	return parts
}

// cmpPrerelease orders two semver pre-release strings (without the leading "-"): none sorts
// after any; identifiers compare numerically when both are digits, bytewise when neither is,
// and digits before letters; a longer list of equal identifiers sorts later. It does not
// allocate.
func cmpPrerelease(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	for {
		ai, arest, amore := strings.Cut(a, ".")
		bi, brest, bmore := strings.Cut(b, ".")
		an, bn := ai != "" && allBytes(ai, isDigit), bi != "" && allBytes(bi, isDigit)
		var c int
		switch {
		case an && bn:
			c = cmpDigits(ai, bi)
		case an:
			c = -1
		case bn:
			c = 1
		default:
			c = strings.Compare(ai, bi)
		}
		if c != 0 {
			return c
		}
		switch {
		case !amore && !bmore:
			return 0
		case !amore:
			return -1
		case !bmore:
			return 1
		}
		a, b = arest, brest
	}
}

// ---- release extraction for Classify ----

func noRelease(string) release { return release{} }

// releaseNumeric strips one leading byte from prefixes and reads the leading dotted numbers.
func releaseNumeric(prefixes string) func(string) release {
	return func(v string) release {
		s := v
		if len(s) > 1 && strings.IndexByte(prefixes, s[0]) >= 0 {
			s = s[1:]
		}
		n, _ := scanNumbers(s, ".")
		return release{nums: splitNums(s[:n], "."), ok: true}
	}
}

func releaseGolang(v string) release {
	if strings.HasPrefix(v, "go") && len(v) > 2 && isDigit(v[2]) {
		v = v[2:]
	}
	return releaseNumeric("v")(v)
}

func releaseCRAN(v string) release {
	n, _ := scanNumbers(v, ".-")
	return release{nums: splitNums(v[:n], ".-"), ok: true}
}

func releasePyPI(v string) release {
	s := strings.ToLower(v)
	s = strings.TrimPrefix(s, "v")
	var r release
	if i := strings.IndexByte(s, '!'); i > 0 && allBytes(s[:i], isDigit) {
		r.epoch, s = trimZeros(s[:i]), s[i+1:]
	}
	n, _ := scanNumbers(s, ".")
	r.nums, r.ok = splitNums(s[:n], "."), true
	return r
}

func releaseDeb(v string) release {
	var r release
	s := v
	if i := strings.IndexByte(s, ':'); i >= 0 {
		r.epoch, s = trimZeros(s[:i]), s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		s = s[:i]
	}
	n, _ := scanNumbers(s, ".")
	r.nums, r.ok = splitNums(s[:n], "."), true
	return r
}

func releaseRPM(v string) release {
	var r release
	s := v
	if e, rest, ok := strings.Cut(s, ":"); ok && allBytes(e, isDigit) {
		r.epoch, s = trimZeros(e), rest
	}
	s, _, _ = strings.Cut(s, "-")
	n, _ := scanNumbers(s, ".")
	r.nums, r.ok = splitNums(s[:n], "."), true
	return r
}

// semverLevel: the first three numeric components are major, minor and patch.
func semverLevel(i int) Level {
	switch i {
	case 0:
		return Major
	case 1:
		return Minor
	case 2:
		return Patch
	}
	return Other
}

// hackageLevel follows the Haskell PVP: A.B is the major version, C the minor; a change in
// D is reported as Patch and in later components as Other.
func hackageLevel(i int) Level {
	switch i {
	case 0, 1:
		return Major
	case 2:
		return Minor
	case 3:
		return Patch
	}
	return Other
}
