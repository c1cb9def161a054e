package spdx3

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/package-url/packageurl-go"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// convert maps the decoded nodes through the Builder.
func (d *decoder) convert() (*sbom.Document, error) {
	if err := d.checkVersion(); err != nil {
		return nil, err
	}
	doc := d.document()
	d.source(doc)
	for _, el := range d.elements {
		if el.pkg != nil {
			if err := d.addPackage(el); err != nil {
				return nil, err
			}
		}
	}
	d.relationships()
	d.setRoot(doc)
	return d.b.Finish(), nil
}

// checkVersion rejects documents whose @context or any CreationInfo names an SPDX version
// other than 3.0.x, and input that names no SPDX 3 version at all.
func (d *decoder) checkVersion() error {
	named := false
	for _, iri := range d.contexts {
		v, ok := contextVersion(iri)
		if !ok {
			continue
		}
		if !is30(v) {
			return fmt.Errorf("%w: SPDX %s (the @context is %s); only SPDX 3.0.x is read", sbom.ErrUnsupported, v, iri)
		}
		named = true
	}
	for _, el := range d.elements {
		if el.ci == nil {
			continue
		}
		v := strings.TrimSpace(el.ci.SpecVersion)
		if v == "" {
			continue
		}
		if !is30(v) {
			return fmt.Errorf("%w: specVersion %q in the CreationInfo at byte %d; only SPDX 3.0.x is read", sbom.ErrUnsupported, v, el.off)
		}
		named = true
	}
	if !named {
		return fmt.Errorf("%w: neither the @context nor any CreationInfo names an SPDX 3 version", sbom.ErrInvalid)
	}
	return nil
}

// is30 reports whether v is an SPDX 3.0.x version.
func is30(v string) bool {
	return v == "3.0" || strings.HasPrefix(v, "3.0.")
}

// document returns the SpdxDocument, else the first other collection (an Sbom, Bom or Bundle),
// else nil.
func (d *decoder) document() *element {
	var first *element
	for _, el := range d.elements {
		if el.coll == nil {
			continue
		}
		if el.kind == typeSpdxDocument {
			return el
		}
		if first == nil {
			first = el
		}
	}
	return first
}

// source fills in the Source from the document and the CreationInfos.
func (d *decoder) source(doc *element) {
	src := d.b.Source()
	var ci *element
	if doc != nil {
		src.Name = strings.TrimSpace(doc.coll.Name)
		src.Namespace = namespace(doc)
		for _, r := range doc.coll.CreationInfo {
			if el := d.lookup(r); el != nil && el.ci != nil {
				ci = el
				break
			}
		}
	}
	infos := make([]*element, 0, 2)
	if ci != nil {
		infos = append(infos, ci)
	}
	for _, el := range d.elements {
		if el.ci != nil && el != ci {
			infos = append(infos, el)
		}
	}
	if ci == nil && len(infos) > 0 {
		ci = infos[0]
	}
	if ci != nil {
		src.SpecVersion = strings.TrimSpace(ci.ci.SpecVersion)
		if created := strings.TrimSpace(ci.ci.Created); created != "" {
			t, err := time.Parse(time.RFC3339, created)
			if err != nil {
				d.b.Warn(sbom.WarnInvalidField, ci.id, "%s at byte %d: created %q is not an RFC 3339 date-time; it was left empty", kindName(ci), ci.off, created)
			} else {
				src.Created = t.UTC()
			}
		}
	}
	if src.SpecVersion == "" {
		for _, iri := range d.contexts {
			if v, ok := contextVersion(iri); ok {
				src.SpecVersion = v
				break
			}
		}
	}
	seen := map[string]bool{}
	for _, info := range infos {
		for _, r := range info.ci.CreatedUsing {
			el := d.resolve(info, "createdUsing", r)
			if el == nil || el.agt == nil {
				continue
			}
			tool := strings.TrimSpace(el.agt.Name)
			if v := strings.TrimSpace(el.agt.Version); v != "" && tool != "" {
				tool += " " + v
			}
			if tool != "" && !seen[tool] {
				seen[tool] = true
				src.Tools = append(src.Tools, tool)
			}
		}
	}
}

// namespace returns the document's own IRI (its spdxId, when that is not a blank node), else
// the first namespace of its namespaceMap.
func namespace(doc *element) string {
	if doc.id != "" && !strings.HasPrefix(doc.id, "_:") {
		return doc.id
	}
	for _, m := range doc.coll.NamespaceMap {
		if ns := strings.TrimSpace(m.Namespace); ns != "" {
			return ns
		}
	}
	return ""
}

