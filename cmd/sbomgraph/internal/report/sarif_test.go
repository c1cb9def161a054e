package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// checkSARIF checks a log against the parts of the SARIF 2.1.0 schema the renderer uses:
// required properties, enumerations and the references between results and rules. It returns
// one message per violation.
func checkSARIF(data []byte) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	var log map[string]any
	if err := json.Unmarshal(data, &log); err != nil {
		return []string{err.Error()}
	}
	str := func(m map[string]any, key string) (string, bool) {
		s, ok := m[key].(string)
		return s, ok && s != ""
	}
	obj := func(v any) map[string]any { m, _ := v.(map[string]any); return m }
	arr := func(v any) []any { a, _ := v.([]any); return a }
	if v, _ := str(log, "version"); v != "2.1.0" {
		bad("version %q, want 2.1.0", v)
	}
	if s, ok := str(log, "$schema"); !ok || !strings.Contains(s, "sarif") {
		bad("$schema %q", s)
	}
	runs, ok := log["runs"].([]any)
	if !ok || len(runs) == 0 {
		return append(errs, "runs: required, a non-empty array")
	}
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	for ri, rv := range runs {
		run := obj(rv)
		driver := obj(obj(run["tool"])["driver"])
		if driver == nil {
			bad("runs[%d].tool.driver: required", ri)
			continue
		}
		if _, ok := str(driver, "name"); !ok {
			bad("runs[%d].tool.driver.name: required", ri)
		}
		var ruleIDs []string
		seen := map[string]bool{}
		for i, r := range arr(driver["rules"]) {
			rule := obj(r)
			id, ok := str(rule, "id")
			if !ok || seen[id] {
				bad("rules[%d].id %q: required and unique", i, id)
			}
			seen[id] = true
			ruleIDs = append(ruleIDs, id)
			for _, k := range []string{"shortDescription", "fullDescription"} {
				if d := obj(rule[k]); d != nil {
					if _, ok := str(d, "text"); !ok {
						bad("rules[%d].%s.text: required", i, k)
					}
				}
			}
			if c := obj(rule["defaultConfiguration"]); c != nil && !levels[fmt.Sprint(c["level"])] {
				bad("rules[%d].defaultConfiguration.level %v", i, c["level"])
			}
		}
		results, ok := run["results"].([]any)
		if !ok {
			bad("runs[%d].results: want an array", ri)
		}
		for i, rv := range results {
			res := obj(rv)
			msg := obj(res["message"])
			if _, ok := str(msg, "text"); !ok {
				bad("results[%d].message.text: required", i)
			}
			if l, ok := res["level"]; ok && !levels[fmt.Sprint(l)] {
				bad("results[%d].level %v", i, l)
			}
			id, _ := str(res, "ruleId")
			idx, ok := res["ruleIndex"].(float64)
			if !ok || int(idx) < 0 || int(idx) >= len(ruleIDs) || ruleIDs[int(idx)] != id {
				bad("results[%d]: ruleIndex %v does not point at rule %q", i, res["ruleIndex"], id)
			}
			for j, lv := range arr(res["locations"]) {
				loc := obj(lv)
				if pl := obj(loc["physicalLocation"]); pl != nil {
					if _, ok := str(obj(pl["artifactLocation"]), "uri"); !ok {
						bad("results[%d].locations[%d].physicalLocation.artifactLocation.uri: required", i, j)
					}
					if reg := obj(pl["region"]); reg != nil {
						if n, _ := reg["startLine"].(float64); n < 1 {
							bad("results[%d].locations[%d]: region.startLine %v < 1", i, j, reg["startLine"])
						}
					}
				}
				for k, ll := range arr(loc["logicalLocations"]) {
					if _, ok := str(obj(ll), "name"); !ok {
						bad("results[%d].locations[%d].logicalLocations[%d].name: required", i, j, k)
					}
				}
			}
			for k, v := range obj(res["partialFingerprints"]) {
				if _, ok := v.(string); !ok {
					bad("results[%d].partialFingerprints[%s]: want a string", i, k)
				}
			}
		}
	}
	return errs
}

func TestSARIF(t *testing.T) {
	for _, p := range append([]diffPair{examplePair}, goldenPairs...) {
		t.Run(p.name, func(t *testing.T) {
			r, _ := diffOf(t, p)
			data := renderDiff(t, p, "sarif")
			for _, e := range checkSARIF(data) {
				t.Error(e)
			}
			var log sarifLog
			if err := json.Unmarshal(data, &log); err != nil {
				t.Fatal(err)
			}
			res := log.Runs[0].Results
			if want := r.Summary.Downgraded + len(r.Integrity) + len(r.Licenses) + len(r.Hygiene.Findings); len(res) != want {
				t.Errorf("%d results, want one per downgrade, integrity, licence and hygiene finding (%d)", len(res), want)
			}
			fps := map[string]bool{}
			for _, x := range res {
				if len(x.Locations) == 0 || x.Locations[0].PhysicalLocation == nil || x.Locations[0].PhysicalLocation.ArtifactLocation.URI != corpusPath(p.new) {
					t.Errorf("result %q is not located in the new SBOM", x.Message.Text)
				}
				fp := x.PartialFingerprints["sbomgraphFinding/v1"]
				if fps[fp] {
					t.Errorf("fingerprint %s repeats (%s)", fp, x.Message.Text)
				}
				fps[fp] = true
			}
		})
	}
	// The checker itself catches what it should.
	broken := `{"version":"2.0","runs":[{"tool":{"driver":{"rules":[{"id":"a"},{"id":"a"}]}},"results":[{"ruleId":"b","ruleIndex":5,"level":"fatal","message":{}}]}]}`
	if errs := checkSARIF([]byte(broken)); len(errs) < 6 {
		t.Errorf("checker found %d problems in a broken log, want 6: %v", len(errs), errs)
	}
}
