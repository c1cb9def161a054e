package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// FindSource answers the two questions a blast-radius report is built from. StoreSource
// answers them from a graph.Store; a client of the sbomgraph server answers them with its
// Find and Timeline calls.
type FindSource interface {
	// Find answers a blast-radius question (see query.Find).
	Find(ctx context.Context, req query.FindRequest) (*query.FindResult, error)
	// Timeline lists every version of image in order with the versions of the package key it
	// contains (see query.Timeline).
	Timeline(ctx context.Context, image, key string) ([]query.TimelineEntry, error)
}

// StoreSource answers from a store with graph/query, offline.
func StoreSource(s graph.Store) FindSource { return storeSource{s} }

type storeSource struct{ s graph.Store }

var _ FindSource = storeSource{}

// Find runs query.Find on the store.
func (s storeSource) Find(ctx context.Context, req query.FindRequest) (*query.FindResult, error) {
	return query.Find(ctx, s.s, req)
}

// Timeline runs query.Timeline on the store.
func (s storeSource) Timeline(ctx context.Context, image, key string) ([]query.TimelineEntry, error) {
	return query.Timeline(ctx, s.s, image, key)
}

// BlastRadius is a blast-radius report: every image version that contains the component,
// grouped by image, with whether each image's newest version is still affected and, if not,
// the version it was fixed in.
type BlastRadius struct {
	// Query is the component asked about, as given; Kind how it was read ("purl", "key",
	// "name"); Range the canonical range, if any.
	Query string `json:"query"`
	Kind  string `json:"kind"`
	Range string `json:"range,omitempty"`
	// Scope is "all", "direct" or "transitive".
	Scope string `json:"scope"`
	// LatestOnly is set when only each image's newest version was searched.
	LatestOnly bool `json:"latestOnly,omitempty"`
	// Image is set when the search was restricted to one image.
	Image  string `json:"image,omitempty"`
	Totals Totals `json:"totals"`
	// Images are the affected images: those whose newest version is affected first, then by
	// name.
	Images []ImageImpact `json:"images"`
	// Skipped are components whose version the range could not judge.
	Skipped []query.Skipped `json:"skipped"`
}

// Totals count a BlastRadius.
type Totals struct {
	// Images is the number of affected images; StillAffected of those whose newest version is
	// affected; Fixed of those whose newest version is not.
	Images        int `json:"images"`
	StillAffected int `json:"stillAffected"`
	Fixed         int `json:"fixed"`
	// Versions is the number of affected image versions.
	Versions int `json:"versions"`
	// Occurrences counts (image version, component) pairs, Direct and Transitive split them.
	Occurrences int `json:"occurrences"`
	Direct      int `json:"direct"`
	Transitive  int `json:"transitive"`
}

// ImageImpact is one affected image.
type ImageImpact struct {
	Image string `json:"image"`
	// Versions is the number of versions the image has; Newest is the last of them.
	Versions int        `json:"versions"`
	Newest   VersionRef `json:"newest"`
	// NewestAffected says whether Newest contains the component.
	NewestAffected bool `json:"newestAffected"`
	// FixedIn is the first version after the newest affected one; null while the newest
	// version is affected.
	FixedIn *Fix `json:"fixedIn"`
	// Affected are the affected versions, newest first.
	Affected []AffectedVersion `json:"affected"`
}

// VersionRef names an image version.
type VersionRef struct {
	Tag     string    `json:"tag,omitempty"`
	Digest  string    `json:"digest,omitempty"`
	Created time.Time `json:"created,omitzero"`
}

// String is the tag, else the digest, or "tag@digest" when both are set.
func (v VersionRef) String() string {
	switch {
	case v.Tag != "" && v.Digest != "":
		return v.Tag + "@" + v.Digest
	case v.Tag != "":
		return v.Tag
	}
	return v.Digest
}

func versionRef(v *graph.Version) VersionRef {
	return VersionRef{Tag: v.Tag, Digest: v.Digest, Created: v.Created.UTC()}
}

