// Package license compares licences written as SPDX expressions: two expressions that say the
// same thing in different words ("MIT AND Apache-2.0" and "(apache-2.0 AND MIT)") normalise to
// the same string, so a release diff does not report them as a change.
package license

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
)

// ErrInvalid is wrapped by the errors of Normalize for text that is not an SPDX expression.
var ErrInvalid = errors.New("invalid SPDX licence expression")

// Normalize returns the canonical form of an SPDX licence expression: licence and exception
// ids in the SPDX list's own spelling (matching is case-insensitive, deprecated ids such as
// GPL-2.0+ become their replacements), LicenseRef- ids as written, AND binding tighter than
// OR, nested operators of one kind flattened, their operands de-duplicated and sorted, and
// every nested operator parenthesised. An empty expression normalises to "". Errors wrap ErrInvalid
// and say where the expression stops making sense.
func Normalize(expr string) (string, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return "", err
	}
	if len(toks) == 0 {
		return "", nil
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err != nil {
		return "", err
	}
	if p.pos != len(p.toks) {
		return "", fmt.Errorf("%w: unexpected %q in %q", ErrInvalid, p.toks[p.pos], expr)
	}
	return n.canonical().String(), nil
}

// Equivalent reports whether two expressions normalise to the same form. Expressions that do
// not parse are compared as trimmed text.
func Equivalent(a, b string) bool {
	na, errA := Normalize(a)
	nb, errB := Normalize(b)
	if errA != nil || errB != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return na == nb
}

// IDs returns the distinct licence ids (and LicenseRef-s) an expression names, sorted, in
// canonical spelling; exceptions are left out. Text that does not parse yields the error.
func IDs(expr string) ([]string, error) {
	n, err := Normalize(expr)
	if err != nil || n == "" {
		return nil, err
	}
	toks, _ := tokenize(n)
	seen := map[string]bool{}
	var ids []string
	for i, t := range toks {
		if isOperator(t) || t == "(" || t == ")" || i > 0 && strings.EqualFold(toks[i-1], "WITH") {
			continue
		}
		if !seen[t] {
			seen[t] = true
			ids = append(ids, t)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

func isOperator(t string) bool {
	switch strings.ToUpper(t) {
	case "AND", "OR", "WITH":
		return true
	}
	return false
}

func tokenize(expr string) ([]string, error) {
	var toks []string
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case isIDChar(c):
			j := i
			for j < len(expr) && isIDChar(expr[j]) {
				j++
			}
			toks = append(toks, expr[i:j])
			i = j
		default:
			return nil, fmt.Errorf("%w: character %q at offset %d of %q", ErrInvalid, c, i, expr)
		}
	}
	return toks, nil
}

func isIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '+' || c == ':'
}

// node is an expression tree: a leaf (id, optional exception) or an operator with operands.
type node struct {
	op       string // "AND", "OR", or "" for a leaf
	id, with string
	operands []*node
}

type parser struct {
	toks []string
	pos  int
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *parser) binary(op string, next func() (*node, error)) (*node, error) {
	n, err := next()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), op) {
		p.pos++
		m, err := next()
		if err != nil {
			return nil, err
		}
		n = &node{op: op, operands: []*node{n, m}}
	}
	return n, nil
}

func (p *parser) or() (*node, error)  { return p.binary("OR", p.and) }
func (p *parser) and() (*node, error) { return p.binary("AND", p.atom) }

func (p *parser) atom() (*node, error) {
	t := p.peek()
	switch {
	case t == "":
		return nil, fmt.Errorf("%w: expression ends where a licence was expected", ErrInvalid)
	case t == "(":
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("%w: missing ')'", ErrInvalid)
		}
		p.pos++
		return n, nil
	case t == ")" || isOperator(t):
		return nil, fmt.Errorf("%w: %q where a licence was expected", ErrInvalid, t)
	}
	p.pos++
	n := &node{id: canonicalID(t)}
	if strings.EqualFold(p.peek(), "WITH") {
		p.pos++
		e := p.peek()
		if e == "" || e == "(" || e == ")" || isOperator(e) {
			return nil, fmt.Errorf("%w: WITH needs an exception id", ErrInvalid)
		}
		p.pos++
		n.with = e
	}
	return n, nil
}

// canonicalID spells a licence id as the SPDX list does. Deprecated GNU ids become their
// replacements ("GPL-2.0+" -> "GPL-2.0-or-later", "GPL-2.0" -> "GPL-2.0-only"). A licence text
// named by its SHA-256, "LicenseRef-sha256-HEX" (how sbomgraph read syft's CycloneDX before it
// read it as syft's SPDX does), is "LicenseRef-HEX". Unknown ids, other LicenseRef-s and
// exceptions are kept as written.
func canonicalID(id string) string {
	if hex, ok := strings.CutPrefix(id, "LicenseRef-sha256-"); ok && len(hex) == 64 {
		return "LicenseRef-" + hex
	}
	if ok, c := spdxexp.ActiveLicense(id); ok {
		return c
	}
	if base, plus := strings.CutSuffix(id, "+"); plus {
		if ok, c := spdxexp.ActiveLicense(base + "-or-later"); ok {
			return c
		}
	} else if ok, c := spdxexp.ActiveLicense(id + "-only"); ok {
		return c
	}
	return id
}

// canonical flattens same-operator chains, normalises operands and sorts them.
func (n *node) canonical() *node {
	if n.op == "" {
		return n
	}
	var flat []*node
	var walk func(m *node)
	walk = func(m *node) {
		if m.op == n.op {
			for _, o := range m.operands {
				walk(o)
			}
			return
		}
		flat = append(flat, m.canonical())
	}
	walk(n)
	seen := map[string]bool{}
	var ops []*node
	for _, o := range flat {
		s := o.String()
		if !seen[s] {
			seen[s] = true
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	if len(ops) == 1 {
		return ops[0]
	}
	return &node{op: n.op, operands: ops}
}

// String writes the expression with every nested operator parenthesised.
func (n *node) String() string {
	if n.op == "" {
		if n.with != "" {
			return n.id + " WITH " + n.with
		}
		return n.id
	}
	parts := make([]string, len(n.operands))
	for i, o := range n.operands {
		s := o.String()
		if o.op != "" {
			s = "(" + s + ")"
		}
		parts[i] = s
	}
	return strings.Join(parts, " "+n.op+" ")
}
