package neo4j

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// loadVersions returns the versions with the given vids (in that order, duplicates allowed),
// from the cache or, for those it lacks, from the database in the same transaction.
func (s *Store) loadVersions(ctx context.Context, tx neo4j.ManagedTransaction, vids []int64) ([]*graph.Version, error) {
	out := make([]*graph.Version, len(vids))
	var missing []int64
	for i, vid := range vids {
		if v, ok := s.versions.Get(vid); ok {
			out[i] = v
		} else {
			missing = append(missing, vid)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	missing = slices.Compact(slices.Sorted(slices.Values(missing)))
	got := make(map[int64]*graph.Version, len(missing))
	for start := 0; start < len(missing); start += batchRows {
		recs, err := collect(ctx, tx, `UNWIND $vids AS vid MATCH (v:Version {vid: vid}) RETURN `+versionCols,
			map[string]any{"vids": missing[start:min(len(missing), start+batchRows)]})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			vid, v, err := decodeVersion(&decoder{vals: r.Values})
			if err != nil {
				return nil, err
			}
			got[vid] = v
			s.versions.Put(vid, v)
		}
	}
	for i, vid := range vids {
		if out[i] != nil {
			continue
		}
		v, ok := got[vid]
		if !ok {
			// Deleted between the statement that named it and this one: a read
			// transaction sees committed data, not a snapshot.
			return nil, fmt.Errorf("version %d vanished while being read: %w", vid, errRetry)
		}
		out[i] = v
	}
	return out, nil
}

// errRetry is a read that raced a concurrent delete; readRetry runs it again.
var errRetry = fmt.Errorf("%w: concurrent change", graph.ErrUnavailable)

// Images lists every image by name, with its number of versions and its latest version.
// Errors wrap graph.ErrUnavailable (the store is closed, or Neo4j cannot be reached), or are
// the context's.
func (s *Store) Images(ctx context.Context) ([]graph.Image, error) {
	var out []graph.Image
	err := s.readRetry(ctx, "images", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		recs, err := collect(ctx, tx, `MATCH (i:Image)-[:HAS]->(v:Version)
			WITH i, v ORDER BY v.orderTime DESC, v.seq DESC
			WITH i, collect(v.vid) AS vids
			RETURN i.name, size(vids), vids[0]`, nil)
		if err != nil {
			return err
		}
		out = make([]graph.Image, len(recs))
		vids := make([]int64, len(recs))
		for i, r := range recs {
			d := decoder{vals: r.Values}
			out[i] = graph.Image{Name: d.str(0), Versions: int(d.int(1))}
			vids[i] = d.int(2)
			if d.err != nil {
				return d.err
			}
		}
		vs, err := s.loadVersions(ctx, tx, vids)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].Latest = vs[i].Clone()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b graph.Image) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Versions lists image's versions in order (see graph.Version.Before), the name normalised
// first (graph.NormalizeImage). Right after an Occurrences call that found the image, it
// answers from the version list that call read (for up to a second, and never across a write
// of this store), so graph/query's Find, which asks for the versions of every image it
// matched, costs no round trip per image; a version another server put in that second may
// show a moment later. Errors wrap
// graph.ErrNotFound (no version of that image), graph.ErrUnavailable, or are the context's.
func (s *Store) Versions(ctx context.Context, image string) ([]graph.Version, error) {
	image = graph.NormalizeImage(image)
	if out, ok := s.snapshot(image); ok {
		return out, s.check(ctx)
	}
	var out []graph.Version
	err := s.readRetry(ctx, "versions of "+image, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		recs, err := collect(ctx, tx, `MATCH (v:Version {image: $image}) RETURN v.vid`, map[string]any{"image": image})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return fmt.Errorf("%w: no versions of image %q", graph.ErrNotFound, image)
		}
		vids := make([]int64, len(recs))
		for i, r := range recs {
			d := decoder{vals: r.Values}
			if vids[i] = d.int(0); d.err != nil {
				return d.err
			}
		}
		vs, err := s.loadVersions(ctx, tx, vids)
		if err != nil {
			return err
		}
		out = make([]graph.Version, len(vs))
		for i, v := range vs {
			out[i] = v.Clone()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortVersions(out)
	return out, nil
}

// Latest returns the Seq of each given image's latest version (the last in Versions' order),
// keyed by the names as given, normalised first (graph.NormalizeImage); images without
// versions are left out. One statement answers for every image. Errors wrap
// graph.ErrUnavailable, or are the context's.
func (s *Store) Latest(ctx context.Context, images []string) (map[string]int64, error) {
	out := make(map[string]int64, len(images))
	if len(images) == 0 {
		return out, s.check(ctx)
	}
	names := make([]string, len(images))
	for i, im := range images {
		names[i] = graph.NormalizeImage(im)
	}
	err := s.readRetry(ctx, "latest versions", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		recs, err := collect(ctx, tx, `UNWIND range(0, size($images) - 1) AS i
			MATCH (v:Version {image: $images[i]})
			WITH i, v ORDER BY v.orderTime DESC, v.seq DESC
			RETURN i, collect(v.seq)[0]`, map[string]any{"images": names})
		if err != nil {
			return err
		}
		for _, r := range recs {
			d := decoder{vals: r.Values}
			i, seq := d.int(0), d.int(1)
			if d.err != nil {
				return d.err
			}
			if i >= 0 && i < int64(len(images)) {
				out[images[i]] = seq
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func sortVersions(vs []graph.Version) {
	slices.SortStableFunc(vs, func(a, b graph.Version) int {
		switch {
		case a.Before(&b):
			return -1
		case b.Before(&a):
			return 1
		}
		return 0
	})
}

// snapshotTTL is how long the version list of an image that an Occurrences call read answers
// Versions on this server without asking Neo4j again.
const snapshotTTL = time.Second

// imageSnapshot is the vids of an image's versions, as one read transaction saw them.
type imageSnapshot struct {
	vids []int64
	at   time.Time
}

// snapshot answers Versions from a fresh snapshot whose versions are all cached.
func (s *Store) snapshot(image string) ([]graph.Version, bool) {
	snap, ok := s.images.Get(image)
	if !ok || time.Since(snap.at) > snapshotTTL {
		return nil, false
	}
	out := make([]graph.Version, len(snap.vids))
	for i, vid := range snap.vids {
		v, ok := s.versions.Get(vid)
		if !ok {
			return nil, false
		}
		out[i] = v.Clone()
	}
	sortVersions(out)
	return out, true
}

// snapshotImages reads the version lists of the given images in tx (with the versions
// themselves) and keeps them for Versions, unless this store wrote since writes0.
func (s *Store) snapshotImages(ctx context.Context, tx neo4j.ManagedTransaction, images []string, writes0 int64) error {
	// Images whose snapshot is young enough to outlive this call need no new one.
	images = slices.DeleteFunc(images, func(image string) bool {
		snap, ok := s.images.Get(image)
		return ok && time.Since(snap.at) < snapshotTTL/2
	})
	if len(images) == 0 {
		return nil
	}
	at := time.Now()
	recs, err := collect(ctx, tx, `UNWIND $images AS image
		MATCH (v:Version {image: image})
		RETURN image, collect(v.vid)`, map[string]any{"images": images})
	if err != nil {
		return err
	}
	snaps := make(map[string][]int64, len(recs))
	var all []int64
	for _, r := range recs {
		d := decoder{vals: r.Values}
		image, vids := d.str(0), d.ints(1)
		if d.err != nil {
			return d.err
		}
		snaps[image] = vids
		all = append(all, vids...)
	}
	if _, err := s.loadVersions(ctx, tx, all); err != nil {
		return err
	}
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	if s.writes.Load() != writes0 {
		return nil // a write of this store may have changed them: keep nothing
	}
	for image, vids := range snaps {
		s.images.Put(image, imageSnapshot{vids: vids, at: at})
	}
	return nil
}

// wrote forgets what this store's snapshots say of image, after a write to it commits.
func (s *Store) wrote(image string) {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	s.writes.Add(1)
	s.images.Delete(image)
}

// Version returns the version ref names, normalised first (graph.Ref.Normalize). A ref with a tag and a digest matches both; with
// only a tag (or only a digest) it matches every version with that tag (digest), and the last
// of them in version order is returned. Errors wrap graph.ErrInvalid (a bad ref),
// graph.ErrNotFound, graph.ErrUnavailable, or are the context's.
func (s *Store) Version(ctx context.Context, ref graph.Ref) (graph.Version, error) {
	ref = ref.Normalize()
	if err := ref.Validate(); err != nil {
		return graph.Version{}, err
	}
	var out graph.Version
	err := s.readRetry(ctx, "version "+ref.String(), func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		vid, err := resolveRef(ctx, tx, ref)
		if err != nil {
			return err
		}
		vs, err := s.loadVersions(ctx, tx, []int64{vid})
		if err != nil {
			return err
		}
		out = vs[0].Clone()
		return nil
	})
	return out, err
}

// resolveRef returns the vid of the version ref names (see Version).
func resolveRef(ctx context.Context, tx neo4j.ManagedTransaction, ref graph.Ref) (int64, error) {
	var q string
	switch {
	case ref.Tag != "" && ref.Digest != "":
		q = `MATCH (v:Version {image: $image, tag: $tag, digest: $digest}) RETURN v.vid`
	case ref.Tag != "":
		q = `MATCH (v:Version {image: $image, tag: $tag}) RETURN v.vid ORDER BY v.orderTime DESC, v.seq DESC LIMIT 1`
	default:
		q = `MATCH (v:Version {image: $image, digest: $digest}) RETURN v.vid ORDER BY v.orderTime DESC, v.seq DESC LIMIT 1`
	}
	recs, err := collect(ctx, tx, q, map[string]any{"image": ref.Image, "tag": ref.Tag, "digest": ref.Digest})
	if err != nil {
		return 0, err
	}
	if len(recs) == 0 {
		return 0, fmt.Errorf("%w: no version %s", graph.ErrNotFound, ref)
	}
	d := decoder{vals: recs[0].Values}
	vid := d.int(0)
	return vid, d.err
}

// Document returns the version ref names (normalised; see Version) as the Document that was put, with
// these normalisations: Components, Edges and Warnings are never nil; Edges are sorted and
// without duplicates; times come back in UTC. Errors wrap graph.ErrInvalid (a bad ref),
// graph.ErrNotFound, graph.ErrUnavailable, or are the context's.
func (s *Store) Document(ctx context.Context, ref graph.Ref) (*sbom.Document, error) {
	ref = ref.Normalize()
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	var doc *sbom.Document
	err := s.readRetry(ctx, "document "+ref.String(), func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		vid, err := resolveRef(ctx, tx, ref)
		if err != nil {
			return err
		}
		doc, err = s.document(ctx, tx, vid)
		return err
	})
	return doc, err
}

func (s *Store) document(ctx context.Context, tx neo4j.ManagedTransaction, vid int64) (*sbom.Document, error) {
	if doc, ok := s.docs.Get(vid); ok {
		return cloneDoc(doc), nil
	}
	vs, err := s.loadVersions(ctx, tx, []int64{vid})
	if err != nil {
		return nil, err
	}
	recs, err := collect(ctx, tx, `MATCH (v:Version {vid: $vid}) RETURN v.doc`, map[string]any{"vid": vid})
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("version %d vanished while being read: %w", vid, errRetry)
	}
	d := decoder{vals: recs[0].Values}
	blob := d.bytes(0)
	if d.err != nil {
		return nil, fmt.Errorf("version %d: %w", vid, d.err)
	}
	doc, err := decodeDoc(blob)
	if err != nil {
		return nil, fmt.Errorf("version %d: %w", vid, err)
	}
	v := vs[0].Clone()
	doc.Source, doc.Subject, doc.Warnings = v.Source, v.Subject, v.Warnings
	slices.SortFunc(doc.Edges, graph.CompareEdges)
	doc.Edges = slices.Compact(doc.Edges)
	s.docs.Put(vid, cloneDoc(doc))
	return doc, nil
}

// cloneDoc returns a copy of doc that shares nothing mutable with it.
func cloneDoc(doc *sbom.Document) *sbom.Document {
	out := *doc
	out.Source = graph.CloneSource(doc.Source)
	out.Components = make([]sbom.Component, len(doc.Components))
	for i := range doc.Components {
		out.Components[i] = graph.CloneComponent(&doc.Components[i])
	}
	out.Edges = slices.Clone(doc.Edges)
	out.Warnings = slices.Clone(doc.Warnings)
	if out.Warnings == nil {
		out.Warnings = []sbom.Warning{}
	}
	return &out
}

// Components returns the distinct stored components matching q, sorted by identity; see
// graph.Index. The per-version fields are those of the first document that stored the
// component. A Purl is canonicalised first (sbom.ParsePurl), and so is a Key written as a
// purl without version. Names match the spelling of the first document that stored the
// component. Errors wrap graph.ErrInvalid (not exactly one field of q set),
// graph.ErrUnavailable, or are the context's.
func (s *Store) Components(ctx context.Context, q graph.ComponentQuery) ([]sbom.Component, error) {
	var query, arg string
	n := 0
	if q.Purl != "" {
		n++
		query, arg = `MATCH (c:Component {id: $arg}) WHERE c.purl`, q.Purl
		if p, err := sbom.ParsePurl(q.Purl); err == nil {
			arg = p.Canonical
		}
	}
	if q.Key != "" {
		n++
		query, arg = `MATCH (:Package {key: $arg})<-[:OF]-(c:Component)`, q.Key
		if p, err := sbom.ParsePurl(q.Key); err == nil && p.Canonical == p.Key {
			arg = p.Key
		}
	}
	if q.Name != "" {
		n++
		query, arg = `MATCH (c:Component {name: $arg})`, q.Name
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: a component query sets exactly one of purl, key and name (it sets %d)", graph.ErrInvalid, n)
	}
	out := []sbom.Component{}
	err := s.read(ctx, "components", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		recs, err := collect(ctx, tx, query+` RETURN `+componentCols, map[string]any{"arg": arg})
		if err != nil {
			return err
		}
		out = make([]sbom.Component, len(recs))
		for i, r := range recs {
			d := decoder{vals: r.Values}
			out[i] = decodeComponent(&d)
			if d.err != nil {
				return d.err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b sbom.Component) int { return strings.Compare(a.ID(), b.ID()) })
	return out, nil
}

// Occurrences returns every (version, component) pair for the given identities, sorted by
// image, version order, then identity; see graph.Index. Identities that are not stored
// contribute nothing. Errors wrap graph.ErrUnavailable, or are the context's.
func (s *Store) Occurrences(ctx context.Context, ids []string) ([]graph.Occurrence, error) {
	out := []graph.Occurrence{}
	if len(ids) == 0 {
		return out, s.check(ctx)
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	writes0 := s.writes.Load()
	err := s.readRetry(ctx, "occurrences", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		out = out[:0]
		var vids []int64
		for start := 0; start < len(ids); start += batchRows {
			recs, err := collect(ctx, tx, `UNWIND $ids AS id
				MATCH (c:Component {id: id})<-[r:CONTAINS]-(v:Version)
				RETURN `+containsCols+`, v.vid, r.path`, map[string]any{"ids": ids[start:min(len(ids), start+batchRows)]})
			if err != nil {
				return err
			}
			for _, r := range recs {
				d := decoder{vals: r.Values}
				c := s.decodeContains(&d, 0)
				vid, path := d.int(13), d.strs(14)
				if d.err != nil {
					return fmt.Errorf("occurrence of %s: %w", d.str(0), d.err)
				}
				out = append(out, graph.Occurrence{Component: c, Path: append(path, c.ID())})
				vids = append(vids, vid)
			}
		}
		vs, err := s.loadVersions(ctx, tx, vids)
		if err != nil {
			return err
		}
		images := map[string]bool{}
		for i := range out {
			out[i].Version = vs[i].Clone()
			images[vs[i].Image] = true
		}
		// The callers of Occurrences (graph/query) ask next for the versions of every image
		// it names: read them now, in the same transaction.
		return s.snapshotImages(ctx, tx, slices.Sorted(maps.Keys(images)), writes0)
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b graph.Occurrence) int {
		if c := strings.Compare(a.Version.Image, b.Version.Image); c != 0 {
			return c
		}
		if a.Version.Seq != b.Version.Seq {
			if c := a.Version.OrderTime().Compare(b.Version.OrderTime()); c != 0 {
				return c
			}
			return cmp.Compare(a.Version.Seq, b.Version.Seq)
		}
		return strings.Compare(a.Component.ID(), b.Component.ID())
	})
	return out, nil
}

// readRetry is read, run again (a few times) when it raced a concurrent delete.
func (s *Store) readRetry(ctx context.Context, what string, work func(ctx context.Context, tx neo4j.ManagedTransaction) error) error {
	var err error
	for range 3 {
		if err = s.read(ctx, what, work); err == nil || !isRetry(err) {
			return err
		}
	}
	return err
}

func isRetry(err error) bool { return errors.Is(err, errRetry) }
