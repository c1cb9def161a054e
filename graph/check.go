package graph

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// CheckDocument validates doc for Writer.Put, the same way for every backend: the root and
// every edge name components the document has, and every component has an identity (purl or
// key). It returns doc itself, or, when its edges are not sorted and free of duplicates (as
// sbom.Builder makes them), a shallow copy with sorted, deduplicated edges; doc is never
// modified. Errors wrap ErrInvalid.
func CheckDocument(doc *sbom.Document) (*sbom.Document, error) {
	if doc == nil {
		return nil, fmt.Errorf("%w: no document", ErrInvalid)
	}
	n := len(doc.Components)
	if doc.Root < -1 || doc.Root >= n {
		return nil, fmt.Errorf("%w: root %d is not a component index (the document has %d)", ErrInvalid, doc.Root, n)
	}
	sorted := true
	for i, e := range doc.Edges {
		if e.From < 0 || e.From >= n || e.To < 0 || e.To >= n {
			return nil, fmt.Errorf("%w: edge %d (%d -> %d) names a component the document does not have (it has %d)", ErrInvalid, i, e.From, e.To, n)
		}
		if i > 0 && CompareEdges(doc.Edges[i-1], e) >= 0 {
			sorted = false
		}
	}
	for i := range doc.Components {
		if doc.Components[i].ID() == "" {
			return nil, fmt.Errorf("%w: component %d (%q) has neither purl nor key", ErrInvalid, i, doc.Components[i].Name)
		}
	}
	if !sorted {
		d := *doc
		d.Edges = slices.Clone(doc.Edges)
		slices.SortFunc(d.Edges, CompareEdges)
		d.Edges = slices.Compact(d.Edges)
		doc = &d
	}
	return doc, nil
}

// CompareEdges orders edges by source, then target, then kind: the order of a Document's
// Edges.
func CompareEdges(a, b sbom.Edge) int {
	if a.From != b.From {
		return a.From - b.From
	}
	if a.To != b.To {
		return a.To - b.To
	}
	return int(a.Kind) - int(b.Kind)
}

// Clone returns a copy of v that shares nothing mutable with it; its Warnings are never nil.
func (v *Version) Clone() Version {
	out := *v
	out.Source = CloneSource(v.Source)
	out.Warnings = slices.Clone(v.Warnings)
	if out.Warnings == nil {
		out.Warnings = []sbom.Warning{}
	}
	return out
}

// CloneSource returns a copy of s that shares nothing mutable with it.
func CloneSource(s sbom.Source) sbom.Source {
	s.Tools = slices.Clone(s.Tools)
	if e := s.Envelope; e != nil {
		c := *e
		c.Subjects = slices.Clone(e.Subjects)
		for i := range c.Subjects {
			c.Subjects[i].Digest = maps.Clone(c.Subjects[i].Digest)
		}
		c.Signatures = slices.Clone(e.Signatures)
		s.Envelope = &c
	}
	return s
}

// CloneComponent returns a copy of c that shares nothing mutable with it.
func CloneComponent(c *sbom.Component) sbom.Component {
	out := *c
	out.CPEs = slices.Clone(c.CPEs)
	out.Hashes = slices.Clone(c.Hashes)
	return out
}

// DocumentDigest is the SBOMDigest a Put records for doc: the digest of its input
// (Source.Digest), or, for a document that did not come from Decode, the SHA-256 of its JSON
// form, so that putting it again is still a no-op. Errors wrap ErrInvalid.
func DocumentDigest(doc *sbom.Document) (string, error) {
	if doc.Source.Digest != "" {
		return doc.Source.Digest, nil
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// PutCreated is the creation time a Put records for doc, in Unix nanoseconds saturated to the
// int64 range (years 1678 to 2262): opts.Created, else the SBOM's own. ok is false when neither
// is known; the version is then ordered by ingest time (OrderIngested).
func PutCreated(doc *sbom.Document, opts PutOptions) (ns int64, ok bool) {
	created := opts.Created
	if created.IsZero() {
		created = doc.Source.Created
	}
	switch {
	case created.IsZero():
		return 0, false
	case created.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64, true
	case created.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64, true
	}
	return created.UnixNano(), true
}
