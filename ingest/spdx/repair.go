package spdx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// repairJSON fixes, in a copy of an SPDX JSON document, the values real generators write that
// tools-golang rejects outright, failing the whole document:
//
//   - a package supplier or originator that is empty (apko writes "originator": "") is
//     dropped; one without a "Person:" or "Organization:" type is kept as an organisation's
//     name (the type is not part of the model);
//   - a creator without a "Tool:", "Person:" or "Organization:" type is dropped;
//   - a relationship, documentDescribes or hasFiles entry naming something that is not an SPDX
//     element id ("SPDXRef-...", "DocumentRef-...", NONE, NOASSERTION) is dropped.
//
// It returns the repaired JSON and one fix per change, or nil fixes when js does not decode or
// needs none of these repairs.
func repairJSON(js []byte) ([]byte, []fix) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return nil, nil
	}
	var fixes []fix
	if ci, ok := root["creationInfo"].(map[string]any); ok {
		if creators, ok := ci["creators"].([]any); ok {
			kept := creators[:0]
			for _, c := range creators {
				if s, ok := c.(string); ok && strings.Contains(s, ":") {
					kept = append(kept, c)
					continue
				}
				fixes = append(fixes, fix{sbom.WarnInvalidField, "creationInfo.creators",
					fmt.Sprintf("creator %v has no Tool:, Person: or Organization: type; ignored", jsonText(c))})
			}
			ci["creators"] = kept
		}
	}
	validID := func(v any) bool { s, ok := v.(string); return ok && isElementRef(s) }
	packages, _ := root["packages"].([]any)
	for _, p := range packages {
		pkg, ok := p.(map[string]any)
		if !ok {
			continue
		}
		id, _ := pkg["SPDXID"].(string)
		for _, field := range []string{"supplier", "originator"} {
			v, present := pkg[field]
			if !present {
				continue
			}
			s, _ := v.(string)
			s = strings.TrimSpace(s)
			switch {
			case s == "":
				delete(pkg, field)
				fixes = append(fixes, fix{sbom.WarnInvalidField, id, fmt.Sprintf("package %s has %s %s; ignored", id, field, jsonText(v))})
			case s != "NOASSERTION" && !strings.Contains(s, ":"):
				pkg[field] = "Organization: " + s
				fixes = append(fixes, fix{sbom.WarnInvalidField, id,
					fmt.Sprintf("package %s has %s %q without a Person: or Organization: type; read as a name", id, field, s)})
			}
		}
		if files, ok := pkg["hasFiles"].([]any); ok {
			pkg["hasFiles"] = keepIDs(files, validID, &fixes, "hasFiles of "+id)
		}
	}
	if described, ok := root["documentDescribes"].([]any); ok {
		root["documentDescribes"] = keepIDs(described, validID, &fixes, "documentDescribes")
	}
	if rels, ok := root["relationships"].([]any); ok {
		kept := rels[:0]
		for _, r := range rels {
			rel, ok := r.(map[string]any)
			if !ok {
				kept = append(kept, r)
				continue
			}
			bad := ""
			for _, end := range []string{"spdxElementId", "relatedSpdxElement"} {
				if v, present := rel[end]; present && !validID(v) {
					bad = jsonText(v)
				}
			}
			if bad == "" {
				kept = append(kept, r)
				continue
			}
			fixes = append(fixes, fix{sbom.WarnDanglingRef, strings.Trim(bad, `"`),
				fmt.Sprintf("relationship %s %v %s names %s, which is not an SPDX element id; ignored",
					jsonText(rel["spdxElementId"]), rel["relationshipType"], jsonText(rel["relatedSpdxElement"]), bad)})
		}
		root["relationships"] = kept
	}
	if fixes == nil {
		return nil, nil
	}
	out, err := json.Marshal(root)
	if err != nil {
		return nil, nil
	}
	return out, fixes
}

// keepIDs returns the entries of ids that valid accepts, adding a fix for each one dropped.
func keepIDs(ids []any, valid func(any) bool, fixes *[]fix, where string) []any {
	kept := ids[:0]
	for _, v := range ids {
		if valid(v) {
			kept = append(kept, v)
			continue
		}
		*fixes = append(*fixes, fix{sbom.WarnDanglingRef, strings.Trim(jsonText(v), `"`),
			fmt.Sprintf("%s names %s, which is not an SPDX element id; ignored", where, jsonText(v))})
	}
	return kept
}

// isElementRef reports whether s is a reference tools-golang accepts where an SPDX element is
// named: SPDXRef-x, DocumentRef-x, DocumentRef-x:SPDXRef-y, NONE or NOASSERTION.
func isElementRef(s string) bool {
	if s == "NONE" || s == "NOASSERTION" {
		return true
	}
	if rest, ok := strings.CutPrefix(s, "DocumentRef-"); ok {
		doc, elem, hasElem := strings.Cut(rest, ":")
		if doc == "" {
			return false
		}
		if !hasElem {
			return true
		}
		s = elem
	}
	id, ok := strings.CutPrefix(s, "SPDXRef-")
	return ok && id != ""
}

// jsonText renders a decoded JSON value for a message.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
