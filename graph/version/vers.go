package version

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// op is a vers comparator.
type op uint8

const (
	opEq op = iota // a bare version
	opNe
	opLt
	opLe
	opGt
	opGe
)

var opText = [...]string{opEq: "", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">="}

func (o op) lower() bool { return o == opGt || o == opGe }
func (o op) upper() bool { return o == opLt || o == opLe }

// constraint is one comparator and version of a range.
type constraint struct {
	op  op
	raw string  // the version, percent-decoded
	v   Version // zero for the reserved types "example" and "test"
}

// Range is a set of versions of one ecosystem, as a vers range specifier describes it: a
// sorted list of constraints whose versions are unique under the ecosystem's order (see the
// vers specification, github.com/package-url/vers-spec). Build one with ParseRange,
// NormalizeRange or ParsePlainRange; the zero Range is invalid and contains nothing.
type Range struct {
	eco  string
	star bool
	cons []constraint
	// bounds indexes the constraints whose comparator is <, <=, > or >=.
	bounds []int
	// onlyNe is set when every constraint is "!=".
	onlyNe bool
}

// Constraint is one comparator and version of a Range.
type Constraint struct {
	// Comparator is "" for equality, or one of "!=", "<", "<=", ">", ">=", or "*" for the
	// range of all versions.
	Comparator string
	// Version is the version, percent-decoded; empty for "*".
	Version string
}

// ParseRange parses a vers range specifier in canonical form, such as
// "vers:npm/>=1.0.0|<1.2.3", "vers:maven/>=2.0.0|<2.17.1", "vers:deb/*" or
// "vers:gem/>=2.2.0|!=2.2.1|<2.3.0", following the vers specification's parsing and
// validation rules: the scheme "vers" and the type in lower case; no whitespace; no leading,
// trailing or doubled "|"; equality written as a bare version (a leading "=" is an error);
// "*" alone; versions percent-encoded where they hold one of <>=!*|% or whitespace, and
// nowhere else, with upper-case hex; every version valid for the type (see Parse); the
// constraints sorted by version with no version twice (equal under the type's order counts as
// twice); and the comparators in an order that describes disjoint intervals (ignoring "!=",
// a version is followed only by a version, ">" or ">="; ignoring "!=" and versions, "<"/"<="
// and ">"/">=" alternate).
//
// The type is the ecosystem whose rules order the versions (see Parse; an unknown type orders
// generically). The reserved types parse as the specification says: "example" and "test"
// parse (their constraints are not sorted or checked, having no order) but Contains fails;
// "all" and "none" accept only "*"; "invalid" never parses.
//
// It returns an error wrapping ErrInvalid that says what is wrong, and for input that is only
// out of canonical form (unsorted, spaced, an "=" comparator) also the canonical form;
// NormalizeRange accepts such input.
func ParseRange(s string) (Range, error) {
	r, err := parseVers(s, false)
	if err != nil && errors.Is(err, errNotCanonical) {
		if n, nerr := parseVers(s, true); nerr == nil {
			return Range{}, fmt.Errorf("%w (canonical form: %s)", err, n.String())
		}
	}
	return r, err
}

// NormalizeRange parses a vers range specifier that may be out of canonical form and returns
// it as a canonical Range, as the vers test suite's "validate" tests do: it removes
// whitespace, lower-cases the scheme and type, drops empty constraints between pipes, accepts
// "=" and "==" for equality and any valid percent-encoding, and sorts the constraints by
// version. It still rejects, with an error wrapping ErrInvalid, everything ParseRange rejects
// for meaning rather than form: invalid versions, duplicate versions, "*" with other
// constraints, an unknown comparator, and comparator sequences that are not disjoint
// intervals. It does not simplify redundant constraints.
func NormalizeRange(s string) (Range, error) {
	return parseVers(s, true)
}

// errNotCanonical marks errors that NormalizeRange would repair.
var errNotCanonical = errors.New("not in canonical form")

