package sqlite_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/graph/estate"
	"github.com/sbomgraph/sbomgraph/graph/graphtest"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
)

func open(t *testing.T) graph.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	graphtest.Run(t, open)
}

// TestConformanceMerging runs the suite with postings merged all the time, a few entries per
// Put, so reads and deletes meet versions that are pending, partly merged and merged.
func TestConformanceMerging(t *testing.T) {
	sqlite.SetMergePolicy(t, 1, 1, 7, false)
	graphtest.Run(t, open)
}

// TestDiffOwnsItsResult: a diff reads versions as views into the store's cache; what it returns
// is the caller's, so changing it changes nothing stored or cached.
func TestDiffOwnsItsResult(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	defer s.Close()
	e := estate.New(estate.Tiny)
	var refs []graph.Ref
	for v := range 2 {
		it := e.Item(0, v)
		if _, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, it.Ref)
	}
	r, err := diff.Versions(ctx, s, refs[0], refs[1])
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(r)
	if len(r.Old.Tools) == 0 {
		t.Fatal("the estate's versions name no tool")
	}
	r.Old.Tools[0], r.New.Tools[0] = "changed", "changed"
	again, err := diff.Versions(ctx, s, refs[0], refs[1])
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(again); string(got) != string(want) {
		t.Errorf("the second diff differs from the first:\n%s\n%s", got, want)
	}
	if d, err := s.Document(ctx, refs[0]); err != nil || d.Source.Tools[0] == "changed" {
		t.Errorf("Document after changing a diff's result: %v, %v", d.Source.Tools, err)
	}
}
