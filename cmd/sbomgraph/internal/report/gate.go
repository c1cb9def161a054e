package report

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/license"
)

// ErrInvalidGate is wrapped by ParseGates' errors.
var ErrInvalidGate = errors.New("invalid --fail-on condition")

// GateKind names a CI gate condition.
type GateKind string

// The gate conditions. Only what the new side brings can match: removed components never do.
const (
	// GateDowngrade matches any package downgrade.
	GateDowngrade GateKind = "downgrade"
	// GateIntegrity matches any integrity finding (same version, different hash).
	GateIntegrity GateKind = "integrity"
	// GateHygiene matches hygiene findings: all, one kind ("hygiene:shell") or a minimum
	// severity ("hygiene:high", "hygiene:medium" = medium or high).
	GateHygiene GateKind = "hygiene"
	// GateLicense matches a licence id the new side adds (on an added package, or new in a
	// package's changed expression) against a pattern ("license:GPL-*").
	GateLicense GateKind = "license"
	// GateComponent matches an added package's purl, key or name against a pattern
	// ("component:pkg:deb/*/curl*").
	GateComponent GateKind = "component"
)

// Gate is one --fail-on condition.
type Gate struct {
	Kind GateKind
	// Arg is the hygiene kind or severity, or the pattern; "" for none.
	Arg string
	re  *regexp.Regexp
}

// String is the condition as written on the command line.
func (g Gate) String() string {
	if g.Arg == "" {
		return string(g.Kind)
	}
	return string(g.Kind) + ":" + g.Arg
}

// GateMatch is one thing in a diff that tripped a gate.
type GateMatch struct {
	Gate Gate
	// What names the matching change, e.g. "openssl 3.0.2 -> 1.1.1".
	What string
}

// GateSyntax documents the --fail-on conditions, for help texts.
const GateSyntax = `conditions (comma-separated, or repeat --fail-on):
  downgrade            any package downgraded
  integrity            any package whose hash changed at the same version
  hygiene              any hygiene finding
  hygiene:KIND         a hygiene finding of one kind: shell, package-manager, toolchain,
                       network-tool, base-os-changed, base-os-unsupported, bloat
  hygiene:SEVERITY     a hygiene finding of at least that severity: high, medium, low
  license:PATTERN      a licence id the new side adds (added package, or new in a changed
                       expression), e.g. license:GPL-*  license:AGPL-*
  component:PATTERN    an added package whose purl, key or name matches,
                       e.g. component:pkg:deb/*/curl*  component:pkg:npm/left-pad
PATTERN: * matches any run of characters (across /), ? one; case-insensitive.
Removed packages never match. Patterns cannot contain commas.`

// ParseGates reads --fail-on values: each a comma-separated list of conditions (see
// GateSyntax). Empty items are skipped. It returns an error wrapping ErrInvalidGate for an
// unknown condition, a missing or superfluous argument, or an unknown hygiene kind.
func ParseGates(values []string) ([]Gate, error) {
	var out []Gate
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			name, arg, hasArg := strings.Cut(item, ":")
			g := Gate{Kind: GateKind(strings.ToLower(strings.TrimSpace(name))), Arg: strings.TrimSpace(arg)}
			if g.Kind == "licence" {
				g.Kind = GateLicense
			}
			switch g.Kind {
			case GateDowngrade, GateIntegrity:
				if hasArg {
					return nil, fmt.Errorf("%w: %q takes no argument", ErrInvalidGate, item)
				}
			case GateHygiene:
				if !hasArg {
					break
				}
				g.Arg = strings.ToLower(g.Arg)
				if !slices.Contains(diff.HygieneKinds, diff.HygieneKind(g.Arg)) && diff.Severity(g.Arg).Rank() == 0 {
					return nil, fmt.Errorf("%w: %q: want a hygiene kind (%s) or a severity (high, medium, low)", ErrInvalidGate, item, kindList())
				}
			case GateLicense, GateComponent:
				if g.Arg == "" {
					return nil, fmt.Errorf("%w: %q needs a pattern, e.g. %s:%s", ErrInvalidGate, item, g.Kind, map[GateKind]string{GateLicense: "GPL-*", GateComponent: "pkg:deb/*/curl*"}[g.Kind])
				}
				g.re = globRegexp(g.Arg)
			default:
				return nil, fmt.Errorf("%w: unknown condition %q (want downgrade, integrity, hygiene[:KIND|SEVERITY], license:PATTERN or component:PATTERN)", ErrInvalidGate, item)
			}
			out = append(out, g)
		}
	}
	return out, nil
}

func kindList() string {
	var s []string
	for _, k := range diff.HygieneKinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// globRegexp compiles a gate pattern: * is any run of characters, ? one, the rest literal,
// case-insensitive, anchored at both ends.
func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// EvaluateGates returns what in r trips each gate, in gate order, then in r's order. An empty
// result means the diff passes.
func EvaluateGates(r *diff.Result, gates []Gate) []GateMatch {
	var out []GateMatch
	for _, g := range gates {
		hit := func(what string) { out = append(out, GateMatch{Gate: g, What: what}) }
		switch g.Kind {
		case GateDowngrade:
			for _, c := range changes(r, diff.Downgrade) {
				hit(fmt.Sprintf("%s %s -> %s", c.Name, c.Old.Version, c.New.Version))
			}
		case GateIntegrity:
			for _, c := range r.Integrity {
				hit(fmt.Sprintf("%s %s: %s %s -> %s", c.Name, c.Version, c.Algorithm, c.Old, c.New))
			}
		case GateHygiene:
			for _, f := range r.Hygiene.Findings {
				switch {
				case g.Arg == "",
					string(f.Kind) == g.Arg,
					diff.Severity(g.Arg).Rank() > 0 && f.Severity.Rank() >= diff.Severity(g.Arg).Rank():
					hit(fmt.Sprintf("%s (%s): %s", f.Kind, f.Severity, f.Message))
				}
			}
		case GateLicense:
			for _, c := range r.Added {
				for _, id := range licenseIDs(c.Licenses) {
					if g.re.MatchString(id) {
						hit(fmt.Sprintf("%s %s added with %s", c.Name, c.Version, id))
					}
				}
			}
			for _, c := range r.Licenses {
				old := licenseIDs(c.Old)
				for _, id := range licenseIDs(c.New) {
					if !slices.Contains(old, id) && g.re.MatchString(id) {
						hit(fmt.Sprintf("%s %s now under %s (was %s)", c.Name, c.NewVersion, id, licenseOrNone(c.Old)))
					}
				}
			}
		case GateComponent:
			for _, c := range r.Added {
				if g.re.MatchString(c.Purl) || g.re.MatchString(c.Key) || g.re.MatchString(c.Name) {
					hit(fmt.Sprintf("%s %s added (%s)", c.Name, c.Version, cmp.Or(c.Purl, c.Key)))
				}
			}
		}
	}
	return out
}

// licenseIDs returns the licence ids of an expression; an expression that does not parse is
// one id as written.
func licenseIDs(expr string) []string {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	ids, err := license.IDs(expr)
	if err != nil {
		return []string{strings.TrimSpace(expr)}
	}
	return ids
}
