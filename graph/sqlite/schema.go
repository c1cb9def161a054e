package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// applicationID marks a SQLite file as an sbomgraph store ("SBGR"), so Open refuses to
// migrate some other application's database.
const applicationID = 0x53424752

// ErrSchema is returned (wrapped) by Open when the file is not an sbomgraph store, or was
// written by a newer sbomgraph whose schema this build does not know.
var ErrSchema = errors.New("unusable database schema")

// migration is one step of the schema's history. Steps run in order, each in its own
// transaction that also sets PRAGMA user_version to the step's number, so a crash during a
// migration leaves the file at the previous version.
type migration struct {
	name string
	sql  []string
	// fn, when set, runs after sql, in the same transaction: for steps SQL alone cannot do.
	fn func(ctx context.Context, tx *sql.Tx) error
}

// migrations is the schema's history; migrations[i] takes user_version i to i+1. Append only:
// never edit a step that has shipped.
var migrations = []migration{
	{
		name: "initial schema",
		sql: []string{
			// One row per distinct component identity, shared by every version that contains
			// it. The descriptive fields are those of the first document that stored it, and
			// attrs is the attribute set that document gave it (its variant 0, see
			// encodeVariant). AUTOINCREMENT: ids are never reused, so in-process caches keyed
			// by id stay valid.
			`CREATE TABLE components (
				id        INTEGER PRIMARY KEY AUTOINCREMENT,
				identity  TEXT    NOT NULL UNIQUE,
				purl      INTEGER NOT NULL, -- 1: identity is the canonical purl
				key       TEXT    NOT NULL,
				ecosystem TEXT    NOT NULL,
				namespace TEXT    NOT NULL,
				name      TEXT    NOT NULL,
				version   TEXT    NOT NULL,
				attrs     BLOB    NOT NULL
			)`,
			`CREATE INDEX components_key ON components(key)`,
			`CREATE INDEX components_name ON components(name)`,
			// The other attribute sets documents gave a component (licences, hashes, supplier,
			// type, CPEs, spellings), numbered from 1; identical sets are stored once.
			`CREATE TABLE variants (
				component INTEGER NOT NULL,
				n         INTEGER NOT NULL,
				attrs     BLOB    NOT NULL,
				PRIMARY KEY (component, n)
			) WITHOUT ROWID`,
			// One row per image version. id is the store-wide ingest sequence (Version.Seq).
			`CREATE TABLE versions (
				id          INTEGER PRIMARY KEY AUTOINCREMENT,
				image       TEXT    NOT NULL,
				tag         TEXT    NOT NULL,
				digest      TEXT    NOT NULL,
				sbom_digest TEXT    NOT NULL,
				created     INTEGER,          -- unix ns; NULL when unknown
				ingested    INTEGER NOT NULL, -- unix ns
				basis       TEXT    NOT NULL, -- graph.OrderBasis
				order_time  INTEGER NOT NULL, -- unix ns of created or ingested, per basis
				components  INTEGER NOT NULL,
				uniq        INTEGER NOT NULL,
				edges       INTEGER NOT NULL,
				meta        BLOB    NOT NULL, -- JSON: source, subject, warnings
				UNIQUE (image, tag, digest)
			)`,
			`CREATE INDEX versions_digest ON versions(image, digest)`,
			`CREATE INDEX versions_order ON versions(image, order_time, id)`,
			// A version's document: its nodes (component id and variant number, in document
			// order), edges and local ids, as compact blobs (see codec.go).
			`CREATE TABLE contents (
				version INTEGER PRIMARY KEY,
				root    INTEGER NOT NULL,
				nodes   BLOB    NOT NULL,
				edges   BLOB    NOT NULL,
				locals  BLOB
			)`,
			// The inverted containment index: which versions contain a component, as posting
			// lists cut into chunks of up to maxChunk(page size) bytes. A chunk is keyed by the first
			// version in it and holds one entry per version (see appendEntry): the version,
			// the variant it gave the component, and the component ids on its shortest path
			// (graph.Forest.Placements). A Put appends to each component's last chunk; a
			// component's occurrences are one short range scan.
			`CREATE TABLE occurrences (
				component INTEGER NOT NULL,
				chunk     INTEGER NOT NULL,
				data      BLOB    NOT NULL,
				PRIMARY KEY (component, chunk)
			) WITHOUT ROWID`,
		},
	},
	{
		// Image names and digests are stored in normal form (graph.Ref.Normalize), so every
		// spelling of an image reaches its versions; earlier builds stored them as given.
		name: "normalise image references",
		fn:   normalizeRefs,
	},
	{
		name: "pending postings",
		sql: []string{
			// The postings of versions not yet merged into occurrences (see pending.go): one
			// row per version, its entries sorted by component in one blob (encodePostings).
			`CREATE TABLE pending (
				version INTEGER PRIMARY KEY,
				entries INTEGER NOT NULL,
				data    BLOB    NOT NULL
			)`,
			// The merge in progress: the pending versions up to upto (0: none) are being
			// merged, and their entries of components below next are in occurrences already.
			`CREATE TABLE merge_state (
				id   INTEGER PRIMARY KEY CHECK (id = 1),
				upto INTEGER NOT NULL,
				next INTEGER NOT NULL
			)`,
			`INSERT INTO merge_state (id, upto, next) VALUES (1, 0, 0)`,
		},
	},
	{
		name: "catalog generation",
		sql: []string{
			// generation changes with every version added or removed, in the same
			// transaction, whichever process writes: readers key what they derive from the set
			// of versions (each image's latest; see Store.Latest) on it.
			`CREATE TABLE catalog (
				id         INTEGER PRIMARY KEY CHECK (id = 1),
				generation INTEGER NOT NULL
			)`,
			`INSERT INTO catalog (id, generation) VALUES (1, 0)`,
			`CREATE TRIGGER versions_added AFTER INSERT ON versions
				BEGIN UPDATE catalog SET generation = generation + 1; END`,
			`CREATE TRIGGER versions_removed AFTER DELETE ON versions
				BEGIN UPDATE catalog SET generation = generation + 1; END`,
		},
	},
	{
		// sbom.ParsePurl reads generators' known misspellings in the purl spec's spelling
		// ("pkg:alpine/musl@…" is "pkg:apk/alpine/musl@…", trivy's "pkg:golang/…@1.6.1" is
		// "…@v1.6.1"); earlier builds stored them as written.
		name: "canonical purls",
		fn:   recanonicalizePurls,
	},
}

