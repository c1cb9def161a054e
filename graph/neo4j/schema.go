package neo4j

import (
	"context"
	"errors"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// ErrSchema is returned (wrapped) by Open when the database holds another application's data,
// or was written by a newer sbomgraph whose schema this build does not know.
var ErrSchema = errors.New("unusable database schema")

// SchemaVersion is the version of the graph model this build reads and writes, recorded in the
// database's (:SbomgraphMeta) node: 1 plus the number of migrations.
var SchemaVersion = 1 + len(migrations)

// metaName names the one (:SbomgraphMeta) node.
const metaName = "sbomgraph"

// schema is the model's constraints and indexes. Every statement is idempotent (IF NOT
// EXISTS), so every server runs them at start, concurrently if need be.
var schema = []string{
	// One node per component identity, per package key, per image, per version.
	`CREATE CONSTRAINT sbomgraph_component_id IF NOT EXISTS FOR (c:Component) REQUIRE c.id IS UNIQUE`,
	`CREATE CONSTRAINT sbomgraph_package_key IF NOT EXISTS FOR (p:Package) REQUIRE p.key IS UNIQUE`,
	`CREATE CONSTRAINT sbomgraph_image_name IF NOT EXISTS FOR (i:Image) REQUIRE i.name IS UNIQUE`,
	`CREATE CONSTRAINT sbomgraph_version_vid IF NOT EXISTS FOR (v:Version) REQUIRE v.vid IS UNIQUE`,
	// A version is identified by its exact (image, tag, digest); the empty string stands for
	// a missing tag or digest, so the constraint covers every version.
	`CREATE CONSTRAINT sbomgraph_version_ref IF NOT EXISTS FOR (v:Version) REQUIRE (v.image, v.tag, v.digest) IS UNIQUE`,
	`CREATE CONSTRAINT sbomgraph_meta_name IF NOT EXISTS FOR (m:SbomgraphMeta) REQUIRE m.name IS UNIQUE`,
	`CREATE INDEX sbomgraph_component_name IF NOT EXISTS FOR (c:Component) ON (c.name)`,
	`CREATE INDEX sbomgraph_version_image IF NOT EXISTS FOR (v:Version) ON (v.image)`,
	// A version's edges are found (to read or delete them) by its vid.
	`CREATE INDEX sbomgraph_depends_vid IF NOT EXISTS FOR ()-[e:DEPENDS_ON]-() ON (e.vid)`,
	`CREATE INDEX sbomgraph_holds_vid IF NOT EXISTS FOR ()-[e:HOLDS]-() ON (e.vid)`,
}

// migrate creates the schema and the counter node, and checks the recorded schema version.
func (s *Store) migrate(ctx context.Context) error {
	for _, q := range schema {
		// Schema statements cannot share a transaction with writes; each runs in its own.
		if _, err := s.write(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) (any, error) {
			return run(ctx, tx, q, nil)
		}); err != nil {
			return fmt.Errorf("schema: %s: %w", q, err)
		}
	}
	if err := s.read(ctx, "await indexes", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, `CALL db.awaitIndexes(300)`, nil)
		return err
	}); err != nil {
		return err
	}
	out, err := s.write(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) (any, error) {
		recs, err := collect(ctx, tx, `OPTIONAL MATCH (m:SbomgraphMeta {name: $name}) RETURN m.schema`, map[string]any{"name": metaName})
		if err != nil {
			return nil, err
		}
		if len(recs) == 1 && recs[0].Values[0] != nil {
			d := decoder{vals: recs[0].Values}
			return d.int(0), d.err
		}
		// A new store: the database must hold nothing else.
		recs, err = collect(ctx, tx, `MATCH (n) WHERE NOT n:SbomgraphMeta RETURN labels(n) LIMIT 1`, nil)
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 {
			return nil, fmt.Errorf("%w: the database holds other data (a node labelled %v) and no sbomgraph schema; use an empty database", ErrSchema, recs[0].Values[0])
		}
		_, err = run(ctx, tx, `MERGE (m:SbomgraphMeta {name: $name})
			ON CREATE SET m.schema = $schema, m.seq = 0, m.ingested = 0`,
			map[string]any{"name": metaName, "schema": SchemaVersion})
		if err == nil {
			s.log.Info("neo4j store created", "target", s.target, "database", s.db, "schema", SchemaVersion)
		}
		return int64(SchemaVersion), err
	})
	if err != nil {
		return err
	}
	switch v := out.(int64); {
	case v > int64(SchemaVersion):
		return fmt.Errorf("%w: schema version %d is newer than this build's %d", ErrSchema, v, SchemaVersion)
	case v < int64(SchemaVersion):
		return s.upgrade(ctx)
	}
	return nil
}

