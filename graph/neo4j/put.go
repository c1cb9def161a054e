package neo4j

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// batchRows is the number of rows one UNWIND statement carries: big enough that a Put of a
// few hundred components is one statement per step, small enough to bound a message.
const batchRows = 2000

// prepared is a Document checked and turned into statement parameters before the write
// transaction starts, so a retried transaction does no CPU work twice.
type prepared struct {
	doc    *sbom.Document // edges sorted and de-duplicated (a shallow copy when they were not)
	digest string         // the SBOM digest
	props  map[string]any // the Version node's properties, but for vid, seq, ingested, orderTime
	comps  []any          // one row per identity: id, key, props (of a new Component), rel (CONTAINS)
	ids    []string       // the identities, in the order of comps
	nodes  []string       // the identity of every node
	blob   []byte         // the document's nodes and edges (see encodeDoc)
	edges  []edgeRow      // the edges
	// created is the version's creation time in Unix nanoseconds, when known.
	created *int64
	entries int
	unique  int
}

// prepare validates doc and computes what Put stores. Errors wrap graph.ErrInvalid.
func (s *Store) prepare(doc *sbom.Document, opts graph.PutOptions) (*prepared, error) {
	doc, err := graph.CheckDocument(doc)
	if err != nil {
		return nil, err
	}
	n := len(doc.Components)
	ids := make([]string, n)
	for i := range doc.Components {
		ids[i] = doc.Components[i].ID() // never empty: CheckDocument checked
	}
	p := &prepared{doc: doc, entries: doc.Entries(), unique: doc.Unique()}
	meta, err := json.Marshal(versionMeta{Source: doc.Source, Subject: doc.Subject, Warnings: doc.Warnings})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", graph.ErrInvalid, err)
	}
	p.digest = doc.Source.Digest
	if p.digest == "" {
		// A document that did not come from Decode has no digest of its input; identify it by
		// its content instead, so re-putting it is still a no-op.
		data, err := json.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", graph.ErrInvalid, err)
		}
		sum := sha256.Sum256(data)
		p.digest = "sha256:" + hex.EncodeToString(sum[:])
	}

	if p.blob, err = encodeDoc(doc); err != nil {
		return nil, fmt.Errorf("%w: %v", graph.ErrInvalid, err)
	}

	forest := graph.ShortestPaths(doc)
	placements := forest.Placements(doc)
	p.comps = make([]any, len(placements))
	p.ids = make([]string, len(placements))
	for k, pl := range placements {
		rep := &doc.Components[pl.Node]
		rel := s.containsProps(pl.ID, rep)
		rel["direct"] = len(pl.Path) == 1
		if len(pl.Path) > 1 {
			path := make([]string, len(pl.Path)-1)
			for j, i := range pl.Path[:len(pl.Path)-1] {
				path[j] = ids[i]
			}
			rel["path"] = path
		}
		p.ids[k] = pl.ID
		p.comps[k] = map[string]any{"id": pl.ID, "key": rep.Key, "props": componentProps(pl.ID, rep), "rel": rel}
	}
	p.nodes = ids
	p.edges = make([]edgeRow, len(doc.Edges))
	for i, e := range doc.Edges {
		p.edges[i] = edgeRow{from: e.From, to: e.To, kind: e.Kind}
	}

	created := opts.Created
	if created.IsZero() {
		created = doc.Source.Created
	}
	basis := graph.OrderIngested
	if !created.IsZero() {
		basis = graph.OrderCreated
		ns := unixNano(created)
		p.created = &ns
	}
	p.props = map[string]any{
		"sbomDigest": p.digest, "basis": string(basis),
		"components": int64(p.entries), "unique": int64(p.unique), "edges": int64(len(doc.Edges)),
		"meta": string(meta), "doc": p.blob,
	}
	if p.created != nil {
		p.props["created"] = *p.created
	}
	return p, nil
}