type rangeError struct {
	input string
	why   string
	canon bool
}

func (e *rangeError) Error() string {
	return fmt.Sprintf("%s: range %q: %s", ErrInvalid, e.input, e.why)
}

func (e *rangeError) Is(target error) bool {
	return target == ErrInvalid || (e.canon && target == errNotCanonical)
}

// reason is err's message without the "invalid: " of ErrInvalid, for quoting inside another
// ErrInvalid message.
func reason(err error) string {
	return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
}

func badRange(input, format string, args ...any) error {
	return &rangeError{input: input, why: fmt.Sprintf(format, args...)}
}

func nonCanonical(input, format string, args ...any) error {
	return &rangeError{input: input, why: fmt.Sprintf(format, args...), canon: true}
}

func parseVers(input string, lenient bool) (Range, error) {
	s := input
	if lenient {
		s = strings.TrimSpace(s)
	} else if strings.ContainsAny(s, " \t\n\r\v\f") {
		return Range{}, nonCanonical(input, "whitespace is not permitted (percent-encode a space in a version as %%20)")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if lenient && (c == ' ' || c == '\t') {
			continue
		}
		if c < 0x21 || c > 0x7e {
			return Range{}, badRange(input, "only printable ASCII is permitted (byte 0x%02X at %d)", c, i)
		}
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if lenient {
		scheme = strings.TrimSpace(scheme)
	}
	switch {
	case !ok:
		return Range{}, badRange(input, "does not start with \"vers:\"")
	case scheme == "vers":
	case strings.EqualFold(scheme, "vers"):
		if !lenient {
			return Range{}, nonCanonical(input, "the scheme must be lower-case \"vers\"")
		}
	default:
		return Range{}, badRange(input, "the scheme is %q, not \"vers\"", scheme)
	}
	typ, list, ok := strings.Cut(rest, "/")
	if !ok {
		return Range{}, badRange(input, "no \"/\" after the type")
	}
	if lenient {
		typ = strings.TrimSpace(typ)
	}
	if err := checkType(input, typ, lenient); err != nil {
		return Range{}, err
	}
	typ = strings.ToLower(typ)
	if typ == "invalid" {
		return Range{}, badRange(input, "%s", reserved["invalid"])
	}
	r := Range{eco: typ}
	if list == "" {
		return Range{}, badRange(input, "no constraints after \"vers:%s/\"", typ)
	}

	parts := strings.Split(list, "|")
	if lenient {
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		parts = slices.DeleteFunc(parts, func(p string) bool { return p == "" })
		if len(parts) == 0 {
			return Range{}, badRange(input, "no constraints after \"vers:%s/\"", typ)
		}
	} else {
		switch {
		case parts[0] == "":
			return Range{}, nonCanonical(input, "a leading \"|\" is not permitted")
		case parts[len(parts)-1] == "":
			return Range{}, nonCanonical(input, "a trailing \"|\" is not permitted")
		case slices.Contains(parts, ""):
			return Range{}, nonCanonical(input, "consecutive \"|\" are not permitted")
		}
	}
	if slices.Contains(parts, "*") {
		if len(parts) != 1 {
			return Range{}, badRange(input, "\"*\" must stand alone, without other constraints")
		}
		r.star = true
		return r, nil
	}
	if typ == "all" || typ == "none" {
		return Range{}, badRange(input, "%s", reserved[typ])
	}

	_, isReserved := reserved[typ]
	ordered := !isReserved
	for _, p := range parts {
		c, err := parseConstraint(input, typ, p, lenient, ordered)
		if err != nil {
			return Range{}, err
		}
		r.cons = append(r.cons, c)
	}
	if !ordered {
		// "example" and "test": no order to sort or validate by; only literal duplicates can
		// be seen.
		for i, c := range r.cons {
			for _, d := range r.cons[:i] {
				if c.raw == d.raw {
					return Range{}, badRange(input, "version %q appears more than once", c.raw)
				}
			}
		}
		r.index()
		return r, nil
	}
	return r.seal(input, lenient)
}

// seal finishes a parsed range: it sorts the constraints by version when asked (lenient
// input), validates them against the vers rules and builds the lookup index.
func (r Range) seal(input string, sortFirst bool) (Range, error) {
	if sortFirst {
		slices.SortStableFunc(r.cons, func(a, b constraint) int {
			c, _ := a.v.compareFast(b.v)
			return c
		})
	}
	if err := r.validate(input); err != nil {
		return Range{}, err
	}
	r.index()
	return r, nil
}

func checkType(input, typ string, lenient bool) error {
	if typ == "" {
		return badRange(input, "the type before \"/\" is empty")
	}
	if !isLetter(typ[0]) {
		return badRange(input, "the type %q does not start with a letter", typ)
	}
	for i := 0; i < len(typ); i++ {
		c := typ[i]
		switch {
		case 'a' <= c && c <= 'z', isDigit(c), c == '.', c == '-':
		case 'A' <= c && c <= 'Z':
			if !lenient {
				return nonCanonical(input, "the type %q must be lower-case", typ)
			}
		default:
			return badRange(input, "the type %q may only hold letters, digits, \".\" and \"-\"", typ)
		}
	}
	return nil
}

// comparatorChars are the characters that can start a comparator; a constraint starting with a
// run of them that is not a known comparator has an unknown one.
const comparatorChars = "<>=!~^*"

func parseConstraint(input, typ, p string, lenient, ordered bool) (constraint, error) {
	n := 0
	for n < len(p) && strings.IndexByte(comparatorChars, p[n]) >= 0 {
		n++
	}
	head := p[:n]
	var c constraint
	switch head {
	case "":
		c.op = opEq
	case "!=":
		c.op = opNe
	case "<":
		c.op = opLt
	case "<=":
		c.op = opLe
	case ">":
		c.op = opGt
	case ">=":
		c.op = opGe
	case "=", "==":
		if !lenient {
			return c, nonCanonical(input, "%q: equality is written as the bare version, without %q", p, head)
		}
		c.op = opEq
	default:
		return c, badRange(input, "%q: unknown comparator %q (want one of != < <= > >=, or none for equality)", p, head)
	}
	enc := p[n:]
	if lenient {
		enc = strings.TrimSpace(enc)
	}
	if enc == "" {
		return c, badRange(input, "%q: the version after %q is empty", p, head)
	}
	if i := strings.IndexAny(enc, "<>=!*"); i >= 0 {
		return c, badRange(input, "%q: %q in a version must be percent-encoded", p, enc[i:i+1])
	}
	raw, err := percentDecode(input, enc, lenient)
	if err != nil {
		return c, err
	}
	c.raw = raw
	if ordered {
		v, err := Parse(typ, raw)
		if err != nil {
			return c, badRange(input, "%q: %s", p, reason(err))
		}
		c.v = v
	}
	return c, nil
}

// mustEncode reports whether a version byte is percent-encoded in canonical form.
func mustEncode(c byte) bool {
	return c <= 0x20 || c >= 0x7f || strings.IndexByte("<>=!*|%", c) >= 0
}

func unhex(c byte) (byte, bool) {
	switch {
	case isDigit(c):
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func percentDecode(input, s string, lenient bool) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", badRange(input, "invalid percent-encoding %q in version %q", s[i:], s)
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", badRange(input, "invalid percent-encoding %q in version %q", s[i:i+3], s)
		}
		c := hi<<4 | lo
		if !lenient {
			if strings.ToUpper(s[i:i+3]) != s[i:i+3] {
				return "", nonCanonical(input, "percent-encoding %q in version %q is not canonical (use upper-case hex)", s[i:i+3], s)
			}
			if !mustEncode(c) {
				return "", nonCanonical(input, "percent-encoding %q in version %q is not canonical (write %q unencoded)", s[i:i+3], s, string(rune(c)))
			}
		}
		if c >= 0x80 {
			return "", badRange(input, "percent-encoding %q in version %q is not ASCII", s[i:i+3], s)
		}
		b.WriteByte(c)
		i += 2
	}
	return b.String(), nil
}

