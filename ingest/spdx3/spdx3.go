// Package spdx3 reads SPDX 3.0 SBOMs, written as JSON-LD, into the sbom model.
//
// github.com/spdx/tools-golang's spdx/v3/v3_0 reader is not used: it expands the whole
// document through a generic JSON-LD processor into map[string]any before building its model,
// which makes it slow (about 1.3 MB/s); it rejects a whole document for one reference to an
// undefined id, merges elements that share an id, knows no context but 3.0.1's, needs an
// SpdxDocument element, and reports JSON errors without a position. Instead this package
// decodes the compacted @graph that SPDX 3.0 JSON-LD serialisations are written as (see
// model.go) with encoding/json into a few typed structs, one per kind of node it reads, and
// maps them through sbom.Builder (see convert.go).
package spdx3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// sniffLen is how much of the input Identify looks at.
const sniffLen = 16 << 10

var utf8BOM = []byte("\xef\xbb\xbf")

// Identify reports whether data looks like an SPDX 3 JSON-LD document: a JSON object whose
// "@context", within the first 16 KiB, names an https://spdx.org/rdf/3.x context. Any 3.x is
// accepted here, so that Decode can report a version other than 3.0 as unsupported rather than
// the dispatcher calling the input "not an SBOM". It returns sbom.EncodingJSONLD; it never
// fails, and returns false for anything else.
func Identify(data []byte) (sbom.Encoding, bool) {
	head := data[:min(len(data), sniffLen)]
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(head) == 0 || head[0] != '{' {
		return "", false
	}
	for _, iri := range sniffContext(head) {
		if v, ok := contextVersion(iri); ok && strings.HasPrefix(v, "3.") {
			return sbom.EncodingJSONLD, true
		}
	}
	return "", false
}

// sniffContext returns the strings in the value of the top-level "@context" member of the
// (possibly cut short) JSON object in head, walking the tokens before it without decoding them.
func sniffContext(head []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(head))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for {
		t, err := dec.Token()
		key, ok := t.(string)
		if err != nil || !ok {
			return nil
		}
		if key == "@context" {
			return tokenStrings(dec)
		}
		tokenStrings(dec) // skip the value
	}
}

// tokenStrings reads one JSON value from dec and returns every string in it (keys included),
// stopping early at the end of the input or an error.
func tokenStrings(dec *json.Decoder) []string {
	var out []string
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return out
		}
		switch v := t.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			out = append(out, v)
		}
		if depth == 0 {
			return out
		}
	}
}

// contextVersion returns the version in an SPDX context IRI such as
// "https://spdx.org/rdf/3.0.1/spdx-context.jsonld" ("3.0.1").
func contextVersion(iri string) (string, bool) {
	_, rest, ok := strings.Cut(iri, "spdx.org/rdf/")
	if !ok {
		return "", false
	}
	v, _, _ := strings.Cut(rest, "/")
	if v == "" || v[0] < '0' || v[0] > '9' {
		return "", false
	}
	return v, true
}

// Decode reads an SPDX 3.0.x JSON-LD document and returns it normalised: every
// software_Package, ai_AIPackage and dataset_DatasetPackage becomes a component (in document
// order), dependsOn, contains and link relationships between them become edges, licence
// relationships give their licences, and the document's root element is the root.
// Problems that leave the document readable (dangling references, bad purls, unreadable
// properties) are returned as the Document's Warnings.
//
// Errors wrap sbom.ErrInvalid (input that is not JSON, is truncated, is not an object, or has
// no @graph; the message gives the byte offset), sbom.ErrUnsupported (an encoding other than
// JSON-LD, or an SPDX version other than 3.0.x, named in the message) or sbom.ErrTooLarge (a
// limit was hit). They never name a file; the caller does.
func Decode(data []byte, enc sbom.Encoding, limits sbom.Limits) (*sbom.Document, error) {
	if enc != sbom.EncodingJSONLD {
		return nil, fmt.Errorf("%w: SPDX 3 encoding %q (only %s is read)", sbom.ErrUnsupported, enc, sbom.EncodingJSONLD)
	}
	limits = limits.WithDefaults()
	if int64(len(data)) > limits.MaxBytes {
		return nil, fmt.Errorf("%w: input larger than %d bytes", sbom.ErrTooLarge, limits.MaxBytes)
	}
	d := &decoder{
		limits: limits,
		b:      sbom.NewBuilder(sbom.Source{Format: sbom.FormatSPDX, Encoding: sbom.EncodingJSONLD}, limits),
		byID:   make(map[string]*element),
	}
	if bytes.HasPrefix(data, utf8BOM) {
		data, d.base = data[len(utf8BOM):], int64(len(utf8BOM))
	}
	d.data = data
	if err := d.parse(); err != nil {
		return nil, err
	}
	return d.convert()
}

