package neo4j_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// raceDoc is a document of n npm components that every raceDoc shares, in a chain under a
// root of its own; name makes its digest.
func raceDoc(t *testing.T, name string, n int) *sbom.Document {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	b := sbom.NewBuilder(sbom.Source{Format: sbom.FormatCycloneDX, Encoding: sbom.EncodingJSON, SpecVersion: "1.5",
		Digest: "sha256:" + hex.EncodeToString(sum[:])}, sbom.Limits{})
	root, err := b.Add(sbom.Component{LocalID: "root", Type: "container", Name: name, Metadata: true})
	if err != nil {
		t.Fatal(err)
	}
	b.SetRoot(root)
	parent := "root"
	for i := range n {
		id := fmt.Sprintf("c%d", i)
		if _, err := b.Add(sbom.Component{LocalID: id, Purl: fmt.Sprintf("pkg:npm/race-%d@1.0.0", i), Type: "library"}); err != nil {
			t.Fatal(err)
		}
		if !b.Edge(parent, id, sbom.DependsOn) {
			t.Fatalf("bad edge %s -> %s", parent, id)
		}
		parent = id
	}
	return b.Finish()
}

// TestPutDeleteRace puts and deletes versions that share all their components from two
// goroutines at once, so a Delete often reclaims components a concurrent Put has just found
// stored (and must find again): every call succeeds, and the versions left are whole.
func TestPutDeleteRace(t *testing.T) {
	s := openEmpty(t)
	ctx := context.Background()
	const writers, rounds, n = 2, 15, 60
	last := func(w int) graph.Ref {
		return graph.Ref{Image: fmt.Sprintf("example.com/race-%d", w), Tag: fmt.Sprint(rounds - 1)}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				ref := graph.Ref{Image: fmt.Sprintf("example.com/race-%d", w), Tag: fmt.Sprint(i)}
				if _, _, err := s.Put(ctx, ref, raceDoc(t, ref.String(), n), graph.PutOptions{}); err != nil {
					t.Errorf("Put(%s) = %v", ref, err)
					return
				}
				if ref == last(w) {
					return
				}
				if err := s.Delete(ctx, ref); err != nil {
					t.Errorf("Delete(%s) = %v", ref, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for w := range writers {
		doc, err := s.Document(ctx, last(w))
		if err != nil || len(doc.Components) != n+1 || len(doc.Edges) != n {
			t.Errorf("Document(%s) = %v; want %d components and %d edges", last(w), err, n+1, n)
		}
	}
	for i := range n {
		id := fmt.Sprintf("pkg:npm/race-%d@1.0.0", i)
		occ, err := s.Occurrences(ctx, []string{id})
		if err != nil || len(occ) != writers {
			t.Errorf("Occurrences(%s) = %d, %v; want one per writer's last version", id, len(occ), err)
		}
		comps, err := s.Components(ctx, graph.ComponentQuery{Key: "pkg:npm/race-" + fmt.Sprint(i)})
		if err != nil || len(comps) != 1 {
			t.Errorf("Components(key of %s) = %d, %v; want 1 (one node, linked to its package once)", id, len(comps), err)
		}
	}
}
