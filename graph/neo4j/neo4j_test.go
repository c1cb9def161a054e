package neo4j_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/graphtest"
	"github.com/sbomgraph/sbomgraph/graph/neo4j"
)

// The tests in this file and the others ending in _server_test.go need a Neo4j server:
// SBOMGRAPH_NEO4J_URI (with _USER, _PASSWORD or _PASSWORD_FILE, and _DATABASE) names it, and
// `make test` (graph/neo4j/server/neo4j.sh) starts one and sets them. When the URI is unset
// they skip, saying so; when it is set and the server does not answer, they fail. They wipe
// the database they are given: never point them at one that holds anything of value.

var server struct {
	once sync.Once
	cfg  neo4j.Config
	err  error
}

// testConfig returns the test server's Config, skipping the test when SBOMGRAPH_NEO4J_URI is
// unset and failing it when the server does not answer.
func testConfig(t testing.TB) neo4j.Config {
	t.Helper()
	if os.Getenv(neo4j.EnvURI) == "" {
		t.Skipf("%s is not set: no Neo4j server to test against (make test starts one)", neo4j.EnvURI)
	}
	server.once.Do(func() {
		server.cfg, server.err = neo4j.ConfigFromEnv("", os.Getenv)
		if server.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var s *neo4j.Store
		if s, server.err = neo4j.Open(ctx, server.cfg); server.err == nil {
			s.Close()
		}
	})
	if server.err != nil {
		t.Fatalf("%s is set, but the Neo4j server is not usable: %v", neo4j.EnvURI, server.err)
	}
	return server.cfg
}

// wipe deletes everything in the test database (the schema stays).
func wipe(t testing.TB, cfg neo4j.Config) {
	t.Helper()
	ctx := context.Background()
	d, err := driver.NewDriverWithContext(cfg.URI, driver.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: cfg.Database, AccessMode: driver.AccessModeWrite})
	defer sess.Close(ctx)
	// Relationships first, in bounded transactions, so no transaction holds a hot node with
	// all its relationships.
	for _, q := range []string{
		`MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS`,
		`MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS`,
	} {
		res, err := sess.Run(ctx, q, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			t.Fatalf("wiping the test database: %v", err)
		}
	}
}

// openEmpty wipes the test database and opens a store on it, closed when the test ends.
func openEmpty(t testing.TB) *neo4j.Store {
	t.Helper()
	cfg := testConfig(t)
	wipe(t, cfg)
	s, err := neo4j.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	testConfig(t)
	graphtest.Run(t, func(t *testing.T) graph.Store { return openEmpty(t) })
}
