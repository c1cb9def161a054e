package spdx

import (
	"strings"
	"time"

	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// build maps a parsed SPDX document into the sbom model.
func build(p *parsed, enc sbom.Encoding, limits sbom.Limits) (*sbom.Document, error) {
	d := p.doc
	b := newBuilder(d, p.version, enc, limits, p.fixes)
	for _, pkg := range d.Packages {
		if pkg == nil {
			continue
		}
		if err := addPackage(b, pkg); err != nil {
			return nil, err
		}
	}
	m := newElements(b, d, p.elsewhere)
	for _, r := range d.Relationships {
		if r != nil {
			m.relate(r)
		}
	}
	setSubject(b, d)
	return b.Finish(), nil
}

// newBuilder returns a Builder for d, written as version (e.g. "SPDX-2.2") in enc, with the
// document's Source filled in from d and the fixes already reported. d's packages and
// relationships are not looked at.
func newBuilder(d *spdx.Document, version string, enc sbom.Encoding, limits sbom.Limits, fixes []fix) *sbom.Builder {
	b := sbom.NewBuilder(sbom.Source{
		Format:      sbom.FormatSPDX,
		Encoding:    enc,
		SpecVersion: supportedVersions[version],
		Name:        d.DocumentName,
		Namespace:   d.DocumentNamespace,
	}, limits)
	if ci := d.CreationInfo; ci != nil {
		src := b.Source()
		for _, c := range ci.Creators {
			if c.CreatorType == "Tool" {
				src.Tools = append(src.Tools, toolName(c.Creator))
			}
		}
		if created := strings.TrimSpace(ci.Created); created != "" {
			t, err := time.Parse(time.RFC3339, created)
			if err != nil {
				b.Warn(sbom.WarnInvalidField, "created", "creation time %q is not an RFC 3339 time; left empty", created)
			} else {
				src.Created = t.UTC()
			}
		}
	}
	for _, f := range fixes {
		b.Warn(f.code, f.id, "%s", f.msg)
	}
	return b
}

// addPackage adds one package as a component. It returns the Builder's error (wrapping
// sbom.ErrTooLarge) when the document has too many packages.
func addPackage(b *sbom.Builder, pkg *spdx.Package) error {
	c := sbom.Component{
		LocalID: common.RenderElementID(pkg.PackageSPDXIdentifier),
		Name:    pkg.PackageName,
		Version: pkg.PackageVersion,
		Type:    purpose(pkg.PrimaryPackagePurpose),
	}
	var purls []string
	for _, ref := range pkg.PackageExternalReferences {
		if ref == nil {
			continue
		}
		switch category, typ := refCategory(ref.Category), refType(ref.RefType); {
		case category == "PACKAGE-MANAGER" && strings.EqualFold(typ, "purl"):
			purls = append(purls, strings.TrimSpace(ref.Locator))
		case category == "SECURITY" && (strings.EqualFold(typ, "cpe22Type") || strings.EqualFold(typ, "cpe23Type")):
			c.CPEs = appendNew(c.CPEs, strings.TrimSpace(ref.Locator))
		}
	}
	c.Purl = choosePurl(b, c.LocalID, purls)
	if c.Licenses = sbom.JoinLicenses(pkg.PackageLicenseConcluded); c.Licenses == "" {
		c.Licenses = sbom.JoinLicenses(pkg.PackageLicenseDeclared)
	}
	for _, h := range pkg.PackageChecksums {
		c.Hashes = append(c.Hashes, sbom.Hash{Algorithm: string(h.Algorithm), Value: h.Value})
	}
	if s := pkg.PackageSupplier; s != nil {
		c.Supplier = party(s.SupplierType, s.Supplier)
	}
	if o := pkg.PackageOriginator; c.Supplier == "" && o != nil {
		c.Supplier = party(o.OriginatorType, o.Originator)
	}
	_, err := b.Add(c)
	return err
}

// choosePurl returns the package's purl: the first that parses, else the first (which the
// Builder then reports as invalid). Further purls that differ from it are reported.
func choosePurl(b *sbom.Builder, id string, purls []string) string {
	switch len(purls) {
	case 0:
		return ""
	case 1:
		return purls[0] // the Builder parses it
	}
	chosen, canonical := purls[0], ""
	for _, p := range purls {
		if parsed, err := sbom.ParsePurl(p); err == nil {
			chosen, canonical = p, parsed.Canonical
			break
		}
	}
	for _, p := range purls {
		if p == chosen {
			continue
		}
		if parsed, err := sbom.ParsePurl(p); err == nil && parsed.Canonical == canonical {
			continue
		}
		b.Warn(sbom.WarnInvalidField, id, "package has more than one purl; %q is used and %q ignored", chosen, p)
	}
	return chosen
}

// toolName turns an SPDX tool creator, "name-version" by the spec's convention, into
// "name version". The name is split from the version at the first hyphen followed by a digit
// (or "v" and a digit); a creator without one ("trivy", "apko (devel)", "ko 0.12.0") is kept
// as written.
func toolName(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, " \t") {
		return s
	}
	for i := 1; i < len(s)-1; i++ {
		if s[i] != '-' {
			continue
		}
		rest := s[i+1:]
		if rest[0] == 'v' || rest[0] == 'V' {
			rest = rest[1:]
		}
		if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return s[:i] + " " + s[i+1:]
		}
	}
	return s
}

