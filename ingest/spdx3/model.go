package spdx3

import (
	"bytes"
	"encoding/json"
	"strings"
)

// This file is the small typed model of the SPDX 3.0 JSON-LD @graph that the mapping needs:
// one struct per kind of node it reads, chosen by the node's "type", with the compacted
// property names of the SPDX 3.0 JSON-LD context. Everything else in a node is skipped.
//
// JSON-LD compaction writes a one-item list as a single value and may write a referenced node
// inline instead of by id, so lists accept a single value (list) and references accept an id,
// an inline node or a list of either (refs).

// The node kinds the mapping distinguishes, after typeTerm.
const (
	typeCreationInfo = "CreationInfo"
	typeSpdxDocument = "SpdxDocument"
	typeSbom         = "software_Sbom"
	typeFile         = "software_File"
	typeHash         = "Hash"
)

// class is what the mapping does with a node, decided by its type.
type class uint8

const (
	classOther        class = iota // defined, but not read (files, snippets, annotations, ...)
	classPackage                   // a component
	classRelationship              // an edge, a licence or a root marker
	classCollection                // SpdxDocument, Sbom, Bom, Bundle: names the root
	classAgent                     // Person, Organization, SoftwareAgent, Tool: has a name
	classLicense                   // a licence, licence expression or licence set
	classCreationInfo              // spec version, creation time, tools
)

// classes maps a compacted type to its class; types ending in "Relationship" (the Relationship
// subclasses of the Security profile, LifecycleScopedRelationship) are relationships too.
var classes = map[string]class{
	"software_Package":       classPackage,
	"ai_AIPackage":           classPackage,
	"dataset_DatasetPackage": classPackage,

	"Relationship":                classRelationship,
	"LifecycleScopedRelationship": classRelationship,

	typeSpdxDocument: classCollection,
	typeSbom:         classCollection,
	"Bom":            classCollection,
	"Bundle":         classCollection,

	"Agent":            classAgent,
	"Person":           classAgent,
	"Organization":     classAgent,
	"SoftwareAgent":    classAgent,
	"SpdxOrganization": classAgent,
	"Tool":             classAgent,

	"simplelicensing_LicenseExpression":        classLicense,
	"expandedlicensing_ListedLicense":          classLicense,
	"expandedlicensing_CustomLicense":          classLicense,
	"expandedlicensing_ConjunctiveLicenseSet":  classLicense,
	"expandedlicensing_DisjunctiveLicenseSet":  classLicense,
	"expandedlicensing_OrLaterOperator":        classLicense,
	"expandedlicensing_WithAdditionOperator":   classLicense,
	"expandedlicensing_ListedLicenseException": classLicense,
	"expandedlicensing_CustomLicenseAddition":  classLicense,

	typeCreationInfo: classCreationInfo,
}

// classOf returns the class of a node of the given (compacted) type.
func classOf(kind string) class {
	if c, ok := classes[kind]; ok {
		return c
	}
	if strings.HasSuffix(kind, "Relationship") {
		return classRelationship
	}
	return classOther
}

// element is one node of the @graph, or one node written inline inside another.
type element struct {
	kind  string // compacted type ("software_Package", "Relationship", ...), see typeTerm
	class class
	id    string // spdxId or @id; empty for an anonymous inline node
	// off is the byte offset of the node in the input; an inline node has its holder's.
	off int64
	// span is the node's JSON: a sub-slice of the input, or a copy for an inline node. Files
	// are decoded from it only when a package needs their hashes.
	span []byte
	// inline is true for a node written inside another node's property.
	inline bool

	// Exactly one of these is set, by class (none for classOther).
	pkg  *packageNode
	rel  *relationshipNode
	coll *collectionNode
	agt  *agentNode
	lic  *licenseNode
	ci   *creationInfoNode

	comp int // index of the component made from a package, else -1
}

// header is what every node is read for first: its type and id. JSON-LD allows the keywords
// (@type, @id) as well as the SPDX context's aliases for them (type, spdxId).
type header struct {
	Type   list[string] `json:"type"`
	AtType list[string] `json:"@type"`
	SpdxID string       `json:"spdxId"`
	AtID   string       `json:"@id"`
}

func (h *header) kind() string {
	for _, types := range [][]string{h.Type, h.AtType} {
		for _, t := range types {
			if k := typeTerm(t); k != "" {
				return k
			}
		}
	}
	return ""
}

func (h *header) id() string {
	if id := strings.TrimSpace(h.SpdxID); id != "" {
		return id
	}
	return strings.TrimSpace(h.AtID)
}

