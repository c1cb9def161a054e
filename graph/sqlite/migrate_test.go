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
	"github.com/sbomgraph/sbomgraph/graph/graphtest"
)

// TestMigratePurls opens a file an earlier build (schema version 4) wrote from syft 0.58's
// SBOM of alpine 3.16.2 and trivy 0.36's of sbomqs, whose purls it stored as written
// ("pkg:alpine/musl@…", "pkg:golang/github.com/spf13/cobra@1.6.1"): the migration stores them
// as ingest reads them now ("pkg:apk/alpine/musl@…", "…/cobra@v1.6.1"), so a find by the
// spec's purl reaches them. When an old and a new spelling of one purl are both stored, the
// migration fails and leaves the file as it was.
func TestMigratePurls(t *testing.T) {
	ctx := context.Background()
	refs := graphtest.Respelt(t)
	const musl, oldMusl, cobra = graphtest.RespeltMusl, graphtest.RespeltOldMusl, graphtest.RespeltCobra
	// asStored is how the earlier build spelt a stored purl: as the SBOM wrote it.
	asStored := func(identity, key, eco, ns string) (string, string, string, string) {
		if rest, ok := strings.CutPrefix(identity, "pkg:apk/alpine/"); ok {
			return "pkg:alpine/" + rest, "pkg:alpine/" + strings.TrimPrefix(key, "pkg:apk/alpine/"), "alpine", ""
		}
		if at := len(key) + 1; eco == "golang" && len(identity) > at+1 && identity[at] == 'v' && identity[at+1] >= '0' && identity[at+1] <= '9' {
			return identity[:at] + identity[at+1:], key, eco, ns
		}
		return identity, key, eco, ns
	}
	// store writes the documents and takes the file back to schema version 4, its purls
	// spelt as that build stored them; dup also keeps musl's row in the new spelling.
	store := func(dup bool) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "g.db")
		s := openT(t, path)
		for ref, doc := range refs {
			if _, _, err := s.Put(ctx, ref, doc, graph.PutOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if dup {
			if _, err := db.Exec(`INSERT INTO components (identity, purl, key, ecosystem, namespace, name, version, attrs)
				SELECT 'dup', purl, key, ecosystem, namespace, name, version, attrs FROM components WHERE identity = ?`, musl); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.Query(`SELECT id, identity, key, ecosystem, namespace FROM components WHERE purl = 1`)
		if err != nil {
			t.Fatal(err)
		}
		type row struct{ id, identity, key, eco, ns string }
		var old []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.identity, &r.key, &r.eco, &r.ns); err != nil {
				t.Fatal(err)
			}
			if id, key, eco, ns := asStored(r.identity, r.key, r.eco, r.ns); id != r.identity {
				old = append(old, row{r.id, id, key, eco, ns})
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(old) != graphtest.RespeltRenamed {
			t.Fatalf("%d purls spelt otherwise by the earlier build, want alpine's 14 packages, sbomqs's 15 modules and deep's 3", len(old))
		}
		for _, r := range old {
			if _, err := db.Exec(`UPDATE components SET identity = ?, key = ?, ecosystem = ?, namespace = ? WHERE id = ?`, r.identity, r.key, r.eco, r.ns, r.id); err != nil {
				t.Fatal(err)
			}
		}
		qs := []string{`PRAGMA user_version = 4`}
		if dup {
			qs = append(qs, `UPDATE components SET identity = '`+musl+`' WHERE identity = 'dup'`)
		}
		for _, q := range qs {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		return path
	}
	stored := func(db *sql.DB, pattern string) int {
		t.Helper()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM components WHERE identity GLOB ?`, pattern).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	s := openT(t, store(false))
	for key, want := range map[string]string{"pkg:apk/alpine/musl": musl, "pkg:golang/github.com/spf13/cobra": cobra} {
		comps, err := s.Components(ctx, graph.ComponentQuery{Key: key})
		if err != nil || len(comps) != 1 || comps[0].Purl != want {
			t.Fatalf("Components(%s) = %+v, %v; want %s", key, comps, err, want)
		}
		if occ, err := s.Occurrences(ctx, []string{want}); err != nil || len(occ) != 1 {
			t.Errorf("Occurrences(%s) = %+v, %v; want one", want, occ, err)
		}
	}
	if c, err := s.Components(ctx, graph.ComponentQuery{Key: "pkg:apk/alpine/musl"}); err != nil || c[0].Ecosystem != "apk" || c[0].Namespace != "alpine" {
		t.Errorf("musl = %+v, %v; want ecosystem apk, namespace alpine", c, err)
	}
	if old, err := s.Components(ctx, graph.ComponentQuery{Purl: "pkg:golang/github.com/spf13/cobra@1.6.1"}); err != nil || len(old) != 1 || old[0].Purl != cobra {
		t.Errorf("Components(…/cobra@1.6.1) = %+v, %v; want cobra: a query is read like a document", old, err)
	}
	for ref, doc := range refs {
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
			t.Errorf("after migration %s's purls are\n%v\nwant\n%v", ref, purls, want)
		}
		// Every shortest path runs through identities the version holds, in their new spelling.
		var ids []string
		for i := range got.Components {
			ids = append(ids, got.Components[i].ID())
		}
		occs, err := s.Occurrences(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		deep := 0
		for _, o := range occs {
			if o.Version.Ref() != ref {
				continue
			}
			for _, id := range o.Path {
				if !slices.Contains(ids, id) {
					t.Errorf("%s: the path to %s runs through %s, which %s does not hold", ref, o.Component.ID(), id, ref)
				}
			}
			if len(o.Path) == 2 { // below the root: a, then b
				deep++
			}
		}
		if ref.Image == "deep" && deep != 1 {
			t.Errorf("deep: %d paths two long, want b's", deep)
		}
		// The same SBOM again is the same version: nothing left in the old spelling to differ.
		if _, created, err := s.Put(ctx, ref, doc, graph.PutOptions{}); err != nil || created {
			t.Errorf("Put of %s's SBOM after migration = created %v, %v; want a no-op", ref, created, err)
		}
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
	var version int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != 4 {
		t.Errorf("after the failed migration the schema version is %d (%v), want 4", version, err)
	}
	if n, m := stored(db, "pkg:alpine/*"), stored(db, "pkg:golang/*@[0-9]*"); n != 14 || m != 15+3 {
		t.Errorf("after the failed migration %d alpine and %d Go purls are in the old spelling, want all 14 and 18", n, m)
	}
}