// decoder holds one document while it is read.
type decoder struct {
	data   []byte // the input, without a leading byte order mark
	base   int64  // the length of that byte order mark, added to every offset reported
	limits sbom.Limits
	b      *sbom.Builder

	contexts []string            // the strings in @context
	elements []*element          // every node, in document order, inline nodes after their holder
	byID     map[string]*element // the first node defining each id

	licenseMemo map[*element]string // the expression of each licence node, once built
}

// parse reads the top-level object: its @context and the nodes of its @graph.
func (d *decoder) parse() error {
	dec := json.NewDecoder(bytes.NewReader(d.data))
	t, err := dec.Token()
	if err != nil {
		return d.malformed(err)
	}
	if t != json.Delim('{') {
		return fmt.Errorf("%w: the document is %s at byte %d, not a JSON-LD object", sbom.ErrInvalid, describe(t), d.base+int64(len(d.data))-int64(len(bytes.TrimLeft(d.data, " \t\r\n"))))
	}
	graphs := 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return d.malformed(err)
		}
		key, _ := t.(string)
		switch key {
		case "@graph":
			graphs++
			if err := d.readGraph(dec); err != nil {
				return err
			}
		case "@context":
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return d.malformed(err)
			}
			d.contexts = append(d.contexts, tokenStrings(json.NewDecoder(bytes.NewReader(raw)))...)
		default:
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return d.malformed(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return d.malformed(err)
	}
	end := d.valueStart(dec.InputOffset())
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: unexpected data after the document's closing brace at byte %d", sbom.ErrInvalid, d.base+end)
	}
	if graphs == 0 {
		return fmt.Errorf("%w: the JSON-LD object has no @graph, so it holds no SPDX elements", sbom.ErrInvalid)
	}
	return nil
}

// readGraph reads the @graph array, one node at a time.
func (d *decoder) readGraph(dec *json.Decoder) error {
	at := d.valueStart(dec.InputOffset())
	t, err := dec.Token()
	if err != nil {
		return d.malformed(err)
	}
	if t != json.Delim('[') {
		return fmt.Errorf("%w: @graph at byte %d is %s, not a list of nodes", sbom.ErrInvalid, d.base+at, describe(t))
	}
	for i := 0; dec.More(); i++ {
		start := d.valueStart(dec.InputOffset())
		if start >= int64(len(d.data)) || d.data[start] != '{' {
			// Bytes that are not JSON at all are reported as such.
			if _, err := dec.Token(); err != nil {
				return d.malformed(err)
			}
			return fmt.Errorf("%w: @graph entry %d at byte %d is not a node object", sbom.ErrInvalid, i, d.base+start)
		}
		var h header
		herr := dec.Decode(&h)
		if herr != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(herr, &te) {
				return d.malformed(herr)
			}
		}
		el := d.decodeNode(&h, herr, d.data[start:dec.InputOffset()], d.base+start, false)
		if err := d.add(el, 1); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return d.malformed(err)
	}
	return nil
}

