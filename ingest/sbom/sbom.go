// Package sbom is sbomgraph's format-neutral model of a software bill of materials.
//
// Every decoder in ingest/ maps its wire format into a Document; the graph store, the diff
// engine and the query semantics speak only this model. The package depends on nothing but the
// standard library and the purl parser, so every other package may import it.
package sbom

import (
	"errors"
	"time"
)

// Sentinel errors. Decoders wrap them with %w and say which file, where and why; callers test
// them with errors.Is, never by comparing strings.
var (
	// ErrInvalid: the input is not a readable SBOM (not an SBOM at all, truncated, malformed).
	ErrInvalid = errors.New("invalid SBOM")
	// ErrUnsupported: the input is an SBOM, but of a format or spec version sbomgraph does not read.
	ErrUnsupported = errors.New("unsupported SBOM")
	// ErrTooLarge: the input exceeds one of the configured Limits.
	ErrTooLarge = errors.New("SBOM exceeds limit")
)

// Format is an SBOM standard.
type Format string

// The formats sbomgraph reads.
const (
	FormatCycloneDX Format = "CycloneDX"
	FormatSPDX      Format = "SPDX"
)

// Encoding is the serialisation a document was written in.
type Encoding string

// The encodings sbomgraph reads.
const (
	EncodingJSON     Encoding = "json"
	EncodingXML      Encoding = "xml"
	EncodingTagValue Encoding = "tag-value"
	EncodingYAML     Encoding = "yaml"
	EncodingRDFXML   Encoding = "rdf-xml"
	EncodingJSONLD   Encoding = "json-ld"
)

// Document is one SBOM, normalised.
type Document struct {
	// Source says where the document came from and how it was written.
	Source Source `json:"source"`
	// Subject is the image or product the document describes.
	Subject Subject `json:"subject"`
	// Components holds every component node in document order: every entry of the document's
	// component list (CycloneDX components, recursively; SPDX packages) plus, for CycloneDX, the
	// metadata component (marked Metadata). Duplicates are kept: two entries with the same
	// identity are two nodes, each with its own edges.
	Components []Component `json:"components"`
	// Edges are the relationships between Components, by index, sorted and without duplicates.
	Edges []Edge `json:"edges"`
	// Root is the index in Components of the subject's own component (CycloneDX
	// metadata.component, the SPDX package the document describes), or -1 when there is none.
	Root int `json:"root"`
	// Warnings are the problems found in a document that was still read: every one names the
	// offending id.
	Warnings []Warning `json:"warnings"`
}

// Source describes the document as written.
type Source struct {
	Format      Format   `json:"format"`
	Encoding    Encoding `json:"encoding"`
	SpecVersion string   `json:"specVersion"`
	// Tools are the generators named by the document, as "name version", in document order.
	Tools []string `json:"tools,omitempty"`
	// Created is the document's creation time; zero when the document does not say.
	Created time.Time `json:"created,omitzero"`
	// Name is the document's own name (SPDX documentName, CycloneDX serialNumber).
	Name string `json:"name,omitempty"`
	// Namespace is the SPDX document namespace or CycloneDX serial number, when given.
	Namespace string `json:"namespace,omitempty"`
	// Compression is the compression the input was wrapped in ("gzip", "bzip2", "zstd"), if any.
	Compression string `json:"compression,omitempty"`
	// Envelope is set when the SBOM came inside an in-toto statement or a DSSE envelope.
	Envelope *Envelope `json:"envelope,omitempty"`
	// Digest is "sha256:" and the hex SHA-256 of the input bytes as given (before decompression
	// and unwrapping): the identity of this exact SBOM.
	Digest string `json:"digest"`
	// Size is the number of bytes of the decoded SBOM (after decompression and unwrapping).
	Size int64 `json:"size"`
}

