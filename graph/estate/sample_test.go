package estate_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/estate"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
)

// TestSampleStored draws keys from a store holding two tiny versions: every key stored, each
// once, none other; a bound below their number cuts the sample.
func TestSampleStored(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := estate.New(estate.Tiny)
	want := map[string]bool{}
	for i := range 2 {
		it := e.Item(i, 0)
		if _, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, c := range it.Doc.Components {
			if c.Purl != "" {
				want[c.Key] = true
			}
		}
	}
	const q = estate.StoredKeys
	got, err := estate.SampleStored(ctx, path, q, rand.New(rand.NewPCG(1, 2)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
		t.Fatalf("%d keys sampled (distinct: %v), want the %d stored", len(got), got, len(want))
	}
	for _, k := range got {
		if !want[k] {
			t.Errorf("sampled %q, which is not stored", k)
		}
	}
	if few, err := estate.SampleStored(ctx, path, q, rand.New(rand.NewPCG(1, 2)), 3); err != nil || len(few) != 3 {
		t.Errorf("a sample of 3: %v, %v", few, err)
	}
	if _, err := estate.SampleStored(ctx, path, `SELECT nope FROM nowhere`, rand.New(rand.NewPCG(1, 2)), 3); err == nil {
		t.Error("a bad query sampled something")
	}
}

// TestHolds: a store holds the estate once every item and extra is in; not before, not with an
// extra missing, and not for an estate generated differently under the same refs.
func TestHolds(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := estate.New(estate.Tiny)
	extras := []estate.Item{e.Extra(0, 0, 100), e.Extra(1, 0, 100)}
	if e.Holds(ctx, s, extras) {
		t.Error("an empty store holds the estate")
	}
	for it := range e.All() {
		if _, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Put(ctx, extras[0].Ref, extras[0].Doc, graph.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if e.Holds(ctx, s, extras) {
		t.Error("the store holds the estate with an extra missing")
	}
	if !e.Holds(ctx, s, extras[:1]) {
		t.Error("the store does not hold the estate and the extra it was given")
	}
	// The same refs, other documents: another component count per version.
	p := estate.Tiny
	p.Components++
	other := estate.New(p)
	if other.Holds(ctx, s, []estate.Item{other.Extra(0, 0, 100)}) {
		t.Error("the store holds an estate generated with other parameters")
	}
}