// valueStart returns the offset of the next value at or after off, past whitespace and the
// comma that json.Decoder leaves in front of it.
func (d *decoder) valueStart(off int64) int64 {
	for off < int64(len(d.data)) {
		switch d.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// decodeNode reads a node's content for its class. Properties that cannot be read are left
// empty and reported; herr is the error, if any, from reading the node's header.
func (d *decoder) decodeNode(h *header, herr error, span []byte, off int64, inline bool) *element {
	el := &element{kind: h.kind(), id: h.id(), off: off, span: span, inline: inline, comp: -1}
	el.class = classOf(el.kind)
	if herr != nil {
		d.warnUnreadable(el, herr)
	}
	var err error
	switch el.class {
	case classPackage:
		el.pkg = new(packageNode)
		err = json.Unmarshal(span, el.pkg)
	case classRelationship:
		el.rel = new(relationshipNode)
		err = json.Unmarshal(span, el.rel)
	case classCollection:
		el.coll = new(collectionNode)
		err = json.Unmarshal(span, el.coll)
	case classAgent:
		el.agt = new(agentNode)
		err = json.Unmarshal(span, el.agt)
	case classLicense:
		el.lic = new(licenseNode)
		err = json.Unmarshal(span, el.lic)
	case classCreationInfo:
		el.ci = new(creationInfoNode)
		err = json.Unmarshal(span, el.ci)
	}
	if err != nil {
		d.warnUnreadable(el, err)
	}
	if el.kind == "" {
		d.b.Warn(sbom.WarnInvalidField, el.id, "the node at byte %d has no type, so it was not read", el.off)
	}
	return el
}

// add records el and, depth first, the nodes written inline in its references.
func (d *decoder) add(el *element, depth int) error {
	if depth > d.limits.MaxDepth {
		return fmt.Errorf("%w: nodes written inline in one another deeper than %d levels at byte %d", sbom.ErrTooLarge, d.limits.MaxDepth, el.off)
	}
	d.elements = append(d.elements, el)
	if el.id != "" {
		if first, dup := d.byID[el.id]; dup {
			d.b.Warn(sbom.WarnDuplicateID, el.id, "id %q is defined by more than one node (%s at byte %d and %s at byte %d); references resolve to the first", el.id, kindName(first), first.off, kindName(el), el.off)
		} else {
			d.byID[el.id] = el
		}
	}
	for _, f := range el.refFields() {
		for i := range *f.refs {
			r := &(*f.refs)[i]
			if r.bad != "" {
				d.b.Warn(sbom.WarnInvalidField, el.id, "%s at byte %d: %s holds a %s where a reference was expected; it was ignored", kindName(el), el.off, f.name, r.bad)
				continue
			}
			if r.inline == nil {
				continue
			}
			var h header
			herr := json.Unmarshal(r.inline, &h)
			if herr == nil && h.kind() == "" && h.id() != "" {
				// {"@id": "..."}: a reference written as a node object.
				r.id, r.inline = h.id(), nil
				continue
			}
			child := d.decodeNode(&h, herr, r.inline, el.off, true)
			r.el, r.id, r.inline = child, child.id, nil
			if err := d.add(child, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// warnUnreadable reports a property of el that could not be read.
func (d *decoder) warnUnreadable(el *element, err error) {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		d.b.Warn(sbom.WarnInvalidField, el.id, "%s at byte %d: property %q cannot hold a JSON %s; it was left empty", kindName(el), el.off, te.Field, te.Value)
		return
	}
	d.b.Warn(sbom.WarnInvalidField, el.id, "%s at byte %d could not be fully read: %v", kindName(el), el.off, err)
}

// kindName names a node in a message: its type and id.
func kindName(el *element) string {
	kind := el.kind
	if kind == "" {
		kind = "untyped node"
	}
	if el.inline {
		kind = "inline " + kind
	}
	if el.id == "" {
		return kind
	}
	return fmt.Sprintf("%s %q", kind, el.id)
}

// malformed turns a JSON error into an ErrInvalid that says where the input goes wrong. The
// streaming decoder's offsets are not always exact, so the input is scanned again to find the
// first bad byte.
func (d *decoder) malformed(err error) error {
	var raw json.RawMessage
	if serr := json.Unmarshal(d.data, &raw); serr != nil {
		err = serr
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if se.Offset >= int64(len(d.data)) {
			return fmt.Errorf("%w: truncated: the JSON ends at byte %d before the document is complete", sbom.ErrInvalid, d.base+int64(len(d.data)))
		}
		// Offset counts the bytes read, the bad one included.
		return fmt.Errorf("%w: malformed JSON at byte %d: %v", sbom.ErrInvalid, d.base+se.Offset-1, se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated: the JSON ends at byte %d before the document is complete", sbom.ErrInvalid, d.base+int64(len(d.data)))
	}
	return fmt.Errorf("%w: malformed JSON: %v", sbom.ErrInvalid, err)
}

// describe says what kind of JSON value a token starts.
func describe(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '[' {
			return "a JSON array"
		}
		return "a JSON object"
	case string:
		return "a JSON string"
	case float64, json.Number:
		return "a JSON number"
	case bool:
		return "a JSON boolean"
	case nil:
		return "JSON null"
	}
	return "a JSON value"
}
