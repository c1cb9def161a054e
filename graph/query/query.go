// Package query answers blast-radius questions over any graph.Store: which image versions
// contain a component (by exact purl, by package at any version, by name, optionally within a
// version range), through which dependency path, and when each image gained, changed and lost
// it. It is plain Go over the store's primitives, so every backend answers alike.
package query

import (
	"cmp"
	"context"

	"fmt"
	"slices"
	"strings"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/version"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// Scope limits matches by depth.
type Scope int

// The scopes.
const (
	// All matches at any depth.
	All Scope = iota
	// DirectOnly keeps top-level components.
	DirectOnly
	// TransitiveOnly keeps components reached through another component.
	TransitiveOnly
)

// FindRequest is a blast-radius question.
type FindRequest struct {
	// Component is a purl with a version (that version of the package, unless the stored purl
	// states a qualifier or subpath the query gives with another value: see sbom.Purl.Matches),
	// a purl without one or a package key (every version of the package), or a bare name
	// (every package of that name, any ecosystem).
	Component string
	// Range, when set, keeps only versions inside it: purl vers syntax
	// ("vers:maven/>=2.0.0|<2.17.1") or plain operators ("<2.17.1", ">=1.0,<2") read in each
	// component's own ecosystem.
	Range string
	// Latest keeps only matches in each image's latest version.
	Latest bool
	Scope  Scope
	// Image, when set, restricts the search to one image (any spelling: see
	// graph.NormalizeImage).
	Image string
}

// Match is one component found in one image version: the occurrence (the version, the
// component, one shortest path to it, top-level component first) and what Find judged of it.
// The occurrence is referenced, not copied: a large answer's matches point into the one array
// the store returned.
type Match struct {
	*graph.Occurrence
	// Direct is true for a top-level component of the version.
	Direct bool `json:"direct"`
	// Latest is true when Version is its image's latest version.
	Latest bool `json:"latest"`
}

// FindResult answers a FindRequest.
type FindResult struct {
	// Kind says how the request's Component was read: "purl", "key" or "name".
	Kind string `json:"kind"`
	// Range is the range in canonical form, "" when none was given.
	Range string `json:"range,omitempty"`
	// Matches are sorted by image name, then newest version first, then component identity.
	Matches []Match `json:"matches"`
	// Skipped are matched components whose version the range could not judge (unparseable
	// under the ecosystem's rules), with the reason; they are not in Matches.
	Skipped []Skipped `json:"skipped,omitempty"`
}

// Skipped is a component left out because its version could not be compared with the range.
type Skipped struct {
	Component string `json:"component"`
	Reason    string `json:"reason"`
}

// ErrInvalid is wrapped by errors about a malformed request (empty component, bad range).
var ErrInvalid = graph.ErrInvalid

// Parse reads a component query: a purl with a version, a purl without one or a key, or a
// name. It returns the store query and its kind ("purl", "key" or "name"); an error wrapping
// ErrInvalid for an empty query or a "pkg:" string that is not a valid purl.
func Parse(component string) (graph.ComponentQuery, string, error) {
	s := strings.TrimSpace(component)
	switch {
	case s == "":
		return graph.ComponentQuery{}, "", fmt.Errorf("%w: no component given", ErrInvalid)
	case strings.HasPrefix(s, sbom.ContentKeyPrefix):
		return graph.ComponentQuery{Key: s}, "key", nil
	case strings.HasPrefix(strings.ToLower(s), "pkg:"):
		p, err := sbom.ParsePurl(s)
		if err != nil {
			return graph.ComponentQuery{}, "", fmt.Errorf("%w: %q is not a valid purl: %v", ErrInvalid, s, err)
		}
		if p.Version == "" {
			return graph.ComponentQuery{Key: p.Key}, "key", nil
		}
		return graph.ComponentQuery{Purl: p.Canonical}, "purl", nil
	}
	return graph.ComponentQuery{Name: s}, "name", nil
}

// Find answers a blast-radius question. Errors wrap ErrInvalid for a bad request, or are the
// store's.
func Find(ctx context.Context, s graph.Store, req FindRequest) (*FindResult, error) {
	q, kind, err := Parse(req.Component)
	if err != nil {
		return nil, err
	}
	res := &FindResult{Kind: kind, Matches: []Match{}}
	filter, canonical, err := rangeFilter(req.Range)
	if err != nil {
		return nil, err
	}
	res.Range = canonical
	// A purl names a package version; the qualifiers it gives narrow it only where a stored
	// purl contradicts them (sbom.Purl.Matches): an advisory's
	// "pkg:deb/debian/openssl@3.0.11-1~deb12u2" is the SBOM's "...?arch=amd64&distro=debian-12".
	// So its package's components are read and matched.
	var want *sbom.Purl
	if kind == "purl" {
		p, _ := sbom.ParsePurl(q.Purl)
		want, q = &p, graph.ComponentQuery{Key: p.Key}
	}
	comps, err := s.Components(ctx, q)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(comps))
	for i := range comps {
		c := &comps[i]
		if want != nil {
			if p, err := sbom.ParsePurl(c.Purl); err != nil || !want.Matches(&p) {
				continue
			}
		}
		if filter != nil {
			ok, err := filter(c)
			if err != nil {
				res.Skipped = append(res.Skipped, Skipped{Component: c.ID(), Reason: err.Error()})
				continue
			}
			if !ok {
				continue
			}
		}
		ids = append(ids, c.ID())
	}
	if len(ids) == 0 {
		return res, nil
	}
	occs, err := s.Occurrences(ctx, ids)
	if err != nil {
		return nil, err
	}
	image := graph.NormalizeImage(req.Image)
	occs = slices.DeleteFunc(occs, func(o graph.Occurrence) bool {
		direct := o.Direct()
		return image != "" && o.Version.Image != image ||
			req.Scope == DirectOnly && !direct || req.Scope == TransitiveOnly && direct
	})
	// Occurrences come by image, so each image's name is compared with the last one only.
	var images []string
	for i := range occs {
		if im := occs[i].Version.Image; len(images) == 0 || images[len(images)-1] != im {
			images = append(images, im)
		}
	}
	latest, err := s.Latest(ctx, images)
	if err != nil {
		return nil, err
	}
	// Occurrences come by image, version order, then identity; matches go newest version
	// first, so each image's runs of one version are taken from the last.
	res.Matches = make([]Match, 0, len(occs))
	for i := 0; i < len(occs); {
		image := occs[i].Version.Image
		j := i + 1
		for j < len(occs) && occs[j].Version.Image == image {
			j++
		}
		seq, ok := latest[image]
		for end := j; end > i; {
			start := end - 1
			for start > i && occs[start-1].Version.Seq == occs[end-1].Version.Seq {
				start--
			}
			isLatest := ok && occs[start].Version.Seq == seq
			if isLatest || !req.Latest {
				for k := start; k < end; k++ {
					o := &occs[k]
					res.Matches = append(res.Matches, Match{Occurrence: o, Direct: o.Direct(), Latest: isLatest})
				}
			}
			end = start
		}
		i = j
	}
	for k := 1; k < len(res.Matches); k++ {
		if compareMatches(&res.Matches[k-1], &res.Matches[k]) > 0 { // a store broke its promise
			slices.SortStableFunc(res.Matches, func(a, b Match) int { return compareMatches(&a, &b) })
			break
		}
	}
	return res, nil
}

