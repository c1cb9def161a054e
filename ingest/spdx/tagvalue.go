package spdx

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/spdx/tools-golang/convert"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/common"
	tv21 "github.com/spdx/tools-golang/spdx/v2/v2_1/tagvalue/reader"
	tv22 "github.com/spdx/tools-golang/spdx/v2/v2_2/tagvalue/reader"
	tv23 "github.com/spdx/tools-golang/spdx/v2/v2_3/tagvalue/reader"
	"github.com/spdx/tools-golang/tagvalue/reader"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// tvParsers are tools-golang's tag-value parsers, by spdxVersion. tagvalue.Read does the same
// in one call; it is split here so errors can be given a line.
var tvParsers = map[string]func([]reader.TagValuePair) (common.AnyDocument, error){
	"SPDX-2.1": func(p []reader.TagValuePair) (common.AnyDocument, error) { return nilIfErr(tv21.ParseTagValues(p)) },
	"SPDX-2.2": func(p []reader.TagValuePair) (common.AnyDocument, error) { return nilIfErr(tv22.ParseTagValues(p)) },
	"SPDX-2.3": func(p []reader.TagValuePair) (common.AnyDocument, error) { return nilIfErr(tv23.ParseTagValues(p)) },
}

// nilIfErr keeps a typed nil document from becoming a non-nil interface.
func nilIfErr[T any](doc *T, err error) (common.AnyDocument, error) {
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// tvPairs is a tag-value document split into its (tag, value) pairs, with the line each
// starts on.
type tvPairs struct {
	pairs []reader.TagValuePair
	lines []int
}

// readTagValue reads an SPDX 2 tag-value document.
func readTagValue(data []byte) (*parsed, error) {
	all, err := splitTagValue(data)
	if err != nil {
		return nil, err
	}
	version := ""
	for _, p := range all.pairs {
		if p.Tag == "SPDXVersion" {
			version = p.Value
			break
		}
	}
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	tv, snippets, fixes := prepareTagValue(all)
	parse := tvParsers[version]
	doc, err := safely(func() (common.AnyDocument, error) { return parse(tv.pairs) })
	if err != nil {
		line := tvErrorLine(tv, parse, err)
		return nil, fmt.Errorf("%w: line %d: %w", sbom.ErrInvalid, line, err)
	}
	var latest spdx.Document
	if _, err := safely(func() (struct{}, error) { return struct{}{}, convert.Document(doc, &latest) }); err != nil {
		return nil, fmt.Errorf("%w: converting the %s document to the 2.3 model: %w", sbom.ErrInvalid, version, err)
	}
	return &parsed{doc: &latest, version: version, elsewhere: snippets, fixes: fixes}, nil
}

// splitTagValue splits a tag-value document into pairs the way tools-golang's
// reader.ReadTagValues does (blank and # lines skipped, "Tag: value" split at the first
// colon, <text>...</text> values spanning lines), but records each pair's line and has no
// limit on line length. Errors wrap sbom.ErrInvalid and give the line.
func splitTagValue(data []byte) (tvPairs, error) {
	lines := bytes.Count(data, []byte("\n")) + 1
	var (
		out        = tvPairs{pairs: make([]reader.TagValuePair, 0, lines), lines: make([]int, 0, lines)}
		inText     bool
		tag, value string
		start      int
	)
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if inText {
			before, _, closed := bytes.Cut(line, []byte("</text>"))
			if !closed {
				value += string(line) + "\n"
				continue
			}
			out.add(tag, value+string(before), start)
			inText = false
			continue
		}
		text := strings.TrimLeftFunc(string(line), unicode.IsSpace)
		if text == "" || text[0] == '#' {
			continue
		}
		t, rest, ok := strings.Cut(text, ":")
		if !ok {
			return out, fmt.Errorf("%w: line %d: no colon in %q (expected \"Tag: value\")", sbom.ErrInvalid, n, abbreviate(text))
		}
		tag, start = strings.TrimSpace(t), n
		_, afterOpen, hasText := strings.Cut(rest, "<text>")
		if !hasText {
			out.add(tag, strings.TrimSpace(rest), n)
			continue
		}
		if inner, _, closed := strings.Cut(afterOpen, "</text>"); closed {
			out.add(tag, inner, n)
			continue
		}
		value, inText = afterOpen+"\n", true
	}
	if inText {
		return out, fmt.Errorf("%w: line %d: the <text> value of %s is never closed with </text>", sbom.ErrInvalid, start, tag)
	}
	return out, nil
}

func (t *tvPairs) add(tag, value string, line int) {
	t.pairs = append(t.pairs, reader.TagValuePair{Tag: tag, Value: value})
	t.lines = append(t.lines, line)
}

