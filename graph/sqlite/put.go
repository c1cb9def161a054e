package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// prepared is a Document checked and analysed outside the write lock, so concurrent Puts do
// their CPU work in parallel and hold the lock only for SQL.
type prepared struct {
	doc        *sbom.Document // edges sorted and de-duplicated (a shallow copy when they were not)
	placements []graph.Placement
	slot       []int32 // node -> index in placements
	digest     string  // the SBOM digest
	meta       []byte  // JSON versionMeta
	entries    int
	unique     int
}

// versionMeta is the part of a version stored as JSON: small, and read whole.
type versionMeta struct {
	Source   sbom.Source    `json:"source"`
	Subject  sbom.Subject   `json:"subject"`
	Warnings []sbom.Warning `json:"warnings,omitempty"`
}

// prepare validates doc and computes what Put stores. Errors wrap graph.ErrInvalid.
func prepare(doc *sbom.Document) (*prepared, error) {
	doc, err := graph.CheckDocument(doc)
	if err != nil {
		return nil, err
	}
	n := len(doc.Components)
	p := &prepared{doc: doc, slot: make([]int32, n), entries: doc.Entries(), unique: doc.Unique()}
	p.placements = graph.ShortestPaths(doc).Placements(doc)
	byID := make(map[string]int32, len(p.placements))
	for k, pl := range p.placements {
		byID[pl.ID] = int32(k)
	}
	for i := range doc.Components {
		p.slot[i] = byID[doc.Components[i].ID()]
	}
	p.meta, err = json.Marshal(versionMeta{Source: doc.Source, Subject: doc.Subject, Warnings: doc.Warnings})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", graph.ErrInvalid, err)
	}
	if p.digest, err = graph.DocumentDigest(doc); err != nil {
		return nil, err
	}
	return p, nil
}

// beforeCommit, when set (by tests), runs inside Put's transaction just before it commits.
var beforeCommit func()

