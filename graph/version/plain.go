package version

import (
	"fmt"
	"slices"
	"strings"
)

// ParsePlainRange parses a range written with plain comparison operators, as people and
// advisories write them, and interprets its versions under ecosystem's rules (see Parse):
//
//	<2.17.1                      versions below 2.17.1
//	>=1.0,<2   >= 1.0, < 2       at least 1.0 and below 2 (comparisons are separated by
//	>=1.0 <2                     commas, spaces or both, and must all hold)
//	1.2.3   =1.2.3   ==1.2.3     exactly 1.2.3 (under the ecosystem's equality)
//	!=1.0                        every version but 1.0
//	>=1.0,<2,!=1.5               an interval less one version
//	<1.0 || >=2.0,<2.5 || 3.0    alternatives separated by "||", any of which may hold
//	*                            every version
//
// The result is a Range like any other (String gives its canonical vers form), so only input
// that a vers range can express with the same meaning is accepted: each alternative must be a
// single version; or at most one lower and one upper bound, the lower strictly below the
// upper, with any "!=" versions strictly inside them; or "!=" versions alone, as the only
// alternative. Alternatives must not overlap or meet. Comparators other than < <= > >= = ==
// != (npm's ^ and ~, gem's ~>, PEP 440's ~= and ===, x-ranges, hyphen ranges) are not
// accepted: write them as bounds.
//
// Versions must be ASCII, as in any vers range. An empty ecosystem gives a Range of type
// "generic". It returns an error wrapping ErrInvalid
// that says what is wrong, and ErrUnsupported for a vers type reserved without an ordering.
func ParsePlainRange(ecosystem, s string) (Range, error) {
	eco := strings.ToLower(ecosystem)
	if eco == "" {
		eco = "generic"
	}
	if _, err := lookup(eco); err != nil {
		return Range{}, err
	}
	if err := checkType(s, eco, false); err != nil {
		return Range{}, fmt.Errorf("%w: ecosystem %q cannot name a vers range type", ErrInvalid, ecosystem)
	}
	text := strings.TrimSpace(s)
	if text == "" {
		return Range{}, badRange(s, "empty")
	}
	if text == "*" {
		return Range{eco: eco, star: true}, nil
	}
	var alts []alternative
	for _, a := range strings.Split(text, "||") {
		alt, err := parseAlternative(s, eco, a)
		if err != nil {
			return Range{}, err
		}
		alts = append(alts, alt)
	}
	if len(alts) > 1 {
		for _, a := range alts {
			if a.lo == nil && a.hi == nil && a.eq == nil {
				return Range{}, badRange(s, "an alternative made only of \"!=\" (%q) excludes versions from every other alternative; it must stand alone", strings.TrimSpace(a.text))
			}
		}
		// Sort by lower end (none first) and require each to end strictly before the next
		// begins.
		slices.SortFunc(alts, func(a, b alternative) int {
			la, lb := a.low(), b.low()
			switch {
			case la == nil && lb == nil:
				return 0
			case la == nil:
				return -1
			case lb == nil:
				return 1
			}
			c, _ := la.v.compareFast(lb.v)
			return c
		})
		for i := 1; i < len(alts); i++ {
			hi, lo := alts[i-1].high(), alts[i].low()
			if hi == nil || lo == nil {
				return Range{}, badRange(s, "alternatives %q and %q overlap", strings.TrimSpace(alts[i-1].text), strings.TrimSpace(alts[i].text))
			}
			if c, _ := hi.v.compareFast(lo.v); c >= 0 {
				return Range{}, badRange(s, "alternatives %q and %q overlap or meet; merge them into one", strings.TrimSpace(alts[i-1].text), strings.TrimSpace(alts[i].text))
			}
		}
	}
	r := Range{eco: eco}
	for _, a := range alts {
		if a.eq != nil {
			r.cons = append(r.cons, *a.eq)
		}
		if a.lo != nil {
			r.cons = append(r.cons, *a.lo)
		}
		r.cons = append(r.cons, a.ne...)
		if a.hi != nil {
			r.cons = append(r.cons, *a.hi)
		}
	}
	// The checks above make the constraints a valid vers range; seal validates anyway so that
	// a defect there cannot produce a Range that means something else.
	return r.seal(s, true)
}

