package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// Postings are written in two steps, so a Put does not pay for touching the posting list of
// every component it contains:
//
//   - A Put writes its version's postings as one row of the pending table: every entry of
//     the version (component, variant, path), sorted by component, in one compact blob.
//   - Pending versions are merged into the posting lists (the occurrences table) a slice at
//     a time: once enough are pending, they form a generation, and every Put then merges the
//     generation's entries of the next range of component ids, about as many entries as it
//     added itself. A slice touches each component once for all the generation's versions
//     that contain it, and touches neighbouring components only, so it dirties a fraction of
//     the pages appending each version to every posting list would.
//
// The merge state is one row: the generation is the pending versions up to upto, and their
// entries for components below next are in the posting lists already. Everything happens in
// the Put's own transaction, so a crash leaves either the whole step or none of it. Readers
// read the posting lists and the pending entries not yet merged, in one snapshot.

// The merge policy. A generation starts when mergeEntries entries or mergeVersions versions
// are pending; each Put merges a little more than the entries it added (at least
// mergeMinSlice), so merging keeps up with Puts, the pending table stays within about twice
// the threshold, and every Put does about the same work. Larger generations make merging
// cheaper per entry (a component shared by several pending versions is appended to once, and
// a slice spans fewer components); readers look pending entries up in every pending version,
// so mergeVersions bounds that.
var (
	mergeEntries  = 64_000
	mergeVersions = 32
	mergeMinSlice = 256
	// mergeEager (tests) merges every Put's postings in its own transaction; mergeSlice, when
	// positive (tests), is every Put's budget.
	mergeEager = false
	mergeSlice = 0
)

// postings are the entries of one pending version, sorted by component: entry i says that
// component cids[i] is in the version with variant variants[i], and that the component ids
// ids[path[i]:path[i+1]] come before it on its path.
type postings struct {
	cids     []int64
	variants []int32
	path     []int32
	ids      []int64
}

// find returns the index of cid's entry, or -1.
func (p *postings) find(cid int64) int {
	i, ok := slices.BinarySearch(p.cids, cid)
	if !ok {
		return -1
	}
	return i
}

// from returns the index of the first entry of a component at or above cid.
func (p *postings) from(cid int64) int {
	i, _ := slices.BinarySearch(p.cids, cid)
	return i
}

func (p *postings) pathOf(i int) []int64 { return p.ids[p.path[i]:p.path[i+1]] }

// count returns the number of entries of components at or above cid.
func (p *postings) count(cid int64) int { return len(p.cids) - p.from(cid) }

// encodePostings encodes p: the entry count, then per entry the component id's delta from
// the previous one, the variant, the path length and the path's component ids.
func encodePostings(p *postings) []byte {
	buf := make([]byte, 0, 4*len(p.cids)+3*len(p.ids)+binary.MaxVarintLen64)
	buf = binary.AppendUvarint(buf, uint64(len(p.cids)))
	prev := int64(0)
	for i, cid := range p.cids {
		buf = binary.AppendUvarint(buf, uint64(cid-prev))
		prev = cid
		buf = binary.AppendUvarint(buf, uint64(p.variants[i]))
		path := p.pathOf(i)
		buf = binary.AppendUvarint(buf, uint64(len(path)))
		for _, id := range path {
			buf = binary.AppendUvarint(buf, uint64(id))
		}
	}
	return buf
}