// Put stores doc as the version ref in one transaction; see graph.Writer. A version is
// identified by its exact (image, tag, digest) in normal form (graph.Ref.Normalize): "app:1.0"
// and "app:1.0@sha256:…" are two versions, "alpine:3.17" and "docker.io/library/alpine:3.17"
// one. A document without Source.Digest is identified by the SHA-256 of its JSON form.
// Errors wrap graph.ErrInvalid (bad ref or document), graph.ErrConflict (a different SBOM is
// stored for ref and opts.Replace is false), graph.ErrUnavailable (the store is closed), or
// are the context's or SQLite's.
func (s *Store) Put(ctx context.Context, ref graph.Ref, doc *sbom.Document, opts graph.PutOptions) (graph.Version, bool, error) {
	if err := s.check(ctx); err != nil {
		return graph.Version{}, false, err
	}
	ref = ref.Normalize()
	if err := ref.Validate(); err != nil {
		return graph.Version{}, false, err
	}
	p, err := prepare(doc)
	if err != nil {
		return graph.Version{}, false, fmt.Errorf("put %s: %w", ref, err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.check(ctx); err != nil {
		return graph.Version{}, false, err
	}
	v, created, err := s.put(ctx, ref, p, opts)
	if err != nil {
		return graph.Version{}, false, fmt.Errorf("put %s: %w", ref, s.mapErr(err))
	}
	return v, created, nil
}

func (s *Store) put(ctx context.Context, ref graph.Ref, p *prepared, opts graph.PutOptions) (graph.Version, bool, error) {
	w, err := s.begin(ctx)
	if err != nil {
		return graph.Version{}, false, err
	}
	defer w.rollback()
	var oldID int64
	var oldDigest string
	err = w.tx.QueryRowContext(ctx, `SELECT id, sbom_digest FROM versions WHERE image = ? AND tag = ? AND digest = ?`,
		ref.Image, ref.Tag, ref.Digest).Scan(&oldID, &oldDigest)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return graph.Version{}, false, err
	case oldDigest == p.digest:
		v, err := s.loadVersion(ctx, w.tx, oldID)
		if err != nil {
			return graph.Version{}, false, err
		}
		return v.Clone(), false, nil
	case !opts.Replace:
		return graph.Version{}, false, fmt.Errorf("%w: %s already holds SBOM %s, not %s (put with Replace to replace it)", graph.ErrConflict, ref, oldDigest, p.digest)
	}
	var stale []int64
	if oldID != 0 {
		if stale, err = w.deleteVersion(oldID); err != nil {
			return graph.Version{}, false, err
		}
	}
	rows, err := w.components(p)
	if err != nil {
		return graph.Version{}, false, err
	}
	variants, err := w.variantIDs(p, rows)
	if err != nil {
		return graph.Version{}, false, err
	}

	ingested := max(time.Now().UnixNano(), s.lastIngested+1)
	basis, order := graph.OrderIngested, ingested
	var createdNS sql.NullInt64
	if ns, ok := graph.PutCreated(p.doc, opts); ok {
		basis, order = graph.OrderCreated, ns
		createdNS = sql.NullInt64{Int64: ns, Valid: true}
	}
	var vid int64
	if err := w.tx.QueryRowContext(ctx, `INSERT INTO versions
		(image, tag, digest, sbom_digest, created, ingested, basis, order_time, components, uniq, edges, meta)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ref.Image, ref.Tag, ref.Digest, p.digest, createdNS, ingested, string(basis), order,
		p.entries, p.unique, len(p.doc.Edges), p.meta).Scan(&vid); err != nil {
		return graph.Version{}, false, err
	}
	cids := make([]int64, len(p.doc.Components))
	for i := range cids {
		cids[i] = rows[p.slot[i]].id
	}
	nodes, locals := encodeNodes(cids, variants, p.doc)
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO contents (version, root, nodes, edges, locals) VALUES (?, ?, ?, ?, ?)`,
		vid, p.doc.Root, nodes, encodeEdges(p.doc.Edges), locals); err != nil {
		return graph.Version{}, false, err
	}
	if err := w.addPending(p, rows, variants, vid); err != nil {
		return graph.Version{}, false, err
	}
	if err := w.merge(mergeBudget(len(p.placements))); err != nil {
		return graph.Version{}, false, fmt.Errorf("merge pending postings: %w", err)
	}
	if len(stale) > 0 {
		if err := w.reclaim(stale); err != nil {
			return graph.Version{}, false, err
		}
	}
	if beforeCommit != nil {
		beforeCommit()
	}
	if err := w.commit(); err != nil {
		return graph.Version{}, false, err
	}
	s.lastIngested = ingested
	v := &graph.Version{
		Image: ref.Image, Tag: ref.Tag, Digest: ref.Digest, SBOMDigest: p.digest,
		Ingested: time.Unix(0, ingested).UTC(), OrderBasis: basis, Seq: vid,
		Source: p.doc.Source, Subject: p.doc.Subject,
		Components: p.entries, Unique: p.unique, Edges: len(p.doc.Edges),
		Warnings: p.doc.Warnings,
	}
	if createdNS.Valid {
		v.Created = time.Unix(0, createdNS.Int64).UTC()
	}
	// Cache a copy: the caller's document must not alias the cache.
	out := v.Clone()
	cached := v.Clone()
	if cached.Warnings == nil {
		cached.Warnings = []sbom.Warning{}
	}
	s.versions.Put(vid, &cached)
	return out, true, nil
}

// Delete removes the version ref (normalised) resolves to (see Version) and reclaims the
// components no other version contains. Errors wrap graph.ErrInvalid (a bad ref),
// graph.ErrNotFound (no such version) or graph.ErrUnavailable (the store is closed), or are
// the context's or SQLite's.
func (s *Store) Delete(ctx context.Context, ref graph.Ref) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	ref = ref.Normalize()
	if err := ref.Validate(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	err := func() error {
		w, err := s.begin(ctx)
		if err != nil {
			return err
		}
		defer w.rollback()
		vid, err := resolveRef(ctx, w.tx, ref)
		if err != nil {
			return err
		}
		stale, err := w.deleteVersion(vid)
		if err != nil {
			return err
		}
		if err := w.reclaim(stale); err != nil {
			return err
		}
		return w.commit()
	}()
	if err != nil {
		return fmt.Errorf("delete %s: %w", ref, s.mapErr(err))
	}
	return nil
}

// writeTx is one write transaction and the cache updates it makes once committed.
type writeTx struct {
	s   *Store
	ctx context.Context
	tx  *sql.Tx
	// sets holds the complete variant lists of the components this transaction touched; they
	// go to the cache on commit only, since a rolled-back variant must never be cached.
	sets map[int64][]string
	// tails holds the last posting-list chunk of the components this transaction touched (nil:
	// unknown, read it again); they go to the cache on commit only.
	tails map[int64]*tail
	// fresh holds the postings of the pending versions this transaction wrote, and dropped
	// the pending versions it removed; the pending cache learns both on commit only.
	fresh     map[int64]*postings
	dropped   []int64
	newComps  []*compRow
	reclaimed []*compRow
	done      bool
}

func (s *Store) begin(ctx context.Context) (*writeTx, error) {
	tx, err := s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see Open): the file's write lock
	if err != nil {
		return nil, err
	}
	// data_version changes when another connection (another process) commits: then the
	// writer's caches of what exists may be stale.
	var dv int64
	if err := tx.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&dv); err != nil {
		tx.Rollback()
		return nil, err
	}
	if dv != s.dataVersion {
		s.byIdentity.Clear()
		s.variantSets.Clear()
		s.tails.Clear()
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(ingested) FROM versions`).Scan(&last); err != nil {
			tx.Rollback()
			return nil, err
		}
		s.lastIngested = max(s.lastIngested, last.Int64)
		s.dataVersion = dv
	}
	return &writeTx{s: s, ctx: ctx, tx: tx, sets: make(map[int64][]string), tails: make(map[int64]*tail),
		fresh: make(map[int64]*postings)}, nil
}

func (w *writeTx) rollback() {
	if !w.done {
		w.tx.Rollback()
	}
}

func (w *writeTx) commit() error {
	if err := w.tx.Commit(); err != nil {
		return err
	}
	w.done = true
	w.s.afterCommit(w.ctx)
	for _, r := range w.newComps {
		w.s.byIdentity.Put(r.identity, r)
		w.s.comps.Put(r.id, r)
	}
	for cid, set := range w.sets {
		w.s.variantSets.Put(cid, set)
	}
	for cid, t := range w.tails {
		if t == nil {
			w.s.tails.Delete(cid)
		} else {
			w.s.tails.Put(cid, *t)
		}
	}
	for _, v := range w.dropped {
		delete(w.fresh, v)
		w.s.pending.Delete(v)
	}
	for v, p := range w.fresh {
		w.s.pending.Put(v, p)
	}
	for _, r := range w.reclaimed {
		w.s.byIdentity.Delete(r.identity)
		w.s.comps.Delete(r.id)
		n := 1
		if set, ok := w.sets[r.id]; ok {
			n = len(set)
		} else if set, ok := w.s.variantSets.Get(r.id); ok {
			n = len(set)
		}
		w.s.variantSets.Delete(r.id)
		w.s.tails.Delete(r.id)
		for k := range n {
			w.s.variants.Delete(vkey{r.id, int32(k)})
		}
	}
	return nil
}

// batchRows is the number of rows per multi-row statement.
const batchRows = 128

// batchSQL is a multi-row statement: head + "(?,…),(?,…)…" + tail for width columns, or, with
// width 0, head + "(?,?,…)" + tail: an IN list. Its full-size form is prepared once, at Open
// (the writer has one connection, which a transaction holds, so nothing can be prepared on
// the database during one); smaller remainders are prepared ad hoc.
type batchSQL struct {
	head, tail string
	width      int
}

func (b *batchSQL) sql(rows int) string {
	if b.width <= 0 {
		return b.head + "(" + strings.Repeat("?,", rows-1) + "?)" + b.tail
	}
	row := "(" + strings.Repeat("?,", b.width-1) + "?)"
	return b.head + strings.Repeat(row+",", rows-1) + row + b.tail
}

// The writer's multi-row statements. Inserts are OR ROLLBACK: a constraint violation (which
// the write lock makes impossible short of a bug) fails the whole Put, and, unlike the default
// ABORT, it spares SQLite a statement journal for every multi-row insert.
var (
	selectComponents = &batchSQL{head: `SELECT ` + compCols + ` FROM components WHERE identity IN `}
	insertComponents = &batchSQL{head: `INSERT OR ROLLBACK INTO components (identity, purl, key, ecosystem, namespace, name, version, attrs) VALUES `,
		tail: ` RETURNING id, identity`, width: 8}
	selectFirstVariants = &batchSQL{head: `SELECT id, attrs FROM components WHERE id IN `}
	selectVariants      = &batchSQL{head: `SELECT component, n, attrs FROM variants WHERE component IN `}
	insertVariants      = &batchSQL{head: `INSERT OR ROLLBACK INTO variants (component, n, attrs) VALUES `, width: 3}
	// Appending to a chunk concatenates in SQL (the upsert's update), so a Put never reads
	// the chunks it extends; a new chunk is a plain insert.
	appendOccurrences = &batchSQL{head: `INSERT OR ROLLBACK INTO occurrences (component, chunk, data) VALUES `,
		tail: ` ON CONFLICT (component, chunk) DO UPDATE SET data = occurrences.data || excluded.data`, width: 3}
	deleteComponents = &batchSQL{head: `DELETE FROM components WHERE NOT EXISTS (SELECT 1 FROM occurrences o WHERE o.component = components.id) AND id IN `,
		tail: ` RETURNING id, identity`}
	deleteVariants = &batchSQL{head: `DELETE FROM variants WHERE component IN `}

	batches = []*batchSQL{selectComponents, insertComponents, selectFirstVariants, selectVariants, insertVariants,
		appendOccurrences, deleteComponents, deleteVariants}
)

// stmts are the writer's prepared statements: the full-size batches, and the single-row
// statements on posting-list chunks.
type stmts struct {
	m map[*batchSQL]*sql.Stmt
	// tails finds the last chunks of components (a JSON array) and their sizes; chunkOf the
	// chunk holding a version; the others rewrite or drop a chunk.
	tails, chunkOf, updateChunk, deleteChunk *sql.Stmt
}

func (st *stmts) prepare(ctx context.Context, db *sql.DB) error {
	st.m = make(map[*batchSQL]*sql.Stmt, len(batches))
	for _, b := range batches {
		p, err := db.PrepareContext(ctx, b.sql(batchRows))
		if err != nil {
			return fmt.Errorf("prepare %s…: %w", b.head, err)
		}
		st.m[b] = p
	}
	for dst, q := range map[**sql.Stmt]string{
		&st.tails: `SELECT j.value, o.chunk, length(o.data) FROM json_each(?) j JOIN occurrences o
			ON o.component = j.value AND o.chunk = (SELECT max(chunk) FROM occurrences WHERE component = j.value)`,
		&st.chunkOf:     `SELECT chunk, data FROM occurrences WHERE component = ? AND chunk <= ? ORDER BY chunk DESC LIMIT 1`,
		&st.updateChunk: `UPDATE occurrences SET data = ? WHERE component = ? AND chunk = ?`,
		&st.deleteChunk: `DELETE FROM occurrences WHERE component = ? AND chunk = ?`,
	} {
		p, err := db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %s: %w", q, err)
		}
		*dst = p
	}
	return nil
}

func (st *stmts) close() {
	for _, s := range st.m {
		s.Close()
	}
	for _, s := range []*sql.Stmt{st.tails, st.chunkOf, st.updateChunk, st.deleteChunk} {
		if s != nil {
			s.Close()
		}
	}
	st.m = nil
}

// batch runs b over n rows, batchRows rows per statement, with the arguments pre first; fill
// appends row i's values. With scan, the statement returns rows (RETURNING, SELECT) and scan
// reads each.
func (w *writeTx) batch(b *batchSQL, pre []any, n int, fill func(i int, args []any) []any, scan func(*sql.Rows) error) error {
	args := make([]any, 0, len(pre)+max(b.width, 1)*min(n, batchRows))
	for start := 0; start < n; start += batchRows {
		end := min(n, start+batchRows)
		args = append(args[:0], pre...)
		for i := start; i < end; i++ {
			args = fill(i, args)
		}
		var st *sql.Stmt
		if end-start == batchRows {
			st = w.tx.StmtContext(w.ctx, w.s.st.m[b])
		}
		if scan == nil {
			var err error
			if st != nil {
				_, err = st.ExecContext(w.ctx, args...)
			} else {
				_, err = w.tx.ExecContext(w.ctx, b.sql(end-start), args...)
			}
			if err != nil {
				return err
			}
			continue
		}
		var rows *sql.Rows
		var err error
		if st != nil {
			rows, err = st.QueryContext(w.ctx, args...)
		} else {
			rows, err = w.tx.QueryContext(w.ctx, b.sql(end-start), args...)
		}
		if err != nil {
			return err
		}
		if err := scanAll(rows, scan); err != nil {
			return err
		}
	}
	return nil
}

const compCols = `id, identity, purl, key, ecosystem, namespace, name, version`

func scanComp(rows interface{ Scan(...any) error }) (*compRow, error) {
	r := new(compRow)
	err := rows.Scan(&r.id, &r.identity, &r.purl, &r.key, &r.ecosystem, &r.namespace, &r.name, &r.version)
	return r, err
}

// components returns the component row of every placement, inserting the new ones with the
// attribute set of the placement's node as their variant 0. The transaction holds the file's
// write lock, so looking up then inserting cannot race; the UNIQUE constraint on identity is
// the backstop.
func (w *writeTx) components(p *prepared) ([]*compRow, error) {
	rows := make([]*compRow, len(p.placements))
	var missing []int
	for k := range p.placements {
		if r, ok := w.s.byIdentity.Get(p.placements[k].ID); ok {
			rows[k] = r
		} else {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return rows, nil
	}
	found := make(map[string]*compRow, len(missing))
	err := w.batch(selectComponents, nil, len(missing),
		func(i int, args []any) []any { return append(args, p.placements[missing[i]].ID) },
		func(r *sql.Rows) error {
			c, err := scanComp(r)
			found[c.identity] = c
			return err
		})
	if err != nil {
		return nil, err
	}
	var insert []int
	for _, k := range missing {
		if r, ok := found[p.placements[k].ID]; ok {
			rows[k] = r
			w.s.byIdentity.Put(r.identity, r) // committed already: safe to cache now
		} else {
			insert = append(insert, k)
		}
	}
	if len(insert) == 0 {
		return rows, nil
	}
	fresh := make(map[string]*compRow, len(insert))
	attrs := make([][]byte, len(insert))
	for i, k := range insert {
		c := &p.doc.Components[p.placements[k].Node]
		r := &compRow{identity: p.placements[k].ID, purl: c.Purl != "", key: c.Key,
			ecosystem: c.Ecosystem, namespace: c.Namespace, name: c.Name, version: c.Version}
		fresh[r.identity] = r
		attrs[i] = encodeVariant(nil, c, r)
	}
	err = w.batch(insertComponents, nil, len(insert),
		func(i int, args []any) []any {
			r := fresh[p.placements[insert[i]].ID]
			return append(args, r.identity, r.purl, r.key, r.ecosystem, r.namespace, r.name, r.version, attrs[i])
		},
		func(rs *sql.Rows) error {
			var id int64
			var identity string
			if err := rs.Scan(&id, &identity); err != nil {
				return err
			}
			fresh[identity].id = id
			return nil
		})
	if err != nil {
		return nil, err
	}
	for i, k := range insert {
		r := fresh[p.placements[k].ID]
		if r.id == 0 {
			return nil, fmt.Errorf("component %q was neither found nor inserted", r.identity)
		}
		rows[k] = r
		w.newComps = append(w.newComps, r)
		w.sets[r.id] = []string{string(attrs[i])}
	}
	return rows, nil
}

// variantIDs returns every node's variant number, inserting the new variants. A component's
// variants are numbered 0, 1, … in the order documents brought them; the writer caches each
// component's complete list, so a set not in it is new and takes the next number.
func (w *writeTx) variantIDs(p *prepared, rows []*compRow) ([]int32, error) {
	out := make([]int32, len(p.doc.Components))
	var insert []vkey
	var deferred []int
	resolve := func(i int, data []byte) bool {
		cid := rows[p.slot[i]].id
		set, ok := w.sets[cid]
		if !ok {
			if set, ok = w.s.variantSets.Get(cid); !ok {
				return false
			}
		}
		n := slices.IndexFunc(set, func(s string) bool { return s == string(data) })
		if n < 0 {
			set = append(slices.Clip(set), string(data))
			n = len(set) - 1
			insert = append(insert, vkey{cid, int32(n)})
		}
		w.sets[cid] = set
		out[i] = int32(n)
		return true
	}
	var buf []byte
	for i := range p.doc.Components {
		buf = encodeVariant(buf, &p.doc.Components[i], rows[p.slot[i]])
		if !resolve(i, buf) {
			deferred = append(deferred, i)
		}
	}
	if len(deferred) > 0 {
		// Load the complete lists of the components not cached.
		var cids []int64
		for _, i := range deferred {
			cids = append(cids, rows[p.slot[i]].id)
		}
		cids = slices.Compact(slices.Sorted(slices.Values(cids)))
		loaded := make(map[int64][]string, len(cids))
		learn := func(cid int64, n int32, data []byte) {
			set := loaded[cid]
			for len(set) <= int(n) {
				set = append(set, "")
			}
			set[n] = string(data)
			loaded[cid] = set
		}
		err := w.batch(selectFirstVariants, nil, len(cids),
			func(i int, args []any) []any { return append(args, cids[i]) },
			func(r *sql.Rows) error {
				var cid int64
				var data []byte
				if err := r.Scan(&cid, &data); err != nil {
					return err
				}
				learn(cid, 0, data)
				return nil
			})
		if err != nil {
			return nil, err
		}
		err = w.batch(selectVariants, nil, len(cids),
			func(i int, args []any) []any { return append(args, cids[i]) },
			func(r *sql.Rows) error {
				var cid int64
				var n int32
				var data []byte
				if err := r.Scan(&cid, &n, &data); err != nil {
					return err
				}
				learn(cid, n, data)
				return nil
			})
		if err != nil {
			return nil, err
		}
		for cid, set := range loaded {
			w.s.variantSets.Put(cid, set) // committed already
			w.sets[cid] = set
		}
		for _, i := range deferred {
			buf = encodeVariant(buf, &p.doc.Components[i], rows[p.slot[i]])
			if !resolve(i, buf) {
				return nil, fmt.Errorf("component %d has no stored attributes: %w", rows[p.slot[i]].id, errCorrupt)
			}
		}
	}
	err := w.batch(insertVariants, nil, len(insert),
		func(i int, args []any) []any {
			k := insert[i]
			return append(args, k.component, k.n, []byte(w.sets[k.component][k.n]))
		}, nil)
	return out, err
}

// removeOccurrences removes version vid from the posting lists of the given components.
func (w *writeTx) removeOccurrences(cids []int64, vid int64) error {
	find := w.tx.StmtContext(w.ctx, w.s.st.chunkOf)
	update := w.tx.StmtContext(w.ctx, w.s.st.updateChunk)
	del := w.tx.StmtContext(w.ctx, w.s.st.deleteChunk)
	for _, cid := range cids {
		var chunk int64
		var data []byte
		if err := find.QueryRowContext(w.ctx, cid, vid).Scan(&chunk, &data); err != nil {
			return fmt.Errorf("posting list of component %d: %w", cid, err)
		}
		rest, found, err := removeEntry(chunk, data, vid)
		if err != nil || !found {
			return fmt.Errorf("posting list of component %d lacks version %d: %w", cid, vid, errCorrupt)
		}
		if len(rest) == 0 {
			_, err = del.ExecContext(w.ctx, cid, chunk)
		} else {
			_, err = update.ExecContext(w.ctx, rest, cid, chunk)
		}
		if err != nil {
			return err
		}
		w.tails[cid] = nil // may have shrunk or gone: read it again when needed
	}
	return nil
}

// deleteVersion removes a version's rows and returns the ids of the components it contained,
// which may now be unreferenced. A pending version's entries are in its pending row, except
// those a merge in progress has moved to the posting lists already.
func (w *writeTx) deleteVersion(vid int64) ([]int64, error) {
	var blob []byte
	if err := w.tx.QueryRowContext(w.ctx, `SELECT nodes FROM contents WHERE version = ?`, vid).Scan(&blob); err != nil {
		return nil, fmt.Errorf("version %d contents: %w", vid, err)
	}
	nodes, err := decodeNodes(blob)
	if err != nil {
		return nil, fmt.Errorf("version %d nodes: %w", vid, err)
	}
	seen := make(map[int64]bool, len(nodes))
	var cids []int64
	for _, n := range nodes {
		if !seen[n.component] {
			seen[n.component] = true
			cids = append(cids, n.component)
		}
	}
	posted := cids
	var merged int64
	err = w.tx.QueryRowContext(w.ctx, `SELECT CASE WHEN p.version <= m.upto THEN m.next ELSE 0 END
		FROM pending p, merge_state m WHERE p.version = ?`, vid).Scan(&merged)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		posted = nil
		for _, cid := range cids {
			if cid < merged {
				posted = append(posted, cid)
			}
		}
		if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM pending WHERE version = ?`, vid); err != nil {
			return nil, err
		}
		w.dropped = append(w.dropped, vid)
	}
	if err := w.removeOccurrences(posted, vid); err != nil {
		return nil, err
	}
	if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM contents WHERE version = ?`, vid); err != nil {
		return nil, err
	}
	if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM versions WHERE id = ?`, vid); err != nil {
		return nil, err
	}
	return cids, nil
}

// reclaim deletes the given components that no version contains any more (neither a posting
// list nor a pending version lists them), and their variants.
func (w *writeTx) reclaim(cids []int64) error {
	held, err := w.pendingHolding(cids)
	if err != nil {
		return err
	}
	if len(held) > 0 {
		cids = slices.DeleteFunc(slices.Clone(cids), func(cid int64) bool { return held[cid] })
	}
	var gone []int64
	err = w.batch(deleteComponents, nil, len(cids),
		func(i int, args []any) []any { return append(args, cids[i]) },
		func(r *sql.Rows) error {
			c := new(compRow)
			if err := r.Scan(&c.id, &c.identity); err != nil {
				return err
			}
			gone = append(gone, c.id)
			w.reclaimed = append(w.reclaimed, c)
			delete(w.sets, c.id)
			return nil
		})
	if err != nil {
		return err
	}
	return w.batch(deleteVariants, nil, len(gone),
		func(i int, args []any) []any { return append(args, gone[i]) }, nil)
}
