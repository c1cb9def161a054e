// Package cyclonedx reads CycloneDX SBOMs, JSON and XML, spec 1.0 to 1.7, into the sbom model.
//
// Parsing is left to github.com/CycloneDX/cyclonedx-go: its BOM type and its (un)marshalers do
// all the reading. This package only sniffs (Identify), hands the library the document one
// component at a time where it can (see stream.go), turns parse failures into errors that say
// where and why, and maps what the library decoded through sbom.Builder (see convert.go), which
// canonicalises purls, resolves bom-refs and records the document's problems as warnings.
package cyclonedx

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// sniffLen is how much of the input Identify looks at.
const sniffLen = 16 << 10

// xmlNamespacePrefix starts every CycloneDX XML namespace; the spec version follows it.
const xmlNamespacePrefix = "http://cyclonedx.org/schema/bom/"

var utf8BOM = []byte("\xef\xbb\xbf")

// Identify reports whether data looks like a CycloneDX document, and in which encoding. It only
// sniffs the first 16 KiB: JSON whose top-level object has "bomFormat": "CycloneDX", or XML whose
// root element is bom in a http://cyclonedx.org/schema/bom/<version> namespace. Any version is
// accepted here, so that Decode can report an unknown one as unsupported rather than the
// dispatcher calling the input "not an SBOM". It never fails; it returns false for anything else.
func Identify(data []byte) (sbom.Encoding, bool) {
	head := data[:min(len(data), sniffLen)]
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(head) == 0 {
		return "", false
	}
	switch head[0] {
	case '{':
		if hasBOMFormat(head) {
			return sbom.EncodingJSON, true
		}
	case '<':
		if ns, ok := xmlRootNamespace(head); ok && strings.HasPrefix(ns, xmlNamespacePrefix) {
			return sbom.EncodingXML, true
		}
	}
	return "", false
}

// hasBOMFormat reports whether head contains the member "bomFormat": "CycloneDX", allowing
// whitespace around the colon. It does not check that the member is at the top level: the
// sniff is cheap, and Decode checks properly.
func hasBOMFormat(head []byte) bool {
	key := []byte(`"bomFormat"`)
	for {
		i := bytes.Index(head, key)
		if i < 0 {
			return false
		}
		rest := bytes.TrimLeft(head[i+len(key):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			rest = bytes.TrimLeft(rest[1:], " \t\r\n")
			if bytes.HasPrefix(rest, []byte(`"CycloneDX"`)) {
				return true
			}
		}
		head = head[i+len(key):]
	}
}

// xmlRootNamespace returns the namespace of the root element of the XML in data, if it is
// called bom and the start tag can be read.
func xmlRootNamespace(data []byte) (string, bool) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	for {
		tok, err := d.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t.Name.Space, t.Name.Local == "bom"
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return "", false
			}
		}
	}
}

// Decode parses a CycloneDX document in the given encoding (sbom.EncodingJSON or
// sbom.EncodingXML, as returned by Identify) and maps it into an sbom.Document, bounded by
// limits (zero fields take sbom.DefaultLimits). Problems a document can have and still be read
// (duplicate or missing bom-refs, missing or invalid purls, dependencies on undefined refs,
// cycles, no components...) are returned as the Document's Warnings.
//
// Errors wrap sbom.ErrInvalid when the input is malformed or truncated (the message gives the
// byte offset and line, or the JSON field, and why), sbom.ErrUnsupported when it is CycloneDX of
// a spec version (or an encoding) this package does not read, and sbom.ErrTooLarge when
// components are nested deeper than limits.MaxDepth or there are more than
// limits.MaxComponents of them. Messages never name a file: the caller adds that.
//
// Most documents are read one components[] entry at a time (streamJSON, streamXML): the
// library decodes each entry into a cdx.Component, which is mapped at once and dropped, so its
// tree of the whole document never exists. A document the streaming readers cannot read exactly
// as the whole-document path does (parseJSON or parseXML, then convert) is read whole, which
// also gives any error.
func Decode(data []byte, enc sbom.Encoding, limits sbom.Limits) (*sbom.Document, error) {
	var bom cdx.BOM
	var err error
	switch enc {
	case sbom.EncodingJSON:
		if doc, ok := streamJSON(data, limits); ok {
			return doc, nil
		}
		err = parseJSON(data, &bom)
	case sbom.EncodingXML:
		if doc, ok := streamXML(data, limits); ok {
			return doc, nil
		}
		err = parseXML(data, &bom)
	default:
		return nil, fmt.Errorf("%w: CycloneDX has no %q encoding", sbom.ErrUnsupported, enc)
	}
	if err != nil {
		return nil, err
	}
	return convert(&bom, enc, limits)
}

