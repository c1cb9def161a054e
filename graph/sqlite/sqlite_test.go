package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sbomgraph/sbomgraph/graph"
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
