package version

import (
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// This file holds allocation-free comparisons for the ecosystems whose osv-scalibr
// comparisons allocate on every call (Debian, Red Hat, and the semver family, which together
// are most components in container images). Each mirrors osv-scalibr's algorithm exactly;
// FuzzFastCompare checks that they agree.

// ---- semver family (npm, cargo, golang, semver) ----

// semverValue is a semver-family version. When fast is set, nums and pre were read by the
// fast path; otherwise (a pre-release identifier starting with "-", which osv-scalibr reads as
// a negative number) osv holds osv-scalibr's parse.
type semverValue struct {
	raw  string
	nums [3]string
	n    int
	pre  string
	fast bool
	osv  semantic.Version
}

func parseSemverFamily(prefix string) func(string) (value, error) {
	return func(v string) (value, error) {
		if prefix != "" && strings.HasPrefix(v, prefix) && len(v) > len(prefix) && isDigit(v[len(prefix)]) {
			v = v[len(prefix):]
		}
		sv := semverValue{raw: v}
		s := strings.TrimPrefix(v, "v")
		n, runs := scanNumbers(s, ".")
		tail := s[n:]
		pre, _, _ := strings.Cut(tail, "+")
		fast := runs >= 1 && runs <= 3 && (pre == "" || pre[0] == '-')
		if fast && pre != "" {
			pre = pre[1:]
			for _, id := range strings.Split(pre, ".") {
				if id == "" || id[0] == '-' {
					fast = false
					break
				}
			}
		}
		if !fast {
			sv.osv = semantic.ParseSemverVersion(v)
			return sv, nil
		}
		sv.fast, sv.pre = true, pre
		for i, p := range strings.SplitN(s[:n], ".", 3) {
			sv.nums[i] = p
			sv.n = i + 1
		}
		return sv, nil
	}
}

func (a semverValue) cmp(b value) (int, error) {
	w := b.(semverValue)
	if !a.fast || !w.fast {
		x, y := a.osv, w.osv
		if x == nil {
			x = semantic.ParseSemverVersion(a.raw)
		}
		if y == nil {
			y = semantic.ParseSemverVersion(w.raw)
		}
		return x.Compare(y)
	}
	for i := range 3 {
		x, y := "0", "0"
		if i < a.n {
			x = a.nums[i]
		}
		if i < w.n {
			y = w.nums[i]
		}
		if c := cmpDigits(x, y); c != 0 {
			return c, nil
		}
	}
	return cmpPrerelease(a.pre, w.pre), nil
}

// ---- deb ----

// debValue is [epoch:]upstream[-revision]; a missing revision is "0", as in osv-scalibr.
type debValue struct {
	epoch, upstream, revision string
}

func parseDeb(v string) (value, error) {
	d := debValue{epoch: "0"}
	s := v
	if i := strings.IndexByte(s, ':'); i >= 0 {
		d.epoch, s = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		d.upstream, d.revision = s[:i], s[i+1:]
	} else {
		d.upstream, d.revision = s, "0"
	}
	return d, nil
}

func (a debValue) cmp(b value) (int, error) {
	w := b.(debValue)
	if c := cmpDigits(a.epoch, w.epoch); c != 0 {
		return c, nil
	}
	if c := debCmp(a.upstream, w.upstream); c != 0 {
		return c, nil
	}
	return debCmp(a.revision, w.revision), nil
}

// debWeight is dpkg's order of non-digit characters: "~" before the end of the part, the end
// before letters, letters before everything else. c < 0 is the end.
func debWeight(c int) int {
	switch {
	case c < 0:
		return 2
	case c == '~':
		return 1
	case 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z':
		return c
	}
	return c + 122
}

// debCmp is dpkg's verrevcmp as osv-scalibr implements it: alternating non-digit parts
// compared by debWeight and digit parts compared numerically.
func debCmp(a, b string) int {
	for a != "" || b != "" {
		i := 0
		for i < len(a) && !isDigit(a[i]) {
			i++
		}
		j := 0
		for j < len(b) && !isDigit(b[j]) {
			j++
		}
		ap, bp := a[:i], b[:j]
		a, b = a[i:], b[j:]
		if ap != bp {
			for k := 0; k < len(ap) || k < len(bp); k++ {
				x, y := -1, -1
				if k < len(ap) {
					x = int(ap[k])
				}
				if k < len(bp) {
					y = int(bp[k])
				}
				if wx, wy := debWeight(x), debWeight(y); wx != wy {
					if wx < wy {
						return -1
					}
					return 1
				}
			}
		}
		i = 0
		for i < len(a) && isDigit(a[i]) {
			i++
		}
		j = 0
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		ad, bd := a[:i], b[:j]
		a, b = a[i:], b[j:]
		if ad == "" {
			ad = "0"
		}
		if bd == "" {
			bd = "0"
		}
		if c := cmpDigits(ad, bd); c != 0 {
			return c
		}
	}
	return 0
}

// ---- rpm ----

// rpmValue is [epoch:]version[-release] as osv-scalibr splits it: an epoch only when the part
// before the first ":" is all digits (empty means 0), the release keeping its leading "-".
type rpmValue struct {
	epoch, version, release string
}

func parseRPM(v string) (value, error) {
	epoch, vr, ok := strings.Cut(v, ":")
	if !ok || !allBytes(epoch, isDigit) {
		vr, epoch = v, ""
	}
	version, rel, hasRel := strings.Cut(vr, "-")
	if hasRel {
		rel = vr[len(version):]
	}
	if epoch == "" {
		epoch = "0"
	}
	return rpmValue{epoch, version, rel}, nil
}

func (a rpmValue) cmp(b value) (int, error) {
	w := b.(rpmValue)
	if c := rpmCmp(a.epoch, w.epoch); c != 0 {
		return c, nil
	}
	if c := rpmCmp(a.version, w.version); c != 0 {
		return c, nil
	}
	return rpmCmp(a.release, w.release), nil
}

func rpmSkip(c byte) bool { return !isAlnum(c) && c != '~' && c != '^' }

// rpmCmp is rpmvercmp as osv-scalibr implements it (see semantic/version-redhat.go for the
// numbered steps).
func rpmCmp(a, b string) int {
	if a == "" && b != "" {
		return -1
	}
	if a != "" && b == "" {
		return 1
	}
	ai, bi := 0, 0
	for {
		for ai < len(a) && rpmSkip(a[ai]) {
			ai++
		}
		for bi < len(b) && rpmSkip(b[bi]) {
			bi++
		}
		at, bt := ai < len(a) && a[ai] == '~', bi < len(b) && b[bi] == '~'
		if at && bt {
			ai, bi = ai+1, bi+1
			continue
		}
		if at {
			return -1
		}
		if bt {
			return 1
		}
		ac, bc := ai < len(a) && a[ai] == '^', bi < len(b) && b[bi] == '^'
		if ac && bc {
			ai, bi = ai+1, bi+1
			continue
		}
		if ac {
			if bi == len(b) {
				return 1
			}
			return -1
		}
		if bc {
			if ai == len(a) {
				return -1
			}
			return 1
		}
		if ai == len(a) || bi == len(b) {
			break
		}
		run := isLetter
		digits := isDigit(a[ai])
		if digits {
			run = isDigit
		}
		as := ai
		for ai < len(a) && run(a[ai]) {
			ai++
		}
		bs := bi
		for bi < len(b) && run(b[bi]) {
			bi++
		}
		x, y := a[as:ai], b[bs:bi]
		if y == "" {
			if digits {
				return 1
			}
			return -1
		}
		if digits {
			if c := cmpDigits(x, y); c != 0 {
				return c
			}
			continue
		}
		if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	al, bl := len(a)-ai, len(b)-bi
	switch {
	case al > bl:
		return 1
	case al < bl:
		return -1
	}
	return 0
}

// ---- maven ----

// mavenToken is one token of a Maven version as osv-scalibr splits it: the separator before
// it ('.', '-', or 0 for the first), its lower-cased and normalised value, whether that value
// is a number, and whether the token is padding.
type mavenToken struct {
	prefix byte
	value  string
	num    bool
	null   bool
}

type mavenValue []mavenToken

func parseMaven(v string) (value, error) {
	var tokens mavenValue
	add := func(prefix byte, s string, last bool) {
		s = strings.ToLower(s)
		switch s {
		case "":
			s = "0"
		case "cr":
			s = "rc"
		case "ga", "final", "release":
			s = ""
		}
		if !last {
			switch s {
			case "a":
				s = "alpha"
			case "b":
				s = "beta"
			case "m":
				s = "milestone"
			}
		}
		num := s != "" && allBytes(s, isDigit)
		if num {
			s = trimZeros(s)
		}
		tokens = append(tokens, mavenToken{prefix: prefix, value: s, num: num})
	}
	var prefix byte
	for {
		end := strings.IndexAny(v, ".-")
		raw := v
		if end >= 0 {
			raw = v[:end]
		}
		// Split raw at every change between digits and non-digits; the pieces after the first
		// take the prefix '-'.
		start, p := 0, prefix
		for i := 1; i <= len(raw); i++ {
			if i == len(raw) || isDigit(raw[i]) != isDigit(raw[i-1]) {
				add(p, raw[start:i], i == len(raw))
				start, p = i, '-'
			}
		}
		if raw == "" {
			add(prefix, "", true)
		}
		if end < 0 {
			break
		}
		prefix, v = v[end], v[end+1:]
	}
	// Trim trailing "null" values (0, "", final, ga), then again before each hyphen, from the
	// end, exactly as osv-scalibr does.
	i := len(tokens) - 1
	for i > 0 {
		if t := tokens[i]; t.value == "0" || t.value == "" || t.value == "final" || t.value == "ga" {
			tokens = append(tokens[:i], tokens[i+1:]...)
			i--
			continue
		}
		for i >= 0 && tokens[i].prefix != '-' {
			i--
		}
		i--
	}
	return tokens, nil
}

var mavenKeywords = [...]string{"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"}

func mavenKeyword(s string) int {
	for i, k := range mavenKeywords {
		if k == s {
			return i
		}
	}
	return len(mavenKeywords)
}

func mavenQualifierOrder(t mavenToken) int {
	switch {
	case t.num && t.prefix == '-':
		return 2
	case t.num && t.prefix == '.':
		return 3
	case t.prefix == '-':
		return 1
	}
	return 0
}

func (t mavenToken) less(w mavenToken) bool {
	if t.prefix != w.prefix {
		return mavenQualifierOrder(t) < mavenQualifierOrder(w)
	}
	switch {
	case t.num && w.num:
		return cmpDigits(t.value, w.value) < 0
	case t.num && !t.null:
		return false
	case w.num && !w.null:
		return true
	}
	l, r := mavenKeyword(t.value), mavenKeyword(w.value)
	if l == len(mavenKeywords) && r == len(mavenKeywords) {
		return t.value < w.value
	}
	return l < r
}

// mavenPad is the "null" token that stands for a missing one opposite t.
func mavenPad(t mavenToken) mavenToken {
	if t.prefix == '.' {
		if t.value == "sp" {
			return mavenToken{prefix: '.', value: "", null: true}
		}
		return mavenToken{prefix: '.', value: "0", num: true, null: true}
	}
	return mavenToken{prefix: '-', value: "", null: true}
}

func (a mavenValue) cmp(b value) (int, error) {
	w := b.(mavenValue)
	if len(a) == len(w) {
		same := true
		for i := range a {
			if a[i].prefix != w[i].prefix || a[i].value != w[i].value {
				same = false
				break
			}
		}
		if same {
			return 0, nil
		}
	}
	for i := 0; i < len(a) || i < len(w); i++ {
		var l, r mavenToken
		if i < len(a) {
			l = a[i]
		} else {
			l = mavenPad(w[i])
		}
		if i < len(w) {
			r = w[i]
		} else {
			r = mavenPad(a[i])
		}
		if l.prefix == r.prefix && l.value == r.value {
			continue
		}
		if l.less(r) {
			return -1, nil
		}
		return 1, nil
	}
	// Unequal token lists whose padded tokens all match: osv-scalibr reports +1.
	return 1, nil
}
