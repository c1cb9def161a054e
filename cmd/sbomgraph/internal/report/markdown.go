package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/sbomgraph/sbomgraph/graph/diff"
)

// detailsOver is the number of rows above which a markdown or HTML list folds into <details>.
const detailsOver = 10

// mdCell escapes text for a GitHub-flavoured markdown table cell: pipes, HTML and the
// characters that would start emphasis or code.
func mdCell(s string) string {
	r := strings.NewReplacer(
		`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;",
		"*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "\n", " ", "\r", " ",
	)
	return r.Replace(s)
}

// mdCode wraps s in a code span (escaping is not needed inside one), or "" for "".
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("\n", " ", "|", `\|`).Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// mdTable writes a table, folded into <details> when it has more than detailsOver rows.
func mdTable(b *strings.Builder, summary string, header []string, align []string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	fold := len(rows) > detailsOver
	if fold {
		fmt.Fprintf(b, "<details>\n<summary>%s</summary>\n\n", htmlText(summary))
	}
	b.WriteString("| " + strings.Join(header, " | ") + " |\n")
	b.WriteString("| " + strings.Join(align, " | ") + " |\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	if fold {
		b.WriteString("\n</details>\n")
	}
	b.WriteString("\n")
}

// htmlText escapes text for HTML.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// levelLabel is a change's level for a table, major in bold.
func levelLabel(c diff.Change) string {
	switch {
	case c.Level == "major":
		return "**major**"
	case c.Level != "":
		return c.Level
	case c.Note != "":
		return mdCell(string(c.Kind) + ": " + c.Note)
	}
	return string(c.Kind)
}

// writeDiffMarkdown writes a GitHub-flavoured markdown release diff: the summary table first,
// then one section per non-empty list.
func writeDiffMarkdown(w io.Writer, r *diff.Result, opts DiffOptions) error {
	var b strings.Builder
	s := r.Summary
	title := func(name string, side *diff.Side) string {
		if side.Subject.Name != "" {
			return subjectString(side)
		}
		return sideName(name, side)
	}
	fmt.Fprintf(&b, "## Release diff: %s → %s\n\n", mdCell(title(opts.OldName, &r.Old)), mdCell(title(opts.NewName, &r.New)))
	if opts.OldName != "" || opts.NewName != "" {
		fmt.Fprintf(&b, "%s → %s\n\n", mdCode(sideName(opts.OldName, &r.Old)), mdCode(sideName(opts.NewName, &r.New)))
	}
	upgrades, downgrades := changes(r, diff.Upgrade), changes(r, diff.Downgrade)
	withNote := func(n int, note string) string {
		if note != "" {
			return fmt.Sprintf("%d (%s)", n, note)
		}
		return fmt.Sprint(n)
	}
	b.WriteString("| upgraded | downgraded | added | removed | rebuilt | unordered | licence changes | integrity | hygiene |\n")
	b.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %d | %s |\n\n",
		withNote(s.Upgraded, levelSummary(upgrades)), withNote(s.Downgraded, levelSummary(downgrades)), s.Added, s.Removed, s.Rebuilt, s.Unordered,
		s.LicenseChanges, s.Integrity, withNote(s.Hygiene, severityCounts(r.Hygiene.Findings)))
	rows := [][]string{
		{"subject", mdCell(subjectString(&r.Old)), mdCell(subjectString(&r.New))},
		{"base OS", mdCell(r.Hygiene.OldOS.String()), mdCell(r.Hygiene.NewOS.String())},
		{"packages", fmt.Sprint(r.Old.Packages), fmt.Sprint(r.New.Packages)},
		{"files", fmt.Sprint(r.Old.Files), fmt.Sprint(r.New.Files)},
		{"generator", mdCell(strings.Join(r.Old.Tools, ", ")), mdCell(strings.Join(r.New.Tools, ", "))},
	}
	b.WriteString("| | old | new |\n| --- | --- | --- |\n")
	for _, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	fmt.Fprintf(&b, "\nUnchanged %d, supplier changes %d, dependency edges +%d −%d, files +%d −%d ~%d.\n\n",
		s.Unchanged, s.SupplierChanges, s.EdgesAdded, s.EdgesRemoved, s.FilesAdded, s.FilesRemoved, s.FilesChanged)
	if note := uncomparedEdges(r); note != "" {
		fmt.Fprintf(&b, "%s.\n\n", mdCell(strings.ToUpper(note[:1])+note[1:]))
	}

	changeRows := func(cs []diff.Change) [][]string {
		var out [][]string
		for _, c := range cs {
			out = append(out, []string{mdCell(c.Name), mdCode(c.Old.Version) + " → " + mdCode(c.New.Version), levelLabel(c), mdCell(ecosystemLabel(c.Ecosystem))})
		}
		return out
	}
	changeHeader, changeAlign := []string{"package", "old → new", "change", "ecosystem"}, []string{"---", "---", "---", "---"}
	if len(r.Hygiene.Findings) > 0 || r.Hygiene.Error != "" {
		fmt.Fprintf(&b, "### Hygiene findings (%d)\n\n", len(r.Hygiene.Findings))
		if r.Hygiene.Error != "" {
			fmt.Fprintf(&b, "Hygiene not judged: %s\n\n", mdCell(r.Hygiene.Error))
		}
		var hr [][]string
		for _, f := range r.Hygiene.Findings {
			comp := ""
			if f.Component != nil {
				comp = mdCode(f.Component.Purl)
				if comp == "" {
					comp = mdCell(f.Component.Name)
				}
			}
			hr = append(hr, []string{severityBadge(f.Severity), string(f.Kind), mdCell(f.Message), comp})
		}
		mdTable(&b, fmt.Sprintf("%d hygiene findings", len(hr)), []string{"severity", "kind", "finding", "component"}, []string{"---", "---", "---", "---"}, hr)
	}
	if len(r.Integrity) > 0 {
		fmt.Fprintf(&b, "### Integrity findings (%d)\n\nSame version, different hash: the artefact was rebuilt or replaced.\n\n", len(r.Integrity))
		var ir [][]string
		for _, c := range r.Integrity {
			ir = append(ir, []string{mdCell(c.Name), mdCode(c.Version), mdCell(c.Algorithm), mdCode(c.Old), mdCode(c.New)})
		}
		mdTable(&b, fmt.Sprintf("%d integrity findings", len(ir)), []string{"package", "version", "algorithm", "old", "new"}, []string{"---", "---", "---", "---", "---"}, ir)
	}
	if len(downgrades) > 0 {
		fmt.Fprintf(&b, "### Downgrades (%d)\n\n", len(downgrades))
		mdTable(&b, fmt.Sprintf("%d downgrades", len(downgrades)), changeHeader, changeAlign, changeRows(downgrades))
	}
	if len(upgrades) > 0 {
		fmt.Fprintf(&b, "### Upgrades (%d)\n\n", len(upgrades))
		mdTable(&b, fmt.Sprintf("%d upgrades (%s)", len(upgrades), levelSummary(upgrades)), changeHeader, changeAlign, changeRows(upgrades))
	}
	if other := append(changes(r, diff.Rebuild), changes(r, diff.Unordered)...); len(other) > 0 {
		fmt.Fprintf(&b, "### Rebuilt and unordered (%d)\n\n", len(other))
		mdTable(&b, fmt.Sprintf("%d rebuilt or unordered", len(other)), changeHeader, changeAlign, changeRows(other))
	}
	componentRows := func(cs []diff.Component) [][]string {
		var out [][]string
		for _, c := range cs {
			out = append(out, []string{mdCell(c.Name), mdCode(c.Version), mdCell(ecosystemLabel(c.Ecosystem)), mdCell(c.Licenses)})
		}
		return out
	}
	if len(r.Added) > 0 {
		fmt.Fprintf(&b, "### Added (%d)\n\n", len(r.Added))
		mdTable(&b, fmt.Sprintf("%d added", len(r.Added)), []string{"package", "version", "ecosystem", "licence"}, []string{"---", "---", "---", "---"}, componentRows(r.Added))
	}
	if len(r.Removed) > 0 {
		fmt.Fprintf(&b, "### Removed (%d)\n\n", len(r.Removed))
		mdTable(&b, fmt.Sprintf("%d removed", len(r.Removed)), []string{"package", "version", "ecosystem", "licence"}, []string{"---", "---", "---", "---"}, componentRows(r.Removed))
	}
	if len(r.Licenses) > 0 {
		fmt.Fprintf(&b, "### Licence changes (%d)\n\n", len(r.Licenses))
		var lr [][]string
		for _, c := range r.Licenses {
			lr = append(lr, []string{mdCell(c.Name), mdCode(c.OldVersion) + " → " + mdCode(c.NewVersion), mdCell(licenseOrNone(c.Old)), mdCell(licenseOrNone(c.New))})
		}
		mdTable(&b, fmt.Sprintf("%d licence changes", len(lr)), []string{"package", "version", "old licence", "new licence"}, []string{"---", "---", "---", "---"}, lr)
	}
	if len(r.Suppliers) > 0 {
		fmt.Fprintf(&b, "### Supplier changes (%d)\n\n", len(r.Suppliers))
		var sr [][]string
		for _, c := range r.Suppliers {
			sr = append(sr, []string{mdCell(c.Name), mdCell(c.Old), mdCell(c.New)})
		}
		mdTable(&b, fmt.Sprintf("%d supplier changes", len(sr)), []string{"package", "old supplier", "new supplier"}, []string{"---", "---", "---"}, sr)
	}
	b.WriteString("<sub>generated by sbomgraph diff</sub>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// severityBadge is a severity for a markdown table, high in bold.
func severityBadge(s diff.Severity) string {
	if s == diff.SeverityHigh {
		return "**high**"
	}
	return string(s)
}