// parseJSON decodes CycloneDX JSON with the library's types. It is what the library's
// jsonBOMDecoder does (json.Unmarshal into a cdx.BOM) without first copying the input.
func parseJSON(data []byte, bom *cdx.BOM) error {
	body := bytes.TrimPrefix(data, utf8BOM)
	skipped := len(data) - len(body)
	err := guard(func() error { return json.Unmarshal(body, bom) })
	if err != nil {
		return jsonError(data, body, skipped, err)
	}
	if bom.BOMFormat != cdx.BOMFormat {
		if bom.BOMFormat == "" {
			return fmt.Errorf("%w: JSON has no bomFormat member", sbom.ErrInvalid)
		}
		return fmt.Errorf("%w: bomFormat is %q, not %q", sbom.ErrInvalid, bom.BOMFormat, cdx.BOMFormat)
	}
	if bom.SpecVersion == 0 {
		return fmt.Errorf("%w: JSON has no specVersion member", sbom.ErrInvalid)
	}
	return nil
}

// jsonError turns a json.Unmarshal error into one wrapping sbom.ErrInvalid or
// sbom.ErrUnsupported that says where and why. skipped bytes (a UTF-8 byte order mark) precede
// body in data.
func jsonError(data, body []byte, skipped int, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		if int(syn.Offset) >= len(body) {
			line, _ := position(data, len(data))
			return fmt.Errorf("%w: truncated JSON at byte %d (line %d): the document ends inside a value", sbom.ErrInvalid, len(data), line)
		}
		// Offset counts the bytes read, the offending one included.
		off := max(int(syn.Offset)-1, 0) + skipped
		line, col := position(data, off)
		return fmt.Errorf("%w: malformed JSON at byte %d (line %d, column %d): %s", sbom.ErrInvalid, off, line, col, strings.TrimPrefix(syn.Error(), "json: "))
	}
	// The document is well-formed JSON; a value has the wrong type or shape. Say first whether
	// it is a version this package does not read at all.
	if v, ok := jsonSpecVersion(body); ok && !knownVersion(v) {
		return fmt.Errorf("%w: CycloneDX specVersion %q (this reader knows 1.0 to 1.7)", sbom.ErrUnsupported, v)
	}
	if errors.Is(err, cdx.ErrInvalidSpecVersion) {
		return fmt.Errorf("%w: specVersion is not a string naming a CycloneDX version", sbom.ErrInvalid)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		// The offset of a type error is only meaningful when the standard decoder found it, not
		// inside one of the library's UnmarshalJSON methods; the field path always is.
		return fmt.Errorf("%w: JSON field %s: cannot read %s as %s", sbom.ErrInvalid, typ.Field, typ.Value, typ.Type)
	}
	return fmt.Errorf("%w: CycloneDX JSON: %s", sbom.ErrInvalid, strings.TrimPrefix(err.Error(), "json: "))
}

// jsonSpecVersion returns the top-level specVersion string of a well-formed JSON document.
func jsonSpecVersion(body []byte) (string, bool) {
	var head struct {
		SpecVersion any `json:"specVersion"`
	}
	if json.Unmarshal(body, &head) != nil {
		return "", false
	}
	s, ok := head.SpecVersion.(string)
	return s, ok
}

// knownVersion reports whether v names a spec version cyclonedx-go reads.
func knownVersion(v string) bool {
	for sv := cdx.SpecVersion1_0; sv <= cdx.SpecVersion1_7; sv++ {
		if sv.String() == v {
			return true
		}
	}
	return false
}