// Envelope records what wrapped an SBOM that arrived as an attestation.
type Envelope struct {
	// Type is "dsse" for a DSSE envelope (whose payload is an in-toto statement) or
	// "in-toto" for a bare in-toto statement.
	Type string `json:"type"`
	// PayloadType is the DSSE payloadType, e.g. "application/vnd.in-toto+json".
	PayloadType string `json:"payloadType,omitempty"`
	// StatementType is the in-toto statement _type.
	StatementType string `json:"statementType,omitempty"`
	// PredicateType is the in-toto predicateType, e.g. "https://cyclonedx.org/bom".
	PredicateType string `json:"predicateType,omitempty"`
	// Subjects are the statement's subjects (the attested artifacts) with their digests.
	Subjects []EnvelopeSubject `json:"subjects,omitempty"`
	// Signatures are the DSSE signatures, as given. sbomgraph records them; it does not verify them.
	Signatures []Signature `json:"signatures,omitempty"`
}

// EnvelopeSubject is one subject of an in-toto statement.
type EnvelopeSubject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest,omitempty"`
}

// Signature is one DSSE signature.
type Signature struct {
	KeyID string `json:"keyid,omitempty"`
	// Sig is the base64 signature as written in the envelope.
	Sig string `json:"sig"`
}

// Subject is the image or product a document describes.
type Subject struct {
	// Name is the image or product name without tag or digest, e.g. "docker.io/library/alpine".
	Name string `json:"name,omitempty"`
	// Version is the tag or product version, e.g. "3.16.2" or "latest".
	Version string `json:"version,omitempty"`
	// Digest is the image digest ("sha256:..."), when the document gives one.
	Digest string `json:"digest,omitempty"`
	// Type is the subject's kind as the document says it (container, application, ...).
	Type string `json:"type,omitempty"`
}

// Component is one package, file, OS or other part of the subject.
type Component struct {
	// LocalID is the component's id inside its document (CycloneDX bom-ref, SPDX SPDXID); it
	// only has meaning within that document.
	LocalID string `json:"localId,omitempty"`
	// Type is the component's kind as the document says it (library, application, file,
	// operating-system, container, ...; SPDX primaryPackagePurpose lower-cased), possibly empty.
	Type string `json:"type,omitempty"`
	// Purl is the canonical package URL: parsed and re-serialised, type/namespace/name
	// normalised per the purl spec, qualifiers sorted. Empty when the document gives none or an
	// invalid one (which becomes a Warning).
	Purl string `json:"purl,omitempty"`
	// Key identifies the package across versions: the purl without version, qualifiers and
	// subpath; for a component without a purl, a content key (see ContentKey).
	Key string `json:"key"`
	// Ecosystem is the purl type ("npm", "deb", "maven", ...), empty when there is no purl.
	Ecosystem string `json:"ecosystem,omitempty"`
	// Namespace is the purl namespace or the CycloneDX group.
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Version   string `json:"version,omitempty"`
	// CPEs are the component's CPE 2.2/2.3 names, in document order.
	CPEs []string `json:"cpes,omitempty"`
	// Licenses is the component's licence as one SPDX expression; empty when unknown.
	Licenses string `json:"licenses,omitempty"`
	// Hashes are sorted by algorithm; see NormalizeHashAlgorithm.
	Hashes []Hash `json:"hashes,omitempty"`
	// Supplier is the supplier (or, failing that, the publisher or author) as written.
	Supplier string `json:"supplier,omitempty"`
	// Metadata is true for CycloneDX's metadata.component, which describes the subject and is
	// not an entry of the document's component list.
	Metadata bool `json:"metadata,omitempty"`
}

// ID is the component's identity: its canonical purl, or for a component without one its
// content key and version. Two components with the same ID are the same thing.
func (c *Component) ID() string {
	if c.Purl != "" {
		return c.Purl
	}
	if c.Version == "" {
		return c.Key
	}
	return c.Key + "@" + c.Version
}

// Hash is one checksum of a component.
type Hash struct {
	// Algorithm is normalised to the CycloneDX spelling: "SHA-256", "SHA-1", "MD5", "SHA3-256",
	// "BLAKE2b-256", ...
	Algorithm string `json:"alg"`
	// Value is lower-case hex.
	Value string `json:"value"`
}

// EdgeKind says what an Edge means.
type EdgeKind uint8

