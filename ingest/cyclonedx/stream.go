package cyclonedx

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/sbomgraph/sbomgraph/ingest/internal/jsonsplit"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// streamJSON decodes CycloneDX JSON one components[] entry at a time: the library decodes
// everything but components[] into a cdx.BOM, then each entry of components[] into a
// cdx.Component, which is mapped at once and dropped, so the library's tree of the whole document
// never exists. It gives the Document Decode would give and reports true, or reports false
// when it cannot tell that it would: the input has no components[], is not plain enough for
// jsonsplit, does not decode or hits a limit. Decode then reads it whole (parseJSON and convert),
// which also gives the error, so errors say what they always said.
func streamJSON(data []byte, limits sbom.Limits) (*sbom.Document, bool) {
	body := bytes.TrimPrefix(data, utf8BOM)
	members, ok := jsonsplit.Object(body, func(key string) bool { return key == "components" })
	if !ok {
		return nil, false
	}
	// encoding/json matches member names to fields regardless of case, and the last of two
	// members for one field wins; stream only the plain case of one "components".
	list := -1
	for i, mem := range members {
		if strings.EqualFold(mem.Key, "components") {
			if mem.Key != "components" || list >= 0 {
				return nil, false
			}
			list = i
		}
	}
	if list < 0 {
		return nil, false
	}
	entries := members[list].Elements
	if entries == nil && string(members[list].Value) != "null" {
		return nil, false
	}
	// The rest of the document, as one object, for the library.
	size := 2
	for i, mem := range members {
		if i != list {
			size += len(mem.Raw) + 1
		}
	}
	rest := make([]byte, 0, size)
	rest = append(rest, '{')
	for i, mem := range members {
		if i == list {
			continue
		}
		if len(rest) > 1 {
			rest = append(rest, ',')
		}
		rest = append(rest, mem.Raw...)
	}
	rest = append(rest, '}')
	var bom cdx.BOM
	if guard(func() error { return json.Unmarshal(rest, &bom) }) != nil || bom.BOMFormat != cdx.BOMFormat || bom.SpecVersion == 0 {
		return nil, false
	}
	m, err := newMapper(&bom, sbom.EncodingJSON, limits)
	if err != nil {
		return nil, false
	}
	m.b.Grow(len(entries))
	var c cdx.Component // reused: the mapping keeps nothing of it
	for i, entry := range entries {
		c = cdx.Component{}
		if guard(func() error { return json.Unmarshal(entry, &c) }) != nil {
			return nil, false
		}
		if m.addComponent(&c, i, -1, "", 1) != nil {
			return nil, false
		}
	}
	return m.finish(&bom), true
}

// streamXML decodes CycloneDX XML one component of the root's components element at a time.
// The library's decoder reads the document through a token filter (xmlStream) that takes every
// components element out of the stream, so the cdx.BOM it fills has no components; the filter
// has each component decoded into a cdx.Component by a second decoder that shares the first's
// namespace bindings, and maps it at once. It gives the Document Decode would give and reports
// true, or reports false when it cannot tell that it would: the input does not decode, a
// metadata element follows the components (which the mapping needs first), the namespace is
// not a known CycloneDX one, or a limit is hit. Decode then reads it whole (parseXML and
// convert), which also gives the error.
func streamXML(data []byte, limits sbom.Limits) (*sbom.Document, bool) {
	body := bytes.TrimPrefix(data, utf8BOM)
	raw := xml.NewDecoder(bytes.NewReader(body))
	raw.CharsetReader = charsetReader
	s := &xmlStream{raw: raw, limits: limits}
	if guard(func() error { return xml.NewTokenDecoder(s).Decode(&s.bom) }) != nil || s.failed {
		return nil, false
	}
	if s.m == nil { // no components element
		if s.start() != nil {
			return nil, false
		}
	}
	return s.m.finish(&s.bom), true
}

// maxXMLDepth is the deepest nesting streamXML reads.
const maxXMLDepth = 9000

// errStreamXML stops the decoding of a document streamXML leaves to parseXML.
var errStreamXML = errors.New("the document is read whole")

