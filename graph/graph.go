// Package graph defines sbomgraph's store: image versions, the components they contain
// (shared across versions, content-addressed by identity) and their dependency edges.
//
// The interfaces here are small and compose into Store; every backend (the embedded default
// in graph/sqlite, Neo4j in graph/neo4j) implements Store and passes the conformance suite in
// graph/graphtest. The query and diff semantics are plain Go over these interfaces and the
// sbom model, so every backend gives the same answers by construction.
package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// Sentinel errors. Backends wrap them with %w and context; callers test with errors.Is.
var (
	// ErrNotFound: no such image or version.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the version exists with a different SBOM and replacing was not asked for.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the request itself is malformed (an empty image name, a bad reference).
	ErrInvalid = errors.New("invalid request")
	// ErrUnavailable: the backend cannot be reached; the call may succeed if retried later.
	ErrUnavailable = errors.New("store unavailable")
)

// Ref names an image version: the image name and a tag, a digest, or both.
//
// Image names follow the Docker reference rules, and one image has one name: every Store
// normalises the Refs and image names it is given with Ref.Normalize and NormalizeImage
// before using them, so "alpine:3.17", "library/alpine:3.17" and
// "docker.io/library/alpine:3.17" name the same version, and a Version's Image is always in
// normal form. See NormalizeImage for the rules.
type Ref struct {
	Image  string
	Tag    string
	Digest string
}

// ParseRef parses "name:tag", "name@digest" or "name:tag@digest" and returns the Ref in normal
// form (see Ref.Normalize). It returns an error wrapping ErrInvalid when the name is empty or
// neither a tag nor a digest is given.
func ParseRef(s string) (Ref, error) {
	name, tag, digest := sbom.SplitImageRef(s)
	r := Ref{Image: name, Tag: tag, Digest: digest}.Normalize()
	return r, r.Validate()
}

// Normalize returns r with its image name in normal form (see NormalizeImage) and a digest's
// hex in lower case. Tags are case-sensitive and kept as they are. Normalize never fails:
// Validate says whether the result names a version.
func (r Ref) Normalize() Ref {
	r.Image = NormalizeImage(r.Image)
	if sbom.IsDigest(r.Digest) {
		r.Digest = strings.ToLower(r.Digest)
	}
	return r
}

// Docker Hub, the registry a name without a registry host refers to, under its canonical
// name and the legacy name of its index, which Docker clients still write.
const (
	dockerHub       = "docker.io"
	dockerHubLegacy = "index." + dockerHub
)

// NormalizeImage returns the normal form of an image name: the familiar short form Docker's
// command line shows, the one users type. By the Docker reference rules, the first
// "/"-separated component of a name is a registry host when it contains "." or ":" or is the
// loopback name (see isRegistryHost); a name without a host is on Docker Hub (docker.io), and
// a Docker Hub name of one component is an official image under "library/". So:
//
//   - the registry host is lower-cased (host names are case-insensitive);
//   - Docker Hub's host (docker.io, or its legacy index name) is dropped, unless the rest of
//     the name would then read as having a host of its own;
//   - "library/" is dropped before the single component of an official image;
//   - leading and trailing white space is dropped; the path is kept as written.
//
// Thus "docker.io/library/alpine", "library/alpine" and "alpine" are all "alpine", and
// "docker.io/bitnami/redis" is "bitnami/redis". Names on other registries keep their host.
// NormalizeImage(NormalizeImage(s)) == NormalizeImage(s) for every s.
//
// Names that are not image references are not guessed at: an SBOM subject such as
// "caddy-latest" (older syft joins name and tag with "-") stays the image "caddy-latest".
func NormalizeImage(name string) string {
	name = strings.TrimSpace(name)
	if host, path, ok := strings.Cut(name, "/"); ok && isRegistryHost(host) {
		host = strings.ToLower(host)
		if host != dockerHub && host != dockerHubLegacy {
			return host + "/" + path
		}
		path = strings.TrimSpace(path)
		if first, _, more := strings.Cut(path, "/"); more && isRegistryHost(first) {
			return dockerHub + "/" + path
		}
		name = path
	}
	if rest, ok := strings.CutPrefix(name, "library/"); ok && !strings.Contains(rest, "/") {
		if rest = strings.TrimSpace(rest); rest != "" {
			return rest
		}
	}
	return name
}

// loopback is the one host name without "." or ":" that Docker reads as a registry host.
const loopback = "localhost"

// isRegistryHost reports whether the first component of an image name is a registry host.
func isRegistryHost(s string) bool {
	return strings.ContainsAny(s, ".:") || strings.EqualFold(s, loopback)
}

