package spdx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spdx/gordf/rdfloader"
	gordf "github.com/spdx/gordf/rdfloader/parser"
	"github.com/spdx/tools-golang/convert"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/common"
	v2common "github.com/spdx/tools-golang/spdx/v2/common"
	rdf22 "github.com/spdx/tools-golang/spdx/v2/v2_2/rdf/reader"
	rdf23 "github.com/spdx/tools-golang/spdx/v2/v2_3/rdf/reader"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// specVersionPredicate is the RDF predicate holding an SPDX document's spdxVersion.
const specVersionPredicate = "http://spdx.org/rdf/terms#specVersion"

// readRDF reads an SPDX 2 RDF/XML document. It does what tools-golang's rdf.Read does, in
// steps, so that the version as written is kept and SPDX 2.1, which rdf.Read refuses, is read
// with the 2.2 reader.
func readRDF(data []byte) (*parsed, error) {
	graph, err := safely(func() (*gordf.Parser, error) { return rdfloader.LoadFromReaderObject(bytes.NewReader(data)) })
	if err != nil {
		return nil, rdfError(data, err)
	}
	version := ""
	for _, t := range graph.Triples {
		if t.Predicate != nil && t.Object != nil && t.Predicate.ID == specVersionPredicate {
			version = t.Object.ID
			break
		}
	}
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	load := func() (common.AnyDocument, error) { return nilIfErr(rdf22.LoadFromGoRDFParser(graph)) }
	if version == "SPDX-2.3" {
		load = func() (common.AnyDocument, error) { return nilIfErr(rdf23.LoadFromGoRDFParser(graph)) }
	}
	doc, err := safely(load)
	if err != nil {
		return nil, rdfError(data, err)
	}
	var latest spdx.Document
	if _, err := safely(func() (struct{}, error) { return struct{}{}, convert.Document(doc, &latest) }); err != nil {
		return nil, fmt.Errorf("%w: converting the %s document to the 2.3 model: %w", sbom.ErrInvalid, version, err)
	}
	// The RDF reader keeps the prefix of the document's own id, which the other readers (and
	// the model's other ids) drop.
	latest.SPDXIdentifier = spdx.ElementID(strings.TrimPrefix(string(latest.SPDXIdentifier), "SPDXRef-"))
	restorePurposes(&latest, graph)
	inDocumentOrder(&latest, data)
	return &parsed{doc: &latest, version: version, elsewhere: externalElements(graph, latest.DocumentNamespace)}, nil
}

// inDocumentOrder makes what tools-golang's RDF reader returns deterministic: the reader
// collects packages and relationships in an order that changes from run to run, and writes the
// members of a licence set (unordered in RDF) in any order. Packages are put in the order their
// ids first appear in the input, relationships in the order of the elements they relate, and
// the operands of a licence expression that uses a single operator are sorted.
func inDocumentOrder(d *spdx.Document, data []byte) {
	pos := firstMentions(data)
	at := func(id string) int {
		if i, ok := pos[id]; ok {
			return i
		}
		return len(data)
	}
	sort.SliceStable(d.Packages, func(i, j int) bool {
		a, b := string(d.Packages[i].PackageSPDXIdentifier), string(d.Packages[j].PackageSPDXIdentifier)
		if pa, pb := at(a), at(b); pa != pb {
			return pa < pb
		}
		return a < b
	})
	key := func(r *spdx.Relationship) [3]string {
		return [3]string{v2common.RenderDocElementID(r.RefA), v2common.RenderDocElementID(r.RefB), r.Relationship}
	}
	sort.SliceStable(d.Relationships, func(i, j int) bool {
		a, b := key(d.Relationships[i]), key(d.Relationships[j])
		for k := range 2 {
			if pa, pb := at(strings.TrimPrefix(a[k], "SPDXRef-")), at(strings.TrimPrefix(b[k], "SPDXRef-")); pa != pb {
				return pa < pb
			}
		}
		return a[0]+" "+a[1]+" "+a[2] < b[0]+" "+b[1]+" "+b[2]
	})
	for _, p := range d.Packages {
		p.PackageLicenseConcluded = sortOperands(p.PackageLicenseConcluded)
		p.PackageLicenseDeclared = sortOperands(p.PackageLicenseDeclared)
	}
}

