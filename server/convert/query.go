package convert

import (
	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

var (
	queryKinds = newEnumTable(map[string]api.QueryKind{
		"purl": api.QueryKind_QUERY_KIND_PURL,
		"key":  api.QueryKind_QUERY_KIND_KEY,
		"name": api.QueryKind_QUERY_KIND_NAME,
	})
	scopes = newEnumTable(map[query.Scope]api.FindScope{
		query.All:            api.FindScope_FIND_SCOPE_ALL,
		query.DirectOnly:     api.FindScope_FIND_SCOPE_DIRECT,
		query.TransitiveOnly: api.FindScope_FIND_SCOPE_TRANSITIVE,
	})
	timelineEvents = newEnumTable(map[string]api.TimelineEvent{
		"":         api.TimelineEvent_TIMELINE_EVENT_UNCHANGED,
		"appeared": api.TimelineEvent_TIMELINE_EVENT_APPEARED,
		"changed":  api.TimelineEvent_TIMELINE_EVENT_CHANGED,
		"removed":  api.TimelineEvent_TIMELINE_EVENT_REMOVED,
	})
)

// QueryKindToProto converts how query.Find read its component ("purl", "key" or "name").
func QueryKindToProto(kind string) api.QueryKind { return queryKinds.proto(kind) }

// QueryKindFromProto converts a query kind back to "purl", "key" or "name" ("" for
// QUERY_KIND_UNSPECIFIED).
func QueryKindFromProto(k api.QueryKind) string { return queryKinds.model(k) }

// ScopeToProto converts a Find scope.
func ScopeToProto(s query.Scope) api.FindScope { return scopes.proto(s) }

// ScopeFromProto converts a Find scope. FIND_SCOPE_UNSPECIFIED is query.All; ok is false for
// a value this API does not name.
func ScopeFromProto(s api.FindScope) (scope query.Scope, ok bool) {
	if s == api.FindScope_FIND_SCOPE_UNSPECIFIED {
		return query.All, true
	}
	scope, ok = scopes.fromProto[s]
	return scope, ok
}

// FindRequestFromProto converts the question of a Find call (its paging and mask fields aside).
// It returns an error wrapping graph.ErrInvalid for a scope this API does not name.
func FindRequestFromProto(r *api.FindRequest) (query.FindRequest, error) {
	scope, ok := ScopeFromProto(r.GetScope())
	if !ok {
		return query.FindRequest{}, invalidf("unknown find scope %d", r.GetScope())
	}
	return query.FindRequest{
		Component: r.GetComponent(),
		Range:     r.GetRange(),
		Latest:    r.GetLatest(),
		Scope:     scope,
		Image:     r.GetImage(),
	}, nil
}

// FindRequestToProto converts a blast-radius question into a Find request (first page, all
// fields).
func FindRequestToProto(r *query.FindRequest) *api.FindRequest {
	return &api.FindRequest{
		Component: r.Component,
		Range:     r.Range,
		Latest:    r.Latest,
		Scope:     scopes.proto(r.Scope),
		Image:     r.Image,
	}
}

// MatchToProto converts one blast-radius match.
func MatchToProto(m *query.Match) *api.Match {
	return &api.Match{
		Version:   VersionToProto(&m.Version),
		Component: ComponentToProto(&m.Component),
		Direct:    m.Direct,
		Path:      cloneStrings(m.Path),
		Latest:    m.Latest,
	}
}

// MatchFromProto converts one blast-radius match; nil is the zero Match.
func MatchFromProto(m *api.Match) query.Match {
	return query.Match{
		Occurrence: &graph.Occurrence{
			Version:   VersionFromProto(m.GetVersion()),
			Component: ComponentFromProto(m.GetComponent()),
			Path:      cloneStrings(m.GetPath()),
		},
		Direct: m.GetDirect(),
		Latest: m.GetLatest(),
	}
}

// MatchesToProto converts a list of matches.
func MatchesToProto(ms []query.Match) []*api.Match { return convertAll(ms, MatchToProto) }

// MatchesFromProto converts a list of matches; the result is never nil.
func MatchesFromProto(ms []*api.Match) []query.Match {
	return convertAllFromProto(ms, MatchFromProto, true)
}

// FindResultToProto converts a whole blast-radius answer into one FindResponse (without a
// next page token).
func FindResultToProto(r *query.FindResult) *api.FindResponse {
	return &api.FindResponse{
		Kind:    queryKinds.proto(r.Kind),
		Range:   r.Range,
		Matches: MatchesToProto(r.Matches),
		Skipped: SkippedToProto(r.Skipped),
	}
}

// FindResultFromProto converts one FindResponse into a blast-radius answer. To rebuild the
// answer of a paged Find, convert the first page and append the Matches of the others
// (MatchesFromProto). Matches is never nil.
func FindResultFromProto(r *api.FindResponse) *query.FindResult {
	return &query.FindResult{
		Kind:    queryKinds.model(r.GetKind()),
		Range:   r.GetRange(),
		Matches: MatchesFromProto(r.GetMatches()),
		Skipped: convertAllFromProto(r.GetSkipped(), func(s *api.SkippedComponent) query.Skipped {
			return query.Skipped{Component: s.GetComponent(), Reason: s.GetReason()}
		}, false),
	}
}

// SkippedToProto converts the components a range could not judge.
func SkippedToProto(s []query.Skipped) []*api.SkippedComponent {
	return convertAll(s, func(s *query.Skipped) *api.SkippedComponent {
		return &api.SkippedComponent{Component: s.Component, Reason: s.Reason}
	})
}

// TimelineEntryToProto converts one timeline entry.
func TimelineEntryToProto(e *query.TimelineEntry) *api.TimelineEntry {
	return &api.TimelineEntry{
		Version:  VersionToProto(&e.Version),
		Versions: cloneStrings(e.Versions),
		Event:    timelineEvents.proto(e.Event),
	}
}

// TimelineEntryFromProto converts one timeline entry; nil is the zero entry. Versions is never
// nil.
func TimelineEntryFromProto(e *api.TimelineEntry) query.TimelineEntry {
	return query.TimelineEntry{
		Version:  VersionFromProto(e.GetVersion()),
		Versions: cloneStringsNonNil(e.GetVersions()),
		Event:    timelineEvents.model(e.GetEvent()),
	}
}

// TimelineToProto converts a timeline.
func TimelineToProto(es []query.TimelineEntry) []*api.TimelineEntry {
	return convertAll(es, TimelineEntryToProto)
}

// TimelineFromProto converts a timeline; the result is never nil.
func TimelineFromProto(es []*api.TimelineEntry) []query.TimelineEntry {
	return convertAllFromProto(es, TimelineEntryFromProto, true)
}

// Summarize counts what a version's document contains, for GetVersion: its entries (every
// component but CycloneDX's metadata component, as Version.Components counts them) by
// ecosystem, type and licence; its edges by kind; and its top level and depth (from
// graph.ShortestPaths, as query paths are).
func Summarize(doc *sbom.Document) *api.VersionSummary {
	s := &api.VersionSummary{
		Ecosystems: map[string]int32{},
		Types:      map[string]int32{},
		Licenses:   map[string]int32{},
	}
	forest := graph.ShortestPaths(doc)
	for i := range doc.Components {
		c := &doc.Components[i]
		if c.Metadata {
			continue
		}
		s.Ecosystems[c.Ecosystem]++
		s.Types[c.Type]++
		s.Licenses[c.Licenses]++
		if i < len(forest.Depth) {
			d := int32(forest.Depth[i])
			if d == 1 {
				s.Direct++
			}
			s.MaxDepth = max(s.MaxDepth, d)
		}
	}
	for _, e := range doc.Edges {
		switch e.Kind {
		case sbom.DependsOn:
			s.DependsOnEdges++
		case sbom.Contains:
			s.ContainsEdges++
		}
	}
	return s
}
