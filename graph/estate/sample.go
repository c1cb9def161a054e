package estate

import (
	"context"
	"database/sql"
	"math/rand/v2"
)

// SampleStored returns up to n of the strings query selects (one column) from the SQLite store
// in the file at path, opened read-only, shuffled with r: the benchmarks draw the components
// they ask about uniformly from what a store holds. The "sqlite" database/sql driver must be
// registered (importing graph/sqlite does).
func SampleStored(ctx context.Context, path, query string, r *rand.Rand, n int) ([]string, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(len(all), n)], rows.Err()
}
