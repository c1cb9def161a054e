package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// gfm parses GitHub-flavoured markdown (tables, raw HTML for <details>).
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))

// mdShape is what a markdown report parses into.
type mdShape struct {
	tables    []*east.Table
	firstKind ast.NodeKind // the first block after the title heading and plain paragraphs
	strayRows []string     // paragraphs that look like table rows: a table that did not parse
	html      string
}

func parseMarkdown(t *testing.T, src []byte) mdShape {
	t.Helper()
	doc := gfm.Parser().Parse(text.NewReader(src))
	var s mdShape
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *east.Table:
			s.tables = append(s.tables, n)
		case *ast.Paragraph:
			line := n.Lines().At(0)
			if txt := string(line.Value(src)); strings.HasPrefix(strings.TrimSpace(txt), "|") {
				s.strayRows = append(s.strayRows, txt)
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for c := doc.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Kind() == ast.KindHeading || c.Kind() == ast.KindParagraph {
			continue
		}
		s.firstKind = c.Kind()
		break
	}
	var b bytes.Buffer
	if err := gfm.Convert(src, &b); err != nil {
		t.Fatal(err)
	}
	s.html = b.String()
	return s
}

// rowsOf counts a table's body rows.
func rowsOf(tb *east.Table) int {
	n := 0
	for c := tb.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Kind() == east.KindTableRow {
			n++
		}
	}
	return n
}

// TestMarkdownRendersTables parses every markdown report with goldmark (GFM): the summary
// table comes first, every section is a table with one row per entry, long lists fold into
// <details> that still hold a table, and no row is left over as plain text.
func TestMarkdownRendersTables(t *testing.T) {
	for _, p := range append([]diffPair{examplePair}, goldenPairs...) {
		t.Run("diff/"+p.name, func(t *testing.T) {
			r, _ := diffOf(t, p)
			s := parseMarkdown(t, renderDiff(t, p, "markdown"))
			if s.firstKind != east.KindTable {
				t.Errorf("first block is %v, want the summary table", s.firstKind)
			}
			if len(s.strayRows) > 0 {
				t.Errorf("rows outside tables: %q", s.strayRows)
			}
			if len(s.tables) < 2 || rowsOf(s.tables[0]) != 1 {
				t.Fatalf("%d tables; want the one-row summary table and the sides table first", len(s.tables))
			}
			// One table per non-empty list, after the two summary tables, in section order.
			want := []int{len(r.Hygiene.Findings), len(r.Integrity), r.Summary.Downgraded, r.Summary.Upgraded, r.Summary.Rebuilt + r.Summary.Unordered,
				len(r.Added), len(r.Removed), len(r.Licenses), len(r.Suppliers)}
			var got, nonEmpty []int
			for _, n := range want {
				if n > 0 {
					nonEmpty = append(nonEmpty, n)
				}
			}
			for _, tb := range s.tables[2:] {
				got = append(got, rowsOf(tb))
			}
			if !slices.Equal(got, nonEmpty) {
				t.Errorf("section table rows %v, want %v", got, nonEmpty)
			}
			folded := 0
			for _, n := range nonEmpty {
				if n > detailsOver {
					folded++
				}
			}
			if c := strings.Count(s.html, "<details>"); c != folded {
				t.Errorf("%d <details>, want %d (lists over %d rows)", c, folded, detailsOver)
			}
			for _, part := range strings.Split(s.html, "<details>")[1:] {
				if !strings.Contains(strings.SplitN(part, "</details>", 2)[0], "<table>") {
					t.Errorf("a <details> holds no table: %.200s", part)
				}
			}
		})
	}
	for _, name := range []string{"libcurl4", "nothing"} {
		t.Run("find/"+name, func(t *testing.T) {
			req := exampleFind
			if name == "libcurl4" {
				req.Component, req.Range = "libcurl4", ""
			} else {
				req.Component, req.Range = "pkg:maven/org.apache.logging.log4j/log4j-core", ""
			}
			b := findReport(t, req)
			s := parseMarkdown(t, renderFind(t, b, "markdown"))
			if len(s.strayRows) > 0 {
				t.Errorf("rows outside tables: %q", s.strayRows)
			}
			if len(b.Images) == 0 {
				if len(s.tables) != 0 {
					t.Errorf("%d tables for no match", len(s.tables))
				}
				return
			}
			if s.firstKind != east.KindTable || rowsOf(s.tables[0]) != len(b.Images) {
				t.Errorf("first block %v; want the image table with %d rows", s.firstKind, len(b.Images))
			}
			if len(s.tables) != 1+len(b.Images) {
				t.Errorf("%d tables, want the summary and one per image (%d)", len(s.tables), len(b.Images))
			}
		})
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":         `a\|b`,
		"<script>":    "&lt;script&gt;",
		"*x* _y_ `z`": "\\*x\\* \\_y\\_ \\`z\\`",
		"line\nbreak": "line break",
	} {
		if got := mdCell(in); got != want {
			t.Errorf("mdCell(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"1.0": "`1.0`", "a`b": "``a`b``", "a|b": "`a\\|b`", "": ""} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
	// A hostile package name stays inside its cell.
	var b strings.Builder
	mdTable(&b, "x", []string{"a", "b"}, []string{"---", "---"}, [][]string{{mdCell("evil | <img src=x onerror=alert(1)>"), mdCode("1|2")}})
	s := parseMarkdown(t, []byte(b.String()))
	if len(s.tables) != 1 || strings.Contains(s.html, "<img") {
		t.Errorf("escaping failed: %s", s.html)
	}
}