// addPackage adds a package node as a component.
func (d *decoder) addPackage(el *element) error {
	p := el.pkg
	c := sbom.Component{
		LocalID: el.id,
		Name:    p.Name,
		Version: p.Version,
		Type:    purpose(p.PrimaryPurpose),
		Purl:    strings.TrimSpace(p.PackageURL),
		Hashes:  hashes(p.VerifiedUsing),
	}
	for _, x := range p.ExternalIdentifier {
		id := strings.TrimSpace(x.Identifier)
		if id == "" {
			continue
		}
		switch valueTerm(x.Type) {
		case "packageUrl":
			if c.Purl == "" {
				c.Purl = id
			}
		case "cpe22", "cpe23":
			c.CPEs = append(c.CPEs, id)
		}
	}
	c.Supplier = d.agentName(el, "suppliedBy", p.SuppliedBy)
	if c.Supplier == "" {
		c.Supplier = d.agentName(el, "originatedBy", p.OriginatedBy)
	}
	i, err := d.b.Add(c)
	if err != nil {
		return err
	}
	el.comp = i
	return nil
}

// purpose turns an SPDX 3 software purpose ("operatingSystem") into the spelling SPDX 2 and
// CycloneDX use for the same thing ("operating-system").
func purpose(s string) string {
	s = valueTerm(s)
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hashes returns the Hash integrity methods among ms; the Builder normalises them.
func hashes(ms []integrityMethod) []sbom.Hash {
	var out []sbom.Hash
	for _, m := range ms {
		if m.isHash() && strings.TrimSpace(m.HashValue) != "" {
			out = append(out, sbom.Hash{Algorithm: valueTerm(m.Algorithm), Value: m.HashValue})
		}
	}
	return out
}

// agentName returns the name of the first agent that rs names.
func (d *decoder) agentName(el *element, prop string, rs refs) string {
	for _, r := range rs {
		if a := d.resolve(el, prop, r); a != nil && a.agt != nil {
			if name := strings.TrimSpace(a.agt.Name); name != "" {
				return name
			}
		}
	}
	return ""
}

// The relationship types that become edges. SPDX 3 writes a dependency from the dependent
// side (SPDX 2's *_DEPENDENCY_OF, reversed), so each points from the component that needs to
// the component needed; a lifecycle scope (test, build, ...) does not change that.
var edgeKinds = map[string]sbom.EdgeKind{
	"dependsOn":             sbom.DependsOn,
	"hasDynamicLink":        sbom.DependsOn,
	"hasStaticLink":         sbom.DependsOn,
	"hasOptionalDependency": sbom.DependsOn,
	"hasProvidedDependency": sbom.DependsOn,
	"contains":              sbom.Contains,
}

// relationshipTypes are the relationship types SPDX 3.0 defines; any other is reported.
var relationshipTypes = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`affects amendedBy ancestorOf availableFrom configures contains
		coordinatedBy copiedTo delegatedTo dependsOn descendantOf describes doesNotAffect expandsTo
		exploitCreatedBy fixedBy fixedIn foundBy generates hasAddedFile hasAssessmentFor
		hasAssociatedVulnerability hasConcludedLicense hasDataFile hasDeclaredLicense
		hasDeletedFile hasDependencyManifest hasDistributionArtifact hasDocumentation
		hasDynamicLink hasEvidence hasExample hasHost hasInput hasMetadata hasOptionalComponent
		hasOptionalDependency hasOutput hasPrerequisite hasProvidedDependency hasRequirement
		hasSpecification hasStaticLink hasTest hasTestCase hasVariant invokedBy modifiedBy other
		packagedBy patchedBy publishedBy reportedBy republishedBy serializedInArtifact testedOn
		trainedOn underInvestigationFor usesTool`) {
		relationshipTypes[t] = true
	}
}

