package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// inspectReport is what `inspect` says about one file; its JSON form is the -o json output.
type inspectReport struct {
	File        string         `json:"file"`
	Error       string         `json:"error,omitempty"`
	Format      sbom.Format    `json:"format,omitempty"`
	Encoding    sbom.Encoding  `json:"encoding,omitempty"`
	SpecVersion string         `json:"specVersion,omitempty"`
	Generator   []string       `json:"generator,omitempty"`
	Created     *time.Time     `json:"created,omitempty"`
	Compression string         `json:"compression,omitempty"`
	Envelope    *sbom.Envelope `json:"envelope,omitempty"`
	Digest      string         `json:"digest,omitempty"`
	Subject     *sbom.Subject  `json:"subject,omitempty"`
	Components  int            `json:"components"`
	Unique      int            `json:"unique"`
	Edges       int            `json:"edges"`
	Warnings    []sbom.Warning `json:"warnings"`
	// ComponentList is the normalised component list, with --components.
	ComponentList []inspectComponent `json:"componentList,omitempty"`
}

// inspectComponent is one normalised component in `inspect --components`.
type inspectComponent struct {
	Purl     string      `json:"purl,omitempty"`
	Key      string      `json:"key"`
	Name     string      `json:"name"`
	Version  string      `json:"version,omitempty"`
	Type     string      `json:"type,omitempty"`
	Licenses string      `json:"licenses,omitempty"`
	Hashes   []sbom.Hash `json:"hashes,omitempty"`
}

func runInspect(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "inspect", "[-o text|json] [--components] FILE...")
	out := fs.String("o", "text", "output format: text or json")
	withComponents := fs.Bool("components", false, "also list the normalised components")
	var limits sbom.Limits
	fs.Int64Var(&limits.MaxBytes, "max-bytes", sbom.DefaultLimits.MaxBytes, "largest SBOM accepted, in bytes after decompression")
	fs.IntVar(&limits.MaxDepth, "max-depth", sbom.DefaultLimits.MaxDepth, "deepest nesting accepted")
	fs.IntVar(&limits.MaxComponents, "max-components", sbom.DefaultLimits.MaxComponents, "most components accepted in one SBOM")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := outputFormat(*out, "text", "json"); err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: no FILE given", errUsage)
	}
	reports := make([]inspectReport, 0, len(files))
	failed := 0
	for _, f := range files {
		doc, err := ingest.DecodeFile(ctx, f, ingest.Options{Limits: limits})
		if err != nil {
			failed++
			reports = append(reports, inspectReport{File: f, Error: err.Error(), Warnings: []sbom.Warning{}})
			continue
		}
		reports = append(reports, newInspectReport(f, doc, *withComponents))
	}
	if *out == "json" {
		err = writeJSON(e.stdout, reports)
	} else {
		err = writeInspectText(e.stdout, reports)
	}
	if err != nil {
		return err
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d files could not be read", failed, len(files))}
	}
	return nil
}

func newInspectReport(file string, doc *sbom.Document, withComponents bool) inspectReport {
	r := inspectReport{
		File:        file,
		Format:      doc.Source.Format,
		Encoding:    doc.Source.Encoding,
		SpecVersion: doc.Source.SpecVersion,
		Generator:   doc.Source.Tools,
		Compression: doc.Source.Compression,
		Envelope:    doc.Source.Envelope,
		Digest:      doc.Source.Digest,
		Subject:     &doc.Subject,
		Components:  doc.Entries(),
		Unique:      doc.Unique(),
		Edges:       len(doc.Edges),
		Warnings:    doc.Warnings,
	}
	if !doc.Source.Created.IsZero() {
		t := doc.Source.Created.UTC()
		r.Created = &t
	}
	if withComponents {
		r.ComponentList = make([]inspectComponent, 0, len(doc.Components))
		for _, c := range doc.Components {
			if c.Metadata {
				continue
			}
			r.ComponentList = append(r.ComponentList, inspectComponent{
				Purl: c.Purl, Key: c.Key, Name: c.Name, Version: c.Version, Type: c.Type, Licenses: c.Licenses, Hashes: c.Hashes,
			})
		}
	}
	return r
}

// writeJSON writes one object for one report and an array for several, indented, with a
// trailing newline.
func writeJSON(w io.Writer, reports []inspectReport) error {
	var v any = reports
	if len(reports) == 1 {
		v = reports[0]
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// warningExamples is how many warnings of each code the text output shows.
const warningExamples = 5

func writeInspectText(w io.Writer, reports []inspectReport) error {
	var b strings.Builder
	for i, r := range reports {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(r.File + "\n")
		if r.Error != "" {
			fmt.Fprintf(&b, "  error       %s\n", r.Error)
			continue
		}
		fmt.Fprintf(&b, "  format      %s %s (%s", r.Format, r.SpecVersion, r.Encoding)
		if r.Compression != "" {
			b.WriteString(", " + r.Compression)
		}
		if r.Envelope != nil {
			b.WriteString(", in " + r.Envelope.Type)
			if n := len(r.Envelope.Signatures); n > 0 {
				fmt.Fprintf(&b, " with %d signature(s), not verified", n)
			}
		}
		b.WriteString(")\n")
		if len(r.Generator) > 0 {
			fmt.Fprintf(&b, "  generator   %s\n", strings.Join(r.Generator, ", "))
		}
		if r.Created != nil {
			fmt.Fprintf(&b, "  created     %s\n", r.Created.Format(time.RFC3339))
		}
		fmt.Fprintf(&b, "  subject     %s\n", subjectString(r.Subject))
		fmt.Fprintf(&b, "  components  %d (%d unique)\n", r.Components, r.Unique)
		fmt.Fprintf(&b, "  edges       %d\n", r.Edges)
		fmt.Fprintf(&b, "  warnings    %d\n", len(r.Warnings))
		writeWarningsText(&b, r.Warnings)
		if len(r.ComponentList) > 0 {
			b.WriteString("  component list:\n")
			for _, c := range r.ComponentList {
				id := c.Purl
				if id == "" {
					id = c.Key + " " + c.Version
				}
				fmt.Fprintf(&b, "    %s", id)
				if c.Type != "" {
					fmt.Fprintf(&b, "  [%s]", c.Type)
				}
				if c.Licenses != "" {
					fmt.Fprintf(&b, "  %s", c.Licenses)
				}
				b.WriteByte('\n')
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeWarningsText groups warnings by code, each code with a count and a few examples.
func writeWarningsText(b *strings.Builder, ws []sbom.Warning) {
	byCode := map[sbom.WarningCode][]sbom.Warning{}
	for _, w := range ws {
		byCode[w.Code] = append(byCode[w.Code], w)
	}
	codes := make([]string, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	for _, c := range codes {
		list := byCode[sbom.WarningCode(c)]
		fmt.Fprintf(b, "    %-20s %d\n", c, len(list))
		for i, w := range list {
			if i == warningExamples {
				fmt.Fprintf(b, "      ... %d more (-o json lists all)\n", len(list)-warningExamples)
				break
			}
			fmt.Fprintf(b, "      %s\n", w.Message)
		}
	}
}

func subjectString(s *sbom.Subject) string {
	if s == nil || s.Name == "" && s.Version == "" && s.Digest == "" {
		return "(not stated)"
	}
	out := s.Name
	if s.Version != "" {
		out += ":" + s.Version
	}
	if s.Digest != "" {
		out += "@" + s.Digest
	}
	if s.Type != "" {
		out += " (" + s.Type + ")"
	}
	return out
}
