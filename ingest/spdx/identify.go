package spdx

import (
	"bytes"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// sniffLen is how much of the start (and, for JSON and YAML, the end) of the input Identify
// looks at.
const sniffLen = 8 << 10

// Identify reports whether data looks like an SPDX 2 document, and in which encoding. It only
// sniffs the first (and last) few KB and never parses:
//
//   - JSON with a top-level "spdxVersion" of SPDX 2 or earlier, or, since some generators
//     (Microsoft's SBOM tool) write spdxVersion last in a large document, a JSON object
//     with an "SPDXID" of the form "SPDXRef-..." near the start;
//   - tag-value with an "SPDXVersion:" line;
//   - YAML with a top-level "spdxVersion:" key;
//   - RDF/XML: rdf:RDF with the http://spdx.org/rdf/terms namespace (sbom.EncodingRDFXML);
//   - spdx-java-library's plain XML: elements spdxVersion or SPDXID ("SPDXRef-...")
//     (sbom.EncodingXML).
//
// SPDX 1.x and unknown 2.x versions are claimed, so Decode can say they are unsupported; SPDX 3
// (JSON-LD, spdxVersion absent or "SPDX-3...") is not claimed.
func Identify(data []byte) (sbom.Encoding, bool) {
	head := bytes.TrimLeft(data[:min(len(data), sniffLen)], "\xef\xbb\xbf \t\r\n")
	tail := data[max(0, len(data)-sniffLen):]
	if len(head) == 0 {
		return "", false
	}
	switch head[0] {
	case '{':
		if v, ok := sniffJSONVersion(head); ok {
			return sbom.EncodingJSON, spdx2OrOlder(v)
		}
		if v, ok := sniffJSONVersion(tail); ok {
			return sbom.EncodingJSON, spdx2OrOlder(v)
		}
		if bytes.Contains(head, []byte(`"@context"`)) {
			return "", false
		}
		if i := bytes.Index(head, []byte(`"SPDXID"`)); i >= 0 && bytes.Contains(head[i:], []byte(`"SPDXRef-`)) {
			return sbom.EncodingJSON, true
		}
		return "", false
	case '<':
		if bytes.Contains(head, []byte("rdf:RDF")) && bytes.Contains(head, []byte("http://spdx.org/rdf/terms")) {
			return sbom.EncodingRDFXML, true
		}
		if v, ok := sniffXMLVersion(head); ok {
			return sbom.EncodingXML, spdx2OrOlder(v)
		}
		return sbom.EncodingXML, bytes.Contains(head, []byte("<SPDXID>SPDXRef-"))
	}
	if _, ok := sniffLineValue(head, "SPDXVersion", true); ok {
		return sbom.EncodingTagValue, true
	}
	for _, part := range [][]byte{head, tail} {
		if v, ok := sniffLineValue(part, "spdxVersion", false); ok {
			return sbom.EncodingYAML, spdx2OrOlder(unquoteYAML(v))
		}
	}
	return "", false
}

// spdx2OrOlder reports whether an spdxVersion value belongs to SPDX 2 or earlier: anything but
// "SPDX-" followed by a major version of 3 or more.
func spdx2OrOlder(v string) bool {
	rest, ok := bytes.CutPrefix([]byte(v), []byte("SPDX-"))
	if !ok {
		return true
	}
	major := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		major = major*10 + int(c-'0')
		if major >= 3 {
			return false
		}
	}
	return true
}

// sniffJSONVersion finds `"spdxVersion": "..."` in a fragment of JSON and returns the value.
func sniffJSONVersion(b []byte) (string, bool) {
	key := []byte(`"spdxVersion"`)
	for {
		i := bytes.Index(b, key)
		if i < 0 {
			return "", false
		}
		b = b[i+len(key):]
		rest := bytes.TrimLeft(b, " \t\r\n")
		if len(rest) == 0 || rest[0] != ':' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '"' {
			continue
		}
		end := bytes.IndexByte(rest[1:], '"')
		if end < 0 {
			return "", false
		}
		return string(rest[1 : 1+end]), true
	}
}

// sniffXMLVersion finds <spdxVersion>...</spdxVersion> in a fragment of XML.
func sniffXMLVersion(b []byte) (string, bool) {
	_, after, ok := bytes.Cut(b, []byte("<spdxVersion>"))
	if !ok {
		return "", false
	}
	v, _, ok := bytes.Cut(after, []byte("</spdxVersion>"))
	return string(bytes.TrimSpace(v)), ok
}

// sniffLineValue finds a line "tag: value" in b and returns the value. With indented, the tag
// may be preceded by white space (tag-value); without, it must start the line (a top-level
// YAML key).
func sniffLineValue(b []byte, tag string, indented bool) (string, bool) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if indented {
			line = bytes.TrimLeft(line, " \t")
		}
		rest, ok := bytes.CutPrefix(line, []byte(tag))
		if !ok {
			continue
		}
		rest = bytes.TrimLeft(rest, " \t")
		if len(rest) > 0 && rest[0] == ':' {
			return string(bytes.TrimSpace(rest[1:])), true
		}
	}
	return "", false
}
