package neo4j

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
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
	props  map[string]any // the Version node's properties, but for vid, seq, ingested, orderTime, doc
	ids    []string       // the identities, in the order they first appear in the document
	reps   []int          // the node index of each identity's representative (graph.Placement)
	rels   []any          // the properties of each identity's CONTAINS relationship
	nodes  []string       // the identity of every node
	// blob returns the document's nodes and edges (see encodeDoc), which another goroutine
	// encodes (a couple of milliseconds for 500 components) while the transaction's first
	// statements run; only its last statement waits for it.
	blob  func() ([]byte, error)
	edges []edgeRow // the edges
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
	if p.digest, err = graph.DocumentDigest(doc); err != nil {
		return nil, err
	}

	forest := graph.ShortestPaths(doc)
	placements := forest.Placements(doc)
	p.ids = make([]string, len(placements))
	p.reps = make([]int, len(placements))
	p.rels = make([]any, len(placements))
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
		p.ids[k], p.reps[k], p.rels[k] = pl.ID, pl.Node, rel
	}
	p.nodes = ids
	p.edges = make([]edgeRow, len(doc.Edges))
	for i, e := range doc.Edges {
		p.edges[i] = edgeRow{from: e.From, to: e.To, kind: e.Kind}
	}

	basis := graph.OrderIngested
	if ns, ok := graph.PutCreated(doc, opts); ok {
		basis = graph.OrderCreated
		p.created = &ns
	}
	p.props = map[string]any{
		"sbomDigest": p.digest, "basis": string(basis),
		"components": int64(p.entries), "unique": int64(p.unique), "edges": int64(len(doc.Edges)),
		"meta": string(meta),
	}
	if p.created != nil {
		p.props["created"] = *p.created
	}
	// Last, so no error return leaves it reading doc after Put has returned.
	p.blob = sync.OnceValues(func() ([]byte, error) {
		blob, err := encodeDoc(doc)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", graph.ErrInvalid, err)
		}
		return blob, nil
	})
	go p.blob()
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
	// The encoding reads doc, which is the caller's again once Put returns: wait for it
	// whatever the outcome.
	defer p.blob()
	out, err := s.write(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) (any, error) {
		return s.put(ctx, tx, ref, p, opts)
	})
	if err != nil {
		return graph.Version{}, false, fmt.Errorf("put %s: %w", ref, err)
	}
	r := out.(*putResult)
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
	elems, err := s.containComponents(ctx, tx, vid, p)
	if err != nil {
		return nil, err
	}
	if err := createEdges(ctx, tx, vid, p, elems); err != nil {
		return nil, err
	}
	if len(stale) > 0 {
		if err := reclaim(ctx, tx, stale); err != nil {
			return nil, err
		}
	}
	// Last, so the lock on the counter node is held only for the commit: the image, then the
	// store-wide sequence number and ingest time (strictly increasing across all writers;
	// the SET reads and writes the counter in one step, under its write lock).
	blob, err := p.blob()
	if err != nil {
		return nil, err
	}
	recs, err = collect(ctx, tx, `MATCH (v:Version {vid: $vid})
		SET v.doc = $doc
		MERGE (i:Image {name: $image})
		CREATE (i)-[:HAS]->(v)
		WITH v
		MATCH (m:SbomgraphMeta {name: $meta})
		SET m.seq = m.seq + 1, m.ingested = CASE WHEN $now > m.ingested THEN $now ELSE m.ingested + 1 END
		SET v.seq = m.seq, v.ingested = m.ingested, v.orderTime = coalesce(v.created, m.ingested)
		RETURN v.seq, v.ingested`,
		map[string]any{"vid": vid, "doc": blob, "image": ref.Image, "meta": metaName, "now": time.Now().UnixNano()})
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

