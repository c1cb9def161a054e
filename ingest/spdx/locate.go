package spdx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// locator says where in the input an error lies: "byte N" for JSON, "line N" for the
// line-oriented encodings.
type locator struct {
	// src is the input as given to Decode.
	src []byte
	// lines reports positions as line numbers rather than byte offsets.
	lines bool
	// fromJSON maps an offset in the JSON handed to tools-golang to an offset in src, for input
	// that was transcoded to JSON first (plain XML); nil when src is that JSON.
	fromJSON func(off int64) int64
	// forms returns how a string value may be spelled in src; nil means as JSON strings.
	forms func(v string) []string
}

// at describes the position of the byte at offset off of src: "line N", or "byte N" with
// bytes counted from 1, so that "byte N" is the N-th byte.
func (l *locator) at(off int64) string {
	off = max(0, min(off, int64(len(l.src))))
	if l.lines {
		return fmt.Sprintf("line %d", bytes.Count(l.src[:off], []byte("\n"))+1)
	}
	return fmt.Sprintf("byte %d", off+1)
}

// atJSON describes the position of byte offset off of the JSON text handed to tools-golang.
func (l *locator) atJSON(off int64) string {
	if l.fromJSON != nil {
		off = l.fromJSON(off)
	}
	return l.at(off)
}

// find describes where the string value v first occurs in src, or returns "" when it does not.
func (l *locator) find(v string) string {
	if v == "" {
		return ""
	}
	forms := jsonForms(v)
	if l.forms != nil {
		forms = l.forms(v)
	}
	best := -1
	for _, f := range forms {
		if i := bytes.Index(l.src, []byte(f)); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return l.at(int64(best))
}

// jsonForms returns the ways a JSON encoder may have written the string v.
func jsonForms(v string) []string {
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	escaped, _ := json.Marshal(v)
	return []string{strings.TrimSpace(plain.String()), string(escaped)}
}

// jsonError turns an error tools-golang returned for the JSON text js into one wrapping
// sbom.ErrInvalid that says where the problem is in src.
func (l *locator) jsonError(js []byte, err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		where  string
	)
	switch {
	case errors.As(err, &syntax):
		// Offset counts the bytes read, the offending one included.
		where = l.atJSON(syntax.Offset - 1)
	case errors.As(err, &typ):
		// The offset of a type error is relative to whichever value had its own
		// UnmarshalJSON (a package, say), so find the field again from the top.
		if off, ok := typeErrorOffset(js, typ); ok {
			where = l.atJSON(off)
		}
	default:
		where = l.find(libValue(err.Error()))
	}
	return invalidAt(where, err)
}

// invalidAt wraps err in sbom.ErrInvalid with the position where, when known.
func invalidAt(where string, err error) error {
	if where == "" {
		return fmt.Errorf("%w: %w (position unknown)", sbom.ErrInvalid, err)
	}
	return fmt.Errorf("%w: %s: %w", sbom.ErrInvalid, where, err)
}

// libValue extracts the offending value from a tools-golang message such as
// "failed to parse Supplier 'x'" or "failed to parse ElementID: Package-a".
func libValue(msg string) string {
	if i, j := strings.IndexByte(msg, '\''), strings.LastIndexByte(msg, '\''); i >= 0 && j > i {
		return msg[i+1 : j]
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return strings.TrimSpace(msg[i+2:])
	}
	return ""
}

// typeErrorOffset finds the value a json.UnmarshalTypeError complains about: the first value
// at the error's field path (object keys joined by dots; arrays do not count) of the error's
// JSON kind. It returns that value's offset in js.
func typeErrorOffset(js []byte, te *json.UnmarshalTypeError) (int64, bool) {
	type frame struct {
		object  bool
		key     string
		wantKey bool
	}
	var stack []frame
	path := func() string {
		var keys []string
		for _, f := range stack {
			if f.object {
				keys = append(keys, f.key)
			}
		}
		return strings.Join(keys, ".")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return 0, false
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if k, ok := tok.(string); ok {
				stack[n-1].key, stack[n-1].wantKey = k, false
				continue
			}
		}
		kind := ""
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				kind = "object"
			case '[':
				kind = "array"
			default:
				stack = stack[:len(stack)-1]
				if n := len(stack); n > 0 && stack[n-1].object {
					stack[n-1].wantKey = true
				}
				continue
			}
		case string:
			kind = "string"
		case json.Number:
			kind = "number"
		case bool:
			kind = "bool"
		case nil:
			kind = "null"
		}
		if path() == te.Field && strings.HasPrefix(te.Value, kind) {
			start := int(before)
			for start < len(js) && strings.IndexByte(" \t\r\n:,", js[start]) >= 0 {
				start++
			}
			return int64(start), true
		}
		switch kind {
		case "object":
			stack = append(stack, frame{object: true, wantKey: true})
		case "array":
			stack = append(stack, frame{})
		default:
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].wantKey = true
			}
		}
	}
}
