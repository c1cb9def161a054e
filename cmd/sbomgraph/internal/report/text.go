package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sbomgraph/sbomgraph/graph/diff"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// ANSI styles of the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// painter applies ANSI styles when colour is on and is the identity otherwise.
type painter bool

func (p painter) paint(style, s string) string {
	if !p || s == "" {
		return s
	}
	return style + s + ansiReset
}

// severityStyle is the colour of a hygiene severity.
func severityStyle(s diff.Severity) string {
	switch s {
	case diff.SeverityHigh:
		return ansiRed
	case diff.SeverityMedium:
		return ansiYellow
	}
	return ansiCyan
}

// writeJSON writes v as indented JSON, without HTML escaping, ending in a newline.
// WriteProtoJSON writes m in the proto's canonical JSON mapping, indented by two spaces.
// protojson's own spacing is deliberately unstable; re-indenting makes the bytes reproducible.
func WriteProtoJSON(w io.Writer, m proto.Message) error {
	b, err := protojson.Marshal(m)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeDiffText writes the terminal form of a release diff.
func writeDiffText(w io.Writer, r *diff.Result, opts DiffOptions) error {
	var b strings.Builder
	p := painter(opts.Color)
	s := r.Summary
	fmt.Fprintf(&b, "old  %s: %s, %d packages, %d files\n", sideName(opts.OldName, &r.Old), subjectString(&r.Old), r.Old.Packages, r.Old.Files)
	fmt.Fprintf(&b, "new  %s: %s, %d packages, %d files\n", sideName(opts.NewName, &r.New), subjectString(&r.New), r.New.Packages, r.New.Files)
	fmt.Fprintf(&b, "base OS  %s -> %s\n\n", r.Hygiene.OldOS.String(), r.Hygiene.NewOS.String())
	fmt.Fprintf(&b, "added %d  removed %d  upgraded %d  downgraded %d  rebuilt %d  unordered %d  unchanged %d\n",
		s.Added, s.Removed, s.Upgraded, s.Downgraded, s.Rebuilt, s.Unordered, s.Unchanged)
	fmt.Fprintf(&b, "licence changes %d  supplier changes %d  integrity %d  hygiene %d  edges +%d -%d  files +%d -%d ~%d\n",
		s.LicenseChanges, s.SupplierChanges, s.Integrity, s.Hygiene, s.EdgesAdded, s.EdgesRemoved, s.FilesAdded, s.FilesRemoved, s.FilesChanged)
	if note := uncomparedEdges(r); note != "" {
		b.WriteString(note + "\n")
	}
	section := func(title string, n int) bool {
		if n == 0 {
			return false
		}
		fmt.Fprintf(&b, "\n%s\n", p.paint(ansiBold, fmt.Sprintf("%s (%d)", title, n)))
		return true
	}
	if section("hygiene", len(r.Hygiene.Findings)) {
		for _, f := range r.Hygiene.Findings {
			fmt.Fprintf(&b, "  %s %s\n", p.paint(severityStyle(f.Severity), fmt.Sprintf("%-6s %-19s", f.Severity, f.Kind)), f.Message)
		}
	}
	if r.Hygiene.Error != "" {
		fmt.Fprintf(&b, "\nhygiene not judged: %s\n", r.Hygiene.Error)
	}
	if section("changed", len(r.Changed)) {
		for _, c := range r.Changed {
			label := string(c.Kind)
			if c.Level != "" {
				label += " " + c.Level
			}
			style := ""
			switch c.Kind {
			case diff.Downgrade:
				style = ansiRed
			case diff.Upgrade:
				style = ansiGreen
			case diff.Unordered, diff.Rebuild:
				style = ansiYellow
			}
			fmt.Fprintf(&b, "  %s %s %s -> %s\n", p.paint(style, fmt.Sprintf("%-18s", label)), c.Name, c.Old.Version, c.New.Version)
		}
	}
	if section("added", len(r.Added)) {
		for _, c := range r.Added {
			fmt.Fprintf(&b, "  %s %s %s\n", p.paint(ansiGreen, "+"), c.Name, c.Version)
		}
	}
	if section("removed", len(r.Removed)) {
		for _, c := range r.Removed {
			fmt.Fprintf(&b, "  %s %s %s\n", p.paint(ansiRed, "-"), c.Name, c.Version)
		}
	}
	if section("licence changes", len(r.Licenses)) {
		for _, c := range r.Licenses {
			fmt.Fprintf(&b, "  %s: %q -> %q\n", c.Name, c.Old, c.New)
		}
	}
	if section("supplier changes", len(r.Suppliers)) {
		for _, c := range r.Suppliers {
			fmt.Fprintf(&b, "  %s: %q -> %q\n", c.Name, c.Old, c.New)
		}
	}
	if section("INTEGRITY: same version, different hash", len(r.Integrity)) {
		for _, c := range r.Integrity {
			fmt.Fprintf(&b, "  %s %s %s: %s -> %s\n", p.paint(ansiRed, c.Name), c.Version, c.Algorithm, c.Old, c.New)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
