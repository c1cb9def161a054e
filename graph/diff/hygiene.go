package diff

import (
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// HygieneKind classifies a HygieneFinding.
type HygieneKind string

// The kinds of hygiene finding. The first four are categories of component whose members the
// rules list per ecosystem (see hygiene.yaml).
const (
	// HygieneShell: an interactive shell was added.
	HygieneShell HygieneKind = "shell"
	// HygienePackageManager: a package manager was added.
	HygienePackageManager HygieneKind = "package-manager"
	// HygieneToolchain: a compiler or build tool was added.
	HygieneToolchain HygieneKind = "toolchain"
	// HygieneNetworkTool: a download or connect tool (curl, wget, netcat, ...) was added.
	HygieneNetworkTool HygieneKind = "network-tool"
	// HygieneBaseOSChanged: the base OS distribution, release line or variant changed.
	HygieneBaseOSChanged HygieneKind = "base-os-changed"
	// HygieneBaseOSUnsupported: the new base OS release is past the end of its support.
	HygieneBaseOSUnsupported HygieneKind = "base-os-unsupported"
	// HygieneBloat: the package count grew by more than the threshold.
	HygieneBloat HygieneKind = "bloat"
)

// HygieneKinds lists every kind, in the order reports present them.
var HygieneKinds = []HygieneKind{
	HygieneBaseOSUnsupported, HygieneBaseOSChanged, HygieneToolchain, HygienePackageManager,
	HygieneShell, HygieneNetworkTool, HygieneBloat,
}

// categoryKinds are the kinds whose members the rules list by name.
var categoryKinds = []HygieneKind{HygieneToolchain, HygienePackageManager, HygieneShell, HygieneNetworkTool}

// Severity ranks a hygiene finding.
type Severity string

// The severities, highest first.
const (
	SeverityHigh   Severity = "high"
	SeverityMedium Severity = "medium"
	SeverityLow    Severity = "low"
)

// Rank orders severities: 3 for high, 2 medium, 1 low, 0 for anything else.
func (s Severity) Rank() int {
	switch s {
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

// Hygiene is the image-hygiene part of a release diff: the base OS of each side and what the
// new side does worse than the old by the rules (see HygieneRules).
type Hygiene struct {
	// OldOS and NewOS are each side's base OS; null when the document names none.
	OldOS *BaseOS `json:"oldOS"`
	NewOS *BaseOS `json:"newOS"`
	// Findings are sorted by severity (highest first), kind (in HygieneKinds order), then
	// component key.
	Findings []HygieneFinding `json:"findings"`
	// Error is set, and Findings empty, when the hygiene rules could not be read.
	Error string `json:"error,omitempty"`
}

// HygieneFinding is one hygiene problem of the new side.
type HygieneFinding struct {
	Kind     HygieneKind `json:"kind"`
	Severity Severity    `json:"severity"`
	// Component is the added component, for the category kinds.
	Component *Component `json:"component,omitempty"`
	// Old and New describe the two sides for the base-OS and bloat kinds ("debian 11",
	// "107 packages").
	Old     string `json:"old,omitempty"`
	New     string `json:"new,omitempty"`
	Message string `json:"message"`
}

// BaseOS is the operating system an image is built on, as its SBOM says.
type BaseOS struct {
	// ID is the os-release ID, lower-cased: "debian", "alpine", "ubuntu".
	ID string `json:"id"`
	// Version is the version as written: "12.15", "3.16.2", "20.04".
	Version string `json:"version,omitempty"`
	// Release is the release line of the rules that Version belongs to ("12", "3.16"); empty
	// when the rules do not know the distribution or the release.
	Release  string `json:"release,omitempty"`
	Codename string `json:"codename,omitempty"`
	// Variant is an image flavour named by the rules (e.g. "distroless"), from the image name.
	Variant string `json:"variant,omitempty"`
	// EOL is the day the release's regular security support ends, ExtendedEOL the day its
	// extended (LTS) support ends; YYYY-MM-DD, empty when unknown.
	EOL         string `json:"eol,omitempty"`
	ExtendedEOL string `json:"extendedEol,omitempty"`
	// Source says where it was read: "operating-system component" or "purl distro qualifier".
	Source string `json:"source"`
}

// String describes b: "debian 12.15", "distroless (debian 11)".
func (b *BaseOS) String() string {
	if b == nil {
		return "none"
	}
	s := strings.TrimSpace(b.ID + " " + b.Version)
	if b.Variant != "" {
		s = b.Variant + " (" + s + ")"
	}
	return s
}

// line is what identifies b's release line: the rules' release when known, else the version.
func (b *BaseOS) line() string {
	if b.Release != "" {
		return b.Release
	}
	return b.Version
}

// HygieneRules say what counts as a shell, a package manager, a toolchain and a network tool,
// which base OS releases are supported until when, and the bloat threshold. The defaults are
// hygiene.yaml beside this file (see DefaultHygieneRules); ParseHygieneRules reads another.
type HygieneRules struct {
	Bloat            BloatThreshold            `json:"bloat"`
	EcosystemAliases map[string]string         `json:"ecosystemAliases"`
	Categories       map[HygieneKind]*Category `json:"categories"`
	BaseOS           BaseOSRules               `json:"baseOS"`
}

// BloatThreshold: a finding needs the package count to grow by more than Percent per cent
// and by at least Min packages.
type BloatThreshold struct {
	Percent float64 `json:"percent"`
	Min     int     `json:"min"`
}

// Category lists the members of one category kind.
type Category struct {
	Severity    Severity `json:"severity"`
	Description string   `json:"description"`
	// Names maps a purl type ("generic" also covers components without a purl) to package
	// names, exact or path.Match patterns.
	Names map[string][]string `json:"names"`

	exact    map[string]map[string]bool
	patterns map[string][]string
}

// BaseOSRules hold the base-OS severities, variants and distributions.
type BaseOSRules struct {
	ChangedSeverity     Severity                 `json:"changedSeverity"`
	UnsupportedSeverity Severity                 `json:"unsupportedSeverity"`
	ExtendedSeverity    Severity                 `json:"extendedSeverity"`
	Variants            []Variant                `json:"variants"`
	Distributions       map[string]*Distribution `json:"distributions"`
}

// Variant is an image flavour told apart by the image (subject) name.
type Variant struct {
	Name string `json:"name"`
	// Subjects are path.Match patterns for the subject name.
	Subjects []string `json:"subjects"`
}

// Distribution is one OS distribution's release lines.
type Distribution struct {
	Name     string    `json:"name"`
	Releases []Release `json:"releases"`
}

// Release is one release line of a distribution and its support window.
type Release struct {
	// Release is the version prefix of the line: "12" covers 12 and 12.15; "3.16" covers 3.16.2.
	Release  string `json:"release"`
	Codename string `json:"codename,omitempty"`
	// EOL is the last day of regular security support, Extended of extended (LTS) support;
	// YYYY-MM-DD.
	EOL      string `json:"eol"`
	Extended string `json:"extended,omitempty"`
}

// ErrInvalidRules is wrapped by ParseHygieneRules' errors.
var ErrInvalidRules = errors.New("invalid hygiene rules")

//go:embed hygiene.yaml
var defaultRulesYAML []byte

var defaultRules = sync.OnceValues(func() (*HygieneRules, error) { return ParseHygieneRules(defaultRulesYAML) })

// DefaultHygieneRules returns the rules compiled in from hygiene.yaml. The returned value is
// shared: do not modify it. An error (wrapping ErrInvalidRules) means the embedded file is
// broken, which the package's tests rule out.
func DefaultHygieneRules() (*HygieneRules, error) { return defaultRules() }

// ParseHygieneRules reads rules in the format of hygiene.yaml (YAML or JSON). It returns an
// error wrapping ErrInvalidRules for a document that does not parse, an unknown kind or
// severity, a bad pattern or date, or a negative threshold.
func ParseHygieneRules(data []byte) (*HygieneRules, error) {
	var r HygieneRules
	if err := yaml.UnmarshalStrict(data, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRules, err)
	}
	if r.Bloat.Percent < 0 || r.Bloat.Min < 0 {
		return nil, fmt.Errorf("%w: bloat threshold %+v is negative", ErrInvalidRules, r.Bloat)
	}
	for kind, c := range r.Categories {
		if !slices.Contains(categoryKinds, kind) {
			return nil, fmt.Errorf("%w: unknown category %q (want one of %v)", ErrInvalidRules, kind, categoryKinds)
		}
		if c == nil {
			return nil, fmt.Errorf("%w: category %q is empty", ErrInvalidRules, kind)
		}
		if c.Severity.Rank() == 0 {
			return nil, fmt.Errorf("%w: category %q: severity %q (want high, medium or low)", ErrInvalidRules, kind, c.Severity)
		}
		c.exact, c.patterns = map[string]map[string]bool{}, map[string][]string{}
		for eco, names := range c.Names {
			eco = r.ecosystem(eco)
			if c.exact[eco] == nil {
				c.exact[eco] = map[string]bool{}
			}
			for _, n := range names {
				n = strings.ToLower(strings.TrimSpace(n))
				if !strings.ContainsAny(n, `*?[\`) {
					c.exact[eco][n] = true
					continue
				}
				if _, err := path.Match(n, ""); err != nil {
					return nil, fmt.Errorf("%w: category %q, %s: pattern %q: %v", ErrInvalidRules, kind, eco, n, err)
				}
				c.patterns[eco] = append(c.patterns[eco], n)
			}
		}
	}
	b := &r.BaseOS
	for name, s := range map[string]Severity{"changedSeverity": b.ChangedSeverity, "unsupportedSeverity": b.UnsupportedSeverity, "extendedSeverity": b.ExtendedSeverity} {
		if s.Rank() == 0 {
			return nil, fmt.Errorf("%w: baseOS.%s %q (want high, medium or low)", ErrInvalidRules, name, s)
		}
	}
	for _, v := range b.Variants {
		for _, p := range v.Subjects {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("%w: variant %q: pattern %q: %v", ErrInvalidRules, v.Name, p, err)
			}
		}
	}
	for id, d := range b.Distributions {
		if d == nil {
			return nil, fmt.Errorf("%w: distribution %q is empty", ErrInvalidRules, id)
		}
		for _, rel := range d.Releases {
			if rel.Release == "" {
				return nil, fmt.Errorf("%w: distribution %q: a release without a version", ErrInvalidRules, id)
			}
			days := []string{rel.EOL}
			if rel.Extended != "" {
				days = append(days, rel.Extended)
			}
			for _, day := range days {
				if _, err := time.Parse(time.DateOnly, day); err != nil {
					return nil, fmt.Errorf("%w: %s %s: date %q (want YYYY-MM-DD)", ErrInvalidRules, id, rel.Release, day)
				}
			}
		}
	}
	return &r, nil
}

// ecosystem maps a purl type to the rules' name for its ecosystem.
func (r *HygieneRules) ecosystem(eco string) string {
	eco = strings.ToLower(eco)
	if a, ok := r.EcosystemAliases[eco]; ok {
		return a
	}
	if eco == "" {
		return "generic"
	}
	return eco
}

// member reports whether the package name (in the rules' ecosystem eco) is in the category.
func (c *Category) member(eco, name string) bool {
	return c.memberLower(eco, strings.ToLower(name))
}

// memberLower is member for a name already in lower case.
func (c *Category) memberLower(eco, name string) bool {
	if c.exact[eco][name] {
		return true
	}
	for _, p := range c.patterns[eco] {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// Option tunes a diff.
type Option func(*options)

type options struct {
	now   time.Time
	rules *HygieneRules
	bloat *BloatThreshold
}

// WithNow sets the day against which base OS support windows are judged (default: the time
// of the call).
func WithNow(t time.Time) Option { return func(o *options) { o.now = t } }

// WithHygieneRules replaces the default hygiene rules.
func WithHygieneRules(r *HygieneRules) Option { return func(o *options) { o.rules = r } }

// WithBloatThreshold replaces the rules' bloat threshold: growth by more than percent per
// cent and by at least min packages.
func WithBloatThreshold(percent float64, min int) Option {
	return func(o *options) { o.bloat = &BloatThreshold{Percent: percent, Min: min} }
}

func newOptions(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.now.IsZero() {
		o.now = time.Now()
	}
	return o
}

// hygiene fills r.Hygiene from the two documents, the old side's package entries and the new
// side's fresh ones (see sideEntries).
func (r *Result) hygiene(old, new *graph.View, oldPkgs, fresh []*sbom.Component, o options) {
	r.Hygiene = Hygiene{Findings: []HygieneFinding{}}
	rules := o.rules
	if rules == nil {
		var err error
		if rules, err = DefaultHygieneRules(); err != nil {
			// Unreachable with the tested embedded file; say so rather than report nothing.
			r.Hygiene.Error = err.Error()
			return
		}
	}
	bloat := rules.Bloat
	if o.bloat != nil {
		bloat = *o.bloat
	}
	h := &r.Hygiene
	h.OldOS, h.NewOS = detectBaseOS(old, rules), detectBaseOS(new, rules)
	h.Findings = append(h.Findings, rules.baseOSFindings(h.OldOS, h.NewOS, o.now)...)
	h.Findings = append(h.Findings, rules.categoryFindings(oldPkgs, fresh)...)
	if f, ok := bloatFinding(r.Old.Packages, r.New.Packages, bloat); ok {
		h.Findings = append(h.Findings, f)
	}
	slices.SortStableFunc(h.Findings, func(a, b HygieneFinding) int {
		return cmp.Or(
			-cmp.Compare(a.Severity.Rank(), b.Severity.Rank()),
			cmp.Compare(slices.Index(HygieneKinds, a.Kind), slices.Index(HygieneKinds, b.Kind)),
			cmp.Compare(findingKey(a), findingKey(b)))
	})
}

func findingKey(f HygieneFinding) string {
	if f.Component == nil {
		return ""
	}
	return f.Component.Key + "@" + f.Component.Version
}

// categoryFindings reports every package of a category on the new side whose (ecosystem,
// name) the old side does not have; a package that changed purl type (pkg:alpine -> pkg:apk)
// or version is not new. oldPkgs are the old side's package entries, fresh the new side's
// whose key the old side does not have (see sideEntries): only those can be new.
func (rules *HygieneRules) categoryFindings(oldPkgs, fresh []*sbom.Component) []HygieneFinding {
	type id struct{ eco, name string }
	type candidate struct {
		c     *sbom.Component
		k     id
		kinds []HygieneKind
	}
	// First the new packages that belong to a category at all: a handful among thousands.
	// Per purl type as written: its ecosystem, and the categories that name packages in it
	// (none for most types, so most packages cost two small map lookups).
	type ecoCats struct {
		eco   string
		kinds []HygieneKind
	}
	byType := map[string]ecoCats{}
	catsOf := func(typ string) ecoCats {
		ec, ok := byType[typ]
		if !ok {
			ec.eco = rules.ecosystem(typ)
			for _, kind := range categoryKinds {
				if cat := rules.Categories[kind]; cat != nil && (len(cat.exact[ec.eco]) > 0 || len(cat.patterns[ec.eco]) > 0) {
					ec.kinds = append(ec.kinds, kind)
				}
			}
			byType[typ] = ec
		}
		return ec
	}
	var cands []candidate
	names := map[string]bool{}
	for _, c := range fresh {
		if c.Type == "operating-system" {
			continue
		}
		ec := catsOf(c.Ecosystem)
		if len(ec.kinds) == 0 {
			continue
		}
		k := id{ec.eco, strings.ToLower(c.Name)}
		var kinds []HygieneKind
		for _, kind := range ec.kinds {
			if rules.Categories[kind].memberLower(k.eco, k.name) {
				kinds = append(kinds, kind)
			}
		}
		if kinds != nil {
			cands = append(cands, candidate{c, k, kinds})
			names[k.name] = true
		}
	}
	if len(cands) == 0 {
		return nil
	}
	// A package the old side had under the same name is not new: in the same ecosystem, or in
	// any when either side's is "generic" (a binary found without package metadata, which one
	// generator reports as pkg:alpine/busybox and the next as a bare "busybox"). Only the
	// candidates' names matter.
	had := map[id]bool{}
	for _, c := range oldPkgs {
		if name := strings.ToLower(c.Name); names[name] {
			had[id{catsOf(c.Ecosystem).eco, name}] = true
			had[id{"*", name}] = true
		}
	}
	seen := func(k id) bool {
		return had[k] || k.eco == "generic" && had[id{"*", k.name}] || had[id{"generic", k.name}]
	}
	var out []HygieneFinding
	reported := map[id]bool{}
	for _, cd := range cands {
		k := cd.k
		if seen(k) || reported[k] {
			continue
		}
		reported[k] = true
		comp := component(cd.c)
		label := cd.c.Name
		if cd.c.Version != "" {
			label += " " + cd.c.Version
		}
		for _, kind := range cd.kinds {
			out = append(out, HygieneFinding{
				Kind: kind, Severity: rules.Categories[kind].Severity, Component: &comp,
				Message: fmt.Sprintf("%s added: %s (%s)", kindNoun[kind], label, k.eco),
			})
		}
	}
	return out
}

var kindNoun = map[HygieneKind]string{
	HygieneShell:          "shell",
	HygienePackageManager: "package manager",
	HygieneToolchain:      "build toolchain",
	HygieneNetworkTool:    "network tool",
}

// baseOSFindings compares the two sides' base OS and judges the new one's support window.
func (rules *HygieneRules) baseOSFindings(old, new *BaseOS, now time.Time) []HygieneFinding {
	var out []HygieneFinding
	b := &rules.BaseOS
	if (old != nil || new != nil) && (old == nil || new == nil || old.ID != new.ID || old.line() != new.line() || old.Variant != new.Variant) {
		out = append(out, HygieneFinding{
			Kind: HygieneBaseOSChanged, Severity: b.ChangedSeverity, Old: old.String(), New: new.String(),
			Message: fmt.Sprintf("base OS changed: %s -> %s", old.String(), new.String()),
		})
	}
	if new == nil || new.EOL == "" {
		return out
	}
	today := now.UTC().Format(time.DateOnly)
	if today <= new.EOL {
		return out
	}
	name := new.ID + " " + new.line()
	if new.Codename != "" {
		name += " (" + new.Codename + ")"
	}
	sev := b.UnsupportedSeverity
	msg := fmt.Sprintf("base OS %s is past the end of its security support (%s)", name, new.EOL)
	switch {
	case new.ExtendedEOL != "" && today <= new.ExtendedEOL:
		sev = b.ExtendedSeverity
		msg += fmt.Sprintf("; extended (LTS) support until %s", new.ExtendedEOL)
	case new.ExtendedEOL != "":
		msg += fmt.Sprintf(" and of its extended (LTS) support (%s)", new.ExtendedEOL)
	}
	if old != nil && old.EOL != "" && today <= old.EOL {
		msg += fmt.Sprintf("; the old base %s was still supported", old.String())
	}
	return append(out, HygieneFinding{Kind: HygieneBaseOSUnsupported, Severity: sev, Old: old.String(), New: new.String(), Message: msg})
}

// bloatFinding reports a package count that grew past the threshold.
func bloatFinding(old, new int, t BloatThreshold) (HygieneFinding, bool) {
	grew := new - old
	if grew <= 0 || grew < t.Min || old > 0 && float64(grew)*100 <= t.Percent*float64(old) {
		return HygieneFinding{}, false
	}
	pct := "from none"
	if old > 0 {
		pct = fmt.Sprintf("%.1f%%", float64(grew)*100/float64(old))
	}
	return HygieneFinding{
		Kind: HygieneBloat, Severity: SeverityLow,
		Old: fmt.Sprintf("%d packages", old), New: fmt.Sprintf("%d packages", new),
		Message: fmt.Sprintf("package count grew by %d (%s): %d -> %d (threshold: more than %g%% and at least %d)", grew, pct, old, new, t.Percent, t.Min),
	}, true
}

// DetectBaseOS returns the base OS a document names, or nil: the first component of type
// operating-system, else the most common distro qualifier of its purls
// ("distro=debian-11"); with the release line, support dates and variant from the rules
// (which may be nil).
func DetectBaseOS(d *sbom.Document, rules *HygieneRules) *BaseOS {
	return detectBaseOS(graph.ViewOf(d), rules)
}

func detectBaseOS(d *graph.View, rules *HygieneRules) *BaseOS {
	var b *BaseOS
	for _, c := range d.Components {
		if c.Type == "operating-system" && c.Name != "" {
			b = &BaseOS{ID: strings.ToLower(c.Name), Version: c.Version, Source: "operating-system component"}
			break
		}
	}
	if b == nil {
		b = distroQualifier(d)
	}
	if b == nil || rules == nil {
		return b
	}
	if dist := rules.BaseOS.Distributions[b.ID]; dist != nil {
		best := -1
		for i, rel := range dist.Releases {
			if (b.Version == rel.Release || strings.HasPrefix(b.Version, rel.Release+".")) && (best < 0 || len(rel.Release) > len(dist.Releases[best].Release)) {
				best = i
			}
		}
		if best >= 0 {
			rel := dist.Releases[best]
			b.Release, b.Codename, b.EOL, b.ExtendedEOL = rel.Release, rel.Codename, rel.EOL, rel.Extended
		}
	}
	subject := strings.ToLower(d.Subject.Name)
	for _, v := range rules.BaseOS.Variants {
		for _, p := range v.Subjects {
			if ok, _ := path.Match(p, subject); ok && b.Variant == "" {
				b.Variant = v.Name
			}
		}
	}
	return b
}

// distroQualifier reads the most common purl qualifier distro=ID-VERSION (ties to the
// smaller string), as syft and trivy write it.
func distroQualifier(d *graph.View) *BaseOS {
	counts := map[string]int{}
	for _, c := range d.Components {
		_, q, ok := strings.Cut(c.Purl, "?")
		if !ok {
			continue
		}
		q, _, _ = strings.Cut(q, "#")
		for kv := range strings.SplitSeq(q, "&") {
			if v, ok := strings.CutPrefix(kv, "distro="); ok {
				if u, err := url.QueryUnescape(v); err == nil {
					counts[u]++
				}
			}
		}
	}
	best, n := "", 0
	for v, c := range counts {
		if c > n || c == n && v < best {
			best, n = v, c
		}
	}
	if best == "" {
		return nil
	}
	// ID-VERSION where VERSION starts with a digit: "debian-11", "alpine-3.16.2", "centos-7.6.1810".
	for i := len(best) - 1; i > 0; i-- {
		if best[i] == '-' && i+1 < len(best) && best[i+1] >= '0' && best[i+1] <= '9' {
			return &BaseOS{ID: strings.ToLower(best[:i]), Version: best[i+1:], Source: "purl distro qualifier"}
		}
	}
	return &BaseOS{ID: strings.ToLower(best), Source: "purl distro qualifier"}
}
