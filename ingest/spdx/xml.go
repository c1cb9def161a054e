package spdx

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// SPDX's plain XML (written by spdx-java-library, and the encoding of the SPDX 2.3
// specification's XML example) is the JSON model with every property an element and every
// array entry a repeated element. tools-golang has no reader for it, so it is transcoded to
// SPDX JSON and read with tools-golang's JSON reader. The XML does not say which properties are
// arrays, booleans or numbers; these tables, from the SPDX 2.3 JSON schema, do.
var (
	xmlArrays = setOf(
		"annotations", "artifactOfs", "attributionTexts", "checksums", "creators", "crossRefs",
		"documentDescribes", "externalDocumentRefs", "externalRefs", "fileContributors",
		"fileDependencies", "fileTypes", "files", "hasExtractedLicensingInfos", "hasFiles",
		"licenseInfoFromFiles", "licenseInfoInFiles", "licenseInfoInSnippets", "packages",
		"packageVerificationCodeExcludedFiles", "ranges", "relationships", "revieweds", "seeAlsos",
		"snippets",
	)
	xmlBooleans = setOf("filesAnalyzed", "isLive", "isValid", "isWayBackLink")
	xmlNumbers  = setOf("lineNumber", "offset", "order")
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// readXML reads an SPDX 2 document in plain XML, nested no deeper than maxDepth.
func readXML(data []byte, maxDepth int) (*parsed, error) {
	root, err := parseXMLTree(data, maxDepth)
	if err != nil {
		return nil, err
	}
	version := ""
	for _, k := range root.kids {
		if k.name == "spdxVersion" {
			version = strings.TrimSpace(string(k.text))
			break
		}
	}
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	var w xmlToJSON
	w.node(root)
	loc := &locator{src: data, lines: true, fromJSON: w.sourceOffset, forms: func(v string) []string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(v))
		return []string{">" + b.String() + "<"}
	}}
	doc, fixes, err := decodeJSON(w.out.Bytes(), loc)
	if err != nil {
		return nil, err
	}
	return &parsed{doc: doc, version: version, fixes: fixes}, nil
}

// xmlNode is one element of a plain SPDX XML document.
type xmlNode struct {
	name string
	text []byte
	kids []*xmlNode
	// off is the input offset of the element's start tag.
	off int64
}

// parseXMLTree reads data into a tree of elements (attributes, comments and namespaces are not
// part of SPDX XML and are ignored). Errors wrap sbom.ErrInvalid and give the line, or
// sbom.ErrTooLarge when elements nest deeper than maxDepth.
func parseXMLTree(data []byte, maxDepth int) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root *xmlNode
	var stack []*xmlNode
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var syntax *xml.SyntaxError
			if errors.As(err, &syntax) {
				return nil, fmt.Errorf("%w: line %d: %w", sbom.ErrInvalid, syntax.Line, err)
			}
			line, _ := dec.InputPos()
			return nil, fmt.Errorf("%w: line %d: %w", sbom.ErrInvalid, line, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				line, _ := dec.InputPos()
				return nil, fmt.Errorf("%w: line %d: a second root element <%s>", sbom.ErrInvalid, line, t.Name.Local)
			}
			if len(stack) >= maxDepth {
				line, _ := dec.InputPos()
				return nil, fmt.Errorf("%w: line %d: XML nested deeper than %d elements", sbom.ErrTooLarge, line, maxDepth)
			}
			n := &xmlNode{name: t.Name.Local, off: off}
			if root == nil {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.text = append(top.text, t...)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: line 1: no XML element", sbom.ErrInvalid)
	}
	return root, nil
}

// xmlToJSON writes a tree of SPDX XML elements as SPDX JSON, remembering where each element
// came from so errors in the JSON can be placed in the XML.
type xmlToJSON struct {
	out bytes.Buffer
	// origins pairs the JSON offset at which each element's value starts with the element's
	// offset in the XML, in increasing order of both.
	origins [][2]int64
}

func (w *xmlToJSON) node(n *xmlNode) {
	w.origins = append(w.origins, [2]int64{int64(w.out.Len()), n.off})
	if len(n.kids) == 0 {
		w.scalar(n)
		return
	}
	var names []string
	groups := map[string][]*xmlNode{}
	for _, k := range n.kids {
		if _, seen := groups[k.name]; !seen {
			names = append(names, k.name)
		}
		groups[k.name] = append(groups[k.name], k)
	}
	w.out.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			w.out.WriteByte(',')
		}
		w.str(name)
		w.out.WriteByte(':')
		g := groups[name]
		if !xmlArrays[name] && len(g) == 1 {
			w.node(g[0])
			continue
		}
		w.out.WriteByte('[')
		for j, k := range g {
			if j > 0 {
				w.out.WriteByte(',')
			}
			w.node(k)
		}
		w.out.WriteByte(']')
	}
	w.out.WriteByte('}')
}

// scalar writes a leaf element: a boolean or number where the schema says so and the text is
// one, else a string.
func (w *xmlToJSON) scalar(n *xmlNode) {
	t := strings.TrimSpace(string(n.text))
	switch {
	case xmlBooleans[n.name] && (strings.EqualFold(t, "true") || strings.EqualFold(t, "false")):
		w.out.WriteString(strings.ToLower(t))
	case xmlNumbers[n.name] && isInteger(t):
		w.out.WriteString(t)
	default:
		w.str(string(n.text))
	}
}

func isInteger(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func (w *xmlToJSON) str(s string) {
	b, _ := json.Marshal(s)
	w.out.Write(b)
}

// sourceOffset maps an offset in the JSON written to the XML offset of the element whose value
// contains it.
func (w *xmlToJSON) sourceOffset(off int64) int64 {
	i := sort.Search(len(w.origins), func(i int) bool { return w.origins[i][0] > off })
	if i == 0 {
		return 0
	}
	return w.origins[i-1][1]
}
