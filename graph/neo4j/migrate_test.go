package neo4j_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/package-url/packageurl-go"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/graphtest"
	"github.com/sbomgraph/sbomgraph/graph/neo4j"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// TestMigratePurls opens a database an earlier build (schema version 1) wrote from syft
// 0.58's SBOM of alpine 3.16.2 and trivy 0.36's of sbomqs, whose purls it stored as written
// ("pkg:alpine/musl@…", "pkg:golang/github.com/spf13/cobra@1.6.1"): the migration stores them
// as ingest reads them now ("pkg:apk/alpine/musl@…", "…/cobra@v1.6.1"), in the graph and in
// the versions' documents. When an old and a new spelling of one purl are both stored, the
// migration fails and leaves the database as it was.
func TestMigratePurls(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	t.Cleanup(func() { wipe(t, cfg) }) // no other test could open the database it leaves
	refs := graphtest.Respelt(t)
	const musl, oldMusl, cobra = graphtest.RespeltMusl, graphtest.RespeltOldMusl, graphtest.RespeltCobra
	// asStored is how the earlier build spelt a stored purl: as the SBOM wrote it.
	asStored := func(c *sbom.Component) bool {
		if rest, ok := strings.CutPrefix(c.Purl, "pkg:apk/alpine/"); ok {
			c.Purl, c.Key, c.Ecosystem, c.Namespace = "pkg:alpine/"+rest, "pkg:alpine/"+strings.TrimPrefix(c.Key, "pkg:apk/alpine/"), "alpine", ""
			return true
		}
		if at := len(c.Key) + 1; c.Ecosystem == "golang" && len(c.Purl) > at+1 && c.Purl[at] == 'v' && c.Purl[at+1] >= '0' && c.Purl[at+1] <= '9' {
			c.Purl = c.Purl[:at] + c.Purl[at+1:]
			return true
		}
		return false
	}
	d, err := driver.NewDriverWithContext(cfg.URI, driver.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	// cypher runs statements in one write transaction and returns the first's first value.
	cypher := func(params map[string]any, qs ...string) any {
		t.Helper()
		sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: cfg.Database})
		defer sess.Close(ctx)
		out, err := sess.ExecuteWrite(ctx,
			func(tx driver.ManagedTransaction) (any, error) {
				var first any
				for i, q := range qs {
					res, err := tx.Run(ctx, q, params)
					if err != nil {
						return nil, err
					}
					recs, err := res.Collect(ctx)
					if err != nil {
						return nil, err
					}
					if i == 0 && len(recs) > 0 {
						first = recs[0].Values[0]
					}
				}
				return first, nil
			})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// store writes the documents and takes the database back to schema version 1, its purls
	// spelt as that build stored them; dup also keeps a musl node in the new spelling.
	store := func(dup bool) {
		t.Helper()
		wipe(t, cfg)
		s, err := neo4j.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for ref, doc := range refs {
			if _, _, err := s.Put(ctx, ref, doc, graph.PutOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		// The versions' documents.
		for _, x := range cypher(nil, `MATCH (v:Version) RETURN collect([v.vid, v.doc])`).([]any) {
			pair := x.([]any)
			doc, err := neo4j.DecodeDoc(pair[1].([]byte))
			if err != nil {
				t.Fatal(err)
			}
			for i := range doc.Components {
				asStored(&doc.Components[i])
			}
			blob, err := neo4j.EncodeDoc(doc)
			if err != nil {
				t.Fatal(err)
			}
			cypher(map[string]any{"vid": pair[0], "doc": blob}, `MATCH (v:Version {vid: $vid}) SET v.doc = $doc`)
		}
		// The components and their packages.
		var rows []any
		spelt := map[string]any{}
		for _, x := range cypher(nil, `MATCH (c:Component) WHERE c.purl RETURN collect([c.id, c.key, c.ecosystem, c.namespace])`).([]any) {
			f := x.([]any)
			c := sbom.Component{Purl: f[0].(string), Key: f[1].(string), Ecosystem: f[2].(string), Namespace: f[3].(string)}
			if asStored(&c) {
				rows = append(rows, map[string]any{"id": f[0], "old": c.Purl, "key": c.Key, "ecosystem": c.Ecosystem, "namespace": c.Namespace})
				spelt[f[0].(string)] = c.Purl
			}
		}
		// CONTAINS keeps a name or version only where it differs from what the identity says;
		// the earlier build's identities said "1.6.1" where trivy did.
		var same []any
		for id, old := range spelt {
			if was, err := packageurl.FromString(old.(string)); err == nil {
				same = append(same, map[string]any{"id": id, "name": was.Name, "version": was.Version})
			}
		}
		if n := cypher(map[string]any{"rows": same}, `UNWIND $rows AS row MATCH ()-[r:CONTAINS]->(:Component {id: row.id})
				WHERE r.version = row.version REMOVE r.version RETURN count(r)`); n == int64(0) {
			t.Fatal("no CONTAINS keeps a version the earlier build's identity said")
		}
		// The shortest paths, as identities.
		if n := cypher(map[string]any{"spelt": spelt}, `MATCH ()-[r:CONTAINS]->() WHERE any(x IN r.path WHERE $spelt[x] IS NOT NULL)
				SET r.path = [x IN r.path | coalesce($spelt[x], x)] RETURN count(r)`); n == int64(0) {
			t.Fatal("no shortest path runs through a component spelt otherwise")
		}
		if len(rows) != graphtest.RespeltRenamed {
			t.Fatalf("%d purls spelt otherwise by the earlier build, want alpine's 14 packages, sbomqs's 15 modules and deep's 3", len(rows))
		}
		cypher(map[string]any{"rows": rows},
			`UNWIND $rows AS row MATCH (c:Component {id: row.id})-[of:OF]->(k:Package)
				SET c.id = row.old, c.key = row.key, c.ecosystem = row.ecosystem, c.namespace = row.namespace
				DELETE of
				WITH c, k, row
				MERGE (p:Package {key: row.key}) MERGE (c)-[:OF]->(p)`,
			`MATCH (k:Package) WHERE NOT EXISTS { ()-[:OF]->(k) } DELETE k`,
			`MATCH (m:SbomgraphMeta) SET m.schema = 1`)
		if dup {
			cypher(map[string]any{"id": musl}, `CREATE (c:Component {id: $id, purl: true, key: 'pkg:apk/alpine/musl', ecosystem: 'apk',
				namespace: 'alpine', name: 'musl', version: '1.2.3-r0'})-[:OF]->(:Package {key: 'pkg:apk/alpine/musl'})`)
		}
	}

	store(false)
	s, err := neo4j.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for key, want := range map[string]string{"pkg:apk/alpine/musl": musl, "pkg:golang/github.com/spf13/cobra": cobra} {
		comps, err := s.Components(ctx, graph.ComponentQuery{Key: key})
		if err != nil || len(comps) != 1 || comps[0].Purl != want {
			t.Fatalf("Components(%s) = %+v, %v; want %s", key, comps, err, want)
		}
		if occ, err := s.Occurrences(ctx, []string{want}); err != nil || len(occ) != 1 || occ[0].Component.Key != key {
			t.Errorf("Occurrences(%s) = %+v, %v; want one", want, occ, err)
		}
	}
	for ref, doc := range refs {
		got, err := s.Document(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		// Every shortest path runs through identities the version holds, in their new spelling.
		ids := map[string]bool{}
		for i := range got.Components {
			ids[got.Components[i].ID()] = true
		}
		occs, err := s.Occurrences(ctx, slices.Collect(maps.Keys(ids)))
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]*sbom.Component{}
		for i := range doc.Components {
			byID[doc.Components[i].ID()] = &doc.Components[i]
		}
		for _, o := range occs {
			if o.Version.Ref() != ref {
				continue
			}
			for _, id := range o.Path {
				if !ids[id] {
					t.Errorf("%s: the path to %s runs through %s, which %s does not hold", ref, o.Component.ID(), id, ref)
				}
			}
			// Each version reads the name and version its SBOM wrote ("1.6.1", not "v1.6.1").
			if w := byID[o.Component.ID()]; w == nil || o.Component.Version != w.Version || o.Component.Name != w.Name {
				t.Errorf("%s: occurrence %s %s %s, want the SBOM's %+v", ref, o.Component.ID(), o.Component.Name, o.Component.Version, w)
			}
		}
		for i := range doc.Components {
			g, w := &got.Components[i], &doc.Components[i]
			if g.Purl != w.Purl || g.Key != w.Key || g.Ecosystem != w.Ecosystem || g.Namespace != w.Namespace {
				t.Errorf("after migration %s component %d is %s (%s %s %s), want %s (%s %s %s)", ref, i, g.Purl, g.Key, g.Ecosystem, g.Namespace, w.Purl, w.Key, w.Ecosystem, w.Namespace)
			}
		}
		if _, created, err := s.Put(ctx, ref, doc, graph.PutOptions{}); err != nil || created {
			t.Errorf("Put of %s's SBOM after migration = created %v, %v; want a no-op", ref, created, err)
		}
	}
	if n := cypher(nil, `MATCH (k:Package) WHERE k.key STARTS WITH 'pkg:alpine/' OR NOT EXISTS { ()-[:OF]->(k) } RETURN count(k)`); n != int64(0) {
		t.Errorf("%v packages left in the old spelling or without components, want none", n)
	}
	if n := cypher(nil, `MATCH (c:Component)-[:OF]->(k:Package) WHERE k.key STARTS WITH 'pkg:apk/alpine/' RETURN count(c)`); n != int64(14) {
		t.Errorf("%v components of apk packages, want 14", n)
	}
	s.Close()

	// One purl in both spellings: the migration refuses, naming both, and nothing changes.
	store(true)
	if _, err := neo4j.Open(ctx, cfg); !errors.Is(err, neo4j.ErrSchema) || !strings.Contains(err.Error(), oldMusl) || !strings.Contains(err.Error(), musl) {
		t.Fatalf("Open with both spellings of one purl = %v, want ErrSchema naming both", err)
	}
	if v := cypher(nil, `MATCH (m:SbomgraphMeta) RETURN m.schema`); v != int64(1) {
		t.Errorf("after the failed migration the schema version is %v, want 1", v)
	}
	if n := cypher(nil, `MATCH (c:Component) WHERE c.id STARTS WITH 'pkg:alpine/' OR c.id =~ 'pkg:golang/.*@[0-9].*' RETURN count(c)`); n != int64(graphtest.RespeltRenamed) {
		t.Errorf("after the failed migration %v components are in the old spelling, want all 32", n)
	}
	if ids := cypher(nil, `MATCH (c:Component) RETURN collect(c.id)`).([]any); !slices.Contains(ids, any(musl)) || !slices.Contains(ids, any(oldMusl)) {
		t.Errorf("after the failed migration components %v, want both spellings of musl", ids)
	}
}
