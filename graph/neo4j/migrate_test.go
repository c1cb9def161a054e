package neo4j_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/neo4j"
	sbomingest "github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
)

// TestMigratePurlTypes opens a database an earlier build (schema version 1) wrote from syft
// 0.58's SBOM of alpine 3.16.2, whose purls it stored as written ("pkg:alpine/musl@…"): the
// migration stores them in the purl spec's spelling ("pkg:apk/alpine/musl@…"), as ingest reads
// them now, in the graph and in the version's document. When an old and a new spelling of one
// purl are both stored, the migration fails and leaves the database as it was.
func TestMigratePurlTypes(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	t.Cleanup(func() { wipe(t, cfg) }) // no other test could open the database it leaves
	doc, err := sbomingest.DecodeBytes(ctx, ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json"), sbomingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref := graph.Ref{Image: "alpine", Tag: "3.16.2"}
	const musl = "pkg:apk/alpine/musl@1.2.3-r0?arch=x86_64&distro=alpine-3.16.2&upstream=musl"
	const oldMusl = "pkg:alpine/musl@1.2.3-r0?arch=x86_64&distro=alpine-3.16.2&upstream=musl"
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
	// store writes the document and takes the database back to schema version 1, its apk
	// purls spelt as that build stored them; dup also keeps a musl node in the new spelling.
	store := func(dup bool) {
		t.Helper()
		wipe(t, cfg)
		s, err := neo4j.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Put(ctx, ref, doc, graph.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		blob, _ := cypher(nil, `MATCH (v:Version) RETURN v.doc`).([]byte)
		old, err := neo4j.DecodeDoc(blob)
		if err != nil {
			t.Fatal(err)
		}
		for i := range old.Components {
			c := &old.Components[i]
			if strings.HasPrefix(c.Purl, "pkg:apk/alpine/") {
				c.Purl, c.Key = "pkg:alpine/"+c.Purl[len("pkg:apk/alpine/"):], "pkg:alpine/"+c.Key[len("pkg:apk/alpine/"):]
				c.Ecosystem, c.Namespace = "alpine", ""
			}
		}
		if blob, err = neo4j.EncodeDoc(old); err != nil {
			t.Fatal(err)
		}
		n := cypher(map[string]any{"doc": blob},
			`MATCH (c:Component) WHERE c.id STARTS WITH 'pkg:apk/alpine/' RETURN count(c)`,
			`MATCH (v:Version) SET v.doc = $doc`,
			`MATCH (c:Component)-[of:OF]->(k:Package) WHERE c.id STARTS WITH 'pkg:apk/alpine/'
				SET c.id = 'pkg:alpine/' + substring(c.id, 15), c.key = 'pkg:alpine/' + substring(c.key, 15),
					c.ecosystem = 'alpine', c.namespace = ''
				DELETE of, k
				MERGE (p:Package {key: c.key}) MERGE (c)-[:OF]->(p)`,
			`MATCH (m:SbomgraphMeta) SET m.schema = 1`)
		if n != int64(14) {
			t.Fatalf("%v apk components stored, want the 14 packages", n)
		}
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
	comps, err := s.Components(ctx, graph.ComponentQuery{Key: "pkg:apk/alpine/musl"})
	if err != nil || len(comps) != 1 || comps[0].Purl != musl || comps[0].Ecosystem != "apk" || comps[0].Namespace != "alpine" {
		t.Fatalf("Components(pkg:apk/alpine/musl) = %+v, %v; want musl in the spec's spelling", comps, err)
	}
	if occ, err := s.Occurrences(ctx, []string{musl}); err != nil || len(occ) != 1 || occ[0].Version.Ref() != ref || occ[0].Component.Key != "pkg:apk/alpine/musl" {
		t.Errorf("Occurrences(%s) = %+v, %v; want one, in %s", musl, occ, err, ref)
	}
	got, err := s.Document(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	for i := range doc.Components {
		g, w := &got.Components[i], &doc.Components[i]
		if g.Purl != w.Purl || g.Key != w.Key || g.Ecosystem != w.Ecosystem || g.Namespace != w.Namespace {
			t.Errorf("after migration component %d is %s (%s %s %s), want %s (%s %s %s)", i, g.Purl, g.Key, g.Ecosystem, g.Namespace, w.Purl, w.Key, w.Ecosystem, w.Namespace)
		}
	}
	if _, created, err := s.Put(ctx, ref, doc, graph.PutOptions{}); err != nil || created {
		t.Errorf("Put of the same SBOM after migration = created %v, %v; want a no-op", created, err)
	}
	if n := cypher(nil, `MATCH (k:Package) WHERE k.key STARTS WITH 'pkg:alpine/' RETURN count(k)`); n != int64(0) {
		t.Errorf("%v packages left in the old spelling, want none", n)
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
	if n := cypher(nil, `MATCH (c:Component) WHERE c.id STARTS WITH 'pkg:alpine/' RETURN count(c)`); n != int64(14) {
		t.Errorf("after the failed migration %v components are in the old spelling, want all 14", n)
	}
	if ids := cypher(nil, `MATCH (c:Component) RETURN collect(c.id)`).([]any); !slices.Contains(ids, any(musl)) || !slices.Contains(ids, any(oldMusl)) {
		t.Errorf("after the failed migration components %v, want both spellings of musl", ids)
	}
}