// firstMentions maps every id that appears in an RDF/XML input as "...#SPDXRef-id" to the
// offset of its first appearance (the id without its prefix, as in the model).
func firstMentions(data []byte) map[string]int {
	pos := map[string]int{}
	marker := []byte("#SPDXRef-")
	for off := 0; ; {
		i := bytes.Index(data[off:], marker)
		if i < 0 {
			return pos
		}
		start := off + i + len(marker)
		end := start
		for end < len(data) && data[end] != '"' && data[end] != '\'' && data[end] != '<' {
			end++
		}
		if id := string(data[start:end]); id != "" {
			if _, seen := pos[id]; !seen {
				pos[id] = off + i
			}
		}
		off = end
	}
}

// sortOperands sorts the operands of a licence expression joined by a single operator (all OR
// or all AND); others are returned unchanged.
func sortOperands(expr string) string {
	if strings.ContainsAny(expr, "()") {
		return expr
	}
	ors, ands := strings.Split(expr, " OR "), strings.Split(expr, " AND ")
	switch {
	case len(ors) > 1 && len(ands) == 1:
		sort.Strings(ors)
		return strings.Join(ors, " OR ")
	case len(ands) > 1 && len(ors) == 1:
		sort.Strings(ands)
		return strings.Join(ands, " AND ")
	}
	return expr
}

// purposePredicate is the RDF predicate of a package's primaryPackagePurpose.
const purposePredicate = "http://spdx.org/rdf/terms#primaryPackagePurpose"

// restorePurposes sets the primaryPackagePurpose tools-golang's RDF reader drops: it expects
// the bare term ("packagePurpose_application") where documents give the term's URI
// ("http://spdx.org/rdf/terms#packagePurpose_application"), and so reads none.
func restorePurposes(d *spdx.Document, graph *gordf.Parser) {
	purposes := map[string]string{}
	for _, t := range graph.Triples {
		if t.Subject == nil || t.Predicate == nil || t.Object == nil || t.Predicate.ID != purposePredicate {
			continue
		}
		_, id, _ := strings.Cut(t.Subject.ID, "#SPDXRef-")
		term := t.Object.ID[strings.LastIndexByte(t.Object.ID, '#')+1:]
		purposes[id] = strings.TrimPrefix(strings.TrimPrefix(term, "packagePurpose_"), "purpose_")
	}
	for _, p := range d.Packages {
		if p.PrimaryPackagePurpose == "" {
			p.PrimaryPackagePurpose = purposes[string(p.PackageSPDXIdentifier)]
		}
	}
}

// externalElements returns the ids of the elements of other documents that an RDF document
// names. They are URIs outside the document's namespace ("http://other/doc#SPDXRef-x"), and
// tools-golang's reader keeps only their last part, as if they were the document's own.
func externalElements(graph *gordf.Parser, namespace string) []string {
	namespace = strings.TrimSuffix(namespace, "#")
	seen := map[string]bool{}
	var ids []string
	for _, t := range graph.Triples {
		for _, n := range []*gordf.Node{t.Subject, t.Object} {
			if n == nil {
				continue
			}
			base, id, ok := strings.Cut(n.ID, "#")
			if !ok || base == namespace || !strings.HasPrefix(id, "SPDXRef-") || seen[id] {
				continue
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// rdfError turns an error from reading RDF/XML into one wrapping sbom.ErrInvalid. The RDF
// libraries do not say where; when the input is not well-formed XML, Go's XML decoder gives
// the line, otherwise the line of the value the message names is given, when it names one.
func rdfError(data []byte, err error) error {
	if line, bad := xmlSyntaxLine(data); bad {
		return fmt.Errorf("%w: line %d: %w", sbom.ErrInvalid, line, err)
	}
	loc := &locator{src: data, lines: true, forms: func(v string) []string { return []string{v} }}
	return invalidAt(loc.find(libValue(err.Error())), err)
}

// xmlSyntaxLine reports whether data is not well-formed XML and, if so, on which line.
func xmlSyntaxLine(data []byte) (int, bool) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return 0, false
		}
		var syntax *xml.SyntaxError
		if errors.As(err, &syntax) {
			return syntax.Line, true
		}
		if err != nil {
			line, _ := dec.InputPos()
			return line, true
		}
	}
}
