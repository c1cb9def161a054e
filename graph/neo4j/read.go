package neo4j

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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
		l, err := list(ctx, tx, `UNWIND $vids AS vid MATCH (v:Version {vid: vid}) RETURN collect([`+versionCols+`])`,
			map[string]any{"vids": missing[start:min(len(missing), start+batchRows)]})
		if err != nil {
			return nil, err
		}
		for _, x := range l {
			d := rowOf(x)
			vid, v, err := decodeVersion(&d)
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
		l, err := list(ctx, tx, `MATCH (i:Image)-[:HAS]->(v:Version)
			WITH i, v ORDER BY v.orderTime DESC, v.seq DESC
			WITH i, collect(v.vid) AS vids
			RETURN collect([i.name, size(vids), vids[0]])`, nil)
		if err != nil {
			return err
		}
		out = make([]graph.Image, len(l))
		vids := make([]int64, len(l))
		for i, x := range l {
			d := rowOf(x)
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
// first (graph.NormalizeImage). Errors wrap graph.ErrNotFound (no version of that image),
// graph.ErrUnavailable, or are the context's.
func (s *Store) Versions(ctx context.Context, image string) ([]graph.Version, error) {
	image = graph.NormalizeImage(image)
	var out []graph.Version
	err := s.readRetry(ctx, "versions of "+image, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		l, err := list(ctx, tx, `MATCH (v:Version {image: $image}) RETURN collect(v.vid)`, map[string]any{"image": image})
		if err != nil {
			return err
		}
		if len(l) == 0 {
			return fmt.Errorf("%w: no versions of image %q", graph.ErrNotFound, image)
		}
		d := decoder{vals: l}
		vids := make([]int64, len(l))
		for i := range l {
			vids[i] = d.int(i)
		}
		if d.err != nil {
			return d.err
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
		// One seek of the Version.image index per image, and the top version of each image
		// kept as it is read (a COLLECT subquery with LIMIT 1, planned as a per-image Top), not
		// a sort of every version of every image: 8ms for 1,000 images of 10 versions, where
		// sorting them all took 12ms. A composite index on (image, orderTime, seq) reads one
		// entry per image instead of ten, but saves nothing measurable: the seek per image is
		// the cost.
		l, err := list(ctx, tx, `UNWIND range(0, size($images) - 1) AS i
			WITH i, COLLECT {
			  MATCH (v:Version {image: $images[i]})
			  RETURN v.seq ORDER BY v.orderTime DESC, v.seq DESC LIMIT 1
			} AS seqs
			WHERE size(seqs) > 0
			RETURN collect([i, seqs[0]])`, map[string]any{"images": names})
		if err != nil {
			return err
		}
		for _, x := range l {
			d := rowOf(x)
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
		// properties(c) reads the node's properties in one pass, and Neo4j plans it in well
		// under half the time it takes for the thirteen named one by one: 7ms against 17ms,
		// paid the first time the statement meets an argument of each size class.
		l, err := list(ctx, tx, query+` RETURN collect(properties(c))`, map[string]any{"arg": arg})
		if err != nil {
			return err
		}
		out = make([]sbom.Component, len(l))
		var buf [len(componentKeys)]any
		for i, x := range l {
			props, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("component: want a map of properties, got %T: %w", x, errCorrupt)
			}
			d := decoder{vals: componentRow(props, &buf)}
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
	if len(ids) == 0 {
		return []graph.Occurrence{}, s.check(ctx)
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	// found is one occurrence as read: the identity, its component and path, and its version.
	type found struct {
		id   string
		c    sbom.Component
		path []string
		v    *graph.Version
	}
	var occs []found
	err := s.readRetry(ctx, "occurrences", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		occs = occs[:0]
		var vids []int64
		var buf [len(containsKeys) + 1]any
		for start := 0; start < len(ids); start += batchRows {
			// One row per identity, with every containment of it: see list. properties(r)
			// reads a relationship's properties in one pass, where naming each reads them
			// one by one.
			l, err := list(ctx, tx, `UNWIND $ids AS id
				MATCH (c:Component {id: id})
				RETURN collect([id, [(c)<-[r:CONTAINS]-(v) | [v.vid, properties(r)]]])`, map[string]any{"ids": ids[start:min(len(ids), start+batchRows)]})
			if err != nil {
				return err
			}
			for _, x := range l {
				d := rowOf(x)
				id, rels := d.str(0), d.list(1)
				if d.err != nil {
					return fmt.Errorf("occurrences: %w", d.err)
				}
				for _, r := range rels {
					rd := rowOf(r)
					vid, props := rd.int(0), rd.props(1)
					if rd.err != nil {
						return fmt.Errorf("occurrence of %s: %w", id, rd.err)
					}
					cd := decoder{vals: containsRow(id, props, &buf)}
					c := s.decodeContains(&cd, 0)
					path := cd.strs(len(containsKeys))
					if cd.err != nil {
						return fmt.Errorf("occurrence of %s: %w", id, cd.err)
					}
					occs = append(occs, found{id: id, c: c, path: append(path, id)})
					vids = append(vids, vid)
				}
			}
		}
		vs, err := s.loadVersions(ctx, tx, vids)
		if err != nil {
			return err
		}
		for i := range occs {
			occs[i].v = vs[i]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Sorted by reference, not in place: an Occurrence is some 650 bytes, and a sort of a
	// popular package's thousands would spend its time moving them.
	order := make([]*found, len(occs))
	for i := range occs {
		order[i] = &occs[i]
	}
	slices.SortFunc(order, func(a, b *found) int {
		if c := strings.Compare(a.v.Image, b.v.Image); c != 0 {
			return c
		}
		if a.v.Seq != b.v.Seq {
			if c := a.v.OrderTime().Compare(b.v.OrderTime()); c != 0 {
				return c
			}
			return cmp.Compare(a.v.Seq, b.v.Seq)
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]graph.Occurrence, len(order))
	for i, o := range order {
		out[i] = graph.Occurrence{Version: o.v.Clone(), Component: o.c, Path: o.path}
	}
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