// recanonicalizePurls rewrites the identity, key, ecosystem and namespace of the components
// whose stored purl sbom.ParsePurl now writes another way. A variant stores those fields only
// where they differ from its row, which a purl's never do, and everything else refers to a
// component by id, so the rows are all there is to rewrite. When the new identity is stored
// already (an old and a new scan of one package), it fails rather than merge the two: the
// transaction rolls back, the file stays as it was, and the error names both, so that the
// versions holding one can be deleted with the build that stored them and ingested again.
func recanonicalizePurls(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, identity FROM components WHERE purl = 1`)
	if err != nil {
		return err
	}
	type rename struct {
		id  int64
		old string
		new sbom.Purl
	}
	var renames []rename
	err = scanAll(rows, func(r *sql.Rows) error {
		var n rename
		if err := r.Scan(&n.id, &n.old); err != nil {
			return err
		}
		p, err := sbom.ParsePurl(n.old)
		if err != nil { // stored by this store, so parsed once already
			return fmt.Errorf("component %d: %w", n.id, err)
		}
		if p.Canonical != n.old {
			n.new = p
			renames = append(renames, n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, n := range renames {
		var other int64
		switch err := tx.QueryRowContext(ctx, `SELECT id FROM components WHERE identity = ?`, n.new.Canonical).Scan(&other); {
		case err == nil:
			return fmt.Errorf("components %d (%s) and %d (%s) are one once purls are read in the purl spec's spelling: "+
				"delete the versions that hold one of them with the sbomgraph build that stored them, and ingest them again: %w",
				n.id, n.old, other, n.new.Canonical, ErrSchema)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE components SET identity = ?, key = ?, ecosystem = ?, namespace = ? WHERE id = ?`,
			n.new.Canonical, n.new.Key, n.new.Type, n.new.Namespace, n.id); err != nil {
			return err
		}
	}
	return nil
}

// normalizeRefs rewrites the stored image names and digests in normal form. When two stored
// versions turn out to be one (say "docker.io/library/alpine:3.17" and "alpine:3.17"), it
// fails rather than choose one: the transaction rolls back, the file stays as it was, and the
// error names both versions so that one can be deleted with the build that stored them.
func normalizeRefs(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, image, tag, digest FROM versions ORDER BY id`)
	if err != nil {
		return err
	}
	type version struct {
		id  int64
		ref graph.Ref
	}
	var all, changed []version
	err = scanAll(rows, func(r *sql.Rows) error {
		var v version
		if err := r.Scan(&v.id, &v.ref.Image, &v.ref.Tag, &v.ref.Digest); err != nil {
			return err
		}
		all = append(all, v)
		return nil
	})
	if err != nil {
		return err
	}
	seen := make(map[graph.Ref]version, len(all))
	for _, v := range all {
		n := v.ref.Normalize()
		if w, dup := seen[n]; dup {
			return fmt.Errorf("versions %d (%s) and %d (%s) are one image version once image names are normalised to %s: "+
				"delete one of them with the sbomgraph build that stored them: %w", w.id, w.ref, v.id, v.ref, n, ErrSchema)
		}
		seen[n] = v
		if n != v.ref {
			changed = append(changed, version{id: v.id, ref: n})
		}
	}
	for _, v := range changed {
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET image = ?, digest = ? WHERE id = ?`, v.ref.Image, v.ref.Digest, v.id); err != nil {
			return err
		}
	}
	return nil
}

// SchemaVersion is the schema version this build writes: the number of migrations.
var SchemaVersion = len(migrations)

// migrate brings the database up to SchemaVersion.
func migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var appID, version int
	if err := conn.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&appID); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if appID != applicationID {
		var tables int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
			return err
		}
		if appID != 0 || tables != 0 {
			return fmt.Errorf("%w: not an sbomgraph store (application_id %#x, %d schema objects)", ErrSchema, appID, tables)
		}
	}
	if version > len(migrations) {
		return fmt.Errorf("%w: schema version %d is newer than this build's %d", ErrSchema, version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		if err := step(ctx, conn, i); err != nil {
			return fmt.Errorf("migration %d (%s): %w", i+1, migrations[i].name, err)
		}
	}
	return nil
}

func step(ctx context.Context, conn *sql.Conn, i int) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process may have migrated meanwhile; the write lock is ours now, so re-check.
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if version > i {
		return nil
	}
	for _, q := range migrations[i].sql {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if fn := migrations[i].fn; fn != nil {
		if err := fn(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, applicationID)); err != nil {
		return err
	}
	return tx.Commit()
}