// packageNode is a software_Package, ai_AIPackage or dataset_DatasetPackage.
type packageNode struct {
	Name               string                   `json:"name"`
	Version            string                   `json:"software_packageVersion"`
	PackageURL         string                   `json:"software_packageUrl"`
	PrimaryPurpose     string                   `json:"software_primaryPurpose"`
	ExternalIdentifier list[externalIdentifier] `json:"externalIdentifier"`
	VerifiedUsing      list[integrityMethod]    `json:"verifiedUsing"`
	SuppliedBy         refs                     `json:"suppliedBy"`
	OriginatedBy       refs                     `json:"originatedBy"`
}

// externalIdentifier is a Core ExternalIdentifier (purl, CPE, SWHID, ...).
type externalIdentifier struct {
	Type       string `json:"externalIdentifierType"`
	Identifier string `json:"identifier"`
}

// integrityMethod is a Hash or a PackageVerificationCode; only hashes are read.
type integrityMethod struct {
	Type      list[string] `json:"type"`
	AtType    list[string] `json:"@type"`
	Algorithm string       `json:"algorithm"`
	HashValue string       `json:"hashValue"`
}

// isHash reports whether m is a Hash. A method without a type is taken for one when it has an
// algorithm and a value, since a PackageVerificationCode always says what it is.
func (m *integrityMethod) isHash() bool {
	if len(m.Type) == 0 && len(m.AtType) == 0 {
		return m.Algorithm != "" && m.HashValue != ""
	}
	for _, types := range [][]string{m.Type, m.AtType} {
		for _, t := range types {
			if typeTerm(t) == typeHash {
				return true
			}
		}
	}
	return false
}

// fileNode is the part of a software_File read when it is a package's distribution artifact.
type fileNode struct {
	VerifiedUsing list[integrityMethod] `json:"verifiedUsing"`
}

// relationshipNode is a Relationship or one of its subclasses.
type relationshipNode struct {
	From             refs   `json:"from"`
	To               refs   `json:"to"`
	RelationshipType string `json:"relationshipType"`
}

// collectionNode is an SpdxDocument, software_Sbom, Bom or Bundle.
type collectionNode struct {
	Name         string             `json:"name"`
	CreationInfo refs               `json:"creationInfo"`
	RootElement  refs               `json:"rootElement"`
	NamespaceMap list[namespaceMap] `json:"namespaceMap"`
}

type namespaceMap struct {
	Prefix    string `json:"prefix"`
	Namespace string `json:"namespace"`
}

// agentNode is an Agent (Person, Organization, SoftwareAgent) or a Tool. SPDX 3.0 gives a tool
// only a name; a version is read in case a producer adds the software profile's.
type agentNode struct {
	Name    string `json:"name"`
	Version string `json:"software_packageVersion"`
}

// licenseNode is any licence node: a simple licence expression, or an expanded-licensing
// licence, exception, set or operator.
type licenseNode struct {
	Expression               string `json:"simplelicensing_licenseExpression"`
	Name                     string `json:"name"`
	Member                   refs   `json:"expandedlicensing_member"`
	SubjectLicense           refs   `json:"expandedlicensing_subjectLicense"`
	SubjectExtendableLicense refs   `json:"expandedlicensing_subjectExtendableLicense"`
	SubjectAddition          refs   `json:"expandedlicensing_subjectAddition"`
}

// creationInfoNode is a CreationInfo.
type creationInfoNode struct {
	SpecVersion  string `json:"specVersion"`
	Created      string `json:"created"`
	CreatedUsing refs   `json:"createdUsing"`
}

// namedRefs is one reference-valued property of a node, for resolving inline nodes and
// reporting unreadable references.
type namedRefs struct {
	name string
	refs *refs
}

// refFields returns the reference-valued properties of e that the mapping follows.
func (e *element) refFields() []namedRefs {
	switch {
	case e.pkg != nil:
		return []namedRefs{{"suppliedBy", &e.pkg.SuppliedBy}, {"originatedBy", &e.pkg.OriginatedBy}}
	case e.rel != nil:
		return []namedRefs{{"from", &e.rel.From}, {"to", &e.rel.To}}
	case e.coll != nil:
		return []namedRefs{{"creationInfo", &e.coll.CreationInfo}, {"rootElement", &e.coll.RootElement}}
	case e.lic != nil:
		return []namedRefs{
			{"expandedlicensing_member", &e.lic.Member},
			{"expandedlicensing_subjectLicense", &e.lic.SubjectLicense},
			{"expandedlicensing_subjectExtendableLicense", &e.lic.SubjectExtendableLicense},
			{"expandedlicensing_subjectAddition", &e.lic.SubjectAddition},
		}
	case e.ci != nil:
		return []namedRefs{{"createdUsing", &e.ci.CreatedUsing}}
	}
	return nil
}

// ref is one reference to a node: by id, or the node itself written inline.
type ref struct {
	id string
	// inline is the JSON of a node written in place (a copy); el is that node once decoded.
	inline []byte
	el     *element
	// bad names the JSON kind found where a reference was expected ("number", ...).
	bad string
}