// alternative is one "||"-separated part of a plain range: all of its comparisons hold.
type alternative struct {
	text   string
	eq     *constraint
	lo, hi *constraint
	ne     []constraint
}

func (a alternative) low() *constraint {
	if a.eq != nil {
		return a.eq
	}
	return a.lo
}

func (a alternative) high() *constraint {
	if a.eq != nil {
		return a.eq
	}
	return a.hi
}

func parseAlternative(input, eco, text string) (alternative, error) {
	alt := alternative{text: text}
	var cons []constraint
	i := 0
	for {
		for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == ',') {
			i++
		}
		if i == len(text) {
			break
		}
		start := i
		for i < len(text) && strings.IndexByte(comparatorChars, text[i]) >= 0 {
			i++
		}
		opText := text[start:i]
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		vstart := i
		for i < len(text) && text[i] != ' ' && text[i] != '\t' && text[i] != ',' {
			i++
		}
		ver := text[vstart:i]
		if strings.Contains(opText, "*") {
			return alt, badRange(input, "\"*\" (every version) must stand alone")
		}
		var c constraint
		switch opText {
		case "", "=", "==":
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
		default:
			return alt, badRange(input, "unsupported comparator %q (write ^, ~, ~> and ~= ranges as >= and < bounds)", opText)
		}
		if ver == "" {
			return alt, badRange(input, "comparator %q has no version", opText)
		}
		if strings.Contains(ver, "|") {
			return alt, badRange(input, "%q: separate alternatives with \"||\"", ver)
		}
		for j := 0; j < len(ver); j++ {
			if ver[j] >= 0x80 {
				return alt, badRange(input, "version %q is not ASCII, which a vers range cannot hold", ver)
			}
		}
		v, err := Parse(eco, ver)
		if err != nil {
			return alt, badRange(input, "%s", reason(err))
		}
		c.raw, c.v = ver, v
		cons = append(cons, c)
	}
	if len(cons) == 0 {
		return alt, badRange(input, "an alternative is empty")
	}
	for i := range cons {
		c := &cons[i]
		switch {
		case c.op == opEq:
			if len(cons) > 1 {
				return alt, badRange(input, "%q: an exact version cannot be combined with other comparisons", strings.TrimSpace(text))
			}
			alt.eq = c
		case c.op.lower():
			if alt.lo != nil {
				return alt, badRange(input, "%q: more than one lower bound", strings.TrimSpace(text))
			}
			alt.lo = c
		case c.op.upper():
			if alt.hi != nil {
				return alt, badRange(input, "%q: more than one upper bound", strings.TrimSpace(text))
			}
			alt.hi = c
		default:
			alt.ne = append(alt.ne, *c)
		}
	}
	if alt.lo != nil && alt.hi != nil {
		if d, _ := alt.lo.v.compareFast(alt.hi.v); d >= 0 {
			return alt, badRange(input, "%q: the lower bound %q is not below the upper bound %q (no version or a single one; write a single version as itself)",
				strings.TrimSpace(text), alt.lo.raw, alt.hi.raw)
		}
	}
	if alt.lo != nil || alt.hi != nil {
		for _, n := range alt.ne {
			if alt.lo != nil {
				if d, _ := n.v.compareFast(alt.lo.v); d <= 0 {
					return alt, badRange(input, "%q: !=%s is not above the lower bound", strings.TrimSpace(text), n.raw)
				}
			}
			if alt.hi != nil {
				if d, _ := n.v.compareFast(alt.hi.v); d >= 0 {
					return alt, badRange(input, "%q: !=%s is not below the upper bound", strings.TrimSpace(text), n.raw)
				}
			}
		}
	}
	return alt, nil
}