// rangeFilter compiles a range into a component filter; nil when there is no range.
func rangeFilter(s string) (func(*sbom.Component) (bool, error), string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, "", nil
	}
	if strings.HasPrefix(s, "vers:") {
		r, err := version.ParseRange(s)
		if err != nil {
			return nil, "", fmt.Errorf("%w: range %q: %v", ErrInvalid, s, err)
		}
		return func(c *sbom.Component) (bool, error) {
			if !version.SameEcosystem(c.Ecosystem, r.Ecosystem()) {
				return false, nil
			}
			return r.Contains(c.Version)
		}, r.String(), nil
	}
	// A plain range is read in each component's ecosystem; check it parses in a generic one.
	if _, err := version.ParsePlainRange("generic", s); err != nil {
		return nil, "", fmt.Errorf("%w: range %q: %v", ErrInvalid, s, err)
	}
	cache := map[string]version.Range{}
	return func(c *sbom.Component) (bool, error) {
		r, ok := cache[c.Ecosystem]
		if !ok {
			var err error
			if r, err = version.ParsePlainRange(ecosystemOrGeneric(c.Ecosystem), s); err != nil {
				return false, err
			}
			cache[c.Ecosystem] = r
		}
		return r.Contains(c.Version)
	}, s, nil
}

func ecosystemOrGeneric(eco string) string {
	if eco == "" {
		return "generic"
	}
	return eco
}

