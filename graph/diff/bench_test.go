package diff

import (
	"testing"

	"github.com/sbomgraph/sbomgraph/graph/estate"
)

// BenchmarkDocuments diffs two successive synthetic 5,000-component releases of one image:
// the diff engine alone (graph/sqlite's BenchmarkDiff adds the store reads).
func BenchmarkDocuments(b *testing.B) {
	e := estate.New(estate.Small)
	old, new := e.Extra(0, 0, 5000).Doc, e.Extra(0, 1, 5000).Doc
	b.ReportAllocs()
	var r *Result
	for b.Loop() {
		r = Documents(old, new)
	}
	b.ReportMetric(float64(r.Old.Packages), "old-packages")
	b.ReportMetric(float64(len(r.Changed)+len(r.Added)+len(r.Removed)), "changes")
}

// BenchmarkDocumentsCorpus diffs two real releases far apart, juice-shop 11.1.2 and 14.1.1:
// about 1,000 npm packages, many present at several versions at once, hundreds of them
// upgraded, so pairing and sorting compare versions under npm's rules.
func BenchmarkDocumentsCorpus(b *testing.B) {
	old := corpusDoc(b, "juice-shop-11.1.2.cdx-1.2.json")
	new := corpusDoc(b, "juice-shop-14.1.1.flat.cdx-1.4.json")
	b.ReportAllocs()
	var r *Result
	for b.Loop() {
		r = Documents(old, new)
	}
	b.ReportMetric(float64(r.Old.Packages), "old-packages")
	b.ReportMetric(float64(len(r.Changed)+len(r.Added)+len(r.Removed)), "changes")
}
