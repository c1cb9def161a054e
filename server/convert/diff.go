package convert

import (
	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph/diff"
)

var (
	changeKinds = newEnumTable(map[diff.Kind]api.ChangeKind{
		diff.Upgrade:   api.ChangeKind_CHANGE_KIND_UPGRADE,
		diff.Downgrade: api.ChangeKind_CHANGE_KIND_DOWNGRADE,
		diff.Rebuild:   api.ChangeKind_CHANGE_KIND_REBUILD,
		diff.Unordered: api.ChangeKind_CHANGE_KIND_UNORDERED,
	})
	// changeLevels are the values of diff.Change.Level (version.Level's names).
	changeLevels = newEnumTable(map[string]api.ChangeLevel{
		"major": api.ChangeLevel_CHANGE_LEVEL_MAJOR,
		"minor": api.ChangeLevel_CHANGE_LEVEL_MINOR,
		"patch": api.ChangeLevel_CHANGE_LEVEL_PATCH,
		"other": api.ChangeLevel_CHANGE_LEVEL_OTHER,
	})
	hygieneKinds = newEnumTable(map[diff.HygieneKind]api.HygieneKind{
		diff.HygieneShell:             api.HygieneKind_HYGIENE_KIND_SHELL,
		diff.HygienePackageManager:    api.HygieneKind_HYGIENE_KIND_PACKAGE_MANAGER,
		diff.HygieneToolchain:         api.HygieneKind_HYGIENE_KIND_TOOLCHAIN,
		diff.HygieneNetworkTool:       api.HygieneKind_HYGIENE_KIND_NETWORK_TOOL,
		diff.HygieneBaseOSChanged:     api.HygieneKind_HYGIENE_KIND_BASE_OS_CHANGED,
		diff.HygieneBaseOSUnsupported: api.HygieneKind_HYGIENE_KIND_BASE_OS_UNSUPPORTED,
		diff.HygieneBloat:             api.HygieneKind_HYGIENE_KIND_BLOAT,
	})
	severities = newEnumTable(map[diff.Severity]api.Severity{
		diff.SeverityLow:    api.Severity_SEVERITY_LOW,
		diff.SeverityMedium: api.Severity_SEVERITY_MEDIUM,
		diff.SeverityHigh:   api.Severity_SEVERITY_HIGH,
	})
)

// DiffResultToProto converts a release diff, every field of it.
func DiffResultToProto(r *diff.Result) *api.DiffResult {
	return &api.DiffResult{
		Old:          diffSideToProto(&r.Old),
		New:          diffSideToProto(&r.New),
		Summary:      diffSummaryToProto(&r.Summary),
		Added:        convertAll(r.Added, diffComponentToProto),
		Removed:      convertAll(r.Removed, diffComponentToProto),
		Changed:      convertAll(r.Changed, diffChangeToProto),
		Licenses:     convertAll(r.Licenses, attributeChangeToProto),
		Suppliers:    convertAll(r.Suppliers, attributeChangeToProto),
		Integrity:    convertAll(r.Integrity, integrityToProto),
		EdgesAdded:   convertAll(r.EdgesAdded, diffEdgeToProto),
		EdgesRemoved: convertAll(r.EdgesRemoved, diffEdgeToProto),
		Files: &api.DiffFileChanges{
			Added:   cloneStrings(r.Files.Added),
			Removed: cloneStrings(r.Files.Removed),
			Changed: cloneStrings(r.Files.Changed),
		},
		Hygiene: hygieneToProto(&r.Hygiene),
		UncomparedEdges: convertAll(r.UncomparedEdges, func(u *diff.UncomparedEdges) *api.DiffUncomparedEdges {
			return &api.DiffUncomparedEdges{Kind: edgeKinds.proto(u.Kind), Side: u.Side, Edges: int32(u.Edges)}
		}),
	}
}

// DiffResultFromProto converts a release diff; nil is the empty diff. As diff.Documents makes
// them, every list of the result is non-nil (empty when there is nothing), and so are the
// sides' ByEcosystem maps.
func DiffResultFromProto(r *api.DiffResult) *diff.Result {
	return &diff.Result{
		Old:          diffSideFromProto(r.GetOld()),
		New:          diffSideFromProto(r.GetNew()),
		Summary:      diffSummaryFromProto(r.GetSummary()),
		Added:        convertAllFromProto(r.GetAdded(), diffComponentFromProto, true),
		Removed:      convertAllFromProto(r.GetRemoved(), diffComponentFromProto, true),
		Changed:      convertAllFromProto(r.GetChanged(), diffChangeFromProto, true),
		Licenses:     convertAllFromProto(r.GetLicenses(), attributeChangeFromProto, true),
		Suppliers:    convertAllFromProto(r.GetSuppliers(), attributeChangeFromProto, true),
		Integrity:    convertAllFromProto(r.GetIntegrity(), integrityFromProto, true),
		EdgesAdded:   convertAllFromProto(r.GetEdgesAdded(), diffEdgeFromProto, true),
		EdgesRemoved: convertAllFromProto(r.GetEdgesRemoved(), diffEdgeFromProto, true),
		Files: diff.FileChanges{
			Added:   cloneStringsNonNil(r.GetFiles().GetAdded()),
			Removed: cloneStringsNonNil(r.GetFiles().GetRemoved()),
			Changed: cloneStringsNonNil(r.GetFiles().GetChanged()),
		},
		Hygiene: hygieneFromProto(r.GetHygiene()),
		UncomparedEdges: convertAllFromProto(r.GetUncomparedEdges(), func(u *api.DiffUncomparedEdges) diff.UncomparedEdges {
			return diff.UncomparedEdges{Kind: edgeKinds.model(u.GetKind()), Side: u.GetSide(), Edges: int(u.GetEdges())}
		}, false),
	}
}

