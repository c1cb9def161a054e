package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// findTitle is "curl (name)" or "pkg:deb/debian/liblzma5 (key) in vers:deb/<5.4.1-1+deb12u2".
func (b *BlastRadius) title() string {
	s := fmt.Sprintf("%s (%s)", b.Query, b.Kind)
	if b.Range != "" {
		s += " in " + b.Range
	}
	var limits []string
	if b.Scope != "all" && b.Scope != "" {
		limits = append(limits, b.Scope+" only")
	}
	if b.LatestOnly {
		limits = append(limits, "newest versions only")
	}
	if b.Image != "" {
		limits = append(limits, "image "+b.Image)
	}
	if len(limits) > 0 {
		s += " [" + strings.Join(limits, ", ") + "]"
	}
	return s
}

// totalsLine is the one-line summary of a report.
func (b *BlastRadius) totalsLine() string {
	t := b.Totals
	return fmt.Sprintf("%d %s affected (%d still affected in the newest version, %d fixed), %d affected %s, %d direct and %d transitive %s",
		t.Images, plural(t.Images, "image", "images"), t.StillAffected, t.Fixed, t.Versions, plural(t.Versions, "version", "versions"),
		t.Direct, t.Transitive, plural(t.Occurrences, "occurrence", "occurrences"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeFindText writes the terminal form of a blast-radius report.
func writeFindText(w io.Writer, b *BlastRadius, opts FindOptions) error {
	var s strings.Builder
	p := painter(opts.Color)
	fmt.Fprintf(&s, "%s %s\n%s\n", p.paint(ansiBold, "blast radius of"), b.title(), b.totalsLine())
	for _, imp := range b.Images {
		style := ansiGreen
		if imp.NewestAffected {
			style = ansiRed
		}
		fmt.Fprintf(&s, "\n%s  %s\n", p.paint(ansiBold, imp.Image), p.paint(style, imp.status()))
		for _, v := range imp.Affected {
			for i, o := range v.Components {
				label := ""
				if i == 0 {
					label = v.Version.String()
				}
				fmt.Fprintf(&s, "  %-12s %s %s  %s", label, o.Name, o.Version, directLabel(o))
				if !o.Direct {
					fmt.Fprintf(&s, " via %s", pathString(o.Path))
				}
				s.WriteString("\n")
			}
		}
	}
	for _, sk := range b.Skipped {
		fmt.Fprintf(&s, "\nskipped %s: %s\n", sk.Component, sk.Reason)
	}
	_, err := io.WriteString(w, s.String())
	return err
}

// CSVHeader is the header row of the csv blast-radius format: one row per (image version,
// component).
var CSVHeader = []string{"image", "version", "digest", "created", "newest_version", "image_still_affected", "fixed_in", "fixed_event",
	"component", "component_version", "ecosystem", "purl", "direct", "depth", "path"}

// writeFindCSV writes one row per (image version, component); paths are component identities
// joined with " > ".
func writeFindCSV(w io.Writer, b *BlastRadius) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, imp := range b.Images {
		fixed, event := "", ""
		if imp.FixedIn != nil {
			fixed, event = imp.FixedIn.Version.String(), imp.FixedIn.Event
		}
		for _, v := range imp.Affected {
			created := ""
			if !v.Version.Created.IsZero() {
				created = v.Version.Created.Format("2006-01-02T15:04:05Z07:00")
			}
			for _, o := range v.Components {
				row := []string{imp.Image, v.Version.Tag, v.Version.Digest, created, imp.Newest.String(), fmt.Sprint(imp.NewestAffected), fixed, event,
					o.Name, o.Version, o.Ecosystem, o.Purl, fmt.Sprint(o.Direct), fmt.Sprint(o.Depth), strings.Join(o.Path, " > ")}
				if err := cw.Write(row); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeFindMarkdown writes a GitHub-flavoured markdown blast-radius report: the per-image
// summary table first, then one section per image.
func writeFindMarkdown(w io.Writer, b *BlastRadius) error {
	var s strings.Builder
	fmt.Fprintf(&s, "## Blast radius: %s\n\n%s\n\n", mdCell(b.title()), mdCell(sentence(b.totalsLine())))
	if len(b.Images) == 0 {
		s.WriteString("No stored image version contains it.\n\n")
	} else {
		var rows [][]string
		for _, imp := range b.Images {
			still := "no"
			if imp.NewestAffected {
				still = "**yes**"
			}
			latest := ""
			if len(imp.Affected) > 0 {
				latest = mdCode(imp.Affected[0].Version.String())
			}
			d, t := 0, 0
			for _, v := range imp.Affected {
				for _, o := range v.Components {
					if o.Direct {
						d++
					} else {
						t++
					}
				}
			}
			rows = append(rows, []string{mdCell(imp.Image), latest, mdCode(imp.Newest.String()), still, mdCell(imp.FixedIn.String()),
				fmt.Sprint(len(imp.Affected)), fmt.Sprintf("%d / %d", d, t)})
		}
		mdTable(&s, fmt.Sprintf("%d images", len(rows)),
			[]string{"image", "latest affected", "newest version", "newest affected", "fixed in", "affected versions", "direct / transitive"},
			[]string{"---", "---", "---", "---", "---", "---:", "---:"}, rows)
	}
	for _, imp := range b.Images {
		fmt.Fprintf(&s, "### %s\n\n%s\n\n", mdCell(imp.Image), mdCell(sentence(imp.status())))
		var rows [][]string
		for _, v := range imp.Affected {
			for _, o := range v.Components {
				path := ""
				if !o.Direct {
					path = mdCell(pathString(o.Path))
				}
				rows = append(rows, []string{mdCode(v.Version.String()), mdCell(o.Name), mdCode(o.Version), directLabel(o), path})
			}
		}
		mdTable(&s, fmt.Sprintf("%d affected versions", len(imp.Affected)), []string{"version", "component", "component version", "depth", "path"},
			[]string{"---", "---", "---", "---", "---"}, rows)
	}
	if len(b.Skipped) > 0 {
		fmt.Fprintf(&s, "### Skipped (%d)\n\nVersions the range could not judge.\n\n", len(b.Skipped))
		var rows [][]string
		for _, sk := range b.Skipped {
			rows = append(rows, []string{mdCode(sk.Component), mdCell(sk.Reason)})
		}
		mdTable(&s, fmt.Sprintf("%d skipped", len(rows)), []string{"component", "reason"}, []string{"---", "---"}, rows)
	}
	s.WriteString("<sub>generated by sbomgraph find</sub>\n")
	_, err := io.WriteString(w, s.String())
	return err
}

// writeFindHTML writes the blast-radius report as one self-contained HTML page.
func writeFindHTML(w io.Writer, b *BlastRadius) error {
	t := b.Totals
	p := &page{
		Title:    "Blast radius: " + b.Query,
		Subtitle: b.title() + ". " + sentence(b.totalsLine()),
		Footer:   "Generated by sbomgraph find. Click a column header to sort a table.",
		Cards: []card{
			{Label: "images affected", Value: fmt.Sprint(t.Images)},
			{Label: "still affected in newest version", Value: fmt.Sprint(t.StillAffected), Alert: t.StillAffected > 0},
			{Label: "fixed", Value: fmt.Sprint(t.Fixed)},
			{Label: "affected versions", Value: fmt.Sprint(t.Versions)},
			{Label: "direct", Value: fmt.Sprint(t.Direct)},
			{Label: "transitive", Value: fmt.Sprint(t.Transitive)},
		},
	}
	var rows [][]cell
	for _, imp := range b.Images {
		still := cell{Text: "no", Class: "no"}
		if imp.NewestAffected {
			still = cell{Text: "yes", Class: "yes"}
		}
		latest := cell{}
		if len(imp.Affected) > 0 {
			latest = code(imp.Affected[0].Version.String())
		}
		rows = append(rows, []cell{{Text: imp.Image}, latest, code(imp.Newest.String()), still, {Text: imp.FixedIn.String()}, num(len(imp.Affected))})
	}
	summary := block{ID: "summary-section", Title: "Images", Table: &table{ID: "summary", Sortable: true,
		Header: headers("image", "latest affected", "newest version", "newest affected", "fixed in", "#affected versions"), Rows: rows}}
	if len(rows) == 0 {
		summary.Intro = []string{"No stored image version contains it."}
	}
	p.Blocks = append(p.Blocks, summary)
	for i, imp := range b.Images {
		var rows [][]cell
		for _, v := range imp.Affected {
			for _, o := range v.Components {
				path := ""
				if !o.Direct {
					path = pathString(o.Path)
				}
				rows = append(rows, []cell{code(v.Version.String()), {Text: o.Name}, code(o.Version), {Text: directLabel(o), Sort: fmt.Sprint(o.Depth)}, {Text: path}})
			}
		}
		id := fmt.Sprintf("image-%d", i+1)
		p.Blocks = append(p.Blocks, block{ID: id, Title: imp.Image, Intro: []string{sentence(imp.status())},
			Table: newTable(id+"-table", fmt.Sprintf("%d affected versions", len(imp.Affected)), headers("version", "component", "component version", "depth", "path"), rows)})
	}
	if len(b.Skipped) > 0 {
		var rows [][]cell
		for _, sk := range b.Skipped {
			rows = append(rows, []cell{code(sk.Component), {Text: sk.Reason}})
		}
		p.Blocks = append(p.Blocks, block{ID: "skipped", Title: fmt.Sprintf("Skipped (%d)", len(rows)), Intro: []string{"Versions the range could not judge."},
			Table: newTable("skipped-table", fmt.Sprintf("%d skipped", len(rows)), headers("component", "reason"), rows)})
	}
	return writePage(w, p)
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