// Fix is the version an image stopped being affected in.
type Fix struct {
	Version VersionRef `json:"version"`
	// Event is "removed" when the package is gone from Version, "changed" when other versions
	// of it remain (Versions).
	Event    string   `json:"event"`
	Versions []string `json:"versions"`
}

// String is "4.0.0 (removed)" or "2.0.0 (now 5.4.1-1+deb12u2)".
func (f *Fix) String() string {
	if f == nil {
		return ""
	}
	if f.Event == "removed" || len(f.Versions) == 0 {
		return f.Version.String() + " (removed)"
	}
	return f.Version.String() + " (now " + strings.Join(f.Versions, ", ") + ")"
}

// AffectedVersion is one affected image version and what it contains.
type AffectedVersion struct {
	Version VersionRef `json:"version"`
	// Newest is set for the image's newest version.
	Newest     bool         `json:"newest"`
	Components []Occurrence `json:"components"`
}

// Occurrence is one matching component in one image version.
type Occurrence struct {
	Purl      string `json:"purl,omitempty"`
	Key       string `json:"key"`
	Name      string `json:"name"`
	Version   string `json:"version,omitempty"`
	Ecosystem string `json:"ecosystem,omitempty"`
	// Direct is set for a top-level component; Depth is the length of Path (1 = direct).
	Direct bool `json:"direct"`
	Depth  int  `json:"depth"`
	// Path is one shortest dependency path, top-level component first, as component
	// identities (purls); it ends with the component.
	Path []string `json:"path"`
}