func diffSideToProto(s *diff.Side) *api.DiffSide {
	by := make(map[string]int32, len(s.ByEcosystem))
	for k, v := range s.ByEcosystem {
		by[k] = int32(v)
	}
	return &api.DiffSide{
		Subject:     SubjectToProto(&s.Subject),
		Format:      formats.proto(s.Format),
		SpecVersion: s.SpecVersion,
		Tools:       cloneStrings(s.Tools),
		Packages:    int32(s.Packages),
		Files:       int32(s.Files),
		ByEcosystem: by,
	}
}

func diffSideFromProto(s *api.DiffSide) diff.Side {
	by := make(map[string]int, len(s.GetByEcosystem()))
	for k, v := range s.GetByEcosystem() {
		by[k] = int(v)
	}
	return diff.Side{
		Subject:     SubjectFromProto(s.GetSubject()),
		Format:      formats.model(s.GetFormat()),
		SpecVersion: s.GetSpecVersion(),
		Tools:       cloneStrings(s.GetTools()),
		Packages:    int(s.GetPackages()),
		Files:       int(s.GetFiles()),
		ByEcosystem: by,
	}
}

func diffSummaryToProto(s *diff.Summary) *api.DiffSummary {
	return &api.DiffSummary{
		Added:           int32(s.Added),
		Removed:         int32(s.Removed),
		Upgraded:        int32(s.Upgraded),
		Downgraded:      int32(s.Downgraded),
		Rebuilt:         int32(s.Rebuilt),
		Unordered:       int32(s.Unordered),
		Unchanged:       int32(s.Unchanged),
		LicenseChanges:  int32(s.LicenseChanges),
		SupplierChanges: int32(s.SupplierChanges),
		Integrity:       int32(s.Integrity),
		EdgesAdded:      int32(s.EdgesAdded),
		EdgesRemoved:    int32(s.EdgesRemoved),
		FilesAdded:      int32(s.FilesAdded),
		FilesRemoved:    int32(s.FilesRemoved),
		FilesChanged:    int32(s.FilesChanged),
		Hygiene:         int32(s.Hygiene),
	}
}

func diffSummaryFromProto(s *api.DiffSummary) diff.Summary {
	return diff.Summary{
		Added:           int(s.GetAdded()),
		Removed:         int(s.GetRemoved()),
		Upgraded:        int(s.GetUpgraded()),
		Downgraded:      int(s.GetDowngraded()),
		Rebuilt:         int(s.GetRebuilt()),
		Unordered:       int(s.GetUnordered()),
		Unchanged:       int(s.GetUnchanged()),
		LicenseChanges:  int(s.GetLicenseChanges()),
		SupplierChanges: int(s.GetSupplierChanges()),
		Integrity:       int(s.GetIntegrity()),
		EdgesAdded:      int(s.GetEdgesAdded()),
		EdgesRemoved:    int(s.GetEdgesRemoved()),
		FilesAdded:      int(s.GetFilesAdded()),
		FilesRemoved:    int(s.GetFilesRemoved()),
		FilesChanged:    int(s.GetFilesChanged()),
		Hygiene:         int(s.GetHygiene()),
	}
}

func diffComponentToProto(c *diff.Component) *api.DiffComponent {
	return &api.DiffComponent{
		Key: c.Key, Purl: c.Purl, Name: c.Name, Version: c.Version,
		Ecosystem: c.Ecosystem, Type: c.Type, Licenses: c.Licenses, Supplier: c.Supplier,
	}
}

func diffComponentFromProto(c *api.DiffComponent) diff.Component {
	return diff.Component{
		Key: c.GetKey(), Purl: c.GetPurl(), Name: c.GetName(), Version: c.GetVersion(),
		Ecosystem: c.GetEcosystem(), Type: c.GetType(), Licenses: c.GetLicenses(), Supplier: c.GetSupplier(),
	}
}