// edgeRow is one edge of a prepared document: its node indexes and kind.
type edgeRow struct {
	from, to int
	kind     sbom.EdgeKind
}

// newVID returns a random positive version id: unique without coordination between servers
// (the uniqueness constraint on Version.vid is the backstop).
func newVID() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>1) | 1
}

// putResult is what one run of Put's transaction found or made.
type putResult struct {
	v       *graph.Version
	created bool
}

// Put stores doc as the version ref in one write transaction; see graph.Writer. A version is
// identified by its exact (image, tag, digest) in normal form (graph.Ref.Normalize). A document without Source.Digest is
// identified by the SHA-256 of its JSON form. Concurrent Puts of the same version serialise
// on the version's uniqueness constraint: one creates it, the others find it. Errors wrap
// graph.ErrInvalid (bad ref or document), graph.ErrConflict (a different SBOM is stored for
// ref and opts.Replace is false), graph.ErrUnavailable (the store is closed, or Neo4j cannot
// be reached within the retry time), or are the context's.
func (s *Store) Put(ctx context.Context, ref graph.Ref, doc *sbom.Document, opts graph.PutOptions) (graph.Version, bool, error) {
	if err := s.check(ctx); err != nil {
		return graph.Version{}, false, err
	}
	ref = ref.Normalize()
	if err := ref.Validate(); err != nil {
		return graph.Version{}, false, err
	}
	p, err := s.prepare(doc, opts)
	if err != nil {
		return graph.Version{}, false, fmt.Errorf("put %s: %w", ref, err)
	}
	out, err := s.write(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) (any, error) {
		return s.put(ctx, tx, ref, p, opts)
	})
	if err != nil {
		s.wrote(ref.Image) // it may have committed after all
		return graph.Version{}, false, fmt.Errorf("put %s: %w", ref, err)
	}
	r := out.(*putResult)
	if r.created {
		s.wrote(ref.Image)
	}
	return r.v.Clone(), r.created, nil
}

