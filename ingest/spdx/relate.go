package spdx

import (
	"strings"

	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// relation says what an SPDX relationship type means for the graph.
type relation struct {
	// kind is the edge the relationship makes between two packages; zero for a relationship
	// that is neither dependency nor containment (GENERATED_FROM, COPY_OF, OTHER...).
	kind sbom.EdgeKind
	// reverse: the edge runs from the related element to the element (DEPENDENCY_OF,
	// CONTAINED_BY, DESCRIBED_BY).
	reverse bool
	// describes: the document describing a package makes that package the root.
	describes bool
}

// relations holds every SPDX 2.3 relationship type (clause 11.1, plus DEPENDENCY_MANIFEST_OF).
var relations = map[string]relation{
	"DESCRIBES":              {kind: sbom.Contains, describes: true},
	"DESCRIBED_BY":           {kind: sbom.Contains, describes: true, reverse: true},
	"CONTAINS":               {kind: sbom.Contains},
	"CONTAINED_BY":           {kind: sbom.Contains, reverse: true},
	"DEPENDS_ON":             {kind: sbom.DependsOn},
	"DEPENDENCY_OF":          {kind: sbom.DependsOn, reverse: true},
	"BUILD_DEPENDENCY_OF":    {kind: sbom.DependsOn, reverse: true},
	"DEV_DEPENDENCY_OF":      {kind: sbom.DependsOn, reverse: true},
	"OPTIONAL_DEPENDENCY_OF": {kind: sbom.DependsOn, reverse: true},
	"PROVIDED_DEPENDENCY_OF": {kind: sbom.DependsOn, reverse: true},
	"RUNTIME_DEPENDENCY_OF":  {kind: sbom.DependsOn, reverse: true},
	"TEST_DEPENDENCY_OF":     {kind: sbom.DependsOn, reverse: true},
	"STATIC_LINK":            {kind: sbom.DependsOn},
	"DYNAMIC_LINK":           {kind: sbom.DependsOn},

	"DEPENDENCY_MANIFEST_OF": {}, "EXAMPLE_OF": {}, "GENERATES": {}, "GENERATED_FROM": {},
	"ANCESTOR_OF": {}, "DESCENDANT_OF": {}, "VARIANT_OF": {}, "DISTRIBUTION_ARTIFACT": {},
	"PATCH_FOR": {}, "PATCH_APPLIED": {}, "COPY_OF": {}, "FILE_ADDED": {}, "FILE_DELETED": {},
	"FILE_MODIFIED": {}, "EXPANDED_FROM_ARCHIVE": {}, "DATA_FILE_OF": {}, "TEST_CASE_OF": {},
	"BUILD_TOOL_OF": {}, "DEV_TOOL_OF": {}, "TEST_OF": {}, "TEST_TOOL_OF": {},
	"DOCUMENTATION_OF": {}, "OPTIONAL_COMPONENT_OF": {}, "METAFILE_OF": {}, "PACKAGE_OF": {},
	"AMENDS": {}, "PREREQUISITE_FOR": {}, "HAS_PREREQUISITE": {},
	"REQUIREMENT_DESCRIPTION_FOR": {}, "SPECIFICATION_FOR": {}, "OTHER": {},
}

// rdfRelationNames are the RDF names of relationship types whose camel case does not spell
// the tag-value name.
var rdfRelationNames = map[string]string{
	"amendment":     "AMENDS",
	"dataFile":      "DATA_FILE_OF",
	"documentation": "DOCUMENTATION_OF",
	"testcaseOf":    "TEST_CASE_OF",
}

// relationType returns the tag-value spelling of a relationship type; tools-golang's RDF reader
// gives the RDF one ("dynamicLink" -> "DYNAMIC_LINK").
func relationType(t string) string {
	t = strings.TrimSpace(t)
	if name, ok := rdfRelationNames[t]; ok {
		return name
	}
	if strings.ToUpper(t) == t {
		return t
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= 'A' && c <= 'Z' && i > 0 && t[i-1] >= 'a' && t[i-1] <= 'z' {
			b.WriteByte('_')
		}
		b.WriteByte(c)
	}
	return strings.ToUpper(b.String())
}

// endKind says what a relationship names.
type endKind uint8

const (
	// undefined: nothing in the document has the id.
	undefined endKind = iota
	pkgEnd
	documentEnd
	// elsewhere: a file, a snippet, an element of another document, NONE or NOASSERTION.
	elsewhere
)

// elements resolves the ids relationships name.
type elements struct {
	b *sbom.Builder
	// document is the document's own id, "SPDXRef-DOCUMENT".
	document string
	// files holds the ids of files, snippets and other elements that are not packages.
	files map[string]bool
}

// newElements collects the ids of d's files and snippets, and the ids in elsewhere (see
// parsed), warning about a file that has a package's id. Packages must have been added to b.
func newElements(b *sbom.Builder, d *spdx.Document, elsewhere []string) *elements {
	e := documentElements(b, d)
	for _, f := range d.Files {
		e.addFile(f)
	}
	for _, p := range d.Packages {
		if p != nil {
			for _, f := range p.Files {
				e.addFile(f)
			}
		}
	}
	e.addSnippets(d)
	for _, id := range elsewhere {
		e.files[id] = true
	}
	return e
}

// documentElements returns an elements that knows d's own id and no file yet.
func documentElements(b *sbom.Builder, d *spdx.Document) *elements {
	e := &elements{b: b, document: common.RenderElementID(d.SPDXIdentifier), files: map[string]bool{}}
	if d.SPDXIdentifier == "" {
		e.document = "SPDXRef-DOCUMENT"
	}
	return e
}

// addFile records the ids of file f and of its snippets, warning when f has a package's id.
// Packages must have been added to the Builder.
func (e *elements) addFile(f *spdx.File) {
	if f == nil {
		return
	}
	id := common.RenderElementID(f.FileSPDXIdentifier)
	if _, isPkg := e.b.Lookup(id); isPkg {
		e.b.Warn(sbom.WarnDuplicateID, id, "id %q is used by a package and a file; relationships resolve to the package", id)
	}
	e.files[id] = true
	for sid := range f.Snippets {
		e.files[common.RenderElementID(sid)] = true
	}
}

// addSnippets records the ids of d's snippets.
func (e *elements) addSnippets(d *spdx.Document) {
	for _, s := range d.Snippets {
		e.files[common.RenderElementID(s.SnippetSPDXIdentifier)] = true
	}
}

// resolve returns the id a relationship end names, what it is and, for a package, its index.
func (e *elements) resolve(ref common.DocElementID) (string, endKind, int) {
	switch {
	case ref.SpecialID != "", ref.DocumentRefID != "":
		return common.RenderDocElementID(ref), elsewhere, -1
	case ref.ElementRefID == "":
		return "", undefined, -1
	}
	id := common.RenderElementID(ref.ElementRefID)
	if id == e.document {
		return id, documentEnd, -1
	}
	if i, ok := e.b.Lookup(id); ok {
		return id, pkgEnd, i
	}
	if e.files[id] {
		return id, elsewhere, -1
	}
	return id, undefined, -1
}

// relate adds what one relationship means: an edge between two packages, or the root. Ids
// that name nothing in the document are reported as dangling, types SPDX does not define as
// unknown; relationships with files, snippets, the document or other documents add nothing.
func (e *elements) relate(r *spdx.Relationship) {
	typ := relationType(r.Relationship)
	from, fromKind, fi := e.resolve(r.RefA)
	to, toKind, ti := e.resolve(r.RefB)
	for _, end := range []struct {
		id   string
		kind endKind
	}{{from, fromKind}, {to, toKind}} {
		if end.kind == undefined {
			e.b.Warn(sbom.WarnDanglingRef, end.id, "relationship %s %s %s names %q, which is no package, file or snippet of the document",
				orNone(from), r.Relationship, orNone(to), end.id)
		}
	}
	rel, known := relations[typ]
	if !known {
		e.b.Warn(sbom.WarnUnknownRelation, r.Relationship, "relationship type %q is not an SPDX 2.3 relationship type; ignored", r.Relationship)
		return
	}
	if rel.reverse {
		fromKind, toKind, fi, ti = toKind, fromKind, ti, fi
	}
	switch {
	case rel.describes && fromKind == documentEnd && toKind == pkgEnd:
		if e.b.Root() < 0 {
			e.b.SetRoot(ti)
		}
	case rel.kind != 0 && fromKind == pkgEnd && toKind == pkgEnd:
		e.b.EdgeIndex(fi, ti, rel.kind)
	}
}

// orNone renders an empty id in a message.
func orNone(id string) string {
	if id == "" {
		return "(none)"
	}
	return id
}