func diffChangeToProto(c *diff.Change) *api.DiffChange {
	return &api.DiffChange{
		Key: c.Key, Name: c.Name, Ecosystem: c.Ecosystem,
		Kind:  changeKinds.proto(c.Kind),
		Level: changeLevels.proto(c.Level),
		Old:   diffComponentToProto(&c.Old),
		New:   diffComponentToProto(&c.New),
		Note:  c.Note,
	}
}

func diffChangeFromProto(c *api.DiffChange) diff.Change {
	return diff.Change{
		Key: c.GetKey(), Name: c.GetName(), Ecosystem: c.GetEcosystem(),
		Kind:  changeKinds.model(c.GetKind()),
		Level: changeLevels.model(c.GetLevel()),
		Old:   diffComponentFromProto(c.GetOld()),
		New:   diffComponentFromProto(c.GetNew()),
		Note:  c.GetNote(),
	}
}

func attributeChangeToProto(c *diff.AttributeChange) *api.DiffAttributeChange {
	return &api.DiffAttributeChange{
		Key: c.Key, Name: c.Name, OldVersion: c.OldVersion, NewVersion: c.NewVersion, Old: c.Old, New: c.New,
	}
}

func attributeChangeFromProto(c *api.DiffAttributeChange) diff.AttributeChange {
	return diff.AttributeChange{
		Key: c.GetKey(), Name: c.GetName(), OldVersion: c.GetOldVersion(), NewVersion: c.GetNewVersion(),
		Old: c.GetOld(), New: c.GetNew(),
	}
}

func integrityToProto(f *diff.Integrity) *api.DiffIntegrity {
	return &api.DiffIntegrity{
		Key: f.Key, Name: f.Name, Version: f.Version, Purl: f.Purl, Algorithm: f.Algorithm, Old: f.Old, New: f.New,
	}
}

func integrityFromProto(f *api.DiffIntegrity) diff.Integrity {
	return diff.Integrity{
		Key: f.GetKey(), Name: f.GetName(), Version: f.GetVersion(), Purl: f.GetPurl(),
		Algorithm: f.GetAlgorithm(), Old: f.GetOld(), New: f.GetNew(),
	}
}

func diffEdgeToProto(e *diff.Edge) *api.DiffEdge {
	return &api.DiffEdge{From: e.From, To: e.To, Kind: edgeKinds.proto(e.Kind)}
}

func diffEdgeFromProto(e *api.DiffEdge) diff.Edge {
	return diff.Edge{From: e.GetFrom(), To: e.GetTo(), Kind: edgeKinds.model(e.GetKind())}
}

func hygieneToProto(h *diff.Hygiene) *api.Hygiene {
	return &api.Hygiene{
		OldOs: baseOSToProto(h.OldOS),
		NewOs: baseOSToProto(h.NewOS),
		Findings: convertAll(h.Findings, func(f *diff.HygieneFinding) *api.HygieneFinding {
			p := &api.HygieneFinding{
				Kind:     hygieneKinds.proto(f.Kind),
				Severity: severities.proto(f.Severity),
				Old:      f.Old,
				New:      f.New,
				Message:  f.Message,
			}
			if f.Component != nil {
				p.Component = diffComponentToProto(f.Component)
			}
			return p
		}),
		Error: h.Error,
	}
}

func hygieneFromProto(h *api.Hygiene) diff.Hygiene {
	return diff.Hygiene{
		OldOS: baseOSFromProto(h.GetOldOs()),
		NewOS: baseOSFromProto(h.GetNewOs()),
		Findings: convertAllFromProto(h.GetFindings(), func(f *api.HygieneFinding) diff.HygieneFinding {
			m := diff.HygieneFinding{
				Kind:     hygieneKinds.model(f.GetKind()),
				Severity: severities.model(f.GetSeverity()),
				Old:      f.GetOld(),
				New:      f.GetNew(),
				Message:  f.GetMessage(),
			}
			if f.GetComponent() != nil {
				c := diffComponentFromProto(f.GetComponent())
				m.Component = &c
			}
			return m
		}, true),
		Error: h.GetError(),
	}
}

func baseOSToProto(b *diff.BaseOS) *api.BaseOS {
	if b == nil {
		return nil
	}
	return &api.BaseOS{
		Id: b.ID, Version: b.Version, Release: b.Release, Codename: b.Codename, Variant: b.Variant,
		Eol: b.EOL, ExtendedEol: b.ExtendedEOL, Source: b.Source,
	}
}

func baseOSFromProto(b *api.BaseOS) *diff.BaseOS {
	if b == nil {
		return nil
	}
	return &diff.BaseOS{
		ID: b.GetId(), Version: b.GetVersion(), Release: b.GetRelease(), Codename: b.GetCodename(),
		Variant: b.GetVariant(), EOL: b.GetEol(), ExtendedEOL: b.GetExtendedEol(), Source: b.GetSource(),
	}
}
