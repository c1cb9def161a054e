package cyclonedx

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
	"github.com/package-url/packageurl-go"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// syftCPEProperty names the properties in which syft lists a component's extra CPEs.
const syftCPEProperty = "syft:cpe23"

// Trivy records where a scanned image came from in these metadata.component properties.
const (
	trivyRepoTag    = "aquasecurity:trivy:RepoTag"
	trivyRepoDigest = "aquasecurity:trivy:RepoDigest"
)

// convert maps a parsed BOM into a Document. Component order is document order: the metadata
// component first (with any components nested in it), then components[] depth first, each
// nested component right after its parent. Its only errors are the limits' (sbom.ErrTooLarge).
func convert(bom *cdx.BOM, enc sbom.Encoding, limits sbom.Limits) (*sbom.Document, error) {
	m, err := newMapper(bom, enc, limits)
	if err != nil {
		return nil, err
	}
	if bom.Components != nil {
		m.b.Grow(len(*bom.Components))
	}
	if err := m.addComponents(bom.Components, -1, "", 1); err != nil {
		return nil, err
	}
	return m.finish(bom), nil
}

// mapper carries what the mapping of one document needs besides the Builder.
type mapper struct {
	b        *sbom.Builder
	maxDepth int
	// services holds the bom-refs of the document's services, which dependencies may name but
	// which are not components.
	services map[string]bool
}

