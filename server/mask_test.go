package server

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
)

func TestReadMask(t *testing.T) {
	v := &api.Version{
		Image: "app", Tag: "1", Seq: 7, Components: 3,
		Source:   &api.Source{Format: api.Format_FORMAT_SPDX, SpecVersion: "SPDX-2.3", Tools: []string{"syft 1"}},
		Warnings: []*api.Warning{{Code: api.WarningCode_WARNING_CODE_CYCLE, Id: "a", Message: "m"}, {Id: "b", Message: "n"}},
	}
	for _, tc := range []struct {
		paths []string
		want  *api.Version
	}{
		{nil, v},
		{[]string{"tag"}, &api.Version{Tag: "1"}},
		{[]string{"source.spec_version", "seq"}, &api.Version{Seq: 7, Source: &api.Source{SpecVersion: "SPDX-2.3"}}},
		{[]string{"source.tools", "source"}, &api.Version{Source: v.Source}},
		{[]string{"source", "source.tools"}, &api.Version{Source: v.Source}},
		{[]string{"warnings.id"}, &api.Version{Warnings: []*api.Warning{{Id: "a"}, {Id: "b"}}}},
	} {
		mask, err := compileMask(&fieldmaskpb.FieldMask{Paths: tc.paths}, versionDesc)
		if err != nil {
			t.Fatal(err)
		}
		got := proto.Clone(v).(*api.Version)
		mask.apply(got)
		if !proto.Equal(got, tc.want) {
			t.Errorf("mask %v: got %v, want %v", tc.paths, got, tc.want)
		}
	}
	def := maskExcept(versionDesc, "warnings", "source.tools")
	got := proto.Clone(v).(*api.Version)
	def.apply(got)
	want := proto.Clone(v).(*api.Version)
	want.Warnings, want.Source.Tools = nil, nil
	if !proto.Equal(got, want) {
		t.Errorf("maskExcept: got %v, want %v", got, want)
	}
	// Two paths below one field leave out both.
	m := &api.Match{Version: proto.Clone(v).(*api.Version), Direct: true}
	maskExcept(matchDesc, "version.warnings", "version.source").apply(m)
	wantMatch := &api.Match{Version: proto.Clone(v).(*api.Version), Direct: true}
	wantMatch.Version.Warnings, wantMatch.Version.Source = nil, nil
	if !proto.Equal(m, wantMatch) {
		t.Errorf("maskExcept with two paths below version: got %v, want %v", m, wantMatch)
	}
	for _, paths := range [][]string{{"nope"}, {"tag.x"}, {"source.nope"}, {""}, {"warnings..id"}} {
		if _, err := compileMask(&fieldmaskpb.FieldMask{Paths: paths}, versionDesc); err == nil {
			t.Errorf("mask %q accepted", paths)
		}
	}
}

// TestPageBytes checks that a page stops short of page_size rather than exceed pageBytes,
// but always holds one item.
func TestPageBytes(t *testing.T) {
	big := strings.Repeat("x", 1200<<10)
	items := []string{big, big, big, big}
	conv := func(s *string) *api.Warning { return &api.Warning{Message: *s} }
	out, last := page(items, 0, 10, conv, nil)
	if len(out) != 2 || last != 1 {
		t.Errorf("page of 1.2 MiB items: %d items, last %d; want 2, 1", len(out), last)
	}
	out, last = page(items, 3, 10, conv, nil)
	if len(out) != 1 || last != 3 {
		t.Errorf("last page: %d items, last %d", len(out), last)
	}
	huge := []string{strings.Repeat("x", pageBytes+1)}
	if out, _ := page(huge, 0, 10, conv, nil); len(out) != 1 {
		t.Errorf("an item over the budget alone: %d items", len(out))
	}
	if out, last := page(items, 4, 10, conv, nil); len(out) != 0 || last != 3 {
		t.Errorf("past the end: %d items, last %d", len(out), last)
	}
	for _, tc := range []struct {
		in   int32
		want int
		err  bool
	}{{0, defaultPageSize, false}, {5, 5, false}, {5000, maxPageSize, false}, {-1, 0, true}} {
		got, err := pageSize(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("pageSize(%d) = %d, %v", tc.in, got, err)
		}
	}
}