// compareMatches orders matches by image name, then newest version first, then component
// identity.
func compareMatches(a, b *Match) int {
	if c := cmp.Compare(a.Version.Image, b.Version.Image); c != 0 {
		return c
	}
	if a.Version.Seq != b.Version.Seq {
		switch {
		case b.Version.Before(&a.Version):
			return -1
		case a.Version.Before(&b.Version):
			return 1
		}
	}
	return cmp.Compare(a.Component.ID(), b.Component.ID())
}

// Path returns the occurrences of a component (purl, key or name, as in Find) in one image
// version, each with its shortest path. ErrNotFound when the version does not exist or does
// not contain the component.
func Path(ctx context.Context, s graph.Store, ref graph.Ref, component string) ([]Match, error) {
	v, err := s.Version(ctx, ref)
	if err != nil {
		return nil, err
	}
	res, err := Find(ctx, s, FindRequest{Component: component, Image: v.Image})
	if err != nil {
		return nil, err
	}
	var out []Match
	for _, m := range res.Matches {
		if m.Version.Seq == v.Seq {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s does not contain %s", graph.ErrNotFound, ref, component)
	}
	return out, nil
}

// TimelineEntry says whether one version of an image contains a package, and at which versions.
type TimelineEntry struct {
	Version graph.Version `json:"version"`
	// Versions are the package's versions present, as the SBOM wrote them, sorted; empty when
	// absent. Events compare the versions the purls hold, so a respelt version field is no
	// change.
	Versions []string `json:"versions"`
	// Event is what happened at this image version: "appeared", "changed", "removed" (the
	// image version the package went away in: "fixed in"), or "" for no change.
	Event string `json:"event,omitempty"`
}

// Timeline returns, for every version of image (any spelling: see graph.NormalizeImage) in
// order, which versions of the package key it contains and what changed there. ErrNotFound
// when the image does not exist.
func Timeline(ctx context.Context, s graph.Store, image, key string) ([]TimelineEntry, error) {
	image = graph.NormalizeImage(image)
	q, _, err := Parse(key)
	if err != nil {
		return nil, err
	}
	if q.Purl != "" {
		p, _ := sbom.ParsePurl(q.Purl)
		q = graph.ComponentQuery{Key: p.Key}
	}
	versions, err := s.Versions(ctx, image)
	if err != nil {
		return nil, err
	}
	comps, err := s.Components(ctx, q)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(comps))
	for i := range comps {
		ids[i] = comps[i].ID()
	}
	// A version is shown as its SBOM wrote it, and compared as its purl holds it: one purl
	// is one version however generators spell the version field (trivy's "1.6.1" beside
	// syft's "v1.6.1" under one purl is no change).
	shown, same := map[int64][]string{}, map[int64][]string{}
	if len(ids) > 0 {
		occs, err := s.Occurrences(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, o := range occs {
			if o.Version.Image != image {
				continue
			}
			c := &o.Component
			v := c.Version
			if c.Purl != "" {
				if p, err := sbom.ParsePurl(c.Purl); err == nil && p.Version != "" {
					v = p.Version
				}
			}
			shown[o.Version.Seq] = append(shown[o.Version.Seq], c.Version)
			same[o.Version.Seq] = append(same[o.Version.Seq], v)
		}
	}
	out := make([]TimelineEntry, len(versions))
	var prev []string
	for i, v := range versions {
		cur := sortedSet(same[v.Seq])
		e := TimelineEntry{Version: v, Versions: sortedSet(shown[v.Seq])}
		switch {
		case len(prev) == 0 && len(cur) > 0:
			e.Event = "appeared"
		case len(prev) > 0 && len(cur) == 0:
			e.Event = "removed"
		case !slices.Equal(prev, cur):
			e.Event = "changed"
		}
		out[i], prev = e, cur
	}
	return out, nil
}

// sortedSet sorts ss and drops repeats; never nil.
func sortedSet(ss []string) []string {
	slices.Sort(ss)
	if ss = slices.Compact(ss); ss == nil {
		ss = []string{}
	}
	return ss
}
