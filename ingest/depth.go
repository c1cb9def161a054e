package ingest

import (
	"bytes"
	"fmt"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// checkDepth rejects JSON and XML nested deeper than max, before any parser sees the input,
// so hostile nesting cannot exhaust a parser's stack or memory. Other encodings pass through:
// tag-value is flat, and the YAML parser bounds its own depth.
func checkDepth(data []byte, max int) error {
	t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	if len(t) == 0 {
		return nil
	}
	var depth, at int
	switch t[0] {
	case '{', '[':
		depth, at = jsonDepth(t, max)
	case '<':
		depth, at = xmlDepth(t, max)
	default:
		return nil
	}
	if depth > max {
		return fmt.Errorf("%w: nesting deeper than %d levels at byte %d", sbom.ErrTooLarge, max, at+len(data)-len(t))
	}
	return nil
}

// jsonDepth returns the greatest nesting depth of JSON text, stopping (with the offset) as
// soon as it passes max. It does not validate; the parser does that.
func jsonDepth(b []byte, max int) (int, int) {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for i, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > max {
					return deepest, i
				}
			}
		case '}', ']':
			depth--
		}
	}
	return deepest, 0
}

// xmlDepth returns the greatest element nesting depth of XML text, stopping (with the offset)
// as soon as it passes max. Comments, CDATA, processing instructions and declarations do not
// nest; quoted attribute values may contain '>'.
func xmlDepth(b []byte, max int) (int, int) {
	depth, deepest := 0, 0
	for i := 0; i < len(b); i++ {
		if b[i] != '<' {
			continue
		}
		rest := b[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			i += skipPast(rest, "-->")
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i += skipPast(rest, "]]>")
			continue
		case bytes.HasPrefix(rest, []byte("<?")):
			i += skipPast(rest, "?>")
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			i += skipPast(rest, ">")
			continue
		case bytes.HasPrefix(rest, []byte("</")):
			depth--
			i += skipPast(rest, ">")
			continue
		}
		end, selfClosing := tagEnd(rest)
		if !selfClosing {
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > max {
					return deepest, i
				}
			}
		}
		i += end
	}
	return deepest, 0
}

// skipPast returns the offset of the last byte of the first occurrence of end in b, or len(b).
func skipPast(b []byte, end string) int {
	j := bytes.Index(b, []byte(end))
	if j < 0 {
		return len(b)
	}
	return j + len(end) - 1
}

// tagEnd finds the '>' closing the start tag at b[0], skipping quoted attribute values, and
// reports whether the tag closes itself ("/>").
func tagEnd(b []byte) (int, bool) {
	var quote byte
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i, b[i-1] == '/'
		}
	}
	return len(b), false
}
