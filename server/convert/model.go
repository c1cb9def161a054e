package convert

import (
	"maps"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

var (
	formats = newEnumTable(map[sbom.Format]api.Format{
		sbom.FormatCycloneDX: api.Format_FORMAT_CYCLONEDX,
		sbom.FormatSPDX:      api.Format_FORMAT_SPDX,
	})
	encodings = newEnumTable(map[sbom.Encoding]api.Encoding{
		sbom.EncodingJSON:     api.Encoding_ENCODING_JSON,
		sbom.EncodingXML:      api.Encoding_ENCODING_XML,
		sbom.EncodingTagValue: api.Encoding_ENCODING_TAG_VALUE,
		sbom.EncodingYAML:     api.Encoding_ENCODING_YAML,
		sbom.EncodingRDFXML:   api.Encoding_ENCODING_RDF_XML,
		sbom.EncodingJSONLD:   api.Encoding_ENCODING_JSON_LD,
	})
	warningCodes = newEnumTable(map[sbom.WarningCode]api.WarningCode{
		sbom.WarnDuplicateID:     api.WarningCode_WARNING_CODE_DUPLICATE_ID,
		sbom.WarnMissingID:       api.WarningCode_WARNING_CODE_MISSING_ID,
		sbom.WarnMissingPurl:     api.WarningCode_WARNING_CODE_MISSING_PURL,
		sbom.WarnInvalidPurl:     api.WarningCode_WARNING_CODE_INVALID_PURL,
		sbom.WarnDanglingRef:     api.WarningCode_WARNING_CODE_DANGLING_REFERENCE,
		sbom.WarnCycle:           api.WarningCode_WARNING_CODE_CYCLE,
		sbom.WarnEmptyDocument:   api.WarningCode_WARNING_CODE_EMPTY_DOCUMENT,
		sbom.WarnLongID:          api.WarningCode_WARNING_CODE_LONG_ID,
		sbom.WarnNonASCIIID:      api.WarningCode_WARNING_CODE_NON_ASCII_ID,
		sbom.WarnUnknownRelation: api.WarningCode_WARNING_CODE_UNKNOWN_RELATIONSHIP,
		sbom.WarnInvalidField:    api.WarningCode_WARNING_CODE_INVALID_FIELD,
	})
	edgeKinds = newEnumTable(map[sbom.EdgeKind]api.EdgeKind{
		sbom.DependsOn: api.EdgeKind_EDGE_KIND_DEPENDS_ON,
		sbom.Contains:  api.EdgeKind_EDGE_KIND_CONTAINS,
	})
	orderBases = newEnumTable(map[graph.OrderBasis]api.OrderBasis{
		graph.OrderCreated:  api.OrderBasis_ORDER_BASIS_CREATED,
		graph.OrderIngested: api.OrderBasis_ORDER_BASIS_INGESTED,
	})
)

// FormatToProto converts an SBOM format; one this API does not name is FORMAT_UNSPECIFIED.
func FormatToProto(f sbom.Format) api.Format { return formats.proto(f) }

// FormatFromProto converts an SBOM format; FORMAT_UNSPECIFIED is "".
func FormatFromProto(f api.Format) sbom.Format { return formats.model(f) }

// EncodingToProto converts an encoding; one this API does not name is ENCODING_UNSPECIFIED.
func EncodingToProto(e sbom.Encoding) api.Encoding { return encodings.proto(e) }

// EncodingFromProto converts an encoding; ENCODING_UNSPECIFIED is "".
func EncodingFromProto(e api.Encoding) sbom.Encoding { return encodings.model(e) }

// EdgeKindToProto converts an edge kind; an unknown one is EDGE_KIND_UNSPECIFIED.
func EdgeKindToProto(k sbom.EdgeKind) api.EdgeKind { return edgeKinds.proto(k) }

// EdgeKindFromProto converts an edge kind; EDGE_KIND_UNSPECIFIED is 0.
func EdgeKindFromProto(k api.EdgeKind) sbom.EdgeKind { return edgeKinds.model(k) }

// RefToProto converts an image reference.
func RefToProto(r graph.Ref) *api.ImageRef {
	return &api.ImageRef{Image: r.Image, Tag: r.Tag, Digest: r.Digest}
}

// RefFromProto converts an image reference; nil is the empty Ref (which graph.Ref.Validate
// rejects).
func RefFromProto(r *api.ImageRef) graph.Ref {
	return graph.Ref{Image: r.GetImage(), Tag: r.GetTag(), Digest: r.GetDigest()}
}

// VersionToProto converts a stored version.
func VersionToProto(v *graph.Version) *api.Version {
	return &api.Version{
		Image:      v.Image,
		Tag:        v.Tag,
		Digest:     v.Digest,
		SbomDigest: v.SBOMDigest,
		Created:    timeToProto(v.Created),
		Ingested:   timeToProto(v.Ingested),
		OrderBasis: orderBases.proto(v.OrderBasis),
		Seq:        v.Seq,
		Source:     SourceToProto(&v.Source),
		Subject:    SubjectToProto(&v.Subject),
		Components: int32(v.Components),
		Unique:     int32(v.Unique),
		Edges:      int32(v.Edges),
		Warnings:   WarningsToProto(v.Warnings),
	}
}

// VersionFromProto converts a stored version; nil is the zero Version. Its Warnings are never
// nil.
func VersionFromProto(v *api.Version) graph.Version {
	if v == nil {
		return graph.Version{Warnings: []sbom.Warning{}}
	}
	return graph.Version{
		Image:      v.Image,
		Tag:        v.Tag,
		Digest:     v.Digest,
		SBOMDigest: v.SbomDigest,
		Created:    timeFromProto(v.Created),
		Ingested:   timeFromProto(v.Ingested),
		OrderBasis: orderBases.model(v.OrderBasis),
		Seq:        v.Seq,
		Source:     SourceFromProto(v.Source),
		Subject:    SubjectFromProto(v.Subject),
		Components: int(v.Components),
		Unique:     int(v.Unique),
		Edges:      int(v.Edges),
		Warnings:   WarningsFromProto(v.Warnings),
	}
}

// VersionsToProto converts a list of versions.
func VersionsToProto(vs []graph.Version) []*api.Version { return convertAll(vs, VersionToProto) }

// VersionsFromProto converts a list of versions; the result is never nil.
func VersionsFromProto(vs []*api.Version) []graph.Version {
	return convertAllFromProto(vs, VersionFromProto, true)
}

// ImageToProto converts an image summary.
func ImageToProto(im *graph.Image) *api.Image {
	return &api.Image{Name: im.Name, Versions: int32(im.Versions), Latest: VersionToProto(&im.Latest)}
}

// ImageFromProto converts an image summary; nil is the zero Image.
func ImageFromProto(im *api.Image) graph.Image {
	return graph.Image{Name: im.GetName(), Versions: int(im.GetVersions()), Latest: VersionFromProto(im.GetLatest())}
}

// SourceToProto converts a document's source.
func SourceToProto(s *sbom.Source) *api.Source {
	return &api.Source{
		Format:      formats.proto(s.Format),
		Encoding:    encodings.proto(s.Encoding),
		SpecVersion: s.SpecVersion,
		Tools:       cloneStrings(s.Tools),
		Created:     timeToProto(s.Created),
		Name:        s.Name,
		Namespace:   s.Namespace,
		Compression: s.Compression,
		Envelope:    EnvelopeToProto(s.Envelope),
		Digest:      s.Digest,
		Size:        s.Size,
	}
}

// SourceFromProto converts a document's source; nil is the zero Source.
func SourceFromProto(s *api.Source) sbom.Source {
	if s == nil {
		return sbom.Source{}
	}
	return sbom.Source{
		Format:      formats.model(s.Format),
		Encoding:    encodings.model(s.Encoding),
		SpecVersion: s.SpecVersion,
		Tools:       cloneStrings(s.Tools),
		Created:     timeFromProto(s.Created),
		Name:        s.Name,
		Namespace:   s.Namespace,
		Compression: s.Compression,
		Envelope:    EnvelopeFromProto(s.Envelope),
		Digest:      s.Digest,
		Size:        s.Size,
	}
}

// EnvelopeToProto converts an attestation envelope; nil stays nil.
func EnvelopeToProto(e *sbom.Envelope) *api.Envelope {
	if e == nil {
		return nil
	}
	return &api.Envelope{
		Type:          e.Type,
		PayloadType:   e.PayloadType,
		StatementType: e.StatementType,
		PredicateType: e.PredicateType,
		Subjects: convertAll(e.Subjects, func(s *sbom.EnvelopeSubject) *api.EnvelopeSubject {
			return &api.EnvelopeSubject{Name: s.Name, Digest: cloneMap(s.Digest)}
		}),
		Signatures: convertAll(e.Signatures, func(s *sbom.Signature) *api.Signature {
			return &api.Signature{KeyId: s.KeyID, Sig: s.Sig}
		}),
	}
}

// EnvelopeFromProto converts an attestation envelope; nil stays nil.
func EnvelopeFromProto(e *api.Envelope) *sbom.Envelope {
	if e == nil {
		return nil
	}
	return &sbom.Envelope{
		Type:          e.Type,
		PayloadType:   e.PayloadType,
		StatementType: e.StatementType,
		PredicateType: e.PredicateType,
		Subjects: convertAllFromProto(e.Subjects, func(s *api.EnvelopeSubject) sbom.EnvelopeSubject {
			return sbom.EnvelopeSubject{Name: s.GetName(), Digest: cloneMap(s.GetDigest())}
		}, false),
		Signatures: convertAllFromProto(e.Signatures, func(s *api.Signature) sbom.Signature {
			return sbom.Signature{KeyID: s.GetKeyId(), Sig: s.GetSig()}
		}, false),
	}
}

// cloneMap copies m; nil or empty gives nil.
func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// SubjectToProto converts a document's subject.
func SubjectToProto(s *sbom.Subject) *api.Subject {
	return &api.Subject{Name: s.Name, Version: s.Version, Digest: s.Digest, Type: s.Type}
}

// SubjectFromProto converts a document's subject; nil is the zero Subject.
func SubjectFromProto(s *api.Subject) sbom.Subject {
	return sbom.Subject{Name: s.GetName(), Version: s.GetVersion(), Digest: s.GetDigest(), Type: s.GetType()}
}

// ComponentToProto converts a component.
func ComponentToProto(c *sbom.Component) *api.Component {
	return &api.Component{
		LocalId:   c.LocalID,
		Type:      c.Type,
		Purl:      c.Purl,
		Key:       c.Key,
		Ecosystem: c.Ecosystem,
		Namespace: c.Namespace,
		Name:      c.Name,
		Version:   c.Version,
		Cpes:      cloneStrings(c.CPEs),
		Licenses:  c.Licenses,
		Hashes: convertAll(c.Hashes, func(h *sbom.Hash) *api.Hash {
			return &api.Hash{Algorithm: h.Algorithm, Value: h.Value}
		}),
		Supplier: c.Supplier,
		Metadata: c.Metadata,
	}
}

// ComponentFromProto converts a component; nil is the zero Component.
func ComponentFromProto(c *api.Component) sbom.Component {
	if c == nil {
		return sbom.Component{}
	}
	return sbom.Component{
		LocalID:   c.LocalId,
		Type:      c.Type,
		Purl:      c.Purl,
		Key:       c.Key,
		Ecosystem: c.Ecosystem,
		Namespace: c.Namespace,
		Name:      c.Name,
		Version:   c.Version,
		CPEs:      cloneStrings(c.Cpes),
		Licenses:  c.Licenses,
		Hashes: convertAllFromProto(c.Hashes, func(h *api.Hash) sbom.Hash {
			return sbom.Hash{Algorithm: h.GetAlgorithm(), Value: h.GetValue()}
		}, false),
		Supplier: c.Supplier,
		Metadata: c.Metadata,
	}
}

// ComponentsToProto converts a list of components.
func ComponentsToProto(cs []sbom.Component) []*api.Component {
	return convertAll(cs, ComponentToProto)
}

// ComponentsFromProto converts a list of components; the result is never nil.
func ComponentsFromProto(cs []*api.Component) []sbom.Component {
	return convertAllFromProto(cs, ComponentFromProto, true)
}

// WarningToProto converts a warning; a code this API does not name is
// WARNING_CODE_UNSPECIFIED (the message still says what it is).
func WarningToProto(w *sbom.Warning) *api.Warning {
	return &api.Warning{Code: warningCodes.proto(w.Code), Id: w.ID, Message: w.Message}
}

// WarningFromProto converts a warning; nil is the zero Warning, WARNING_CODE_UNSPECIFIED the
// code "".
func WarningFromProto(w *api.Warning) sbom.Warning {
	return sbom.Warning{Code: warningCodes.model(w.GetCode()), ID: w.GetId(), Message: w.GetMessage()}
}

// WarningsToProto converts a list of warnings.
func WarningsToProto(ws []sbom.Warning) []*api.Warning { return convertAll(ws, WarningToProto) }

// WarningsFromProto converts a list of warnings; the result is never nil.
func WarningsFromProto(ws []*api.Warning) []sbom.Warning {
	return convertAllFromProto(ws, WarningFromProto, true)
}