// The kinds of edge. Every edge points from the dependent (or container) to what it needs (or holds).
const (
	// DependsOn: From needs To (CycloneDX dependencies; SPDX DEPENDS_ON, *_DEPENDENCY_OF
	// reversed, STATIC_LINK, DYNAMIC_LINK...).
	DependsOn EdgeKind = iota + 1
	// Contains: From holds To (CycloneDX nested components; SPDX CONTAINS, CONTAINED_BY
	// reversed, DESCRIBES from the root package).
	Contains
)

// String returns "dependsOn" or "contains".
func (k EdgeKind) String() string {
	switch k {
	case DependsOn:
		return "dependsOn"
	case Contains:
		return "contains"
	}
	return "unknown"
}

// MarshalText encodes the kind as its String.
func (k EdgeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind written by MarshalText.
func (k *EdgeKind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "dependsOn":
		*k = DependsOn
	case "contains":
		*k = Contains
	default:
		return errors.New("unknown edge kind " + string(b))
	}
	return nil
}

// Edge is one relationship between two Components of a Document, by index.
type Edge struct {
	From int      `json:"from"`
	To   int      `json:"to"`
	Kind EdgeKind `json:"kind"`
}

// WarningCode classifies a Warning.
type WarningCode string

// The problems a document can have and still be read.
const (
	WarnDuplicateID     WarningCode = "duplicate-id"       // two components share a bom-ref/SPDXID; references resolve to the first
	WarnMissingID       WarningCode = "missing-id"         // a component has no bom-ref/SPDXID, so nothing can reference it
	WarnMissingPurl     WarningCode = "missing-purl"       // a component has no purl; it gets a content key
	WarnInvalidPurl     WarningCode = "invalid-purl"       // a component's purl does not parse; it gets a content key
	WarnDanglingRef     WarningCode = "dangling-reference" // a relationship names an id no component has
	WarnCycle           WarningCode = "cycle"              // dependency edges form a cycle; the id is one member
	WarnEmptyDocument   WarningCode = "empty-document"     // the document lists no components
	WarnLongID          WarningCode = "long-id"            // an id is longer than LongID characters
	WarnNonASCIIID      WarningCode = "non-ascii-id"       // an id has non-ASCII characters
	WarnUnknownRelation WarningCode = "unknown-relationship"
	WarnInvalidField    WarningCode = "invalid-field" // a field could not be read and was left empty
)

// LongID is the id length past which a WarnLongID is reported.
const LongID = 256

// Warning is one problem found in a document that was still read.
type Warning struct {
	Code WarningCode `json:"code"`
	// ID is the offending id (bom-ref, SPDXID, purl), possibly empty for document-wide warnings.
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}

// Entries returns the number of components as written in the document's component list
// (CycloneDX: components recursively, without metadata.component; SPDX: packages).
func (d *Document) Entries() int {
	n := 0
	for i := range d.Components {
		if !d.Components[i].Metadata {
			n++
		}
	}
	return n
}

// Unique returns the number of distinct component identities among the entries (see Component.ID).
func (d *Document) Unique() int {
	seen := make(map[string]struct{}, len(d.Components))
	for i := range d.Components {
		if !d.Components[i].Metadata {
			seen[d.Components[i].ID()] = struct{}{}
		}
	}
	return len(seen)
}

// Limits bound what a decoder accepts, against hostile or broken input. A zero field means
// the default (see DefaultLimits).
type Limits struct {
	// MaxBytes caps the decoded size of one SBOM (after decompression and unwrapping).
	MaxBytes int64
	// MaxDepth caps the nesting depth of the document (JSON/XML nesting, nested components).
	MaxDepth int
	// MaxComponents caps the number of components in one document.
	MaxComponents int
}

// DefaultLimits are the limits used for zero fields of Limits.
var DefaultLimits = Limits{MaxBytes: 1 << 30, MaxDepth: 256, MaxComponents: 2_000_000}

// WithDefaults returns l with every zero field set from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxComponents <= 0 {
		l.MaxComponents = DefaultLimits.MaxComponents
	}
	return l
}
