package sqlite

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"testing"
)

// SBOMGRAPH_PAGE_SIZE sets the page size of the databases the tests and benchmarks create, to
// compare page sizes: SBOMGRAPH_PAGE_SIZE=1024 go test -bench . SBOMGRAPH_MERGE_ENTRIES and
// SBOMGRAPH_MERGE_VERSIONS set the thresholds of the merge policy (see pending.go), to tune it.
func init() {
	if n, err := strconv.Atoi(os.Getenv("SBOMGRAPH_PAGE_SIZE")); err == nil {
		pageSize = n
	}
	if n, err := strconv.Atoi(os.Getenv("SBOMGRAPH_MERGE_ENTRIES")); err == nil {
		mergeEntries = n
	}
	if n, err := strconv.Atoi(os.Getenv("SBOMGRAPH_MERGE_VERSIONS")); err == nil {
		mergeVersions = n
	}
}

// SetMergePolicy sets the merge policy of pending postings (see pending.go) until the test
// ends: a generation starts when entries entries or versions versions are pending, and every
// Put merges slice entries (0: the default budget); eager merges every Put at once instead.
func SetMergePolicy(t testing.TB, entries, versions, slice int, eager bool) {
	e, v, sl, eg := mergeEntries, mergeVersions, mergeSlice, mergeEager
	mergeEntries, mergeVersions, mergeSlice, mergeEager = entries, versions, slice, eager
	t.Cleanup(func() { mergeEntries, mergeVersions, mergeSlice, mergeEager = e, v, sl, eg })
}

// HottestComponent returns the identity of the component most versions contain, and how many.
func (s *Store) HottestComponent(ctx context.Context) (string, int, error) {
	var best int64
	var most int
	err := s.read(ctx, "hottest", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT component, chunk, data FROM occurrences`)
		if err != nil {
			return err
		}
		defer rows.Close()
		counts := map[int64]int{}
		for rows.Next() {
			var cid, chunk int64
			var data []byte
			if err := rows.Scan(&cid, &chunk, &data); err != nil {
				return err
			}
			if _, err := decodeEntries(chunk, data, nil, func(_ int64, _ int32, dst []int64) []int64 {
				counts[cid]++
				return dst[:0]
			}); err != nil {
				return err
			}
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
			posts, err := s.loadPostings(ctx, tx, []int64{p.version}, nil)
			if err != nil {
				return err
			}
			for _, cid := range posts[0].cids[posts[0].from(p.merged):] {
				counts[cid]++
			}
		}
		for cid, n := range counts {
			if n > most || n == most && cid < best {
				best, most = cid, n
			}
		}
		return rows.Err()
	})
	if err != nil {
		return "", 0, err
	}
	var id string
	err = s.r.QueryRowContext(ctx, `SELECT identity FROM components WHERE id = ?`, best).Scan(&id)
	return id, most, err
}
