package spdx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/spdx/tools-golang/spdx"
	spdxyaml "github.com/spdx/tools-golang/yaml"
	"sigs.k8s.io/yaml"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// readYAML reads an SPDX 2 YAML document.
func readYAML(data []byte) (*parsed, error) {
	version, err := yamlVersion(data)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	doc, err := safely(func() (*spdx.Document, error) { return spdxyaml.Read(bytes.NewReader(data)) })
	if err != nil {
		return nil, yamlError(data, err)
	}
	return &parsed{doc: doc, version: version}, nil
}

// yamlVersion returns the document's spdxVersion: from its top-level "spdxVersion:" line, or,
// when the document is written in a style without one (flow mappings), by decoding it.
func yamlVersion(data []byte) (string, error) {
	if v, ok := sniffLineValue(data, "spdxVersion", false); ok {
		return unquoteYAML(v), nil
	}
	var head struct {
		SPDXVersion string `json:"spdxVersion"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		return "", yamlError(data, err)
	}
	return head.SPDXVersion, nil
}

// unquoteYAML returns the string a one-line YAML scalar stands for: quotes removed, or for a
// plain scalar, a trailing comment.
func unquoteYAML(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(v, `"`):
		if end := strings.LastIndexByte(v, '"'); end > 0 {
			if s, err := strconv.Unquote(v[:end+1]); err == nil {
				return s
			}
			return v[1:end]
		}
	case strings.HasPrefix(v, `'`):
		if end := strings.LastIndexByte(v, '\''); end > 0 {
			return strings.ReplaceAll(v[1:end], "''", "'")
		}
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v
}

// yamlLine matches the line number in the YAML parser's messages ("yaml: line 5: ...").
var yamlLine = regexp.MustCompile(`\bline (\d+)\b`)

// yamlError turns an error from reading YAML into one wrapping sbom.ErrInvalid that says on
// which line the problem is. Syntax errors name their line already; errors found after the
// YAML was converted to JSON are placed at the first line holding the offending key or value.
func yamlError(data []byte, err error) error {
	if yamlLine.MatchString(err.Error()) {
		return fmt.Errorf("%w: %w", sbom.ErrInvalid, err)
	}
	loc := &locator{src: data, lines: true, forms: yamlForms}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		key := typ.Field[strings.LastIndexByte(typ.Field, '.')+1:]
		return invalidAt(yamlKeyLine(loc, key), err)
	}
	return invalidAt(loc.find(libValue(err.Error())), err)
}

// yamlForms returns how YAML may write the string v as a mapping value or sequence entry.
func yamlForms(v string) []string {
	var forms []string
	for _, lead := range []string{": ", "- "} {
		for _, f := range append(jsonForms(v), "'"+strings.ReplaceAll(v, "'", "''")+"'", v+"\n", v+"\r\n", v+" #") {
			forms = append(forms, lead+f)
		}
	}
	return forms
}

// yamlKeyLine describes the first line on which key is a mapping key, or returns "".
func yamlKeyLine(loc *locator, key string) string {
	if key == "" {
		return ""
	}
	off := 0
	for _, line := range bytes.SplitAfter(loc.src, []byte("\n")) {
		t := bytes.TrimLeft(line, " \t")
		t = bytes.TrimLeft(bytes.TrimPrefix(t, []byte("-")), " \t")
		if rest, ok := bytes.CutPrefix(t, []byte(key)); ok && bytes.HasPrefix(bytes.TrimLeft(rest, " \t"), []byte(":")) {
			return loc.at(int64(off))
		}
		off += len(line)
	}
	return ""
}
