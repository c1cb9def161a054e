package report

import (
	"context"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/query"
)

func TestBlastRadius(t *testing.T) {
	// libcurl4: nginx ships it directly in both versions; debian-app pulled it in through
	// curl in 2.0.0 and 3.0.0 and lost it in 4.0.0.
	b := findReport(t, query.FindRequest{Component: "libcurl4"})
	if b.Kind != "name" || len(b.Images) != 2 {
		t.Fatalf("kind %q, %d images", b.Kind, len(b.Images))
	}
	nginx, app := b.Images[0], b.Images[1]
	if nginx.Image != "nginx" || !nginx.NewestAffected || nginx.FixedIn != nil || nginx.Newest.Tag != "1.23.2" {
		t.Errorf("nginx: %+v", nginx)
	}
	if app.Image != "debian-app" || app.NewestAffected || app.Versions != 4 || app.Newest.Tag != "4.0.0" {
		t.Errorf("debian-app: %+v", app)
	}
	if app.FixedIn == nil || app.FixedIn.Version.Tag != "4.0.0" || app.FixedIn.Event != "removed" {
		t.Errorf("debian-app fixed in %+v, want 4.0.0 (removed)", app.FixedIn)
	}
	var tags []string
	for _, v := range app.Affected {
		tags = append(tags, v.Version.Tag)
		for _, o := range v.Components {
			if o.Direct || o.Depth != 2 || shortID(o.Path[0]) != "curl@7.88.1-10+deb12u15" || o.Path[len(o.Path)-1] != o.Purl {
				t.Errorf("%s: libcurl4 %+v, want transitive through curl", v.Version.Tag, o)
			}
		}
	}
	if !slices.Equal(tags, []string{"3.0.0", "2.0.0"}) {
		t.Errorf("affected %v, want latest first", tags)
	}
	if tot := b.Totals; tot != (Totals{Images: 2, StillAffected: 1, Fixed: 1, Versions: 4, Occurrences: 4, Direct: 2, Transitive: 2}) {
		t.Errorf("totals %+v", tot)
	}

	// A range query: the fix is an upgrade out of the range, not a removal.
	b = findReport(t, exampleFind)
	for _, imp := range b.Images {
		if imp.Image != "debian-app" {
			continue
		}
		if imp.FixedIn == nil || imp.FixedIn.Version.Tag != "2.0.0" || imp.FixedIn.Event != "changed" || !slices.Equal(imp.FixedIn.Versions, []string{"5.4.1-1+deb12u2"}) {
			t.Errorf("liblzma5 fixed in %+v, want 2.0.0 (now 5.4.1-1+deb12u2)", imp.FixedIn)
		}
		if got := imp.FixedIn.String(); got != "2.0.0 (now 5.4.1-1+deb12u2)" {
			t.Errorf("fix %q", got)
		}
	}

	// Newest versions only: every image is still affected by definition.
	b = findReport(t, query.FindRequest{Component: "busybox", Latest: true})
	if !b.LatestOnly || b.Totals.StillAffected != b.Totals.Images || b.Totals.Images != 2 {
		t.Errorf("latest only: %+v", b.Totals)
	}
}

// failingSource answers Find from the store but fails every Timeline.
type failingSource struct{ FindSource }

var errTimeline = errors.New("timeline unavailable")

func (failingSource) Timeline(context.Context, string, string) ([]query.TimelineEntry, error) {
	return nil, errTimeline
}

func TestBuildBlastRadiusErrors(t *testing.T) {
	src := StoreSource(series(t))
	if _, err := BuildBlastRadius(context.Background(), src, query.FindRequest{Component: " "}); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("empty component: %v, want ErrInvalid", err)
	}
	if _, err := BuildBlastRadius(context.Background(), failingSource{src}, query.FindRequest{Component: "curl"}); !errors.Is(err, errTimeline) {
		t.Errorf("failing timeline: %v", err)
	}
}

func TestFindCSV(t *testing.T) {
	b := findReport(t, query.FindRequest{Component: "libcurl4"})
	rows, err := csv.NewReader(strings.NewReader(string(renderFind(t, b, "csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], CSVHeader) || len(rows) != 1+b.Totals.Occurrences {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		if len(r) != len(CSVHeader) {
			t.Errorf("row %v has %d fields", r, len(r))
		}
	}
}

func TestFormats(t *testing.T) {
	r, opts := diffOf(t, examplePair)
	if err := WriteDiff(&strings.Builder{}, "pdf", r, opts); !errors.Is(err, ErrFormat) {
		t.Errorf("diff pdf: %v", err)
	}
	if err := WriteFind(&strings.Builder{}, "sarif", &BlastRadius{}, FindOptions{}); !errors.Is(err, ErrFormat) {
		t.Errorf("find sarif: %v", err)
	}
}

func TestTextColor(t *testing.T) {
	r, opts := diffOf(t, examplePair)
	var plain, colored strings.Builder
	if err := WriteDiff(&plain, "text", r, opts); err != nil {
		t.Fatal(err)
	}
	opts.Color = true
	if err := WriteDiff(&colored, "text", r, opts); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("escape codes without colour")
	}
	for _, want := range []string{ansiBold + "hygiene (2)", ansiRed + "-" + ansiReset + " curl", ansiGreen + "+" + ansiReset + " busybox", ansiYellow + "medium"} {
		if !strings.Contains(colored.String(), want) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
	b := findReport(t, query.FindRequest{Component: "libcurl4"})
	var f strings.Builder
	if err := WriteFind(&f, "text", b, FindOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.String(), ansiRed+"newest version 1.23.2 still affected") {
		t.Errorf("coloured find text:\n%s", f.String())
	}
}

// TestHTMLSelfContained: the HTML reports load nothing: no scripts, styles, images or fonts
// from elsewhere, so one file is the whole report (attachable to a ticket, viewable offline).
func TestHTMLSelfContained(t *testing.T) {
	pages := map[string][]byte{
		"diff": renderDiff(t, examplePair, "html"),
		"find": renderFind(t, findReport(t, exampleFind), "html"),
	}
	for name, page := range pages {
		s := strings.ToLower(string(page))
		for _, bad := range []string{"<link", " src=", "url(", "@import", `href="http`, "<iframe", "<img"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s report contains %q", name, bad)
			}
		}
		for _, want := range []string{"<style>", "<script>", "table.sortable"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s report lacks inline %q", name, want)
			}
		}
	}
}
