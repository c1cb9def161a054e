package neo4j_test

import (
	"context"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func TestZZRoundTrip(t *testing.T) {
	cfg := testConfig(t)
	ctx := context.Background()
	d, _ := driver.NewDriverWithContext(cfg.URI, driver.BasicAuth(cfg.User, cfg.Password, ""))
	defer d.Close(ctx)
	bm := driver.NewBookmarkManager(driver.BookmarkManagerConfig{})
	for _, mode := range []string{"session-run", "execute-read", "execute-read-bm", "execute-read-db", "explicit-tx"} {
		var total time.Duration
		const n = 200
		for i := 0; i < n; i++ {
			t0 := time.Now()
			cfgS := driver.SessionConfig{AccessMode: driver.AccessModeRead}
			if mode == "execute-read-bm" {
				cfgS.BookmarkManager = bm
			}
			if mode == "execute-read-db" {
				cfgS.DatabaseName = "neo4j"
			}
			sess := d.NewSession(ctx, cfgS)
			switch mode {
			case "session-run":
				res, err := sess.Run(ctx, "RETURN 1", nil)
				if err != nil {
					t.Fatal(err)
				}
				res.Consume(ctx)
			case "explicit-tx":
				tx, _ := sess.BeginTransaction(ctx)
				res, _ := tx.Run(ctx, "RETURN 1", nil)
				res.Consume(ctx)
				tx.Commit(ctx)
			default:
				_, err := sess.ExecuteRead(ctx, func(tx driver.ManagedTransaction) (any, error) {
					res, err := tx.Run(ctx, "RETURN 1", nil)
					if err != nil {
						return nil, err
					}
					return res.Collect(ctx)
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			sess.Close(ctx)
			total += time.Since(t0)
		}
		t.Logf("%s: %v per call", mode, total/n)
	}
}