// upgrade runs the migrations the database has not had, in one write transaction that reads
// the recorded version again (another server may have upgraded it meanwhile) and records the
// new one.
func (s *Store) upgrade(ctx context.Context) error {
	_, err := s.write(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) (any, error) {
		recs, err := collect(ctx, tx, `MATCH (m:SbomgraphMeta {name: $name}) SET m._lock = true RETURN m.schema`, map[string]any{"name": metaName})
		if err != nil {
			return nil, err
		}
		if len(recs) != 1 {
			return nil, fmt.Errorf("schema: the (:SbomgraphMeta) node vanished: %w", errCorrupt)
		}
		d := decoder{vals: recs[0].Values}
		from := d.int(0)
		if d.err != nil {
			return nil, fmt.Errorf("schema version: %w", d.err)
		}
		for v := from; v < int64(SchemaVersion); v++ {
			if err := migrations[v-1](ctx, tx); err != nil {
				return nil, fmt.Errorf("migration %d: %w", v, err)
			}
		}
		_, err = run(ctx, tx, `MATCH (m:SbomgraphMeta {name: $name}) REMOVE m._lock SET m.schema = $schema`,
			map[string]any{"name": metaName, "schema": SchemaVersion})
		if err == nil && from < int64(SchemaVersion) {
			s.log.Info("neo4j store migrated", "target", s.target, "database", s.db, "from", from, "schema", SchemaVersion)
		}
		return nil, err
	})
	return err
}

// run runs one statement and discards its records.
func run(ctx context.Context, tx neo4j.ManagedTransaction, q string, params map[string]any) (any, error) {
	res, err := tx.Run(ctx, q, params)
	if err != nil {
		return nil, err
	}
	_, err = res.Consume(ctx)
	return nil, err
}

// collect runs one statement and returns its records.
func collect(ctx context.Context, tx neo4j.ManagedTransaction, q string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := tx.Run(ctx, q, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// list runs a statement that returns one record holding one list (RETURN collect(...)) and
// returns that list (empty when the statement returns no record).
//
// Statements that would return a row per component, occurrence or version return one such
// record instead: the driver's cost is per record, not per value, and it is high. For every
// message it receives it makes a timeout context and, with the connection.recv_timeout_seconds
// hint a Neo4j 5 server sends by default (or a caller's deadline), a goroutine per socket read:
// some 10µs of client CPU per record, against a microsecond or two for the same values inside
// one record's list. The versions of 757 occurrences came in 7.4ms as rows, 1.3ms as one list.
func list(ctx context.Context, tx neo4j.ManagedTransaction, q string, params map[string]any) ([]any, error) {
	recs, err := collect(ctx, tx, q, params)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	if len(recs) != 1 || len(recs[0].Values) != 1 {
		return nil, fmt.Errorf("want one record of one list, got %d records: %w", len(recs), errCorrupt)
	}
	switch l := recs[0].Values[0].(type) {
	case nil:
		return nil, nil
	case []any:
		return l, nil
	}
	return nil, fmt.Errorf("want a list, got %T: %w", recs[0].Values[0], errCorrupt)
}