// snippetTags are the tags of a snippet section. LicenseInfoInSnippet is the only one without
// the Snippet prefix.
func isSnippetTag(tag string) bool {
	return strings.HasPrefix(tag, "Snippet") || tag == "LicenseInfoInSnippet"
}

// prepareTagValue returns the pairs tools-golang is given: snippet sections taken out (their
// ids returned), and the supplier, originator, creator and relationship values tools-golang
// would reject fixed or dropped, one fix each (see repairJSON for the same in JSON). It reuses
// in's storage.
func prepareTagValue(in tvPairs) (out tvPairs, snippets []string, fixes []fix) {
	out = tvPairs{pairs: in.pairs[:0], lines: in.lines[:0]}
	// The package being read: its SPDXID, or until that is read, the line it starts on.
	pkgID, pkgLine := "", 0
	pkg := func() string {
		if pkgID == "" {
			return fmt.Sprintf("line %d", pkgLine)
		}
		return pkgID
	}
	droppedRelationship := false
	for i, p := range in.pairs {
		line := in.lines[i]
		if p.Tag == "RelationshipComment" && droppedRelationship {
			continue // belongs to the relationship dropped just before
		}
		droppedRelationship = false
		switch {
		case isSnippetTag(p.Tag):
			if p.Tag == "SnippetSPDXID" {
				snippets = append(snippets, p.Value)
			}
			continue
		case p.Tag == "PackageName":
			pkgID, pkgLine = "", line
		case p.Tag == "SPDXID" && pkgLine > 0 && pkgID == "":
			pkgID = p.Value
		case p.Tag == "PackageSupplier" || p.Tag == "PackageOriginator":
			typ, _, hasType := strings.Cut(p.Value, ":")
			switch typ = strings.TrimSpace(typ); {
			case p.Value == "":
				fixes = append(fixes, fix{sbom.WarnInvalidField, pkg(), fmt.Sprintf("package %s: %s is empty (line %d); ignored", pkg(), p.Tag, line)})
				continue
			case p.Value != "NOASSERTION" && (!hasType || typ != "Person" && typ != "Organization"):
				fixes = append(fixes, fix{sbom.WarnInvalidField, pkg(),
					fmt.Sprintf("package %s: %s %q (line %d) has no Person: or Organization: type; read as a name", pkg(), p.Tag, p.Value, line)})
				p.Value = "Organization: " + p.Value
			}
		case p.Tag == "Creator":
			typ, _, _ := strings.Cut(p.Value, ":")
			if typ = strings.TrimSpace(typ); typ != "Tool" && typ != "Person" && typ != "Organization" {
				fixes = append(fixes, fix{sbom.WarnInvalidField, "Creator",
					fmt.Sprintf("creator %q (line %d) has no Tool:, Person: or Organization: type; ignored", p.Value, line)})
				continue
			}
		case p.Tag == "Relationship":
			if f := strings.Fields(p.Value); len(f) == 3 {
				bad := firstBadRef(f[0], f[2])
				if f[0] == "NONE" || f[0] == "NOASSERTION" {
					bad = f[0] // allowed only on the right in tag-value
				}
				if bad != "" {
					fixes = append(fixes, fix{sbom.WarnDanglingRef, bad,
						fmt.Sprintf("relationship %q (line %d) names %q, which is not an SPDX element id; ignored", p.Value, line, bad)})
					droppedRelationship = true
					continue
				}
			}
		}
		out.add(p.Tag, p.Value, line)
	}
	return out, snippets, fixes
}

// firstBadRef returns the first of ids that is not an SPDX element reference, or "".
func firstBadRef(ids ...string) string {
	for _, id := range ids {
		if !isElementRef(id) {
			return id
		}
	}
	return ""
}

// tvErrorLine finds the line of the pair that made parse fail with err. tools-golang's errors
// do not say, and its parser stops at the first bad pair, so it searches for the shortest
// prefix of the pairs that fails with the same message; an error found only at the end (a
// package without SPDXID) is placed at the line that opened the offending section.
func tvErrorLine(tv tvPairs, parse func([]reader.TagValuePair) (common.AnyDocument, error), err error) int {
	if len(tv.pairs) == 0 {
		return 1
	}
	msg := err.Error()
	fails := func(k int) bool {
		_, e := safely(func() (common.AnyDocument, error) { return parse(tv.pairs[:k]) })
		return e != nil && e.Error() == msg
	}
	lo, hi := 1, len(tv.pairs)
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return tv.lines[lo-1]
}

// abbreviate shortens s for an error message.
func abbreviate(s string) string {
	const n = 60
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}