// Validate returns an error wrapping ErrInvalid when r does not name a version. It judges r's
// normal form (see Normalize), so a name that normalises to nothing is invalid.
func (r Ref) Validate() error {
	switch {
	case NormalizeImage(r.Image) == "":
		return fmt.Errorf("%w: image reference %q has no image name", ErrInvalid, r.String())
	case r.Tag == "" && r.Digest == "":
		return fmt.Errorf("%w: image reference %q has neither tag nor digest", ErrInvalid, r.String())
	case r.Digest != "" && !sbom.IsDigest(r.Digest):
		return fmt.Errorf("%w: %q is not a digest (want algorithm:hex)", ErrInvalid, r.Digest)
	}
	return nil
}

// String formats r as "name:tag@digest", leaving out what is empty.
func (r Ref) String() string {
	s := r.Image
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// OrderBasis says what placed a version in its image's order.
type OrderBasis string

// The bases for ordering versions. A tag that looks like a version number is never used.
const (
	// OrderCreated: the creation time given at ingest, or else the SBOM's own creation time.
	OrderCreated OrderBasis = "created"
	// OrderIngested: no creation time was known; the version sorts by when it was ingested.
	OrderIngested OrderBasis = "ingested"
)

// Version is one stored image version.
type Version struct {
	// Image is the image name in normal form (see NormalizeImage).
	Image  string `json:"image"`
	Tag    string `json:"tag,omitempty"`
	Digest string `json:"digest,omitempty"`
	// SBOMDigest is the stored SBOM's Source.Digest (for a Document without one, such as a
	// hand-built one, "sha256:" and the hex SHA-256 of its JSON encoding): re-putting the same
	// SBOM is a no-op.
	SBOMDigest string `json:"sbomDigest"`
	// Created is the creation time that orders the version when OrderBasis is OrderCreated.
	Created time.Time `json:"created,omitzero"`
	// Ingested is when the version was stored.
	Ingested time.Time `json:"ingested"`
	// OrderBasis says whether Created or Ingested placed the version in its image's order.
	OrderBasis OrderBasis `json:"orderBasis"`
	// Seq is a store-wide, strictly increasing ingest sequence number; it breaks ties in ordering.
	Seq        int64          `json:"seq"`
	Source     sbom.Source    `json:"source"`
	Subject    sbom.Subject   `json:"subject"`
	Components int            `json:"components"`
	Unique     int            `json:"unique"`
	Edges      int            `json:"edges"`
	Warnings   []sbom.Warning `json:"warnings"`
}

// Ref returns the version's reference.
func (v *Version) Ref() Ref { return Ref{Image: v.Image, Tag: v.Tag, Digest: v.Digest} }

// OrderTime is the time that places v in its image's order.
func (v *Version) OrderTime() time.Time {
	if v.OrderBasis == OrderCreated {
		return v.Created
	}
	return v.Ingested
}

// Before reports whether v sorts before w among one image's versions: by OrderTime, then Seq.
func (v *Version) Before(w *Version) bool {
	if t, u := v.OrderTime(), w.OrderTime(); !t.Equal(u) {
		return t.Before(u)
	}
	return v.Seq < w.Seq
}

// Image is one image with a summary of its versions.
type Image struct {
	Name     string `json:"name"`
	Versions int    `json:"versions"`
	// Latest is the last version in the image's order.
	Latest Version `json:"latest"`
}

// PutOptions modify Put.
type PutOptions struct {
	// Replace allows a different SBOM to replace an existing version's.
	Replace bool
	// Created is the version's creation time when the caller knows it (it wins over the SBOM's).
	Created time.Time
}

// Writer stores and removes versions.
type Writer interface {
	// Put stores doc as the version ref, atomically: readers see all of it or nothing, even
	// after a crash. A version is identified by its exact (image, tag, digest) in normal form
	// (see Ref.Normalize): "app:1.0" and "app:1.0@sha256:…" are two versions, "alpine:3.17"
	// and "docker.io/library/alpine:3.17" one. Putting the same SBOM (same SBOMDigest) again is a
	// no-op that returns the stored version and created=false, whatever opts say. A different
	// SBOM for an existing version returns an error wrapping ErrConflict unless opts.Replace,
	// which replaces it (a new Seq and Ingested). An invalid ref, or a document whose edges or
	// root name components it does not have or with a component without purl or key, wraps
	// ErrInvalid. Put does not modify doc and keeps no reference to it.
	Put(ctx context.Context, ref Ref, doc *sbom.Document, opts PutOptions) (v Version, created bool, err error)
	// Delete removes the version ref resolves to (see Catalog.Version); components no longer
	// contained by any version may be reclaimed. It returns an error wrapping ErrNotFound when
	// there is no such version.
	Delete(ctx context.Context, ref Ref) error
}

// Catalog lists what is stored.
type Catalog interface {
	// Images lists every image, by name.
	Images(ctx context.Context) ([]Image, error)
	// Versions lists an image's versions in order (see Version.Before); image is normalised
	// first (see NormalizeImage). ErrNotFound when the image has none.
	Versions(ctx context.Context, image string) ([]Version, error)
	// Version returns one version. A ref with a tag and a digest matches both; with only a tag
	// (or only a digest) it matches every version with that tag (digest), whatever its other
	// part, and the last of them in version order is returned (a moving tag such as "latest"
	// names its newest version). ErrNotFound when nothing matches.
	Version(ctx context.Context, ref Ref) (Version, error)
	// Latest returns the Seq of the latest version (the last in Versions' order) of each given
	// image that has one, keyed by the name as given; names are normalised first (see
	// NormalizeImage) and images without versions are left out. It is one question for many
	// images, so that a blast-radius answer spanning a thousand images costs one call.
	Latest(ctx context.Context, images []string) (map[string]int64, error)
}

// Contents reads one version's components and edges.
type Contents interface {
	// Document returns the version ref resolves to (see Catalog.Version) as a Document: the
	// components as put (in order, duplicates included, every field as written in that SBOM),
	// the edges, the root, source, subject and warnings. The only normalisations: Components,
	// Edges and Warnings are never nil, empty CPE and hash lists are nil, edges are sorted and
	// without duplicates (as sbom.Builder makes them), and times may come back in another
	// location (compare them with Equal). ErrNotFound when there is no such version.
	Document(ctx context.Context, ref Ref) (*sbom.Document, error)
}

// View is a stored version's content for code that only reads it: what Contents.Document
// returns, with each component a pointer to a value the store may share between views and
// keep. Nothing reachable from a View may be modified. A store's views leave Components'
// LocalIDs empty (ViewOf keeps the Document's).
type View struct {
	Source   sbom.Source
	Subject  sbom.Subject
	Warnings []sbom.Warning
	// Components are in document order, duplicates included, as Document's.
	Components []*sbom.Component
	Edges      []sbom.Edge
	Root       int
}

// Viewer is implemented by stores that can lend a version's content without copying it out
// of their caches: reading a 5,000-component version as a Document copies a megabyte, which
// a read-only consumer such as the diff engine does not need.
type Viewer interface {
	// View returns what Document would, as a View. ErrNotFound when there is no such version.
	View(ctx context.Context, ref Ref) (*View, error)
}

// ViewOf returns a View of d that shares d's components: d must not be modified while the
// View is in use.
func ViewOf(d *sbom.Document) *View {
	v := &View{Source: d.Source, Subject: d.Subject, Warnings: d.Warnings, Edges: d.Edges, Root: d.Root,
		Components: make([]*sbom.Component, len(d.Components))}
	for i := range d.Components {
		v.Components[i] = &d.Components[i]
	}
	return v
}

// ComponentQuery selects stored components. Exactly one field is set.
type ComponentQuery struct {
	// Purl matches the canonical purl exactly (see sbom.ParsePurl).
	Purl string
	// Key matches the package key: every version of one package.
	Key string
	// Name matches the component name exactly, in any ecosystem.
	Name string
}

// Occurrence is one component identity contained in one version. When the version's document
// lists the identity more than once, the occurrence is its node with the shortest path (ties
// to the lowest index; see Forest.Placements).
type Occurrence struct {
	Version Version `json:"version"`
	// Component is the component as stored for that version (licences, hashes as written
	// there, by that node). LocalID and Metadata, which describe a node within its document,
	// are left empty.
	Component sbom.Component `json:"component"`
	// Path is one shortest dependency path from a top-level component of the version to this
	// one, as component identities (see sbom.Component.ID); it ends with the component itself.
	// Its length is the depth: 1 means direct.
	Path []string `json:"path"`
}

// Direct reports whether the component is a top-level component of the version.
func (o *Occurrence) Direct() bool { return len(o.Path) == 1 }

// Index finds components and where they occur.
type Index interface {
	// Components returns the distinct stored components (by identity) matching q, sorted by
	// identity. The per-version fields (licences, hashes, supplier) are those of one
	// occurrence; LocalID and Metadata are empty. ErrInvalid unless exactly one field of q is
	// set.
	Components(ctx context.Context, q ComponentQuery) ([]sbom.Component, error)
	// Occurrences returns every (version, component) pair for the given component identities,
	// sorted by image, version order, then identity.
	Occurrences(ctx context.Context, ids []string) ([]Occurrence, error)
}

// Store is a complete backend. It is safe for concurrent use. Every method that takes a Ref or
// an image name normalises it first (Ref.Normalize, NormalizeImage), so every spelling of one
// image reaches the same versions, and every Version it returns carries the normal form.
// Close releases it and may be called more than once; other calls after Close return an
// error wrapping ErrUnavailable.
type Store interface {
	Writer
	Catalog
	Contents
	Index
	io.Closer
}