// refs is a reference-valued property: an id, an inline node, or a list of them. Unmarshalling
// never fails, so one odd value does not stop the rest of the node being read: what is not a
// reference is kept as a bad ref and reported by the decoder.
type refs []ref

// UnmarshalJSON implements json.Unmarshaler.
func (r *refs) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		if ids, ok := plainStrings(b); ok {
			for _, id := range ids {
				*r = append(*r, ref{id: strings.TrimSpace(id)})
			}
			return nil
		}
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			*r = append(*r, ref{bad: "malformed list"})
			return nil
		}
		for _, item := range items {
			*r = append(*r, oneRef(bytes.TrimSpace(item)))
		}
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	*r = append(*r, oneRef(b))
	return nil
}

// oneRef reads a single reference.
func oneRef(b []byte) ref {
	if len(b) == 0 {
		return ref{bad: "nothing"}
	}
	switch b[0] {
	case '"':
		if id, ok := plainString(b); ok {
			return ref{id: strings.TrimSpace(id)}
		}
		var id string
		if json.Unmarshal(b, &id) != nil {
			return ref{bad: "malformed string"}
		}
		return ref{id: strings.TrimSpace(id)}
	case '{':
		return ref{inline: bytes.Clone(b)}
	case 'n':
		return ref{bad: "null"}
	case '[':
		return ref{bad: "nested list"}
	case 't', 'f':
		return ref{bad: "boolean"}
	}
	return ref{bad: "number"}
}

// plainString returns the JSON string b (already validated by the decoder) when it has no
// escapes, without the cost of json.Unmarshal; ok is false when it has some.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || bytes.IndexByte(b[1:len(b)-1], '\\') >= 0 || bytes.IndexByte(b[1:len(b)-1], '"') >= 0 {
		return "", false
	}
	return string(b[1 : len(b)-1]), true
}

// plainStrings returns the strings of the JSON array b when it holds only strings without
// escapes (the usual list of ids), without the cost of json.Unmarshal; ok is false otherwise.
func plainStrings(b []byte) ([]string, bool) {
	var out []string
	i := 1 // past '['
	next := func() byte {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
			i++
		}
		if i < len(b) {
			return b[i]
		}
		return 0
	}
	if next() == ']' {
		return out, true
	}
	for {
		if next() != '"' {
			return nil, false
		}
		end := bytes.IndexByte(b[i+1:], '"')
		if end < 0 {
			return nil, false
		}
		s := b[i+1 : i+1+end]
		if bytes.IndexByte(s, '\\') >= 0 {
			return nil, false
		}
		out = append(out, string(s))
		i += end + 2
		switch next() {
		case ',':
			i++
		case ']':
			return out, i == len(b)-1
		default:
			return nil, false
		}
	}
}

// list is a list-valued property, which JSON-LD compaction writes as a bare value when it has
// one item.
type list[T any] []T

// UnmarshalJSON implements json.Unmarshaler.
func (l *list[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]T)(l))
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var v T
	err := json.Unmarshal(b, &v)
	*l = append(*l, v)
	return err
}

// spdxTerms is what every SPDX 3 vocabulary IRI starts with, before the version.
const spdxTerms = "https://spdx.org/rdf/"

// typeTerm returns the compacted SPDX 3.0 context term for a type (or individual) written as a
// term ("software_Package"), a compact IRI ("spdx:Software/Package") or a full IRI
// ("https://spdx.org/rdf/3.0.1/terms/Software/Package"). Core terms have no profile prefix.
func typeTerm(s string) string {
	s = strings.TrimSpace(s)
	path, ok := spdxPath(s)
	if !ok {
		return s
	}
	profile, name, ok := strings.Cut(path, "/")
	if !ok {
		return path
	}
	if profile == "Core" {
		return name
	}
	return strings.ToLower(profile) + "_" + name
}

// valueTerm returns the last segment of a vocabulary value written as a term ("dependsOn")
// or an IRI (".../terms/Core/RelationshipType/dependsOn").
func valueTerm(s string) string {
	s = strings.TrimSpace(s)
	if _, ok := spdxPath(s); ok {
		return s[strings.LastIndexByte(s, '/')+1:]
	}
	return s
}

// spdxPath returns what follows "terms/" in an SPDX 3 vocabulary IRI, full
// ("https://spdx.org/rdf/3.0.1/terms/Core/Person") or compact ("spdx:Core/Person").
func spdxPath(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, "spdx:"); ok {
		return rest, true
	}
	rest, ok := strings.CutPrefix(s, spdxTerms)
	if !ok {
		return "", false
	}
	_, path, ok := strings.Cut(rest, "/terms/")
	return path, ok
}