// relationships turns relationships between packages into edges, licence relationships into
// component licences, and distribution artifacts' hashes into the hashes of packages that
// give none of their own. Relationships with an end that is a defined element other than a
// package (a file, the document, an agent) are skipped; an end that no element defines is a
// dangling reference.
func (d *decoder) relationships() {
	concluded := map[int][]string{}
	declared := map[int][]string{}
	artifacts := map[int][]sbom.Hash{}
	for _, el := range d.elements {
		if el.rel == nil {
			continue
		}
		typ := valueTerm(el.rel.RelationshipType)
		if kind, ok := edgeKinds[typ]; ok {
			d.edges(el, kind)
			continue
		}
		switch typ {
		case "hasConcludedLicense":
			d.licenses(el, concluded)
		case "hasDeclaredLicense":
			d.licenses(el, declared)
		case "hasDistributionArtifact":
			d.artifacts(el, artifacts)
		case "describes":
			// read by setRoot
		case "":
			d.b.Warn(sbom.WarnInvalidField, el.id, "%s at byte %d has no relationshipType; it was ignored", kindName(el), el.off)
		default:
			if !relationshipTypes[typ] {
				d.b.Warn(sbom.WarnUnknownRelation, el.id, "%s at byte %d has relationshipType %q, which SPDX 3.0 does not define; it was ignored", kindName(el), el.off, typ)
			}
		}
	}
	for i := 0; i < d.b.Len(); i++ {
		c := d.b.Component(i)
		c.Licenses = sbom.JoinLicenses(concluded[i]...)
		if c.Licenses == "" {
			c.Licenses = sbom.JoinLicenses(declared[i]...)
		}
		if len(c.Hashes) == 0 && len(artifacts[i]) > 0 {
			c.Hashes = sbom.SortHashes(artifacts[i])
		}
	}
}

// ends resolves a relationship's from and to references in pairs, calling f for each pair of
// packages (by node) and reporting ends that no element defines.
func (d *decoder) ends(el *element, f func(from *element, to ref)) {
	if len(el.rel.From) == 0 {
		d.b.Warn(sbom.WarnInvalidField, el.id, "%s at byte %d has no from; it was ignored", kindName(el), el.off)
		return
	}
	for _, fr := range el.rel.From {
		if from := d.resolve(el, "from", fr); from != nil {
			for _, to := range el.rel.To {
				f(from, to)
			}
		}
	}
}

// edges adds an edge for each pair of packages a relationship joins.
func (d *decoder) edges(el *element, kind sbom.EdgeKind) {
	d.ends(el, func(from *element, tr ref) {
		to := d.resolve(el, "to", tr)
		if to != nil && from.comp >= 0 && to.comp >= 0 {
			d.b.EdgeIndex(from.comp, to.comp, kind)
		}
	})
}

// licenses records, for a package, the licences a licence relationship gives it.
func (d *decoder) licenses(el *element, into map[int][]string) {
	if d.licenseMemo == nil {
		d.licenseMemo = map[*element]string{}
	}
	d.ends(el, func(from *element, tr ref) {
		expr := d.license(el, tr, d.licenseMemo, nil)
		if from.comp >= 0 && expr != "" {
			into[from.comp] = append(into[from.comp], expr)
		}
	})
}

// maxLicense bounds the length of a licence expression built from a licence set, so that sets
// that share members cannot build exponentially long strings.
const maxLicense = 64 << 10

