package ingesttest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// Entry is one row of a corpus MANIFEST.tsv: a file and what an independent count says it holds.
type Entry struct {
	// File is the name relative to the corpus directory ("big/x.json" for the big set).
	File     string
	Format   sbom.Format
	Encoding sbom.Encoding
	// Spec is the spec version without prefix: "1.4", "2.3", "3.0.1".
	Spec string
	// Components is the independent component count (see the MANIFEST header).
	Components int
	Notes      string
}

// Manifest reads dir/MANIFEST.tsv and dir/big/MANIFEST.tsv (when present).
func Manifest(tb testing.TB, dir string) []Entry {
	tb.Helper()
	entries, err := readManifest(filepath.Join(dir, "MANIFEST.tsv"), "")
	if err != nil {
		tb.Fatal(err)
	}
	big, err := readManifest(filepath.Join(dir, "big", "MANIFEST.tsv"), "big/")
	if err != nil && !os.IsNotExist(err) {
		tb.Fatal(err)
	}
	return append(entries, big...)
}

func readManifest(path, prefix string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Entry
	var cols map[string]int
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for line := 1; s.Scan(); line++ {
		text := s.Text()
		if strings.HasPrefix(text, "#") || strings.TrimSpace(text) == "" {
			continue
		}
		fields := strings.Split(text, "\t")
		if cols == nil {
			cols = map[string]int{}
			for i, c := range fields {
				cols[c] = i
			}
			continue
		}
		get := func(c string) string {
			if i, ok := cols[c]; ok && i < len(fields) {
				return fields[i]
			}
			return ""
		}
		n, err := strconv.Atoi(get("component_count"))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: component_count: %v", path, line, err)
		}
		e := Entry{File: prefix + get("file"), Components: n, Notes: get("notes")}
		if err := parseFormat(get("format_and_spec"), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		out = append(out, e)
	}
	return out, s.Err()
}

// parseFormat reads "CycloneDX JSON 1.4", "SPDX tag-value SPDX-2.2", "SPDX 3 JSON-LD 3.0.1".
func parseFormat(s string, e *Entry) error {
	f := strings.Fields(s)
	if len(f) < 3 {
		return fmt.Errorf("format_and_spec %q", s)
	}
	switch f[0] {
	case "CycloneDX":
		e.Format = sbom.FormatCycloneDX
	case "SPDX":
		e.Format = sbom.FormatSPDX
	default:
		return fmt.Errorf("format %q", f[0])
	}
	enc := map[string]sbom.Encoding{
		"JSON": sbom.EncodingJSON, "XML": sbom.EncodingXML, "YAML": sbom.EncodingYAML,
		"tag-value": sbom.EncodingTagValue, "JSON-LD": sbom.EncodingJSONLD,
	}
	if f[1] == "3" {
		f = f[1:]
	}
	e.Encoding = enc[f[1]]
	e.Spec = strings.TrimPrefix(f[len(f)-1], "SPDX-")
	return nil
}
