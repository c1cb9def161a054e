package version

import "strings"

// Order-preserving keys: for deb, rpm, the semver family and the generic and intdot orders,
// Parse also encodes the version as a byte string whose bytewise order is the ecosystem's
// order, so comparing two parsed versions is one strings.Compare. A version without a key
// (another ecosystem, or a number longer than 255 digits) compares through its value.
// FuzzFastCompare checks that keys and values agree.

// keyBuilder appends key parts; ok turns false when a number is too long to encode.
type keyBuilder struct {
	b  []byte
	ok bool
}

// num appends a number: its length in digits, then the digits, without leading zeros; so
// shorter numbers sort first and equal lengths compare digit by digit.
func (k *keyBuilder) num(d string) {
	d = trimZeros(d)
	if len(d) > 255 {
		k.ok = false
		return
	}
	k.b = append(k.b, byte(len(d)))
	k.b = append(k.b, d...)
}

// semverKey encodes the semver family's order: three numbers, then 0x02 for a release or
// 0x01 and the pre-release identifiers (0x01 len digits for a number, 0x02 bytes 0x00 for
// text), ended by 0x00.
func semverKey(nums []string, pre string) string {
	k := keyBuilder{ok: true}
	for i := range 3 {
		if i < len(nums) {
			k.num(nums[i])
		} else {
			k.num("0")
		}
	}
	prereleaseKey(&k, pre)
	if !k.ok {
		return ""
	}
	return string(k.b)
}

func prereleaseKey(k *keyBuilder, pre string) {
	if pre == "" {
		k.b = append(k.b, 0x02)
		return
	}
	k.b = append(k.b, 0x01)
	for id := range strings.SplitSeq(pre, ".") {
		if id != "" && allBytes(id, isDigit) {
			k.b = append(k.b, 0x01)
			k.num(id)
			continue
		}
		// Identifier text is compared bytewise and a prefix sorts first; 0x00 cannot occur
		// in a version (Parse rejects control characters), so it ends the text.
		k.b = append(k.b, 0x02)
		k.b = append(k.b, id...)
		k.b = append(k.b, 0x00)
	}
	k.b = append(k.b, 0x00)
}

// numsKey encodes numbers compared with zero padding: trailing zeros dropped, then each
// number, then 0x00, which sorts before any further number's length byte.
func numsKey(k *keyBuilder, nums []string) {
	n := len(nums)
	for n > 0 && trimZeros(nums[n-1]) == "0" {
		n--
	}
	for _, d := range nums[:n] {
		k.num(d)
	}
	k.b = append(k.b, 0x00)
}

func genericKey(g genericValue) string {
	k := keyBuilder{ok: true}
	numsKey(&k, g.nums)
	prereleaseKey(&k, g.pre)
	if !k.ok {
		return ""
	}
	return string(k.b)
}

func intdotKey(n numsValue) string {
	k := keyBuilder{ok: true}
	numsKey(&k, n)
	if !k.ok {
		return ""
	}
	return string(k.b)
}

// debPartKey encodes one of debCmp's strings: for each alternation of non-digit and digit
// runs, the debWeight of each non-digit byte (1 to 248), 0x02 for the end of the run (the
// weight of the end), and the digit run as a number (empty is 0); then 0x02 for the end of
// the string, which orders against another string's further run exactly as debCmp's empty
// run does (after "~", before everything else).
func debPartKey(k *keyBuilder, s string) {
	for s != "" {
		i := 0
		for i < len(s) && !isDigit(s[i]) {
			k.b = append(k.b, byte(debWeight(int(s[i]))))
			i++
		}
		k.b = append(k.b, 0x02)
		s = s[i:]
		i = 0
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		k.num(s[:i])
		s = s[i:]
	}
	k.b = append(k.b, 0x02)
}

func debKey(d debValue) string {
	k := keyBuilder{ok: true}
	k.num(d.epoch)
	debPartKey(&k, d.upstream)
	debPartKey(&k, d.revision)
	if !k.ok {
		return ""
	}
	return string(k.b)
}

// rpmPartKey encodes one of rpmCmp's strings. An empty string sorts before any other, so it is
// 0x00 and any other starts 0x01. Then the tokens rpmCmp sees, skipping separators: "~" 0x01,
// "^" 0x03, a letter run 0x04 bytes 0x00, a digit run 0x05 and the number; and 0x02 for the
// end. That is rpmvercmp's order at any position: "~" < end < "^" < letters < digits.
func rpmPartKey(k *keyBuilder, s string) {
	if s == "" {
		k.b = append(k.b, 0x00)
		return
	}
	k.b = append(k.b, 0x01)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '~':
			k.b = append(k.b, 0x01)
			i++
		case c == '^':
			k.b = append(k.b, 0x03)
			i++
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			k.b = append(k.b, 0x04)
			k.b = append(k.b, s[i:j]...)
			k.b = append(k.b, 0x00)
			i = j
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			k.b = append(k.b, 0x05)
			k.num(s[i:j])
			i = j
		default:
			i++
		}
	}
	k.b = append(k.b, 0x02)
}

func rpmKey(r rpmValue) string {
	k := keyBuilder{ok: true}
	rpmPartKey(&k, r.epoch)
	rpmPartKey(&k, r.version)
	rpmPartKey(&k, r.release)
	if !k.ok {
		return ""
	}
	return string(k.b)
}

// keyOf returns the order-preserving key of a parsed value, or "" when it has none.
func keyOf(val value) string {
	switch v := val.(type) {
	case semverValue:
		if v.fast {
			return semverKey(v.nums[:v.n], v.pre)
		}
	case genericValue:
		return genericKey(v)
	case numsValue:
		return intdotKey(v)
	case debValue:
		return debKey(v)
	case rpmValue:
		return rpmKey(v)
	}
	return ""
}