// parseXML decodes CycloneDX XML with the library's types. It does what the library's
// xmlBOMDecoder does, with its own xml.Decoder so that errors can say where they happened, and
// takes the spec version from the root element's resolved namespace (so a prefixed root such
// as <cdx:bom xmlns:cdx="..."> works too).
func parseXML(data []byte, bom *cdx.BOM) error {
	body := bytes.TrimPrefix(data, utf8BOM)
	skipped := len(data) - len(body)
	// Check the namespace before the full parse, so that a future version is reported as such
	// rather than as whatever its new shape makes the parser trip over. When not even a bom
	// start tag can be read, the full parse says why.
	if ns, ok := xmlRootNamespace(body); ok {
		v, cdxNS := strings.CutPrefix(ns, xmlNamespacePrefix)
		switch {
		case ns == "":
			return fmt.Errorf("%w: the root element bom has no namespace; CycloneDX XML needs %s<version>", sbom.ErrInvalid, xmlNamespacePrefix)
		case !cdxNS:
			return fmt.Errorf("%w: the root element bom is in namespace %q, not a CycloneDX one", sbom.ErrInvalid, ns)
		case !knownVersion(v):
			return fmt.Errorf("%w: CycloneDX XML namespace version %q (this reader knows 1.0 to 1.7)", sbom.ErrUnsupported, v)
		}
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charsetReader
	err := guard(func() error { return d.Decode(bom) })
	if err != nil {
		return xmlError(data, skipped, d, err)
	}
	for sv := cdx.SpecVersion1_0; sv <= cdx.SpecVersion1_7; sv++ {
		if xmlNamespacePrefix+sv.String() == bom.XMLName.Space {
			bom.SpecVersion = sv
		}
	}
	if bom.SpecVersion == 0 {
		return fmt.Errorf("%w: the root element bom has no CycloneDX namespace", sbom.ErrInvalid)
	}
	return nil
}

// xmlError turns an xml.Decoder error into one wrapping sbom.ErrInvalid (or
// sbom.ErrUnsupported, for a character encoding this package cannot read) that says where and
// why.
func xmlError(data []byte, skipped int, d *xml.Decoder, err error) error {
	var cs *charsetError
	if errors.As(err, &cs) {
		return fmt.Errorf("%w: XML character encoding %q (only UTF-8, US-ASCII and ISO-8859-1 are read)", sbom.ErrUnsupported, cs.charset)
	}
	off := int(d.InputOffset()) + skipped
	line, col := position(data, off)
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		if syn.Msg == "unexpected EOF" || off >= len(data) {
			return fmt.Errorf("%w: truncated XML at line %d (byte %d): the document ends inside an element", sbom.ErrInvalid, syn.Line, off)
		}
		return fmt.Errorf("%w: malformed XML at line %d, column %d (byte %d): %s", sbom.ErrInvalid, line, col, off, syn.Msg)
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: XML has no root element", sbom.ErrInvalid)
	}
	return fmt.Errorf("%w: CycloneDX XML at line %d, column %d (byte %d): %s", sbom.ErrInvalid, line, col, off, strings.TrimPrefix(err.Error(), "xml: "))
}

// guard runs a library call, turning a panic into an error wrapping sbom.ErrInvalid, so hostile
// input cannot crash the caller.
func guard(parse func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: the CycloneDX parser failed on this input: %v", sbom.ErrInvalid, r)
		}
	}()
	return parse()
}

// position returns the 1-based line and column (in bytes) of offset off in data.
func position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	return line, off - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// charsetReader lets the XML decoder read documents declared as US-ASCII or ISO-8859-1 (both
// map byte for byte onto Unicode); any other non-UTF-8 encoding is unsupported.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return &latin1Reader{r: r}, nil
	}
	return nil, &charsetError{charset}
}

// charsetError is charsetReader's refusal of an encoding; xmlError turns it into an error
// wrapping sbom.ErrUnsupported.
type charsetError struct{ charset string }

func (e *charsetError) Error() string { return "unsupported character encoding " + e.charset }

// latin1Reader converts ISO-8859-1 to UTF-8.
type latin1Reader struct {
	r       io.Reader
	buf     []byte
	pending []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.pending) == 0 {
		if cap(l.buf) == 0 {
			l.buf = make([]byte, 4096)
		}
		n, err := l.r.Read(l.buf[:cap(l.buf)])
		if n == 0 {
			return 0, err
		}
		out := make([]byte, 0, 2*n)
		for _, c := range l.buf[:n] {
			out = utf8.AppendRune(out, rune(c))
		}
		l.pending = out
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}