// license returns the SPDX licence expression a reference names: a licence expression's text,
// a listed licence's id, a custom licence's LicenseRef, or an expanded-licensing set or
// operator built up from its members. It returns "" for references to what is not a licence
// and reports references that no element defines (listed licences may be named by their
// https://spdx.org/licenses/ IRI without being defined).
func (d *decoder) license(rel *element, r ref, memo map[*element]string, visiting map[*element]bool) string {
	el := d.lookup(r)
	if el == nil {
		if v, ok := individualLicenses[typeTerm(r.id)]; ok {
			return v
		}
		if id, ok := listedLicenseID(r.id); ok {
			return id
		}
		d.resolve(rel, "to", r) // reports the dangling reference
		return ""
	}
	if el.lic == nil {
		return ""
	}
	if s, ok := memo[el]; ok {
		return s
	}
	if visiting[el] {
		d.b.Warn(sbom.WarnInvalidField, el.id, "%s at byte %d is a member of itself; the cycle was cut", kindName(el), el.off)
		return ""
	}
	if visiting == nil {
		visiting = map[*element]bool{}
	}
	visiting[el] = true
	defer delete(visiting, el)
	l := el.lic
	sub := func(rs refs) string {
		for _, r := range rs {
			if s := d.license(rel, r, memo, visiting); s != "" {
				return s
			}
		}
		return ""
	}
	var s string
	switch el.kind {
	case "simplelicensing_LicenseExpression":
		s = strings.TrimSpace(l.Expression)
	case "expandedlicensing_ListedLicense", "expandedlicensing_ListedLicenseException":
		if id, ok := listedLicenseID(el.id); ok {
			s = id
		} else if name := strings.TrimSpace(l.Name); name != "" && !strings.ContainsFunc(name, unicode.IsSpace) {
			s = name
		} else if name != "" {
			s = sbom.LicenseRef(name)
		}
	case "expandedlicensing_CustomLicense", "expandedlicensing_CustomLicenseAddition":
		last := el.id[strings.LastIndexAny(el.id, "/#:")+1:]
		switch {
		case strings.HasPrefix(last, "LicenseRef-") || strings.HasPrefix(last, "AdditionRef-"):
			s = last
		case strings.TrimSpace(l.Name) != "":
			s = sbom.LicenseRef(l.Name)
		case last != "":
			s = sbom.LicenseRef(last)
		}
	case "expandedlicensing_ConjunctiveLicenseSet", "expandedlicensing_DisjunctiveLicenseSet":
		op := " AND "
		if el.kind == "expandedlicensing_DisjunctiveLicenseSet" {
			op = " OR "
		}
		var parts []string
		for _, m := range l.Member {
			p := d.license(rel, m, memo, visiting)
			if p == "" {
				continue
			}
			if compound(p) {
				p = "(" + p + ")"
			}
			parts = append(parts, p)
		}
		s = strings.Join(parts, op)
		if len(parts) > 1 {
			s = "(" + s + ")"
		}
	case "expandedlicensing_OrLaterOperator":
		if s = sub(l.SubjectLicense); s != "" {
			s += "+"
		}
	case "expandedlicensing_WithAdditionOperator":
		lic, add := sub(l.SubjectExtendableLicense), sub(l.SubjectAddition)
		if lic != "" && add != "" {
			s = lic + " WITH " + add
		} else {
			s = lic
		}
	}
	if len(s) > maxLicense {
		d.b.Warn(sbom.WarnInvalidField, el.id, "%s at byte %d makes a licence expression longer than %d bytes; it was dropped", kindName(el), el.off, maxLicense)
		s = ""
	}
	memo[el] = s
	return s
}

