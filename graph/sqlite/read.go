package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/internal/cache"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// queryer is what reads need: a read or write transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// read runs fn in a read transaction: one consistent snapshot, even while Puts commit.
func (s *Store) read(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("%s: %w", what, s.mapErr(err))
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("%s: %w", what, s.mapErr(err))
	}
	return nil
}

// Images lists every image by name, with its number of versions and its latest version.
// Errors wrap graph.ErrUnavailable (the store is closed), or are the context's or SQLite's.
func (s *Store) Images(ctx context.Context) ([]graph.Image, error) {
	out := []graph.Image{}
	err := s.read(ctx, "images", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT image, n, id FROM (
			SELECT image, id, count(*) OVER (PARTITION BY image) AS n,
				row_number() OVER (PARTITION BY image ORDER BY order_time DESC, id DESC) AS rn
			FROM versions) WHERE rn = 1 ORDER BY image`)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var img graph.Image
			var id int64
			if err := rows.Scan(&img.Name, &img.Versions, &id); err != nil {
				rows.Close()
				return err
			}
			out = append(out, img)
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		vs, err := s.loadVersions(ctx, tx, ids)
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
	// SQL sorts by byte order, as Go does; sort again in case of a collation surprise.
	slices.SortFunc(out, func(a, b graph.Image) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Versions lists image's versions in order (see graph.Version.Before), the name normalised
// first (graph.NormalizeImage). Errors wrap graph.ErrNotFound (no version of that image),
// graph.ErrUnavailable, or are the context's or SQLite's.
func (s *Store) Versions(ctx context.Context, image string) ([]graph.Version, error) {
	image = graph.NormalizeImage(image)
	var out []graph.Version
	err := s.read(ctx, "versions of "+image, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM versions WHERE image = ? ORDER BY order_time, id`, image)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return fmt.Errorf("%w: no versions of image %q", graph.ErrNotFound, image)
		}
		vs, err := s.loadVersions(ctx, tx, ids)
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
	slices.SortStableFunc(out, func(a, b graph.Version) int {
		switch {
		case a.Before(&b):
			return -1
		case b.Before(&a):
			return 1
		}
		return 0
	})
	return out, nil
}

