// Package jsonsplit cuts JSON text into the members of its top-level object and the elements of
// chosen arrays, without decoding them, so that a decoder can hand a format library one element
// at a time instead of the whole document.
//
// It checks only what lies between the pieces it returns (braces, brackets, colons, commas and
// white space) and the member keys; the pieces themselves are checked by whatever decodes them.
// So when every piece is valid JSON, the whole text was. It is deliberately narrow: a key with
// an escape or a byte outside printable ASCII, a number that might overflow a float64, nesting
// near encoding/json's limit, or anything else it does not expect makes it report false, and
// the caller reads the document the ordinary way.
package jsonsplit

import "bytes"

// Member is one member of a JSON object.
type Member struct {
	// Key is the member's name. Keys are plain printable ASCII (Object refuses others), so the
	// text between the quotes is the key.
	Key string
	// Raw is the member as written, from the key's opening quote to the end of the value.
	Raw []byte
	// Value is the value as written.
	Value []byte
	// Elements are the elements of Value, when it is an array and Object was asked to split it.
	Elements [][]byte
}

// Object splits data, a JSON object with nothing but white space around it, into its members
// in document order. The values of members for whose key split returns true are, when they are
// arrays, also cut into their elements. It reports false when data is not such an object, as
// far as it checks (see the package documentation).
func Object(data []byte, split func(key string) bool) ([]Member, bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}
	var out []Member
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return out, skipSpace(data, i+1) == len(data)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return nil, false
		}
		start := i
		end := plainKeyEnd(data, i)
		if end < 0 {
			return nil, false
		}
		m := Member{Key: string(data[i+1 : end-1])}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil, false
		}
		i = skipSpace(data, i+1)
		var vEnd int
		if i < len(data) && data[i] == '[' && split(m.Key) {
			m.Elements, vEnd = elements(data, i)
		} else {
			vEnd = skipValue(data, i)
		}
		if vEnd < 0 {
			return nil, false
		}
		m.Raw, m.Value = data[start:vEnd], data[i:vEnd]
		out = append(out, m)
		i = skipSpace(data, vEnd)
		if i >= len(data) {
			return nil, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return out, skipSpace(data, i+1) == len(data)
		default:
			return nil, false
		}
	}
}

// elements splits the JSON array starting at data[i] (a '[') into its elements and returns them
// with the index just past the array, or -1 when it is not an array as far as it checks.
func elements(data []byte, i int) ([][]byte, int) {
	if i >= len(data) || data[i] != '[' {
		return nil, -1
	}
	out := [][]byte{}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return out, i + 1
	}
	for {
		end := skipValue(data, i)
		if end < 0 {
			return nil, -1
		}
		out = append(out, data[i:end])
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, -1
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return out, i + 1
		default:
			return nil, -1
		}
	}
}

// structural marks the bytes skipValue stops at inside an object or array: strings, nesting,
// and the digits and exponent letters of numbers (see maxDigits).
var structural = [256]bool{
	'"': true, '{': true, '[': true, '}': true, ']': true, 'e': true, 'E': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
}

// skipSpace returns the index of the first byte at or after i that is not JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// plainKeyEnd returns the index just past the string starting at b[i] (a '"'), or -1 when it
// is not a plain key: unterminated, or holding a '\\' or a byte outside printable ASCII.
func plainKeyEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return -1
		}
	}
	return -1
}

// skipValue returns the index just past the JSON value starting at b[i], or -1 when there is
// none or the input ends first. Strings and nesting are followed; nothing is validated, which
// is the decoder's job.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			if !structural[b[j]] {
				continue
			}
			switch c := b[j]; c {
			case 'e', 'E':
				if j > i && (isDigit(b[j-1]) || b[j-1] == '.') {
					return -1 // an exponent
				}
			case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				k := j
				for k < len(b) && isDigit(b[k]) {
					k++
				}
				if k-j > maxDigits {
					return -1
				}
				j = k - 1
			case '"':
				end := stringEnd(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				if depth++; depth > maxNesting {
					return -1
				}
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	case ',', ':', '}', ']':
		return -1
	}
	j := i
	for j < len(b) && !endsLiteral(b[j]) {
		j++
	}
	if mayOverflow(b[i:j]) {
		return -1
	}
	return j
}

// maxNesting is the deepest nesting skipValue follows. encoding/json refuses text nested more
// than 10000 deep; a piece cut out of such text could be less deep than that, and be accepted.
const maxNesting = 9000

// maxDigits is the longest run of digits a number may have here: float64 overflows at about
// 1.8e308, and decoding a JSON number into an interface{} (as tools-golang does) fails when it
// does, while decoding it into a struct field that does not exist does not.
const maxDigits = 300

// mayOverflow reports whether the literal v (true, false, null or a number) is a number that
// might overflow a float64: one with an exponent or a run of more than maxDigits digits.
func mayOverflow(v []byte) bool {
	run := 0
	for k, c := range v {
		switch {
		case isDigit(c):
			if run++; run > maxDigits {
				return true
			}
			continue
		case (c == 'e' || c == 'E') && k > 0 && (isDigit(v[k-1]) || v[k-1] == '.'):
			return true
		}
		run = 0
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// endsLiteral reports whether c ends a literal: a separator, a closing bracket or white space.
func endsLiteral(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// stringEnd returns the index just past the string starting at b[i] (a '"'), or -1 when it is
// not terminated. A quote ends the string unless an odd number of backslashes precede it.
func stringEnd(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		n := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
}
