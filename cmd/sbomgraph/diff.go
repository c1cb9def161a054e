package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/ingest"
)

// runDiff diffs two SBOM files offline with the release-diff engine. (Diffs of stored image
// versions go through the server; see the README.)
func runDiff(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "diff", "[-o text|json] OLD.sbom NEW.sbom")
	out := fs.String("o", "text", "output format: text or json")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := outputFormat(*out, "text", "json"); err != nil {
		return err
	}
	if len(files) != 2 {
		fs.Usage()
		return fmt.Errorf("%w: want OLD and NEW, got %d arguments", errUsage, len(files))
	}
	old, err := ingest.DecodeFile(ctx, files[0], ingest.Options{})
	if err != nil {
		return err
	}
	new, err := ingest.DecodeFile(ctx, files[1], ingest.Options{})
	if err != nil {
		return err
	}
	r := diff.Documents(old, new)
	if *out == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	return writeDiffText(e.stdout, files[0], files[1], r)
}

func writeDiffText(w io.Writer, oldName, newName string, r *diff.Result) error {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "old  %s: %s, %d packages, %d files\n", oldName, subjectString(&r.Old.Subject), r.Old.Packages, r.Old.Files)
	fmt.Fprintf(&b, "new  %s: %s, %d packages, %d files\n\n", newName, subjectString(&r.New.Subject), r.New.Packages, r.New.Files)
	fmt.Fprintf(&b, "added %d  removed %d  upgraded %d  downgraded %d  rebuilt %d  unordered %d  unchanged %d\n",
		s.Added, s.Removed, s.Upgraded, s.Downgraded, s.Rebuilt, s.Unordered, s.Unchanged)
	fmt.Fprintf(&b, "licence changes %d  supplier changes %d  integrity %d  edges +%d -%d  files +%d -%d ~%d\n",
		s.LicenseChanges, s.SupplierChanges, s.Integrity, s.EdgesAdded, s.EdgesRemoved, s.FilesAdded, s.FilesRemoved, s.FilesChanged)
	section := func(title string, n int) bool {
		if n == 0 {
			return false
		}
		fmt.Fprintf(&b, "\n%s (%d)\n", title, n)
		return true
	}
	if section("changed", len(r.Changed)) {
		for _, c := range r.Changed {
			label := string(c.Kind)
			if c.Level != "" {
				label += " " + c.Level
			}
			fmt.Fprintf(&b, "  %-18s %s %s -> %s\n", label, c.Name, c.Old.Version, c.New.Version)
		}
	}
	if section("added", len(r.Added)) {
		for _, c := range r.Added {
			fmt.Fprintf(&b, "  + %s %s\n", c.Name, c.Version)
		}
	}
	if section("removed", len(r.Removed)) {
		for _, c := range r.Removed {
			fmt.Fprintf(&b, "  - %s %s\n", c.Name, c.Version)
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
			fmt.Fprintf(&b, "  %s %s %s: %s -> %s\n", c.Name, c.Version, c.Algorithm, c.Old, c.New)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