// decodePostings decodes a pending blob written by encodePostings.
func decodePostings(data []byte) (*postings, error) {
	r := reader{b: data}
	n := r.count()
	p := &postings{cids: make([]int64, n), variants: make([]int32, n), path: make([]int32, n+1)}
	prev := int64(0)
	for i := range n {
		d := r.uvarint()
		if d == 0 && i > 0 || d > math.MaxInt64-uint64(prev) {
			r.err = errCorrupt // components strictly ascending
		}
		prev += int64(d)
		p.cids[i] = prev
		v := r.uvarint()
		if v > math.MaxInt32 {
			r.err = errCorrupt
		}
		p.variants[i] = int32(v)
		for k := r.count(); k > 0 && r.err == nil; k-- {
			p.ids = append(p.ids, int64(r.uvarint()))
		}
		if len(p.ids) > math.MaxInt32 {
			r.err = errCorrupt
		}
		p.path[i+1] = int32(len(p.ids))
		if r.err != nil {
			break
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	if r.err != nil {
		return nil, r.err
	}
	return p, nil
}

// pendingRow is one pending version: its id, its number of entries, and the component id
// below which its entries are merged already (0: none).
type pendingRow struct {
	version int64
	entries int
	merged  int64
}

// The pending versions and how far each is merged, in version order.
const pendingStateSQL = `SELECT p.version, p.entries, CASE WHEN p.version <= m.upto THEN m.next ELSE 0 END
	FROM pending p, merge_state m ORDER BY p.version`

func scanPendingState(rows *sql.Rows) ([]pendingRow, error) {
	var out []pendingRow
	err := scanAll(rows, func(r *sql.Rows) error {
		var p pendingRow
		if err := r.Scan(&p.version, &p.entries, &p.merged); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// loadPostings returns the postings of the given pending versions, decoding (and caching) the
// ones not cached. fresh holds postings written by the calling transaction, which must not be
// cached before it commits.
func (s *Store) loadPostings(ctx context.Context, q queryer, versions []int64, fresh map[int64]*postings) ([]*postings, error) {
	out := make([]*postings, len(versions))
	var rest []int64
	var at []int
	for i, v := range versions {
		if p, ok := fresh[v]; ok {
			out[i] = p
		} else {
			rest = append(rest, v)
			at = append(at, i)
		}
	}
	got, err := loadByID(ctx, q, s.pending, rest, "pending version", `SELECT version, data FROM pending WHERE version IN `,
		func(r *sql.Rows) (int64, *postings, error) {
			var v int64
			var data []byte
			if err := r.Scan(&v, &data); err != nil {
				return 0, nil, err
			}
			p, err := decodePostings(data)
			if err != nil {
				return 0, nil, fmt.Errorf("pending postings of version %d: %w", v, err)
			}
			return v, p, nil
		})
	if err != nil {
		return nil, err
	}
	for k, i := range at {
		out[i] = got[k]
	}
	return out, nil
}

// addPending writes version vid's postings to the pending table.
func (w *writeTx) addPending(p *prepared, rows []*compRow, variants []int32, vid int64) error {
	order := make([]int, len(p.placements))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(rows[a].id, rows[b].id) })
	post := &postings{cids: make([]int64, len(order)), variants: make([]int32, len(order)), path: make([]int32, len(order)+1)}
	for i, k := range order {
		pl := &p.placements[k]
		post.cids[i] = rows[k].id
		post.variants[i] = variants[pl.Node]
		for _, n := range pl.Path[:len(pl.Path)-1] {
			post.ids = append(post.ids, rows[p.slot[n]].id)
		}
		post.path[i+1] = int32(len(post.ids))
	}
	if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO pending (version, entries, data) VALUES (?, ?, ?)`,
		vid, len(post.cids), encodePostings(post)); err != nil {
		return err
	}
	w.fresh[vid] = post
	// A component this transaction created has no posting list yet.
	for _, r := range w.newComps {
		if _, ok := w.tails[r.id]; !ok {
			w.tails[r.id] = &tail{}
		}
	}
	return nil
}

// merge merges up to about budget pending entries into the posting lists, starting a
// generation when enough are pending (see the merge policy above).
func (w *writeTx) merge(budget int) error {
	var upto, next int64
	if err := w.tx.QueryRowContext(w.ctx, `SELECT upto, next FROM merge_state`).Scan(&upto, &next); err != nil {
		return fmt.Errorf("merge state: %w", err)
	}
	rows, err := w.tx.QueryContext(w.ctx, `SELECT version, entries FROM pending ORDER BY version`)
	if err != nil {
		return err
	}
	var pending []pendingRow
	err = scanAll(rows, func(r *sql.Rows) error {
		var p pendingRow
		pending = append(pending, p)
		return r.Scan(&pending[len(pending)-1].version, &pending[len(pending)-1].entries)
	})
	if err != nil {
		return err
	}
	if upto == 0 {
		if len(pending) == 0 {
			return nil
		}
		total := 0
		for _, p := range pending {
			total += p.entries
		}
		eager := mergeEager && len(pending) > 0
		if !eager && total < mergeEntries && len(pending) < mergeVersions {
			return nil
		}
		upto, next = pending[len(pending)-1].version, 0
	}
	var gen []int64
	for _, p := range pending {
		if p.version <= upto {
			gen = append(gen, p.version)
		}
	}
	posts, err := w.s.loadPostings(w.ctx, w.tx, gen, w.fresh)
	if err != nil {
		return err
	}
	// Take the generation's entries from next up, component by component (every version's
	// entry of a component at once, in version order), until the budget is spent.
	pos := make([]int, len(posts))
	for i, p := range posts {
		pos[i] = p.from(next)
	}
	var entries []posting
	done := false
	for {
		cur := int64(math.MaxInt64)
		for i, p := range posts {
			if pos[i] < len(p.cids) && p.cids[pos[i]] < cur {
				cur = p.cids[pos[i]]
			}
		}
		if cur == math.MaxInt64 {
			done = true
			break
		}
		if len(entries) >= budget {
			next = cur
			break
		}
		for i, p := range posts {
			if k := pos[i]; k < len(p.cids) && p.cids[k] == cur {
				entries = append(entries, posting{cid: cur, version: gen[i], variant: p.variants[k], path: p.pathOf(k)})
				pos[i]++
			}
		}
	}
	if err := w.appendPostings(entries); err != nil {
		return err
	}
	if done {
		if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM pending WHERE version <= ?`, upto); err != nil {
			return err
		}
		w.dropped = append(w.dropped, gen...)
		upto, next = 0, 0
	}
	_, err = w.tx.ExecContext(w.ctx, `UPDATE merge_state SET upto = ?, next = ?`, upto, next)
	return err
}

// mergeBudget is the number of pending entries a Put that added n merges.
func mergeBudget(n int) int {
	switch {
	case mergeEager:
		return math.MaxInt
	case mergeSlice > 0:
		return mergeSlice
	}
	return max(mergeMinSlice, n+n/8)
}

// posting is one posting-list entry to append: component cid is in version, with the given
// variant, after the component ids path on its shortest path.
type posting struct {
	cid, version int64
	variant      int32
	path         []int64
}

// tail is a component's last posting-list chunk: its key and its size in bytes. The zero
// tail says the component has no posting list.
type tail struct {
	chunk int64
	size  int
}

// tailOf returns component cid's last chunk, from this transaction or the cache; ok is false
// when neither knows it.
func (w *writeTx) tailOf(cid int64) (tail, bool) {
	t, ok := w.tails[cid]
	if ok && t != nil {
		return *t, true
	}
	if !ok { // nil: changed by this transaction, read it again
		if c, cached := w.s.tails.Get(cid); cached {
			return c, true
		}
	}
	return tail{}, false
}

// readTails reads the last chunks of the given components from the file (the transaction
// sees its own writes) into the transaction's tails.
func (w *writeTx) readTails(cids []int64) error {
	for _, cid := range cids {
		w.tails[cid] = &tail{} // no chunk, unless the query finds one
	}
	rows, err := w.tx.StmtContext(w.ctx, w.s.st.tails).QueryContext(w.ctx, jsonInts(cids))
	if err != nil {
		return err
	}
	return scanAll(rows, func(r *sql.Rows) error {
		var cid int64
		var t tail
		if err := r.Scan(&cid, &t.chunk, &t.size); err != nil {
			return err
		}
		w.tails[cid] = &t
		return nil
	})
}

// appendPostings appends entries, sorted by component then version, each version newer than
// every version its component's posting list holds: to the component's last chunk while it
// has room, else to a new chunk keyed by the entry's version. Appending to a chunk
// concatenates in SQL, so the chunks extended are never read.
func (w *writeTx) appendPostings(entries []posting) error {
	type row struct {
		cid, chunk int64
		start, end int // of its bytes in buf
	}
	var unknown []int64
	for i := range entries {
		if cid := entries[i].cid; i == 0 || cid != entries[i-1].cid {
			if _, ok := w.tailOf(cid); !ok {
				unknown = append(unknown, cid)
			}
		}
	}
	if len(unknown) > 0 {
		if err := w.readTails(unknown); err != nil {
			return err
		}
	}
	var out []row
	var buf []byte
	for i := 0; i < len(entries); {
		cid := entries[i].cid
		t, _ := w.tailOf(cid)
		for ; i < len(entries) && entries[i].cid == cid; i++ {
			e := &entries[i]
			start := len(buf)
			if t.chunk != 0 {
				buf = appendEntry(buf, e.version-t.chunk, e.variant, e.path)
			}
			if t.chunk == 0 || t.size+len(buf)-start > w.s.maxChunk {
				buf = appendEntry(buf[:start], 0, e.variant, e.path)
				t = tail{chunk: e.version}
			}
			t.size += len(buf) - start
			if n := len(out); n > 0 && out[n-1].cid == cid && out[n-1].chunk == t.chunk {
				out[n-1].end = len(buf)
			} else {
				out = append(out, row{cid: cid, chunk: t.chunk, start: start, end: len(buf)})
			}
		}
		w.tails[cid] = &tail{chunk: t.chunk, size: t.size}
	}
	return w.batch(appendOccurrences, nil, len(out),
		func(i int, args []any) []any {
			r := out[i]
			return append(args, r.cid, r.chunk, buf[r.start:r.end:r.end])
		}, nil)
}

// pendingHolding returns the subset of cids that some pending version holds an unmerged
// entry of (versions written by this transaction included).
func (w *writeTx) pendingHolding(cids []int64) (map[int64]bool, error) {
	rows, err := w.tx.QueryContext(w.ctx, pendingStateSQL)
	if err != nil {
		return nil, err
	}
	state, err := scanPendingState(rows)
	if err != nil || len(state) == 0 {
		return nil, err
	}
	versions := make([]int64, len(state))
	for i, p := range state {
		versions[i] = p.version
	}
	posts, err := w.s.loadPostings(w.ctx, w.tx, versions, w.fresh)
	if err != nil {
		return nil, err
	}
	held := map[int64]bool{}
	for _, cid := range cids {
		for i, p := range posts {
			if cid >= state[i].merged && p.find(cid) >= 0 {
				held[cid] = true
				break
			}
		}
	}
	return held, nil
}