// compound reports whether a licence expression joins licences with AND or OR outside
// parentheses, and so must be parenthesised to be a member of another set.
func compound(expr string) bool {
	depth := 0
	for _, f := range strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(expr)) {
		switch strings.ToUpper(f) {
		case "(":
			depth++
		case ")":
			depth--
		case "AND", "OR":
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// individualLicenses are the licence individuals of SPDX 3.0 and the expression words for them.
var individualLicenses = map[string]string{
	"expandedlicensing_NoAssertionLicense": "NOASSERTION",
	"expandedlicensing_NoneLicense":        "NONE",
}

// isIndividual reports whether id names one of SPDX 3.0's named individuals (NoneElement,
// NoAssertionElement, NoneLicense, NoAssertionLicense), which a relationship may point at
// instead of an element.
func isIndividual(id string) bool {
	switch typeTerm(id) {
	case "NoneElement", "NoAssertionElement", "expandedlicensing_NoAssertionLicense", "expandedlicensing_NoneLicense":
		return true
	}
	return false
}

// listedLicenseID returns the licence id in an SPDX License List IRI,
// "https://spdx.org/licenses/MIT" -> "MIT".
func listedLicenseID(iri string) (string, bool) {
	for _, prefix := range []string{"https://spdx.org/licenses/", "http://spdx.org/licenses/"} {
		if id, ok := strings.CutPrefix(strings.TrimSpace(iri), prefix); ok && id != "" && !strings.ContainsAny(id, "/ ") {
			return strings.TrimSuffix(strings.TrimSuffix(id, ".html"), ".json"), true
		}
	}
	return "", false
}

// artifacts records the hashes of the files a package names as its distribution artifacts:
// SPDX 2 gave a package the checksums of its package file, and SPDX 3 moves them there.
func (d *decoder) artifacts(el *element, into map[int][]sbom.Hash) {
	d.ends(el, func(from *element, tr ref) {
		to := d.resolve(el, "to", tr)
		if to == nil || from.comp < 0 || to.kind != typeFile {
			return
		}
		var f fileNode
		if err := json.Unmarshal(to.span, &f); err != nil {
			d.warnUnreadable(to, err)
		}
		into[from.comp] = append(into[from.comp], hashes(f.VerifiedUsing)...)
	})
}

// setRoot marks the package the document is about and describes it as the Subject: the first
// package among the SpdxDocument's root elements (following root elements that are an Sbom or
// other collection to theirs), else among other collections' root elements, else the first
// package a collection "describes". Without one, the Subject is named after the document.
func (d *decoder) setRoot(doc *element) {
	root := d.rootOf(doc, map[*element]bool{})
	for _, el := range d.elements {
		if root != nil {
			break
		}
		if el.coll != nil && el != doc {
			root = d.rootOf(el, map[*element]bool{})
		}
	}
	for _, el := range d.elements {
		if root != nil {
			break
		}
		if el.rel == nil || valueTerm(el.rel.RelationshipType) != "describes" {
			continue
		}
		d.ends(el, func(from *element, tr ref) {
			if to := d.resolve(el, "to", tr); root == nil && from.coll != nil && to != nil && to.comp >= 0 {
				root = to
			}
		})
	}
	if root != nil {
		d.b.SetRoot(root.comp)
		*d.b.Subject() = subject(d.b.Component(root.comp))
		return
	}
	if doc != nil {
		name := strings.TrimSpace(doc.coll.Name)
		s := sbom.Subject{Name: name}
		if !strings.ContainsFunc(name, unicode.IsSpace) {
			s.Name, s.Version, s.Digest = sbom.SplitImageRef(name)
		}
		*d.b.Subject() = s
	}
}

// rootOf returns the first package among coll's root elements, looking into root elements
// that are themselves collections.
func (d *decoder) rootOf(coll *element, seen map[*element]bool) *element {
	if coll == nil || coll.coll == nil || seen[coll] {
		return nil
	}
	seen[coll] = true
	for _, r := range coll.coll.RootElement {
		el := d.resolve(coll, "rootElement", r)
		if el == nil {
			continue
		}
		if el.comp >= 0 {
			return el
		}
		if p := d.rootOf(el, seen); p != nil {
			return p
		}
	}
	return nil
}

// subject describes the root component as the document's Subject.
//
// A container (primary purpose "container") is named as an image: its name split with
// sbom.SplitImageRef, the tag as Version (else the package version, unless that is a digest,
// else the purl's tag qualifier), and the digest from the name, the package version, the
// purl's version (pkg:oci/name@sha256:...) or the package's SHA-256 hash, whichever comes
// first. Anything else is named and versioned as the package is.
func subject(c *sbom.Component) sbom.Subject {
	s := sbom.Subject{Type: c.Type}
	if c.Type != "container" {
		s.Name, s.Version = c.Name, c.Version
		return s
	}
	p, purlOK := parsePurl(c.Purl)
	img, tag, digest := sbom.SplitImageRef(c.Name)
	if img == "" && purlOK {
		img = p.Qualifiers.Map()["repository_url"]
		if img == "" {
			img = p.Name
		}
	}
	s.Name, s.Version, s.Digest = img, tag, digest
	if s.Version == "" && !sbom.IsDigest(c.Version) {
		s.Version = c.Version
	}
	if s.Version == "" && purlOK {
		s.Version = p.Qualifiers.Map()["tag"]
	}
	if s.Digest == "" {
		for _, v := range []string{c.Version, p.Version} {
			if sbom.IsDigest(v) {
				s.Digest = v
				break
			}
		}
	}
	if s.Digest == "" {
		for _, h := range c.Hashes {
			if h.Algorithm == "SHA-256" {
				s.Digest = "sha256:" + h.Value
				break
			}
		}
	}
	return s
}

// parsePurl parses a purl the Builder has already accepted and canonicalised. A panic in the
// purl library is taken for an unparseable purl.
func parsePurl(s string) (p packageurl.PackageURL, ok bool) {
	if s == "" {
		return p, false
	}
	defer func() {
		if recover() != nil {
			p, ok = packageurl.PackageURL{}, false
		}
	}()
	p, err := packageurl.FromString(s)
	return p, err == nil
}

// lookup returns the node a reference names: the inline node, else the node defining its id,
// else nil.
func (d *decoder) lookup(r ref) *element {
	if r.el != nil {
		return r.el
	}
	return d.byID[r.id]
}

// resolve returns the node that r, a reference in property prop of holder, names; or nil,
// reporting a reference to an id that no element defines, unless the reference was unreadable
// (and reported as such) or names one of SPDX's individuals.
func (d *decoder) resolve(holder *element, prop string, r ref) *element {
	if el := d.lookup(r); el != nil {
		return el
	}
	if r.bad == "" && !isIndividual(r.id) {
		d.b.Warn(sbom.WarnDanglingRef, r.id, "%s at byte %d: %s names %q, which no element of the document defines", kindName(holder), holder.off, prop, r.id)
	}
	return nil
}
