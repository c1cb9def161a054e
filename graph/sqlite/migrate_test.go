package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
)

// TestMigratePurlTypes opens a file an earlier build (schema version 4) wrote from syft 0.58's
// SBOM of alpine 3.16.2, whose purls it stored as written ("pkg:alpine/musl@…"): the migration
// stores them in the purl spec's spelling ("pkg:apk/alpine/musl@…"), as ingest reads them now,
// so a find by the spec's purl reaches them. When an old and a new spelling of one purl are both
// stored, the migration fails and leaves the file as it was.
func TestMigratePurlTypes(t *testing.T) {
	ctx := context.Background()
	doc, err := ingest.DecodeBytes(ctx, ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json"), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref := graph.Ref{Image: "alpine", Tag: "3.16.2"}
	const musl = "pkg:apk/alpine/musl@1.2.3-r0?arch=x86_64&distro=alpine-3.16.2&upstream=musl"
	const oldMusl = "pkg:alpine/musl@1.2.3-r0?arch=x86_64&distro=alpine-3.16.2&upstream=musl"
	// store writes the document and takes the file back to schema version 4, its apk purls
	// spelt as that build stored them; dup also keeps musl's row in the new spelling.
	store := func(dup bool) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "g.db")
		s := openT(t, path)
		if _, _, err := s.Put(ctx, ref, doc, graph.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		qs := []string{`PRAGMA user_version = 4`}
		if dup {
			qs = append(qs, `INSERT INTO components (identity, purl, key, ecosystem, namespace, name, version, attrs)
				SELECT 'dup', purl, key, ecosystem, namespace, name, version, attrs FROM components WHERE identity = '`+musl+`'`)
		}
		qs = append(qs, `UPDATE components SET identity = 'pkg:alpine/' || substr(identity, 16), key = 'pkg:alpine/' || substr(key, 16),
				ecosystem = 'alpine', namespace = '' WHERE identity LIKE 'pkg:apk/alpine/%'`)
		if dup {
			qs = append(qs, `UPDATE components SET identity = '`+musl+`' WHERE identity = 'dup'`)
		}
		for _, q := range qs {
			if res, err := db.Exec(q); err != nil {
				t.Fatal(err)
			} else if n, _ := res.RowsAffected(); strings.HasPrefix(q, "UPDATE") && n == 0 {
				t.Fatalf("%s: no row", q)
			}
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM components WHERE identity LIKE 'pkg:alpine/%'`).Scan(&n); err != nil || n != 14 {
			t.Fatalf("%d components in the old spelling (%v), want the 14 packages", n, err)
		}
		return path
	}

	s := openT(t, store(false))
	comps, err := s.Components(ctx, graph.ComponentQuery{Key: "pkg:apk/alpine/musl"})
	if err != nil || len(comps) != 1 || comps[0].Purl != musl || comps[0].Ecosystem != "apk" || comps[0].Namespace != "alpine" {
		t.Fatalf("Components(pkg:apk/alpine/musl) = %+v, %v; want musl in the spec's spelling", comps, err)
	}
	if occ, err := s.Occurrences(ctx, []string{musl}); err != nil || len(occ) != 1 || occ[0].Version.Ref() != ref {
		t.Errorf("Occurrences(%s) = %+v, %v; want one, in %s", musl, occ, err, ref)
	}
	if old, err := s.Components(ctx, graph.ComponentQuery{Key: "pkg:alpine/musl"}); err != nil || len(old) != 1 || old[0].Purl != musl {
		t.Errorf("Components(pkg:alpine/musl) = %+v, %v; want musl: a query is read like a document", old, err)
	}
	got, err := s.Document(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	var purls, want []string
	for i := range got.Components {
		purls = append(purls, got.Components[i].Purl)
		want = append(want, doc.Components[i].Purl)
	}
	if !slices.Equal(purls, want) {
		t.Errorf("after migration the document's purls are\n%v\nwant\n%v", purls, want)
	}
	// The same SBOM again is the same version: nothing left in the old spelling to differ.
	if _, created, err := s.Put(ctx, ref, doc, graph.PutOptions{}); err != nil || created {
		t.Errorf("Put of the same SBOM after migration = created %v, %v; want a no-op", created, err)
	}
	s.Close()

	// One purl in both spellings: the migration refuses, naming both, and the file stays.
	path := store(true)
	if _, err := Open(ctx, path); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), oldMusl) || !strings.Contains(err.Error(), musl) {
		t.Fatalf("Open with both spellings of one purl = %v, want ErrSchema naming both", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version, n int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != 4 {
		t.Errorf("after the failed migration the schema version is %d (%v), want 4", version, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM components WHERE identity LIKE 'pkg:alpine/%'`).Scan(&n); err != nil || n != 14 {
		t.Errorf("after the failed migration %d components are in the old spelling (%v), want all 14", n, err)
	}
}