// containComponents gives every identity of p its CONTAINS relationship from the version vid,
// creating the (:Component) nodes (and their packages) that are not stored yet, and returns
// each identity's node by element id. It takes three steps, each one statement per batch
// returning one record (see list): find the nodes stored already, which are most of a new
// version's; create the others; create every relationship, by element id. So only the few new
// nodes carry their properties over the wire, and the statement that sees every identity only
// creates relationships. (One statement that merged every node, created its relationship and
// linked the new ones to their packages cost Neo4j three eager passes over all the rows, and
// took a fifth longer.)
func (s *Store) containComponents(ctx context.Context, tx neo4j.ManagedTransaction, vid int64, p *prepared) (map[string]string, error) {
	elems := make(map[string]string, len(p.ids))
	pairs := func(l []any) error {
		for _, x := range l {
			pair, ok := x.([]any)
			if !ok || len(pair) != 2 {
				return fmt.Errorf("component node: want an [id, element id] pair, got %T: %w", x, errCorrupt)
			}
			d := decoder{vals: pair}
			elems[d.str(0)] = d.str(1)
			if d.err != nil {
				return d.err
			}
		}
		return nil
	}
	for start := 0; start < len(p.ids); start += batchRows {
		l, err := list(ctx, tx, `UNWIND $ids AS id
			MATCH (c:Component {id: id})
			RETURN collect([id, elementId(c)])`, map[string]any{"ids": p.ids[start:min(len(p.ids), start+batchRows)]})
		if err != nil {
			return nil, err
		}
		if err := pairs(l); err != nil {
			return nil, err
		}
	}
	var missing []int
	for k, id := range p.ids {
		if elems[id] == "" {
			missing = append(missing, k)
		}
	}
	// In identity order, so concurrent Puts that create the same nodes lock them in the same
	// order rather than deadlock.
	slices.SortFunc(missing, func(a, b int) int { return strings.Compare(p.ids[a], p.ids[b]) })
	fresh := make([]any, len(missing))
	for i, k := range missing {
		fresh[i] = map[string]any{"id": p.ids[k], "props": componentProps(p.ids[k], &p.doc.Components[p.reps[k]])}
	}
	// MERGE, since a concurrent Put may be creating the same nodes: it waits for that Put to
	// commit and finds its node. The package is the node's own key, so a node the other Put
	// made keeps the one package it linked.
	for start := 0; start < len(fresh); start += batchRows {
		l, err := list(ctx, tx, `UNWIND $rows AS row
			MERGE (c:Component {id: row.id})
			  ON CREATE SET c += row.props
			MERGE (k:Package {key: c.key})
			MERGE (c)-[:OF]->(k)
			RETURN collect([row.id, elementId(c)])`, map[string]any{"rows": fresh[start:min(len(fresh), start+batchRows)]})
		if err != nil {
			return nil, err
		}
		if err := pairs(l); err != nil {
			return nil, err
		}
	}
	rows := make([]any, len(p.ids))
	for k, id := range p.ids {
		if elems[id] == "" {
			return nil, fmt.Errorf("component %s was neither found nor created: %w", id, errCorrupt)
		}
		rows[k] = []any{elems[id], p.rels[k]}
	}
	// SET +=, not =, on the new relationship: = clears what it holds first, and took a sixth
	// longer over 500 rows.
	for start := 0; start < len(rows); start += batchRows {
		batch := rows[start:min(len(rows), start+batchRows)]
		recs, err := collect(ctx, tx, `MATCH (v:Version {vid: $vid})
			UNWIND $rows AS row
			MATCH (c:Component) WHERE elementId(c) = row[0]
			CREATE (v)-[r:CONTAINS]->(c)
			SET r += row[1]
			RETURN count(r)`, map[string]any{"vid": vid, "rows": batch})
		if err != nil {
			return nil, err
		}
		if len(recs) != 1 {
			return nil, fmt.Errorf("containment returned %d rows: %w", len(recs), errCorrupt)
		}
		d := decoder{vals: recs[0].Values}
		if n := d.int(0); d.err != nil {
			return nil, d.err
		} else if n != int64(len(batch)) {
			// A node found by the first step was reclaimed by a concurrent Delete before this
			// one locked it: run the transaction again, which creates it anew.
			return nil, errConcurrentDelete(fmt.Sprintf("%d of %d components vanished while being contained", int64(len(batch))-n, len(batch)))
		}
	}
	return elems, nil
}

// createEdges creates the version's edges, DEPENDS_ON or HOLDS by kind, between the
// components' nodes (elems, by identity). One statement per kind, without a conditional
// per row.
func createEdges(ctx context.Context, tx neo4j.ManagedTransaction, vid int64, p *prepared, elems map[string]string) error {
	var deps, holds []any
	for i, e := range p.edges {
		a, b := elems[p.nodes[e.from]], elems[p.nodes[e.to]]
		if a == "" || b == "" {
			return fmt.Errorf("edge %d names a component the version does not contain: %w", i, errCorrupt)
		}
		switch e.kind {
		case sbom.Contains:
			holds = append(holds, []any{a, b})
		case sbom.DependsOn:
			deps = append(deps, []any{a, b, nil})
		default:
			deps = append(deps, []any{a, b, int64(e.kind)})
		}
	}
	for _, k := range []struct {
		rows []any
		q    string
	}{
		{deps, `UNWIND $rows AS e
			MATCH (a) WHERE elementId(a) = e[0]
			MATCH (b) WHERE elementId(b) = e[1]
			CREATE (a)-[:DEPENDS_ON {vid: $vid, kind: e[2]}]->(b)`},
		{holds, `UNWIND $rows AS e
			MATCH (a) WHERE elementId(a) = e[0]
			MATCH (b) WHERE elementId(b) = e[1]
			CREATE (a)-[:HOLDS {vid: $vid}]->(b)`},
	} {
		for start := 0; start < len(k.rows); start += batchRows {
			if _, err := run(ctx, tx, k.q, map[string]any{"vid": vid, "rows": k.rows[start:min(len(k.rows), start+batchRows)]}); err != nil {
				return err
			}
		}
	}
	return nil
}

// errConcurrentDelete is the error of a write that found a node a concurrent Delete removed
// before the write could lock it: Neo4j's own error for that race, which retriable marks for
// the driver to run the transaction again.
func errConcurrentDelete(msg string) error {
	return &neo4j.Neo4jError{Code: codeEntityNotFound, Msg: msg}
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
	l, err := list(ctx, tx, `MATCH (:Version {vid: $vid})-[:CONTAINS]->(c:Component) RETURN collect(c.id)`, params)
	if err != nil {
		return nil, err
	}
	d := decoder{vals: l}
	ids := make([]string, len(l))
	for i := range l {
		ids[i] = d.str(i)
	}
	if d.err != nil {
		return nil, d.err
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
// than with DETACH: should a concurrent Put have just contained it, the delete fails (at
// commit, where Neo4j checks it; the transaction is run again, see lostAtCommit) instead of
// taking the new containment with it.
func reclaim(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) error {
	for start := 0; start < len(ids); start += batchRows {
		keys, err := list(ctx, tx, `UNWIND $ids AS id
			MATCH (c:Component {id: id})
			WHERE NOT EXISTS { ()-[:CONTAINS]->(c) }
			OPTIONAL MATCH (c)-[of:OF]->(k:Package)
			DELETE of, c
			RETURN collect(DISTINCT k.key)`, map[string]any{"ids": ids[start:min(len(ids), start+batchRows)]})
		if err != nil {
			return err
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