func (s *Store) put(ctx context.Context, tx neo4j.ManagedTransaction, ref graph.Ref, p *prepared, opts graph.PutOptions) (*putResult, error) {
	vid := newVID()
	refParams := map[string]any{"image": ref.Image, "tag": ref.Tag, "digest": ref.Digest}
	// MERGE on the (image, tag, digest) constraint: a concurrent Put of the same version
	// waits here until the first commits, then finds its version.
	recs, err := collect(ctx, tx, `MERGE (v:Version {image: $image, tag: $tag, digest: $digest})
		ON CREATE SET v.vid = $vid, v += $props
		RETURN `+versionCols, withParams(refParams, "vid", vid, "props", p.props))
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("MERGE of the version returned %d rows: %w", len(recs), errCorrupt)
	}
	var stale []string
	if d := (decoder{vals: recs[0].Values}); d.int(0) != vid {
		oldVID, old, err := decodeVersion(&d)
		if err != nil {
			return nil, err
		}
		switch {
		case old.SBOMDigest == p.digest:
			s.versions.Put(oldVID, old)
			return &putResult{v: old}, nil
		case !opts.Replace:
			return nil, fmt.Errorf("%w: %s already holds SBOM %s, not %s (put with Replace to replace it)", graph.ErrConflict, ref, old.SBOMDigest, p.digest)
		}
		if stale, err = deleteVersion(ctx, tx, oldVID, ref.Image); err != nil {
			return nil, err
		}
		if _, err := run(ctx, tx, `CREATE (v:Version {image: $image, tag: $tag, digest: $digest, vid: $vid}) SET v += $props`,
			withParams(refParams, "vid", vid, "props", p.props)); err != nil {
			return nil, err
		}
	}
	// Components and containment: a new identity gets its node (MERGE: a concurrent Put may
	// create the same one) and its package; every identity gets its CONTAINS relationship.
	// The statement returns each component's element id, so the edges need no index lookups.
	elems := make(map[string]string, len(p.comps))
	for start := 0; start < len(p.comps); start += batchRows {
		rows := p.comps[start:min(len(p.comps), start+batchRows)]
		recs, err := collect(ctx, tx, `MATCH (v:Version {vid: $vid})
			UNWIND $rows AS row
			MERGE (c:Component {id: row.id})
			  ON CREATE SET c += row.props, c.fresh = $vid
			CREATE (v)-[r:CONTAINS]->(c)
			SET r = row.rel
			FOREACH (_ IN CASE WHEN c.fresh = $vid THEN [1] ELSE [] END |
			  REMOVE c.fresh
			  MERGE (k:Package {key: row.key})
			  MERGE (c)-[:OF]->(k))
			RETURN row.id, elementId(c)`, map[string]any{"vid": vid, "rows": rows})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			d := decoder{vals: r.Values}
			elems[d.str(0)] = d.str(1)
			if d.err != nil {
				return nil, d.err
			}
		}
	}
	// The version's edges, DEPENDS_ON or HOLDS by kind, between the components' nodes.
	edges := make([]any, len(p.edges))
	for i, e := range p.edges {
		a, b := elems[p.nodes[e.from]], elems[p.nodes[e.to]]
		if a == "" || b == "" {
			return nil, fmt.Errorf("edge %d names a component the version does not contain: %w", i, errCorrupt)
		}
		row := map[string]any{"a": a, "b": b, "holds": e.kind == sbom.Contains}
		if e.kind != sbom.DependsOn && e.kind != sbom.Contains {
			row["kind"] = int64(e.kind)
		}
		edges[i] = row
	}
	for start := 0; start < len(edges); start += batchRows {
		if _, err := run(ctx, tx, `UNWIND $rows AS e
			MATCH (a) WHERE elementId(a) = e.a
			MATCH (b) WHERE elementId(b) = e.b
			FOREACH (_ IN CASE WHEN e.holds THEN [1] ELSE [] END |
			  CREATE (a)-[:HOLDS {vid: $vid}]->(b))
			FOREACH (_ IN CASE WHEN e.holds THEN [] ELSE [1] END |
			  CREATE (a)-[:DEPENDS_ON {vid: $vid, kind: e.kind}]->(b))`,
			map[string]any{"vid": vid, "rows": edges[start:min(len(edges), start+batchRows)]}); err != nil {
			return nil, err
		}
	}
	if len(stale) > 0 {
		if err := reclaim(ctx, tx, stale); err != nil {
			return nil, err
		}
	}
	// Last, so the lock on the counter node is held only for the commit: the image, then the
	// store-wide sequence number and ingest time (strictly increasing across all writers;
	// the SET reads and writes the counter in one step, under its write lock).
	recs, err = collect(ctx, tx, `MATCH (v:Version {vid: $vid})
		MERGE (i:Image {name: $image})
		CREATE (i)-[:HAS]->(v)
		WITH v
		MATCH (m:SbomgraphMeta {name: $meta})
		SET m.seq = m.seq + 1, m.ingested = CASE WHEN $now > m.ingested THEN $now ELSE m.ingested + 1 END
		SET v.seq = m.seq, v.ingested = m.ingested, v.orderTime = coalesce(v.created, m.ingested)
		RETURN v.seq, v.ingested`,
		map[string]any{"vid": vid, "image": ref.Image, "meta": metaName, "now": time.Now().UnixNano()})
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("the counter node is missing (%d rows): %w", len(recs), errCorrupt)
	}
	d := decoder{vals: recs[0].Values}
	seq, ingested := d.int(0), d.int(1)
	if d.err != nil {
		return nil, d.err
	}
	v := &graph.Version{
		Image: ref.Image, Tag: ref.Tag, Digest: ref.Digest, SBOMDigest: p.digest,
		Ingested: time.Unix(0, ingested).UTC(), OrderBasis: graph.OrderIngested, Seq: seq,
		Source: p.doc.Source, Subject: p.doc.Subject,
		Components: p.entries, Unique: p.unique, Edges: len(p.doc.Edges),
		Warnings: p.doc.Warnings,
	}
	if p.created != nil {
		v.OrderBasis, v.Created = graph.OrderCreated, time.Unix(0, *p.created).UTC()
	}
	cached := v.Clone()
	// Cached before the commit: should it fail, no node bears the vid, so nothing reads it.
	s.versions.Put(vid, &cached)
	return &putResult{v: v, created: true}, nil
}

