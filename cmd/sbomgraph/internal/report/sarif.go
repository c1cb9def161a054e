package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/sbomgraph/sbomgraph/graph/diff"
)

// SARIF 2.1.0 (OASIS), the subset sbomgraph writes: one run, one rule per finding kind, one
// result per finding.

// SARIFVersion and SARIFSchema identify the format written by the sarif renderer.
const (
	SARIFVersion = "2.1.0"
	SARIFSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           sarifRuleProps  `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags []string `json:"tags"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

// sarifRuleDef describes one rule: its id, level and text.
type sarifRuleDef struct {
	id, name, level, short, full string
}

// sarifRules are every rule sbomgraph reports, in a fixed order so rule indexes are stable.
func sarifRules() []sarifRuleDef {
	rules := []sarifRuleDef{
		{"downgrade", "PackageDowngrade", "warning", "A package was downgraded",
			"A package present in both versions has a lower version in the new one, by its ecosystem's version rules. Downgrades often reintroduce fixed vulnerabilities."},
		{"integrity", "SameVersionDifferentHash", "error", "Same version, different hash",
			"A package has the same version in both SBOMs but a different hash for the same algorithm: the artefact was rebuilt or replaced."},
		{"license-change", "LicenceChange", "note", "A package's licence changed",
			"A package present in both versions declares a licence expression in the new SBOM that is not equivalent to the old one."},
	}
	for _, k := range diff.HygieneKinds {
		rules = append(rules, sarifRuleDef{"hygiene/" + string(k), "Hygiene" + pascal(string(k)), "warning", hygieneShort[k], hygieneFull[k]})
	}
	return rules
}

var hygieneShort = map[diff.HygieneKind]string{
	diff.HygieneShell:             "A shell was added to the image",
	diff.HygienePackageManager:    "A package manager was added to the image",
	diff.HygieneToolchain:         "A compiler or build toolchain was added to the image",
	diff.HygieneNetworkTool:       "A network tool was added to the image",
	diff.HygieneBaseOSChanged:     "The base OS changed",
	diff.HygieneBaseOSUnsupported: "The base OS is past the end of its support",
	diff.HygieneBloat:             "The image's package count grew past the threshold",
}

var hygieneFull = map[diff.HygieneKind]string{
	diff.HygieneShell:             "The new image has a shell (bash, dash, busybox, ...) the old one did not. Images without a shell leave an intruder less to work with.",
	diff.HygienePackageManager:    "The new image has a package manager (apt, dpkg, apk-tools, dnf, pip, ...) the old one did not. A package manager lets anyone with a shell install more software.",
	diff.HygieneToolchain:         "The new image has a compiler or build tool (gcc, make, binutils, ...) the old one did not. Toolchains belong in the build stage of a multi-stage build.",
	diff.HygieneNetworkTool:       "The new image has a download or connect tool (curl, wget, netcat, ...) the old one did not.",
	diff.HygieneBaseOSChanged:     "The base OS distribution, release line or variant differs between the two images.",
	diff.HygieneBaseOSUnsupported: "The new image's base OS release is past the end of its security support, by the release calendar in sbomgraph's hygiene rules.",
	diff.HygieneBloat:             "The new image lists more packages than the old one by more than the bloat threshold.",
}

// pascal turns "base-os-changed" into "BaseOsChanged".
func pascal(s string) string {
	out := make([]byte, 0, len(s))
	up := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		out = append(out, c)
	}
	return string(out)
}

// sarifLevel maps a hygiene severity to a SARIF level.
func sarifLevel(s diff.Severity) string {
	switch s {
	case diff.SeverityHigh:
		return "error"
	case diff.SeverityMedium:
		return "warning"
	}
	return "note"
}

// writeDiffSARIF writes the diff's findings (downgrades, integrity, licence changes, hygiene)
// as a SARIF 2.1.0 log.
func writeDiffSARIF(w io.Writer, r *diff.Result, opts DiffOptions) error {
	defs := sarifRules()
	index := map[string]int{}
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "sbomgraph", InformationURI: "https://github.com/sbomgraph/sbomgraph"}}, Results: []sarifResult{}}
	for i, d := range defs {
		index[d.id] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: d.id, Name: d.name, ShortDescription: sarifText{d.short}, FullDescription: sarifText{d.full},
			DefaultConfiguration: sarifRuleConfig{Level: d.level},
			Properties:           sarifRuleProps{Tags: []string{"supply-chain", "sbom"}},
		})
	}
	add := func(rule, level, msg, purl, name string) {
		res := sarifResult{RuleID: rule, RuleIndex: index[rule], Level: level, Message: sarifText{msg}}
		loc := sarifLocation{}
		if opts.NewURI != "" {
			loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: opts.NewURI}, Region: sarifRegion{StartLine: 1}}
		}
		if name != "" {
			loc.LogicalLocations = []sarifLogical{{Name: name, FullyQualifiedName: purl, Kind: "module"}}
		}
		if loc.PhysicalLocation != nil || loc.LogicalLocations != nil {
			res.Locations = []sarifLocation{loc}
		}
		sum := sha256.Sum256([]byte(rule + "\x00" + msg))
		res.PartialFingerprints = map[string]string{"sbomgraphFinding/v1": hex.EncodeToString(sum[:16])}
		run.Results = append(run.Results, res)
	}
	for _, c := range changes(r, diff.Downgrade) {
		add("downgrade", "warning", fmt.Sprintf("%s downgraded from %s to %s (%s)", c.Name, c.Old.Version, c.New.Version, c.Level), c.New.Purl, c.Name)
	}
	for _, c := range r.Integrity {
		add("integrity", "error", fmt.Sprintf("%s %s: %s hash changed from %s to %s with the version unchanged", c.Name, c.Version, c.Algorithm, c.Old, c.New), c.Purl, c.Name)
	}
	for _, c := range r.Licenses {
		add("license-change", "note", fmt.Sprintf("%s %s: licence changed from %s to %s", c.Name, c.NewVersion, licenseOrNone(c.Old), licenseOrNone(c.New)), "", c.Name)
	}
	for _, f := range r.Hygiene.Findings {
		purl, name := "", ""
		if f.Component != nil {
			purl, name = f.Component.Purl, f.Component.Name
		}
		add("hygiene/"+string(f.Kind), sarifLevel(f.Severity), f.Message, purl, name)
	}
	return writeJSON(w, sarifLog{Schema: SARIFSchema, Version: SARIFVersion, Runs: []sarifRun{run}})
}