func percentEncode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if mustEncode(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if mustEncode(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// validate applies the vers validation rules to constraints that should be sorted.
func (r *Range) validate(input string) error {
	for i := 1; i < len(r.cons); i++ {
		a, b := r.cons[i-1], r.cons[i]
		c, err := a.v.compareFast(b.v)
		if err != nil {
			return badRange(input, "comparing %q and %q: %v", a.raw, b.raw, err)
		}
		switch {
		case c == 0 && a.raw == b.raw:
			return badRange(input, "version %q appears more than once", a.raw)
		case c == 0:
			return badRange(input, "versions %q and %q are the same %s version; a version may appear only once", a.raw, b.raw, r.eco)
		case c > 0:
			return nonCanonical(input, "the constraints are not sorted by version (%q comes after %q)", b.raw, a.raw)
		}
	}
	// Ignoring "!=": a version is followed only by a version, ">" or ">=".
	var prev *constraint
	for i := range r.cons {
		c := &r.cons[i]
		if c.op == opNe {
			continue
		}
		if prev != nil && prev.op == opEq && c.op.upper() {
			return badRange(input, "%q is followed by %q: a single version may be followed only by a version, \">\" or \">=\" (ignoring \"!=\")",
				prev.raw, opText[c.op]+c.raw)
		}
		prev = c
	}
	// Ignoring "!=" and versions: lower and upper bounds alternate.
	prev = nil
	for i := range r.cons {
		c := &r.cons[i]
		if c.op == opNe || c.op == opEq {
			continue
		}
		if prev != nil && prev.op.lower() == c.op.lower() {
			kind := "lower"
			if c.op.upper() {
				kind = "upper"
			}
			return badRange(input, "%q is followed by %q: two %s bounds in a row (ignoring \"!=\" and single versions, \"<\"/\"<=\" and \">\"/\">=\" must alternate)",
				opText[prev.op]+prev.raw, opText[c.op]+c.raw, kind)
		}
		prev = c
	}
	return nil
}

func (r *Range) index() {
	r.bounds = r.bounds[:0]
	r.onlyNe = len(r.cons) > 0
	for i, c := range r.cons {
		if c.op != opNe {
			r.onlyNe = false
		}
		if c.op != opEq && c.op != opNe {
			r.bounds = append(r.bounds, i)
		}
	}
}

// String returns the range in canonical vers form ("vers:npm/>=1.0.0|<2.0.0"), or "" for the
// zero Range.
func (r Range) String() string {
	if r.eco == "" {
		return ""
	}
	if r.star {
		return "vers:" + r.eco + "/*"
	}
	var b strings.Builder
	b.WriteString("vers:")
	b.WriteString(r.eco)
	b.WriteByte('/')
	for i, c := range r.cons {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(opText[c.op])
		b.WriteString(percentEncode(c.raw))
	}
	return b.String()
}

// Ecosystem returns the range's versioning scheme: the vers type, or the ecosystem given to
// ParsePlainRange, lower-cased.
func (r Range) Ecosystem() string { return r.eco }

// Constraints returns the range's constraints in canonical order; for "*" a single
// Constraint with Comparator "*".
func (r Range) Constraints() []Constraint {
	if r.star {
		return []Constraint{{Comparator: "*"}}
	}
	out := make([]Constraint, len(r.cons))
	for i, c := range r.cons {
		out[i] = Constraint{Comparator: opText[c.op], Version: c.raw}
	}
	return out
}

// Contains parses version under the range's ecosystem and reports whether it lies in the
// range, by the vers specification's procedure "checking if a version is contained within a
// range" (see ContainsVersion). "*" contains every string without parsing it (vers:none/*
// none). It returns an error wrapping ErrInvalid for the zero Range or a version the
// ecosystem cannot order (see Parse), and ErrUnsupported for the reserved types "example" and
// "test".
func (r Range) Contains(version string) (bool, error) {
	if r.eco == "" {
		return false, fmt.Errorf("%w: the zero Range contains nothing", ErrInvalid)
	}
	if r.star {
		return r.eco != "none", nil
	}
	v, err := Parse(r.eco, version)
	if err != nil {
		return false, err
	}
	return r.containsParsed(&v)
}

// ContainsVersion reports whether v lies in the range, by the vers specification's procedure:
//
//  1. "*" contains every version.
//  2. A version equal (under the ecosystem's order) to a constraint with "", "<=" or ">=" is
//     in; one equal to a "!=" constraint is out.
//  3. Of the constraints with <, <=, > or >= (in order): a version below the first, when it
//     is "<" or "<=", is in; above the last, when it is ">" or ">=", is in; strictly between a
//     ">"/">=" and the "<"/"<=" that follows it is in.
//  4. Anything else is out.
//
// The specification's step 3 iterates over pairs of contiguous constraints, which leaves a
// single bound such as "vers:pypi/<0.0.2" containing nothing; its own test vectors
// (vers:pypi/<0.0.2 contains 0.0.0.1, vers:pypi/>0.0.2 contains 0.0.3) read the first and last
// rules as applying to a lone bound too, as here. And a range of "!=" constraints only
// ("vers:npm/!=1.0.0") contains every version but those: the specification's procedure would
// contain nothing, which no one writing "!=" means (univers, the reference implementation,
// agrees for a single "!=").
//
// It returns an error wrapping ErrInvalid for the zero Range or Version, and ErrUnsupported
// when v was parsed under another ecosystem's rules or the range's type has no order.
func (r Range) ContainsVersion(v Version) (bool, error) {
	if r.eco == "" {
		return false, fmt.Errorf("%w: the zero Range contains nothing", ErrInvalid)
	}
	if r.star {
		return r.eco != "none", nil
	}
	if v.s == nil {
		return false, fmt.Errorf("%w: the zero Version", ErrInvalid)
	}
	return r.containsParsed(&v)
}

func (r *Range) containsParsed(v *Version) (bool, error) {
	if len(r.cons) == 0 || r.cons[0].v.s == nil {
		if why, ok := reserved[r.eco]; ok {
			return false, fmt.Errorf("%w: %s", ErrUnsupported, why)
		}
		return false, fmt.Errorf("%w: range %s has no ordered versions", ErrUnsupported, r.String())
	}
	if v.s != r.cons[0].v.s {
		return false, fmt.Errorf("%w: no ordering between %s version %q and range %s",
			ErrUnsupported, displayEco(v.eco), v.raw, r.String())
	}
	// Compare v with every constraint once; ranges are short.
	var buf [16]int8
	cmps := buf[:0]
	for i := range r.cons {
		c := &r.cons[i]
		d, err := cmpVersions(v, &c.v)
		if err != nil {
			return false, fmt.Errorf("%w: comparing %q with %q: %v", ErrInvalid, v.raw, c.raw, err)
		}
		if d == 0 {
			switch c.op {
			case opEq, opLe, opGe:
				return true, nil
			case opNe:
				return false, nil
			}
		}
		cmps = append(cmps, int8(d))
	}
	if len(r.bounds) == 0 {
		return r.onlyNe, nil
	}
	first, last := r.bounds[0], r.bounds[len(r.bounds)-1]
	if r.cons[first].op.upper() && cmps[first] < 0 {
		return true, nil
	}
	if r.cons[last].op.lower() && cmps[last] > 0 {
		return true, nil
	}
	for k := 0; k+1 < len(r.bounds); k++ {
		i, j := r.bounds[k], r.bounds[k+1]
		if r.cons[i].op.lower() && r.cons[j].op.upper() && cmps[i] > 0 && cmps[j] < 0 {
			return true, nil
		}
	}
	return false, nil
}