// BuildBlastRadius asks src the question and the timelines of every matched package in every
// affected image, and assembles the report. It returns src's errors (query.ErrInvalid for a
// bad request).
func BuildBlastRadius(ctx context.Context, src FindSource, req query.FindRequest) (*BlastRadius, error) {
	res, err := src.Find(ctx, req)
	if err != nil {
		return nil, err
	}
	b := &BlastRadius{Query: req.Component, Kind: res.Kind, Range: res.Range, Scope: scopeName(req.Scope),
		LatestOnly: req.Latest, Image: req.Image, Images: []ImageImpact{}, Skipped: res.Skipped}
	if b.Skipped == nil {
		b.Skipped = []query.Skipped{}
	}
	byImage := map[string][]query.Match{}
	var images []string
	for _, m := range res.Matches {
		if _, ok := byImage[m.Version.Image]; !ok {
			images = append(images, m.Version.Image)
		}
		byImage[m.Version.Image] = append(byImage[m.Version.Image], m)
	}
	for _, image := range images {
		imp, err := imageImpact(ctx, src, image, byImage[image])
		if err != nil {
			return nil, err
		}
		b.Images = append(b.Images, imp)
	}
	slices.SortStableFunc(b.Images, func(x, y ImageImpact) int {
		if x.NewestAffected != y.NewestAffected {
			if x.NewestAffected {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.Image, y.Image)
	})
	t := &b.Totals
	for _, imp := range b.Images {
		t.Images++
		if imp.NewestAffected {
			t.StillAffected++
		} else {
			t.Fixed++
		}
		t.Versions += len(imp.Affected)
		for _, v := range imp.Affected {
			for _, o := range v.Components {
				t.Occurrences++
				if o.Direct {
					t.Direct++
				} else {
					t.Transitive++
				}
			}
		}
	}
	return b, nil
}

func scopeName(s query.Scope) string {
	switch s {
	case query.DirectOnly:
		return "direct"
	case query.TransitiveOnly:
		return "transitive"
	}
	return "all"
}

// imageImpact groups one image's matches (newest version first, as Find sorts them) by
// version and reads the timelines of the matched packages to find the newest version and
// the fix.
func imageImpact(ctx context.Context, src FindSource, image string, ms []query.Match) (ImageImpact, error) {
	imp := ImageImpact{Image: image, Affected: []AffectedVersion{}}
	type vkey struct{ tag, digest string }
	affected := map[vkey]bool{}
	var keys []string
	for _, m := range ms {
		k := vkey{m.Version.Tag, m.Version.Digest}
		if !affected[k] {
			affected[k] = true
			imp.Affected = append(imp.Affected, AffectedVersion{Version: versionRef(&m.Version), Newest: m.Latest})
		}
		av := &imp.Affected[len(imp.Affected)-1]
		c := m.Component
		av.Components = append(av.Components, Occurrence{Purl: c.Purl, Key: c.Key, Name: c.Name, Version: c.Version, Ecosystem: c.Ecosystem,
			Direct: m.Direct, Depth: len(m.Path), Path: slices.Clone(m.Path)})
		if m.Latest {
			imp.NewestAffected = true
		}
		if !slices.Contains(keys, c.Key) {
			keys = append(keys, c.Key)
		}
	}
	slices.Sort(keys)
	var timelines [][]query.TimelineEntry
	for _, k := range keys {
		tl, err := src.Timeline(ctx, image, k)
		if err != nil {
			return imp, fmt.Errorf("timeline of %s in %s: %w", k, image, err)
		}
		timelines = append(timelines, tl)
	}
	if len(timelines) == 0 || len(timelines[0]) == 0 {
		return imp, nil
	}
	versions := timelines[0]
	imp.Versions = len(versions)
	imp.Newest = versionRef(&versions[len(versions)-1].Version)
	newestAffected := -1
	for i, e := range versions {
		if affected[vkey{e.Version.Tag, e.Version.Digest}] {
			newestAffected = i
		}
	}
	if imp.NewestAffected || newestAffected < 0 || newestAffected+1 >= len(versions) {
		return imp, nil
	}
	fix := &Fix{Version: versionRef(&versions[newestAffected+1].Version), Event: "removed", Versions: []string{}}
	for _, tl := range timelines {
		if newestAffected+1 < len(tl) {
			fix.Versions = append(fix.Versions, tl[newestAffected+1].Versions...)
		}
	}
	slices.Sort(fix.Versions)
	fix.Versions = slices.Compact(fix.Versions)
	if len(fix.Versions) > 0 {
		fix.Event = "changed"
	}
	imp.FixedIn = fix
	return imp, nil
}

// shortID shows a component identity compactly: "curl@7.88.1-10", "github.com/x/y@v1.2.3",
// "org.apache:commons@1.0".
func shortID(id string) string {
	if rest, ok := strings.CutPrefix(id, sbom.ContentKeyPrefix); ok {
		if i := strings.LastIndex(rest, "/"); i >= 0 {
			rest = rest[i+1:]
		}
		return rest
	}
	p, err := sbom.ParsePurl(id)
	if err != nil {
		return id
	}
	name := p.Name
	switch {
	case p.Namespace == "":
	case p.Type == "maven":
		name = p.Namespace + ":" + p.Name
	case p.Type == "golang" || p.Type == "npm" || p.Type == "github" || p.Type == "composer" || p.Type == "swift":
		name = p.Namespace + "/" + p.Name
	}
	if p.Version != "" {
		name += "@" + p.Version
	}
	return name
}

// pathString is a path of shortIDs joined with " > ".
func pathString(path []string) string {
	out := make([]string, len(path))
	for i, id := range path {
		out[i] = shortID(id)
	}
	return strings.Join(out, " > ")
}

// directLabel is "direct" or "transitive (depth N)".
func directLabel(o Occurrence) string {
	if o.Direct {
		return "direct"
	}
	return fmt.Sprintf("transitive (depth %d)", o.Depth)
}

// status is a one-line verdict on an image.
func (imp *ImageImpact) status() string {
	if imp.NewestAffected {
		return fmt.Sprintf("newest version %s still affected", imp.Newest)
	}
	if imp.FixedIn != nil {
		return fmt.Sprintf("fixed in %s; newest %s not affected", imp.FixedIn, imp.Newest)
	}
	return fmt.Sprintf("newest %s not affected", imp.Newest)
}