func withParams(base map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(base)+len(kv)/2)
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// Delete removes the version ref (normalised) resolves to (see Version) and reclaims the components and
// packages no other version contains. Errors wrap graph.ErrInvalid (a bad ref),
// graph.ErrNotFound (no such version), graph.ErrUnavailable (the store is closed, or Neo4j
// cannot be reached within the retry time), or are the context's.
func (s *Store) Delete(ctx context.Context, ref graph.Ref) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	ref = ref.Normalize()
	if err := ref.Validate(); err != nil {
		return err
	}
	_, err := s.write(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) (any, error) {
		vid, err := resolveRef(ctx, tx, ref)
		if err != nil {
			return nil, err
		}
		stale, err := deleteVersion(ctx, tx, vid, ref.Image)
		if err != nil {
			return nil, err
		}
		return nil, reclaim(ctx, tx, stale)
	})
	s.wrote(ref.Image)
	if err != nil {
		return fmt.Errorf("delete %s: %w", ref, err)
	}
	return nil
}

// deleteVersion removes a version, its containment and its edges, and its image when no
// version is left, and returns the identities the version contained (which may now be
// unreferenced).
func deleteVersion(ctx context.Context, tx neo4j.ManagedTransaction, vid int64, image string) ([]string, error) {
	params := map[string]any{"vid": vid, "image": image}
	recs, err := collect(ctx, tx, `MATCH (:Version {vid: $vid})-[:CONTAINS]->(c:Component) RETURN c.id`, params)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(recs))
	for _, r := range recs {
		d := decoder{vals: r.Values}
		ids = append(ids, d.str(0))
		if d.err != nil {
			return nil, d.err
		}
	}
	for _, q := range []string{
		`MATCH ()-[e:DEPENDS_ON {vid: $vid}]->() DELETE e`,
		`MATCH ()-[e:HOLDS {vid: $vid}]->() DELETE e`,
		`MATCH (v:Version {vid: $vid}) DETACH DELETE v`,
		`MATCH (i:Image {name: $image}) WHERE NOT EXISTS { (i)-[:HAS]->() } DELETE i`,
	} {
		if _, err := run(ctx, tx, q, params); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// reclaim deletes the given components that no version contains any more, and then the
// packages left without components. It deletes a component's relationships one by one rather
// than with DETACH: should a concurrent Put have just contained it, the delete fails (and is
// retried, see retriable) instead of taking the new containment with it.
func reclaim(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) error {
	for start := 0; start < len(ids); start += batchRows {
		recs, err := collect(ctx, tx, `UNWIND $ids AS id
			MATCH (c:Component {id: id})
			WHERE NOT EXISTS { ()-[:CONTAINS]->(c) }
			OPTIONAL MATCH (c)-[of:OF]->(k:Package)
			DELETE of, c
			RETURN DISTINCT k.key`, map[string]any{"ids": ids[start:min(len(ids), start+batchRows)]})
		if err != nil {
			return err
		}
		var keys []string
		for _, r := range recs {
			if r.Values[0] == nil {
				continue
			}
			d := decoder{vals: r.Values}
			keys = append(keys, d.str(0))
			if d.err != nil {
				return d.err
			}
		}
		if len(keys) == 0 {
			continue
		}
		if _, err := run(ctx, tx, `UNWIND $keys AS key
			MATCH (k:Package {key: key})
			WHERE NOT EXISTS { ()-[:OF]->(k) }
			DELETE k`, map[string]any{"keys": keys}); err != nil {
			return err
		}
	}
	return nil
}