// newMapper starts the mapping of bom: the Source, and the metadata component with the
// components nested in it. The document's components[] are added next, with addComponents or,
// one entry at a time, addComponent; finish completes the mapping. Its only errors are the
// limits' (sbom.ErrTooLarge).
func newMapper(bom *cdx.BOM, enc sbom.Encoding, limits sbom.Limits) (*mapper, error) {
	b := sbom.NewBuilder(sbom.Source{
		Format:      sbom.FormatCycloneDX,
		Encoding:    enc,
		SpecVersion: bom.SpecVersion.String(),
		Namespace:   strings.TrimSpace(bom.SerialNumber),
	}, limits)
	m := &mapper{b: b, maxDepth: b.Limits().MaxDepth}
	if md := bom.Metadata; md != nil {
		b.Source().Tools = tools(md.Tools)
		m.created(md.Timestamp)
		if c := md.Component; c != nil {
			i, err := b.Add(component(c, true))
			if err != nil {
				return nil, err
			}
			b.SetRoot(i)
			*b.Subject() = subject(c)
			if err := m.addComponents(c.Components, i, "metadata.component", 2); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// finish adds bom's dependencies and returns the Document.
func (m *mapper) finish(bom *cdx.BOM) *sbom.Document {
	m.dependencies(bom)
	return m.b.Finish()
}

// created sets Source.Created from metadata.timestamp, an xs:dateTime; one that does not parse
// is a WarnInvalidField.
func (m *mapper) created(ts string) {
	ts = strings.TrimSpace(ts)
	if ts == "" {
		return
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		// xs:dateTime may omit the zone; read such a time as UTC.
		var err2 error
		if t, err2 = time.Parse("2006-01-02T15:04:05.999999999", ts); err2 != nil {
			m.b.Warn(sbom.WarnInvalidField, "metadata.timestamp", "metadata.timestamp %q is not a date-time: %v", ts, err)
			return
		}
	}
	m.b.Source().Created = t
}

// addComponents adds list, recursively, at the given nesting depth (components[] is depth 1),
// each entry with a Contains edge from parent (unless parent is -1). path names list in errors.
// It returns an error wrapping sbom.ErrTooLarge when the nesting is deeper than maxDepth or the
// Builder holds too many components.
func (m *mapper) addComponents(list *[]cdx.Component, parent int, path string, depth int) error {
	if list == nil {
		return nil
	}
	for i := range *list {
		if err := m.addComponent(&(*list)[i], i, parent, path, depth); err != nil {
			return err
		}
	}
	return nil
}

// addComponent adds c, entry i of the list named path, and the components nested in it, as
// addComponents does.
func (m *mapper) addComponent(c *cdx.Component, i, parent int, path string, depth int) error {
	at := func() string {
		s := path + ".components[" + strconv.Itoa(i) + "]"
		if path == "" {
			s = s[1:]
		}
		return s
	}
	if depth > m.maxDepth {
		return fmt.Errorf("%w: components nested more than %d deep: %s (bom-ref %q) is at depth %d", sbom.ErrTooLarge, m.maxDepth, at(), c.BOMRef, depth)
	}
	idx, err := m.b.Add(component(c, false))
	if err != nil {
		return err
	}
	if parent >= 0 {
		m.b.EdgeIndex(parent, idx, sbom.Contains)
	}
	if c.Components == nil {
		return nil
	}
	return m.addComponents(c.Components, idx, at(), depth+1)
}

// dependencies adds a DependsOn edge for every ref -> dependsOn pair. A ref that names no
// component becomes a WarnDanglingRef, with its own message when it names a service (which
// the model does not hold). provides (CycloneDX 1.6) is not mapped.
func (m *mapper) dependencies(bom *cdx.BOM) {
	if bom.Dependencies == nil {
		return
	}
	m.services = serviceRefs(bom.Services)
	for _, d := range *bom.Dependencies {
		from, ok := m.resolve(d.Ref)
		if d.Dependencies == nil {
			continue
		}
		for _, ref := range *d.Dependencies {
			to, found := m.resolve(ref)
			if ok && found {
				m.b.EdgeIndex(from, to, sbom.DependsOn)
			}
		}
	}
}

// resolve returns the index of the component with bom-ref ref, warning when there is none.
func (m *mapper) resolve(ref string) (int, bool) {
	if i, ok := m.b.Lookup(ref); ok {
		return i, true
	}
	ref = strings.TrimSpace(ref)
	switch {
	case ref == "":
		m.b.Warn(sbom.WarnDanglingRef, "", "a dependency names an empty ref")
	case m.services[ref]:
		m.b.Warn(sbom.WarnDanglingRef, ref, "dependency names service %q; services are not components, so the edge is dropped", ref)
	default:
		m.b.Warn(sbom.WarnDanglingRef, ref, "dependency names %q, which no component has", ref)
	}
	return -1, false
}

// serviceRefs returns the bom-refs of services, nested ones included.
func serviceRefs(list *[]cdx.Service) map[string]bool {
	refs := map[string]bool{}
	stack := []*[]cdx.Service{list}
	for len(stack) > 0 {
		l := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if l == nil {
			continue
		}
		for i := range *l {
			if r := strings.TrimSpace((*l)[i].BOMRef); r != "" {
				refs[r] = true
			}
			stack = append(stack, (*l)[i].Services)
		}
	}
	return refs
}

// component maps one CycloneDX component (not its children).
func component(c *cdx.Component, metadata bool) sbom.Component {
	return sbom.Component{
		LocalID:   c.BOMRef,
		Type:      string(c.Type),
		Purl:      c.PackageURL,
		Namespace: strings.TrimSpace(c.Group),
		Name:      c.Name,
		Version:   c.Version,
		CPEs:      cpes(c),
		Licenses:  licenses(c.Licenses),
		Hashes:    hashes(c.Hashes),
		Supplier:  supplier(c),
		Metadata:  metadata,
	}
}

// cpes returns the component's cpe followed by syft's extra CPEs, without duplicates.
func cpes(c *cdx.Component) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	add(c.CPE)
	if c.Properties != nil {
		for _, p := range *c.Properties {
			if p.Name == syftCPEProperty {
				add(p.Value)
			}
		}
	}
	return out
}

// licenses returns the component's licences as one SPDX expression: ids as written, names
// that are SPDX ids as those ids, other names as LicenseRefs, expressions as written.
func licenses(ls *cdx.Licenses) string {
	if ls == nil || len(*ls) == 0 {
		return ""
	}
	parts := make([]string, 0, len(*ls))
	for _, l := range *ls {
		if l.License != nil {
			if id := strings.TrimSpace(l.License.ID); id != "" {
				parts = append(parts, id)
			} else if name := strings.TrimSpace(l.License.Name); name != "" {
				parts = append(parts, licenseName(name))
			}
		}
		if e := strings.TrimSpace(l.Expression); e != "" {
			parts = append(parts, e)
		}
	}
	return sbom.JoinLicenses(parts...)
}

// licenseName maps a free-text licence name: an SPDX licence id (active or deprecated, in any
// case, optionally followed by "+") becomes that id, NOASSERTION and NONE stay themselves (and
// JoinLicenses drops them), a valid SPDX expression of known ids stays as written (npm's
// CycloneDX tools put "(MIT OR Apache-2.0)" in the name), syft's "sha256:HEX" for a licence
// text it could not identify becomes "LicenseRef-HEX" (syft's SPDX spelling of the same
// text), anything else becomes a LicenseRef.
func licenseName(name string) string {
	if u := strings.ToUpper(name); u == "NOASSERTION" || u == "NONE" {
		return u
	}
	if id, ok := spdxID(name); ok {
		return id
	}
	if base, ok := strings.CutSuffix(name, "+"); ok {
		if id, ok := spdxID(base); ok {
			return id + "+"
		}
	}
	if hex, ok := strings.CutPrefix(name, "sha256:"); ok && len(hex) == 64 && strings.Trim(strings.ToLower(hex), "0123456789abcdef") == "" {
		return "LicenseRef-" + strings.ToLower(hex)
	}
	if strings.Contains(name, " ") {
		if ok, _ := spdxexp.ValidateLicenses([]string{name}); ok {
			return name
		}
	}
	return sbom.LicenseRef(name)
}

// spdxID returns the SPDX licence id that s spells, in its canonical case.
func spdxID(s string) (string, bool) {
	if ok, id := spdxlicenses.IsActiveLicense(s); ok {
		return id, true
	}
	if ok, id := spdxlicenses.IsDeprecatedLicense(s); ok {
		return id, true
	}
	return "", false
}

func hashes(hs *[]cdx.Hash) []sbom.Hash {
	if hs == nil || len(*hs) == 0 {
		return nil
	}
	out := make([]sbom.Hash, 0, len(*hs))
	for _, h := range *hs {
		out = append(out, sbom.Hash{Algorithm: string(h.Algorithm), Value: h.Value})
	}
	return out
}

// supplier returns the supplier's name, else the publisher, else the (deprecated) author,
// else the first author with a name.
func supplier(c *cdx.Component) string {
	if c.Supplier != nil {
		if s := strings.TrimSpace(c.Supplier.Name); s != "" {
			return s
		}
	}
	if s := strings.TrimSpace(c.Publisher); s != "" {
		return s
	}
	if s := strings.TrimSpace(c.Author); s != "" {
		return s
	}
	if c.Authors != nil {
		for _, a := range *c.Authors {
			if s := strings.TrimSpace(a.Name); s != "" {
				return s
			}
		}
	}
	return ""
}

// tools returns the generators named by metadata.tools, as "name version", in document order:
// the legacy tool list, then the tool components, then the tool services (CycloneDX 1.5+).
func tools(t *cdx.ToolsChoice) []string {
	if t == nil {
		return nil
	}
	var out []string
	add := func(name, version string) {
		name, version = strings.TrimSpace(name), strings.TrimSpace(version)
		switch {
		case name == "":
		case version == "":
			out = append(out, name)
		default:
			out = append(out, name+" "+version)
		}
	}
	if t.Tools != nil {
		for _, x := range *t.Tools {
			add(x.Name, x.Version)
		}
	}
	if t.Components != nil {
		for _, x := range *t.Components {
			add(x.Name, x.Version)
		}
	}
	if t.Services != nil {
		for _, x := range *t.Services {
			add(x.Name, x.Version)
		}
	}
	return out
}

// subject describes what metadata.component says the document is about.
//
// A container is named as an image: its name split with sbom.SplitImageRef, the tag as
// Version (else the component version, unless that is a digest, else the purl's tag
// qualifier), and the digest from the name, the version, the purl's version or Trivy's
// RepoDigest, whichever comes first. When the name carries neither tag nor digest (Trivy names
// an image scanned from a tarball by the tarball's path) and Trivy recorded a RepoTag, the
// RepoTag names the image instead.
//
// Anything else is named "group/name" when it has a group (so npm's "@scope/pkg" and Maven's
// "org.acme/app" read like their purls) and "name" otherwise, with the component version (or
// the purl's, when the component gives none).
func subject(c *cdx.Component) sbom.Subject {
	s := sbom.Subject{Type: strings.ToLower(strings.TrimSpace(string(c.Type)))}
	name, version := strings.TrimSpace(c.Name), strings.TrimSpace(c.Version)
	p, purlOK := parsePurl(c.PackageURL)
	if c.Type != cdx.ComponentTypeContainer {
		s.Name = name
		if g := strings.TrimSpace(c.Group); g != "" && name != "" {
			s.Name = g + "/" + name
		}
		if s.Name == "" && purlOK {
			s.Name = p.Name
			if p.Namespace != "" {
				s.Name = p.Namespace + "/" + p.Name
			}
		}
		s.Version = version
		if s.Version == "" && purlOK {
			s.Version = p.Version
		}
		return s
	}
	img, tag, digest := sbom.SplitImageRef(name)
	if tag == "" && digest == "" {
		if ref := property(c, trivyRepoTag); ref != "" {
			img, tag, digest = sbom.SplitImageRef(ref)
		}
	}
	if img == "" && purlOK {
		img = p.Qualifiers.Map()["repository_url"]
		if img == "" {
			img = p.Name
		}
	}
	s.Name, s.Version, s.Digest = img, tag, digest
	if s.Version == "" && !sbom.IsDigest(version) {
		s.Version = version
	}
	if s.Version == "" && purlOK {
		s.Version = p.Qualifiers.Map()["tag"]
	}
	if s.Digest == "" {
		_, _, repoDigest := sbom.SplitImageRef(property(c, trivyRepoDigest))
		for _, d := range []string{version, p.Version, repoDigest} {
			if sbom.IsDigest(d) {
				s.Digest = d
				break
			}
		}
	}
	return s
}

// parsePurl parses a purl without judging it: the Builder reports invalid purls.
func parsePurl(s string) (packageurl.PackageURL, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return packageurl.PackageURL{}, false
	}
	p, err := packageurl.FromString(s)
	return p, err == nil
}

// property returns the value of the component's first property called name.
func property(c *cdx.Component, name string) string {
	if c.Properties == nil {
		return ""
	}
	for _, p := range *c.Properties {
		if p.Name == name {
			return strings.TrimSpace(p.Value)
		}
	}
	return ""
}