// xmlStream is the token filter of streamXML: an xml.TokenReader handing on the raw tokens of
// raw, less the root's components elements, whose components it decodes and maps itself.
type xmlStream struct {
	raw    *xml.Decoder
	limits sbom.Limits
	// bom is what the library's decoder fills in, from the tokens handed on.
	bom cdx.BOM
	// m maps the document; it is made when the first components element is met, by which
	// time the root element and the metadata have been decoded into bom.
	m *mapper
	// depth is the element depth of the raw token just read (the root is at depth 1).
	depth int
	// root is the root's raw start tag, whose namespace declarations the components need.
	root xml.StartElement
	// entries counts the components mapped so far, across components elements.
	entries int
	// failed is set when the document must be read whole after all.
	failed bool
}

// Token returns the next raw token that is not part of a components element of the root.
func (s *xmlStream) Token() (xml.Token, error) {
	for {
		t, err := s.next()
		if err != nil {
			return t, err
		}
		if start, ok := t.(xml.StartElement); ok && s.depth == 2 {
			switch start.Name.Local {
			case "components":
				if err := s.components(start.Copy()); err != nil {
					s.failed = true
					return nil, err
				}
				continue
			case "metadata":
				if s.m != nil { // after the components: the mapping would need it first
					s.failed = true
					return nil, errStreamXML
				}
			}
		}
		return t, nil
	}
}

// next returns the next raw token, keeping depth.
func (s *xmlStream) next() (xml.Token, error) {
	t, err := s.raw.RawToken()
	if err != nil {
		return t, err
	}
	switch t := t.(type) {
	case xml.StartElement:
		s.depth++
		if s.depth > maxXMLDepth {
			// encoding/xml refuses elements nested more than 10000 deep; a component decoded
			// on its own could be less deep than that, and be accepted.
			s.failed = true
			return nil, errStreamXML
		}
		if s.depth == 1 {
			s.root = t.Copy()
		}
	case xml.EndElement:
		s.depth--
	}
	return t, nil
}

// start makes the mapper, once the root element and whatever precedes the first components
// element have been decoded into bom.
func (s *xmlStream) start() error {
	for sv := cdx.SpecVersion1_0; sv <= cdx.SpecVersion1_7; sv++ {
		if xmlNamespacePrefix+sv.String() == s.bom.XMLName.Space {
			s.bom.SpecVersion = sv
		}
	}
	if s.bom.SpecVersion == 0 {
		return errStreamXML
	}
	m, err := newMapper(&s.bom, sbom.EncodingXML, s.limits)
	if err != nil {
		return err
	}
	s.m = m
	return nil
}

// components decodes and maps the components in the components element whose raw start tag
// (at depth 2) has just been read, up to and including its end tag. Other elements in it are
// skipped, as the library's decoder skips them.
func (s *xmlStream) components(start xml.StartElement) error {
	if s.m == nil {
		if err := s.start(); err != nil {
			return err
		}
	}
	// A decoder of the components element's tokens, given the root's and the components
	// element's start tags first, so it resolves namespace prefixes and checks that end tags
	// match as the library's decoder would.
	d := xml.NewTokenDecoder(&xmlSubtree{s: s, pending: []xml.Token{s.root, start}})
	for range 2 {
		if _, err := d.Token(); err != nil {
			return err
		}
	}
	var c cdx.Component // reused: the mapping keeps nothing of it
	for {
		t, err := d.Token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if t.Name.Local != "component" {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			c = cdx.Component{}
			if err := d.DecodeElement(&c, &t); err != nil {
				return err
			}
			if err := s.m.addComponent(&c, s.entries, -1, "", 1); err != nil {
				return err
			}
			s.entries++
		case xml.EndElement:
			return nil // the components element's own
		}
	}
}

// xmlSubtree hands out the given tokens, then raw tokens of its xmlStream until the end of the
// components element being read.
type xmlSubtree struct {
	s       *xmlStream
	pending []xml.Token
	done    bool
}

func (x *xmlSubtree) Token() (xml.Token, error) {
	if len(x.pending) > 0 {
		t := x.pending[0]
		x.pending = x.pending[1:]
		return t, nil
	}
	if x.done {
		return nil, io.EOF
	}
	t, err := x.s.next()
	if err != nil {
		return t, err
	}
	if _, end := t.(xml.EndElement); end && x.s.depth == 1 {
		x.done = true
	}
	return t, nil
}

var _ xml.TokenReader = (*xmlStream)(nil)
var _ xml.TokenReader = (*xmlSubtree)(nil)