// purpose turns an SPDX 2.3 primaryPackagePurpose into the model's type vocabulary, which is
// CycloneDX's: lower case, words joined by hyphens ("OPERATING_SYSTEM", "OPERATING-SYSTEM" and
// RDF's "operatingSystem" -> "operating-system").
func purpose(p string) string {
	p = strings.TrimSpace(p)
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '_':
			c = '-'
		case c >= 'A' && c <= 'Z' && i > 0 && p[i-1] >= 'a' && p[i-1] <= 'z':
			b.WriteByte('-')
		}
		b.WriteByte(c)
	}
	return strings.ToLower(b.String())
}

// refCategory normalises an external reference category: JSON writes PACKAGE-MANAGER or
// PACKAGE_MANAGER, tag-value and tools-golang's RDF reader PACKAGE-MANAGER.
func refCategory(c string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(c), "_", "-"))
}

// refType returns an external reference type without the URI RDF gives it
// ("http://spdx.org/rdf/references/purl" -> "purl").
func refType(t string) string {
	t = strings.TrimSpace(t)
	if i := strings.LastIndexAny(t, "/#"); i >= 0 {
		t = t[i+1:]
	}
	return t
}

// party returns the name of a supplier or originator: as written without its "Person:" or
// "Organization:" type, empty for NOASSERTION.
func party(typ, name string) string {
	name = strings.TrimSpace(name)
	if name == "NOASSERTION" || name == "NONE" {
		return ""
	}
	switch typ = strings.TrimSpace(typ); typ {
	case "", "Person", "Organization":
		return name
	}
	return typ + ":" + name
}

// appendNew appends s unless it is empty or already present.
func appendNew(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// setSubject fills in the document's subject from the root package or, without one, from the
// document name. An image's name ("alpine:3.16", "registry/app@sha256:...") is split into name,
// tag and digest; the digest may also come from the root's version or purl.
func setSubject(b *sbom.Builder, d *spdx.Document) {
	s := b.Subject()
	root := b.Root()
	if root < 0 {
		s.Name, s.Version, s.Digest = sbom.SplitImageRef(d.DocumentName)
		return
	}
	c := b.Component(root)
	s.Type = c.Type
	if sbom.IsDigest(c.Name) {
		s.Digest = c.Name
	} else {
		s.Name, s.Version, s.Digest = sbom.SplitImageRef(c.Name)
	}
	if s.Version == "" && !sbom.IsDigest(c.Version) {
		s.Version = c.Version
	}
	if s.Digest == "" && sbom.IsDigest(c.Version) {
		s.Digest = c.Version
	}
	if s.Digest == "" && c.Purl != "" {
		if p, err := sbom.ParsePurl(c.Purl); err == nil && sbom.IsDigest(p.Version) {
			s.Digest = p.Version
		}
	}
}