// Latest returns the Seq of each given image's latest version (the last in Versions' order),
// keyed by the names as given, normalised first (graph.NormalizeImage); images without
// versions are left out. The answers are kept in process, keyed on the catalog's generation
// (which every version added or removed changes, in any process), so a call costs one
// primary-key read plus one statement for the images not asked about since the last change.
// Errors wrap graph.ErrUnavailable, or are the context's or SQLite's.
func (s *Store) Latest(ctx context.Context, images []string) (map[string]int64, error) {
	out := make(map[string]int64, len(images))
	if len(images) == 0 {
		return out, s.check(ctx)
	}
	err := s.read(ctx, "latest versions", func(tx *sql.Tx) error {
		var gen int64
		if err := tx.StmtContext(ctx, s.rs.generation).QueryRowContext(ctx).Scan(&gen); err != nil {
			return err
		}
		var missing []int // indexes into images
		var names []string
		s.latest.mu.Lock()
		if s.latest.seq == nil || s.latest.generation != gen || len(s.latest.seq) > maxLatest {
			s.latest.generation, s.latest.seq = gen, make(map[string]int64)
		}
		for i, im := range images {
			name := graph.NormalizeImage(im)
			seq, ok := s.latest.seq[name]
			switch {
			case !ok:
				missing = append(missing, i)
				names = append(names, name)
			case seq > 0:
				out[im] = seq
			}
		}
		s.latest.mu.Unlock()
		if len(missing) == 0 {
			return nil
		}
		found := make([]int64, len(names)) // 0: no version
		rows, err := tx.StmtContext(ctx, s.rs.latest).QueryContext(ctx, jsonStrings(names))
		if err != nil {
			return err
		}
		err = scanAll(rows, func(r *sql.Rows) error {
			var k int
			var id sql.NullInt64
			if err := r.Scan(&k, &id); err != nil {
				return err
			}
			if id.Valid && k >= 0 && k < len(names) {
				found[k] = id.Int64
			}
			return nil
		})
		if err != nil {
			return err
		}
		for k, i := range missing {
			if found[k] > 0 {
				out[images[i]] = found[k]
			}
		}
		s.latest.mu.Lock()
		defer s.latest.mu.Unlock()
		if s.latest.generation == gen { // what this transaction saw is still the newest
			for k, name := range names {
				s.latest.seq[name] = found[k]
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// maxLatest bounds the images Latest remembers; past it, it starts afresh.
const maxLatest = 1 << 20

// Version returns the version ref names, normalised first (graph.Ref.Normalize). A ref with a
// tag and a digest matches both; with only a tag (or only a digest) it matches every version
// with that tag (digest), and the last of them in version order is returned. Errors wrap
// graph.ErrInvalid (a bad ref), graph.ErrNotFound, graph.ErrUnavailable, or are the context's
// or SQLite's.
func (s *Store) Version(ctx context.Context, ref graph.Ref) (graph.Version, error) {
	ref = ref.Normalize()
	if err := ref.Validate(); err != nil {
		return graph.Version{}, err
	}
	var out graph.Version
	err := s.read(ctx, "version "+ref.String(), func(tx *sql.Tx) error {
		id, err := resolveRef(ctx, tx, ref)
		if err != nil {
			return err
		}
		v, err := s.loadVersion(ctx, tx, id)
		if err != nil {
			return err
		}
		out = v.Clone()
		return nil
	})
	return out, err
}

// resolveRef returns the id of the version ref names (see Version).
func resolveRef(ctx context.Context, q queryer, ref graph.Ref) (int64, error) {
	var row *sql.Row
	switch {
	case ref.Tag != "" && ref.Digest != "":
		row = q.QueryRowContext(ctx, `SELECT id FROM versions WHERE image = ? AND tag = ? AND digest = ?`, ref.Image, ref.Tag, ref.Digest)
	case ref.Tag != "":
		row = q.QueryRowContext(ctx, `SELECT id FROM versions WHERE image = ? AND tag = ? ORDER BY order_time DESC, id DESC LIMIT 1`, ref.Image, ref.Tag)
	default:
		row = q.QueryRowContext(ctx, `SELECT id FROM versions WHERE image = ? AND digest = ? ORDER BY order_time DESC, id DESC LIMIT 1`, ref.Image, ref.Digest)
	}
	var id int64
	if err := row.Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("%w: no version %s", graph.ErrNotFound, ref)
		}
		return 0, err
	}
	return id, nil
}

// Document returns the version ref names (normalised; see Version) as the Document that was
// put, with these normalisations: Components, Edges and Warnings are never nil; Edges are
// sorted and without duplicates; times come back in UTC. Errors wrap graph.ErrInvalid (a bad
// ref), graph.ErrNotFound, graph.ErrUnavailable, or are the context's or SQLite's.
func (s *Store) Document(ctx context.Context, ref graph.Ref) (*sbom.Document, error) {
	var doc *sbom.Document
	err := s.readContents(ctx, "document", ref, func(c *contents) error {
		var err error
		doc, err = c.document()
		return err
	})
	return doc, err
}

// View is Document as a graph.View: its components point into the store's cache (the
// subject's own CycloneDX metadata component excepted, which is a copy), so a read allocates
// a pointer per component rather than a copy of it.
func (s *Store) View(ctx context.Context, ref graph.Ref) (*graph.View, error) {
	var v *graph.View
	err := s.readContents(ctx, "view", ref, func(c *contents) error {
		v = c.view()
		return nil
	})
	return v, err
}

// contents is a version's content as decoded from its contents row, with its variants.
type contents struct {
	id      int64
	v       *graph.Version // shared with the cache
	root    int
	nodes   []node
	edges   []sbom.Edge
	locals  []byte // compressed; decoded only by document
	entries []*variantEntry
}

// readContents resolves ref and calls fn with the version's contents, in one read transaction.
func (s *Store) readContents(ctx context.Context, what string, ref graph.Ref, fn func(*contents) error) error {
	ref = ref.Normalize()
	if err := ref.Validate(); err != nil {
		return err
	}
	return s.read(ctx, what+" "+ref.String(), func(tx *sql.Tx) error {
		id, err := resolveRef(ctx, tx, ref)
		if err != nil {
			return err
		}
		c, err := s.contents(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(c)
	})
}

func (s *Store) contents(ctx context.Context, tx *sql.Tx, id int64) (*contents, error) {
	v, err := s.loadVersion(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	c := &contents{id: id, v: v}
	rows, err := tx.QueryContext(ctx, `SELECT root, nodes, edges, locals FROM contents WHERE version = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("version %d contents: %w", id, err)
	}
	// The blobs are decoded straight from the row, not copied first.
	err = scanAll(rows, func(r *sql.Rows) error {
		var nodeBlob, edgeBlob sql.RawBytes
		if err := r.Scan(&c.root, &nodeBlob, &edgeBlob, &c.locals); err != nil {
			return err
		}
		if c.nodes, err = decodeNodes(nodeBlob); err != nil {
			return fmt.Errorf("nodes: %w", err)
		}
		if c.edges, err = decodeEdges(edgeBlob, len(c.nodes)); err != nil {
			return fmt.Errorf("edges: %w", err)
		}
		return nil
	})
	if err == nil && c.nodes == nil {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, fmt.Errorf("version %d contents: %w", id, err)
	}
	keys := make([]vkey, len(c.nodes))
	for i, n := range c.nodes {
		keys[i] = n.vkey
	}
	if c.entries, err = s.loadVariants(ctx, tx, keys); err != nil {
		return nil, err
	}
	return c, nil
}

// document copies the contents out as a Document the caller owns.
func (c *contents) document() (*sbom.Document, error) {
	locals, err := decodeLocals(c.locals)
	if err != nil {
		return nil, fmt.Errorf("version %d local ids: %w", c.id, err)
	}
	vc := c.v.Clone()
	doc := &sbom.Document{
		Source: vc.Source, Subject: vc.Subject, Warnings: vc.Warnings,
		Components: make([]sbom.Component, len(c.nodes)), Edges: c.edges, Root: c.root,
	}
	var sl slabs
	for _, e := range c.entries {
		sl.strings += len(e.c.CPEs)
		sl.hashes += len(e.c.Hashes)
	}
	sl.alloc()
	for i, n := range c.nodes {
		comp := &doc.Components[i]
		*comp = c.entries[i].c
		sl.component(comp)
		comp.Metadata = n.flags&nodeMetadata != 0
		switch {
		case n.flags&nodeLocalIsID != 0:
			comp.LocalID = comp.ID()
		case n.flags&nodeLocalSet != 0:
			if len(locals) == 0 {
				return nil, fmt.Errorf("version %d local ids: %w", c.id, errCorrupt)
			}
			comp.LocalID, locals = locals[0], locals[1:]
		}
	}
	return doc, nil
}

// view lends the contents out as a View sharing the cache's values.
func (c *contents) view() *graph.View {
	v := &graph.View{
		Source: c.v.Source, Subject: c.v.Subject, Warnings: c.v.Warnings,
		Components: make([]*sbom.Component, len(c.nodes)), Edges: c.edges, Root: c.root,
	}
	if v.Warnings == nil {
		v.Warnings = []sbom.Warning{}
	}
	for i, n := range c.nodes {
		comp := &c.entries[i].c
		if n.flags&nodeMetadata != 0 {
			meta := *comp
			meta.Metadata = true
			comp = &meta
		}
		v.Components[i] = comp
	}
	return v
}

// Components returns the distinct stored components matching q, sorted by identity; see
// graph.Index. The per-version fields are those of the first document that stored the
// component. A Purl is canonicalised first (sbom.ParsePurl), and so is a Key written as a
// purl without version. Names match the spelling of the first document that stored the
// component. Errors wrap graph.ErrInvalid (not exactly one field of q set),
// graph.ErrUnavailable, or are the context's or SQLite's.
func (s *Store) Components(ctx context.Context, q graph.ComponentQuery) ([]sbom.Component, error) {
	var stmt *sql.Stmt
	var arg string
	n := 0
	if q.Purl != "" {
		n++
		stmt, arg = s.rs.byPurl, q.Purl
		if p, err := sbom.ParsePurl(q.Purl); err == nil {
			arg = p.Canonical
		}
	}
	if q.Key != "" {
		n++
		stmt, arg = s.rs.byKey, q.Key
		if p, err := sbom.ParsePurl(q.Key); err == nil && p.Canonical == p.Key {
			arg = p.Key
		}
	}
	if q.Name != "" {
		n++
		stmt, arg = s.rs.byName, q.Name
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: a component query sets exactly one of purl, key and name (it sets %d)", graph.ErrInvalid, n)
	}
	out := []sbom.Component{}
	err := s.read(ctx, "components", func(tx *sql.Tx) error {
		rows, err := tx.StmtContext(ctx, stmt).QueryContext(ctx, arg)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return err
		}
		keys := make([]vkey, len(ids))
		for i, id := range ids {
			keys[i] = vkey{component: id} // the first document's attributes
		}
		entries, err := s.loadVariants(ctx, tx, keys)
		if err != nil {
			return err
		}
		for _, e := range entries {
			out = append(out, graph.CloneComponent(&e.c))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Occurrences returns every (version, component) pair for the given identities, sorted by
// image, version order, then identity; see graph.Index. Identities that are not stored
// contribute nothing. Errors wrap graph.ErrUnavailable, or are the context's or SQLite's.
func (s *Store) Occurrences(ctx context.Context, ids []string) ([]graph.Occurrence, error) {
	out := []graph.Occurrence{}
	if len(ids) == 0 {
		return out, s.check(ctx)
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	err := s.read(ctx, "occurrences", func(tx *sql.Tx) error {
		var rows *sql.Rows
		var err error
		if len(ids) == 1 {
			rows, err = tx.StmtContext(ctx, s.rs.id).QueryContext(ctx, ids[0])
		} else {
			rows, err = tx.StmtContext(ctx, s.rs.ids).QueryContext(ctx, jsonStrings(ids))
		}
		if err != nil {
			return err
		}
		cids, err := scanIDs(rows)
		if err != nil || len(cids) == 0 {
			return err
		}
		slices.Sort(cids)
		// The pending versions, and their entries not merged yet.
		prows, err := tx.StmtContext(ctx, s.rs.pending).QueryContext(ctx)
		if err != nil {
			return err
		}
		state, err := scanPendingState(prows)
		if err != nil {
			return err
		}
		var posts []*postings
		if len(state) > 0 {
			versions := make([]int64, len(state))
			for i, p := range state {
				versions[i] = p.version
			}
			if posts, err = s.loadPostings(ctx, tx, versions, nil); err != nil {
				return err
			}
		}
		type occRow struct {
			version int64
			variant vkey
			start   int // of its path in pathIDs
			end     int
		}
		var occ []occRow
		var pathIDs []int64
		// pendingOf adds cid's pending entries, after its posting list: newer versions.
		pendingOf := func(cid int64) {
			for i, p := range posts {
				if cid < state[i].merged {
					continue
				}
				if k := p.find(cid); k >= 0 {
					start := len(pathIDs)
					pathIDs = append(pathIDs, p.pathOf(k)...)
					occ = append(occ, occRow{version: state[i].version, variant: vkey{cid, p.variants[k]}, start: start, end: len(pathIDs)})
				}
			}
		}
		// Every posting list in one statement, in component order; the components are
		// walked alongside, so each one's pending entries follow its posting list.
		if len(cids) == 1 {
			rows, err = tx.StmtContext(ctx, s.rs.posting).QueryContext(ctx, cids[0])
		} else {
			rows, err = tx.StmtContext(ctx, s.rs.postings).QueryContext(ctx, jsonInts(cids))
		}
		if err != nil {
			return err
		}
		next := 0 // the first component whose pending entries are not added yet
		err = scanAll(rows, func(r *sql.Rows) error {
			var cid, chunk int64
			var data sql.RawBytes
			if err := r.Scan(&cid, &chunk, &data); err != nil {
				return err
			}
			for ; next < len(cids) && cids[next] < cid; next++ {
				pendingOf(cids[next])
			}
			start := len(pathIDs)
			var derr error
			pathIDs, derr = decodeEntries(chunk, data, pathIDs, func(version int64, variant int32, dst []int64) []int64 {
				occ = append(occ, occRow{version: version, variant: vkey{cid, variant}, start: start, end: len(dst)})
				start = len(dst)
				return dst
			})
			if derr != nil {
				return fmt.Errorf("posting list of component %d, chunk %d: %w", cid, chunk, derr)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for ; next < len(cids); next++ {
			pendingOf(cids[next])
		}
		vids := make([]int64, len(occ))
		varIDs := make([]vkey, len(occ))
		for i, o := range occ {
			vids[i], varIDs[i] = o.version, o.variant
		}
		versions, err := s.loadVersions(ctx, tx, vids)
		if err != nil {
			return err
		}
		entries, err := s.loadVariants(ctx, tx, varIDs)
		if err != nil {
			return err
		}
		comps, err := s.loadComps(ctx, tx, pathIDs)
		if err != nil {
			return err
		}
		order := sortOccurrences(versions, entries)
		// Build the results, carving every slice out of a few shared arrays (each with its
		// capacity capped, so appending to one never writes into another).
		var sl slabs
		for i, o := range occ {
			sl.strings += o.end - o.start + 1 + len(versions[i].Source.Tools) + len(entries[i].c.CPEs)
			sl.warnings += len(versions[i].Warnings)
			sl.hashes += len(entries[i].c.Hashes)
		}
		sl.alloc()
		out = make([]graph.Occurrence, len(occ))
		for k, i := range order {
			o := occ[i]
			path := sl.takeStrings(o.end - o.start + 1)
			for j, c := range comps[o.start:o.end] {
				path[j] = c.identity
			}
			path[len(path)-1] = entries[i].comp.identity
			out[k] = graph.Occurrence{Version: *versions[i], Component: entries[i].c, Path: path}
			sl.version(&out[k].Version)
			sl.component(&out[k].Component)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sortOccurrences returns the order of occurrences i (of component entries[i] in version
// versions[i]) that Occurrences promises: by image, version order (Version.Before: order
// time, then Seq), then identity. Occurrences come grouped by component, each group in Seq
// order, so after a counting sort by image most groups are in order already; only the others
// are sorted.
func sortOccurrences(versions []*graph.Version, entries []*variantEntry) []int {
	n := len(versions)
	local := make(map[string]int32)
	var names []string
	img := make([]int32, n)
	for i, v := range versions {
		id, ok := local[v.Image]
		if !ok {
			id = int32(len(names))
			local[v.Image] = id
			names = append(names, v.Image)
		}
		img[i] = id
	}
	byName := make([]int32, len(names))
	for i := range byName {
		byName[i] = int32(i)
	}
	slices.SortFunc(byName, func(a, b int32) int { return strings.Compare(names[a], names[b]) })
	rank := make([]int32, len(names))
	for r, id := range byName {
		rank[id] = int32(r)
	}
	start := make([]int, len(names)+1)
	for i := range n {
		start[rank[img[i]]+1]++
	}
	for r := 1; r < len(start); r++ {
		start[r] += start[r-1]
	}
	order := make([]int, n)
	next := slices.Clone(start[:len(names)])
	for i := range n {
		r := rank[img[i]]
		order[next[r]] = i
		next[r]++
	}
	less := func(i, j int) int {
		a, b := versions[i], versions[j]
		if a.Seq != b.Seq {
			if c := a.OrderTime().Compare(b.OrderTime()); c != 0 {
				return c
			}
			return cmp.Compare(a.Seq, b.Seq)
		}
		return strings.Compare(entries[i].comp.identity, entries[j].comp.identity)
	}
	for r := range names {
		group := order[start[r]:start[r+1]]
		if !slices.IsSortedFunc(group, less) {
			slices.SortFunc(group, less)
		}
	}
	return order
}

// slabs hands out the slices of many results from a few allocations.
type slabs struct {
	strings, warnings, hashes int // sizes, then what is left
	s                         []string
	w                         []sbom.Warning
	h                         []sbom.Hash
}

func (sl *slabs) alloc() {
	sl.s = make([]string, sl.strings)
	sl.w = make([]sbom.Warning, sl.warnings)
	sl.h = make([]sbom.Hash, sl.hashes)
}

func (sl *slabs) takeStrings(n int) []string {
	out := sl.s[:n:n]
	sl.s = sl.s[n:]
	return out
}

// version gives v its own copies of the slices it shares with the cache. An Envelope is
// rare enough to copy the ordinary way.
func (sl *slabs) version(v *graph.Version) {
	if n := len(v.Source.Tools); n > 0 {
		t := sl.takeStrings(n)
		copy(t, v.Source.Tools)
		v.Source.Tools = t
	}
	n := len(v.Warnings)
	w := sl.w[:n:n]
	sl.w = sl.w[n:]
	copy(w, v.Warnings)
	v.Warnings = w
	if v.Source.Envelope != nil {
		v.Source = graph.CloneSource(v.Source)
	}
}

func (sl *slabs) component(c *sbom.Component) {
	if n := len(c.CPEs); n > 0 {
		t := sl.takeStrings(n)
		copy(t, c.CPEs)
		c.CPEs = t
	}
	if n := len(c.Hashes); n > 0 {
		h := sl.h[:n:n]
		sl.h = sl.h[n:]
		copy(h, c.Hashes)
		c.Hashes = h
	}
}

// inList runs head + "(?,?,…)" + tail over values in chunks, calling scan on every row.
func inList[T any](ctx context.Context, q queryer, head string, values []T, scan func(*sql.Rows) error) error {
	const chunk = 500
	args := make([]any, 0, min(len(values), chunk))
	for start := 0; start < len(values); start += chunk {
		end := min(len(values), start+chunk)
		args = args[:0]
		for _, v := range values[start:end] {
			args = append(args, v)
		}
		query := head + "(" + strings.Repeat("?,", end-start-1) + "?)"
		if end-start == 1 {
			query = strings.TrimSuffix(head, " IN ") + " = ?"
		}
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if err := scanAll(rows, scan); err != nil {
			return err
		}
	}
	return nil
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// load returns the cached values for keys (in the order of keys, duplicates allowed),
// fetching the missing ones (deduplicated) with fetch, which returns what it found.
func load[K comparable, V any](c *cache.Map[K, V], keys []K, what string, fetch func(missing []K) (map[K]V, error)) ([]V, error) {
	out := make([]V, len(keys))
	miss := c.Lookup(keys, out)
	if len(miss) == 0 {
		return out, nil
	}
	want := make(map[K]bool, len(miss))
	var uniq []K
	for _, i := range miss {
		if !want[keys[i]] {
			want[keys[i]] = true
			uniq = append(uniq, keys[i])
		}
	}
	got, err := fetch(uniq)
	if err != nil {
		return nil, err
	}
	c.PutAll(got)
	for _, i := range miss {
		v, ok := got[keys[i]]
		if !ok {
			return nil, fmt.Errorf("%s %v is referenced but not stored: %w", what, keys[i], errCorrupt)
		}
		out[i] = v
	}
	return out, nil
}

// loadByID is load for rows fetched by an IN list of their integer ids.
func loadByID[V any](ctx context.Context, q queryer, c *cache.Map[int64, V], ids []int64, what, query string,
	scan func(*sql.Rows) (int64, V, error)) ([]V, error) {
	return load(c, ids, what, func(missing []int64) (map[int64]V, error) {
		slices.Sort(missing)
		got := make(map[int64]V, len(missing))
		err := inList(ctx, q, query, missing, func(r *sql.Rows) error {
			id, v, err := scan(r)
			got[id] = v
			return err
		})
		return got, err
	})
}

const versionCols = `id, image, tag, digest, sbom_digest, created, ingested, basis, components, uniq, edges, meta`

func scanVersion(r *sql.Rows) (int64, *graph.Version, error) {
	v := new(graph.Version)
	var created sql.NullInt64
	var ingested int64
	var basis string
	var meta []byte
	if err := r.Scan(&v.Seq, &v.Image, &v.Tag, &v.Digest, &v.SBOMDigest, &created, &ingested, &basis,
		&v.Components, &v.Unique, &v.Edges, &meta); err != nil {
		return 0, nil, err
	}
	if created.Valid {
		v.Created = time.Unix(0, created.Int64).UTC()
	}
	v.Ingested = time.Unix(0, ingested).UTC()
	v.OrderBasis = graph.OrderBasis(basis)
	var m versionMeta
	if err := json.Unmarshal(meta, &m); err != nil {
		return 0, nil, fmt.Errorf("version %d metadata: %w: %v", v.Seq, errCorrupt, err)
	}
	v.Source, v.Subject, v.Warnings = m.Source, m.Subject, m.Warnings
	if v.Warnings == nil {
		v.Warnings = []sbom.Warning{}
	}
	return v.Seq, v, nil
}

func (s *Store) loadVersions(ctx context.Context, q queryer, ids []int64) ([]*graph.Version, error) {
	return loadByID(ctx, q, s.versions, ids, "version", `SELECT `+versionCols+` FROM versions WHERE id IN `, scanVersion)
}

func (s *Store) loadVersion(ctx context.Context, q queryer, id int64) (*graph.Version, error) {
	vs, err := s.loadVersions(ctx, q, []int64{id})
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// loadVariants returns the components the given variants describe (without LocalID and
// Metadata).
func (s *Store) loadVariants(ctx context.Context, q queryer, keys []vkey) ([]*variantEntry, error) {
	return load(s.variants, keys, "variant", func(missing []vkey) (map[vkey]*variantEntry, error) {
		got := make(map[vkey]*variantEntry, len(missing))
		var first, other []int64
		for _, k := range missing {
			if k.n == 0 {
				first = append(first, k.component)
			} else {
				other = append(other, k.component)
			}
		}
		slices.Sort(first)
		err := inList(ctx, q, `SELECT `+compCols+`, attrs FROM components WHERE id IN `, first, func(r *sql.Rows) error {
			c := new(compRow)
			var data []byte
			if err := r.Scan(&c.id, &c.identity, &c.purl, &c.key, &c.ecosystem, &c.namespace, &c.name, &c.version, &data); err != nil {
				return err
			}
			if prev, ok := s.comps.Get(c.id); ok {
				c = prev
			} else {
				s.comps.Put(c.id, c)
			}
			comp, err := decodeVariant(data, c)
			if err != nil {
				return fmt.Errorf("component %d attributes: %w", c.id, err)
			}
			got[vkey{c.id, 0}] = &variantEntry{comp: c, c: comp}
			return nil
		})
		if err != nil || len(other) == 0 {
			return got, err
		}
		other = slices.Compact(slices.Sorted(slices.Values(other)))
		rows, err := s.loadComps(ctx, q, other)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]*compRow, len(rows))
		for _, r := range rows {
			byID[r.id] = r
		}
		err = inList(ctx, q, `SELECT component, n, attrs FROM variants WHERE component IN `, other, func(r *sql.Rows) error {
			var k vkey
			var data []byte
			if err := r.Scan(&k.component, &k.n, &data); err != nil {
				return err
			}
			comp, err := decodeVariant(data, byID[k.component])
			if err != nil {
				return fmt.Errorf("variant %v: %w", k, err)
			}
			got[k] = &variantEntry{comp: byID[k.component], c: comp}
			return nil
		})
		return got, err
	})
}

func (s *Store) loadComps(ctx context.Context, q queryer, ids []int64) ([]*compRow, error) {
	return loadByID(ctx, q, s.comps, ids, "component", `SELECT `+compCols+` FROM components WHERE id IN `,
		func(r *sql.Rows) (int64, *compRow, error) {
			c, err := scanComp(r)
			if err != nil {
				return 0, nil, err
			}
			return c.id, c, nil
		})
}

// Stats describes what a store holds.
type Stats struct {
	// Images, Versions, Components and Variants count the stored rows of each.
	Images, Versions, Components, Variants int64
	// Occurrences counts (version, component) containment pairs: the entries of the posting
	// lists, held in Chunks rows, and the Pending entries not merged into them yet.
	Occurrences, Chunks, Pending int64
	// FileBytes is the size of the database file and its write-ahead log.
	FileBytes int64
}

// Stats counts what the store holds, reading every posting-list chunk (a second or so for
// millions of occurrences). Errors wrap graph.ErrUnavailable, or are the context's or
// SQLite's.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.read(ctx, "stats", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(DISTINCT image) FROM versions), (SELECT count(*) FROM versions),
			(SELECT count(*) FROM components), (SELECT count(*) FROM components) + (SELECT count(*) FROM variants)`).
			Scan(&st.Images, &st.Versions, &st.Components, &st.Variants)
		if err != nil {
			return err
		}
		prows, err := tx.QueryContext(ctx, pendingStateSQL)
		if err != nil {
			return err
		}
		state, err := scanPendingState(prows)
		if err != nil {
			return err
		}
		for _, p := range state {
			var data []byte
			if err := tx.QueryRowContext(ctx, `SELECT data FROM pending WHERE version = ?`, p.version).Scan(&data); err != nil {
				return err
			}
			post, err := decodePostings(data)
			if err != nil {
				return fmt.Errorf("pending version %d: %w", p.version, err)
			}
			st.Pending += int64(post.count(p.merged))
		}
		st.Occurrences = st.Pending
		rows, err := tx.QueryContext(ctx, `SELECT chunk, data FROM occurrences`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var path []int64
		for rows.Next() {
			var chunk int64
			var data sql.RawBytes
			if err := rows.Scan(&chunk, &data); err != nil {
				return err
			}
			st.Chunks++
			path, err = decodeEntries(chunk, data, path[:0], func(_ int64, _ int32, dst []int64) []int64 {
				st.Occurrences++
				return dst[:0]
			})
			if err != nil {
				return fmt.Errorf("chunk %d: %w", chunk, err)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return Stats{}, err
	}
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.path + suffix); err == nil {
			st.FileBytes += fi.Size()
		}
	}
	return st, nil
}

// scanAll calls scan on every row, then closes rows and returns the first error.
func scanAll(rows *sql.Rows, scan func(*sql.Rows) error) error {
	for rows.Next() {
		if err := scan(rows); err != nil {
			rows.Close()
			return err
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}

// readStmts are the statements reads run most, prepared once per read connection. Lists of
// values are bound as one JSON array (json_each), so one statement serves any length.
type readStmts struct {
	// ids finds the component ids of identities; postings reads the posting lists of
	// component ids, in component order; id and posting do the same for one value, a little
	// faster; pending reads the pending versions (pendingStateSQL).
	ids, postings, id, posting, pending *sql.Stmt
	// byPurl, byKey and byName find component ids for Components, in identity order.
	byPurl, byKey, byName *sql.Stmt
	// latest finds the latest version of each image in a JSON array, by index (versions_order);
	// generation reads the catalog's generation.
	latest, generation *sql.Stmt
}

func (rs *readStmts) prepare(ctx context.Context, db *sql.DB) error {
	for dst, q := range map[**sql.Stmt]string{
		&rs.ids:        `SELECT id FROM components WHERE identity IN (SELECT value FROM json_each(?))`,
		&rs.postings:   `SELECT component, chunk, data FROM occurrences WHERE component IN (SELECT value FROM json_each(?)) ORDER BY component, chunk`,
		&rs.id:         `SELECT id FROM components WHERE identity = ?`,
		&rs.posting:    `SELECT component, chunk, data FROM occurrences WHERE component = ? ORDER BY chunk`,
		&rs.pending:    pendingStateSQL,
		&rs.byPurl:     `SELECT id FROM components WHERE identity = ? AND purl = 1 ORDER BY identity`,
		&rs.byKey:      `SELECT id FROM components WHERE key = ? ORDER BY identity`,
		&rs.byName:     `SELECT id FROM components WHERE name = ? ORDER BY identity`,
		&rs.generation: `SELECT generation FROM catalog WHERE id = 1`,
		&rs.latest: `SELECT j.key, (SELECT id FROM versions WHERE image = j.value ORDER BY order_time DESC, id DESC LIMIT 1)
			FROM json_each(?) AS j`,
	} {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %s: %w", q, err)
		}
		*dst = st
	}
	return nil
}

func (rs *readStmts) close() {
	for _, st := range []*sql.Stmt{rs.ids, rs.postings, rs.id, rs.posting, rs.pending, rs.byPurl, rs.byKey, rs.byName, rs.latest, rs.generation} {
		if st != nil {
			st.Close()
		}
	}
}

// jsonInts returns ids as a JSON array.
func jsonInts(ids []int64) []byte {
	buf := make([]byte, 0, 2+8*len(ids))
	buf = append(buf, '[')
	for i, id := range ids {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, id, 10)
	}
	return append(buf, ']')
}

// jsonStrings returns ss as a JSON array.
func jsonStrings(ss []string) []byte {
	data, err := json.Marshal(ss)
	if err != nil {
		// A []string always marshals: invalid UTF-8 becomes U+FFFD, which matches nothing
		// stored (identities are valid UTF-8), as it should.
		return []byte("[]")
	}
	return data
}
