package server

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strconv"
	"time"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/server/convert"
)

// queryService implements api.QueryServiceServer.
type queryService struct {
	api.UnimplementedQueryServiceServer
	s *Server
}

// Message descriptors the read masks are checked against.
var (
	imageDesc    = (&api.Image{}).ProtoReflect().Descriptor()
	versionDesc  = (&api.Version{}).ProtoReflect().Descriptor()
	matchDesc    = (&api.Match{}).ProtoReflect().Descriptor()
	timelineDesc = (&api.TimelineEntry{}).ProtoReflect().Descriptor()
	getDesc      = (&api.GetVersionResponse{}).ProtoReflect().Descriptor()
)

// The listings' default masks leave out each version's warnings, which can number thousands
// (one per file component without a purl in a syft SBOM) and would otherwise dominate every
// page; a request names them in its read_mask to get them, and GetVersion always has them.
// Where a version is the context of each item (a match, a timeline entry) rather than the
// item, they also leave out its source and subject: they repeat with every item, were most of
// a large answer's bytes, and the version's identity, order and counts are what a blast-radius
// report shows.
var (
	defaultImageMask    = maskExcept(imageDesc, "latest.warnings")
	defaultVersionMask  = maskExcept(versionDesc, "warnings")
	defaultMatchMask    = maskExcept(matchDesc, "version.warnings", "version.source", "version.subject")
	defaultTimelineMask = maskExcept(timelineDesc, "version.warnings", "version.source", "version.subject")
)

// ListImages lists the stored images by name, a page at a time.
func (qs *queryService) ListImages(ctx context.Context, req *api.ListImagesRequest) (*api.ListImagesResponse, error) {
	size, err := pageSize(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	mask, err := compileMask(req.GetReadMask(), imageDesc)
	if err != nil {
		return nil, err
	}
	mask = mask.orDefault(defaultImageMask)
	fp := fingerprint("images")
	after, more, err := decodePageToken[string](req.GetPageToken(), fp)
	if err != nil {
		return nil, err
	}
	images, err := qs.s.store.Images(ctx)
	if err != nil {
		return nil, err
	}
	start := 0
	if more {
		start, _ = slices.BinarySearchFunc(images, after, func(im graph.Image, name string) int {
			return cmp.Compare(im.Name, name)
		})
		if start < len(images) && images[start].Name == after {
			start++
		}
	}
	out, last := page(images, start, size, convert.ImageToProto, mask)
	resp := &api.ListImagesResponse{Images: out}
	if last >= 0 && last < len(images)-1 {
		resp.NextPageToken = encodePageToken(fp, images[last].Name)
	}
	return resp, nil
}

// ListVersions lists an image's versions in order, a page at a time.
func (qs *queryService) ListVersions(ctx context.Context, req *api.ListVersionsRequest) (*api.ListVersionsResponse, error) {
	size, err := pageSize(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	mask, err := compileMask(req.GetReadMask(), versionDesc)
	if err != nil {
		return nil, err
	}
	mask = mask.orDefault(defaultVersionMask)
	fp := fingerprint("versions", req.GetImage())
	after, more, err := decodePageToken[versionPos](req.GetPageToken(), fp)
	if err != nil {
		return nil, err
	}
	versions, err := qs.s.store.Versions(ctx, req.GetImage())
	if err != nil {
		return nil, err
	}
	start := 0
	if more {
		start = firstAfter(versions, after, func(v *graph.Version) versionPos { return posOf(v) })
	}
	out, last := page(versions, start, size, convert.VersionToProto, mask)
	resp := &api.ListVersionsResponse{Versions: out}
	if last >= 0 && last < len(versions)-1 {
		resp.NextPageToken = encodePageToken(fp, posOf(&versions[last]))
	}
	return resp, nil
}

// firstAfter returns the index of the first item (in version order) after position p.
func firstAfter[T any](items []T, p versionPos, pos func(*T) versionPos) int {
	i, _ := slices.BinarySearchFunc(items, p, func(it T, p versionPos) int {
		if pos(&it).compare(p) <= 0 {
			return -1
		}
		return 1
	})
	return i
}

// GetVersion returns one version and, unless the mask leaves it out, a summary of its content.
func (qs *queryService) GetVersion(ctx context.Context, req *api.GetVersionRequest) (*api.GetVersionResponse, error) {
	mask, err := compileMask(req.GetReadMask(), getDesc)
	if err != nil {
		return nil, err
	}
	ref := convert.RefFromProto(req.GetRef())
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	v, err := qs.s.store.Version(ctx, ref)
	if err != nil {
		return nil, err
	}
	resp := &api.GetVersionResponse{Version: convert.VersionToProto(&v)}
	if mask.has("summary") {
		// Read exactly the version found, even if a moving tag moves meanwhile.
		doc, err := qs.s.store.Document(ctx, v.Ref())
		if err != nil {
			return nil, err
		}
		resp.Summary = convert.Summarize(doc)
	}
	mask.apply(resp)
	return resp, nil
}

// findKey is a Find match's position: image, version (newest first), component identity.
type findKey struct {
	Image string     `json:"i"`
	Pos   versionPos `json:"v"`
	ID    string     `json:"c"`
}

func findKeyOf(m *query.Match) findKey {
	return findKey{Image: m.Version.Image, Pos: posOf(&m.Version), ID: m.Component.ID()}
}

// compare orders keys as query.Find sorts its matches.
func (k findKey) compare(l findKey) int {
	if c := cmp.Compare(k.Image, l.Image); c != 0 {
		return c
	}
	if k.Pos.Seq != l.Pos.Seq {
		if c := k.Pos.compare(l.Pos); c != 0 {
			return -c
		}
	}
	return cmp.Compare(k.ID, l.ID)
}

// Find answers a blast-radius question, a page of matches at a time.
func (qs *queryService) Find(ctx context.Context, req *api.FindRequest) (*api.FindResponse, error) {
	size, err := pageSize(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	mask, err := compileMask(req.GetReadMask(), matchDesc)
	if err != nil {
		return nil, err
	}
	mask = mask.orDefault(defaultMatchMask)
	q, err := convert.FindRequestFromProto(req)
	if err != nil {
		return nil, err
	}
	fp := fingerprint("find", q.Component, q.Range, strconv.FormatBool(q.Latest), strconv.Itoa(int(q.Scope)), q.Image)
	after, more, err := decodePageToken[findKey](req.GetPageToken(), fp)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var res *query.FindResult
	cached := false
	if more {
		res, cached = qs.s.answers.get(fp, now)
	}
	if !cached {
		if res, err = query.Find(ctx, qs.s.store, q); err != nil {
			return nil, err
		}
	}
	start := 0
	if more {
		start, _ = slices.BinarySearchFunc(res.Matches, after, func(m query.Match, k findKey) int {
			if findKeyOf(&m).compare(k) <= 0 {
				return -1
			}
			return 1
		})
	}
	out, last := page(res.Matches, start, size, convert.MatchToProto, mask)
	resp := &api.FindResponse{Kind: convert.QueryKindToProto(res.Kind), Range: res.Range, Matches: out}
	if !more {
		resp.Skipped = convert.SkippedToProto(res.Skipped)
	}
	if last >= 0 && last < len(res.Matches)-1 {
		resp.NextPageToken = encodePageToken(fp, findKeyOf(&res.Matches[last]))
		if !cached {
			qs.s.answers.put(fp, res, now)
		}
	}
	logAttrs(ctx, slog.Int("matches", len(out)), slog.Bool("cached", cached))
	return resp, nil
}

// Path returns a component's occurrences in one version, each with one shortest path.
func (qs *queryService) Path(ctx context.Context, req *api.PathRequest) (*api.PathResponse, error) {
	mask, err := compileMask(req.GetReadMask(), matchDesc)
	if err != nil {
		return nil, err
	}
	mask = mask.orDefault(defaultMatchMask)
	ref := convert.RefFromProto(req.GetRef())
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	ms, err := query.Path(ctx, qs.s.store, ref, req.GetComponent())
	if err != nil {
		return nil, err
	}
	out := convert.MatchesToProto(ms)
	for _, m := range out {
		mask.apply(m)
	}
	return &api.PathResponse{Matches: out}, nil
}

// Timeline returns a package's history in an image, a page of versions at a time.
func (qs *queryService) Timeline(ctx context.Context, req *api.TimelineRequest) (*api.TimelineResponse, error) {
	size, err := pageSize(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	mask, err := compileMask(req.GetReadMask(), timelineDesc)
	if err != nil {
		return nil, err
	}
	mask = mask.orDefault(defaultTimelineMask)
	fp := fingerprint("timeline", req.GetImage(), req.GetComponent())
	after, more, err := decodePageToken[versionPos](req.GetPageToken(), fp)
	if err != nil {
		return nil, err
	}
	entries, err := query.Timeline(ctx, qs.s.store, req.GetImage(), req.GetComponent())
	if err != nil {
		return nil, err
	}
	start := 0
	if more {
		start = firstAfter(entries, after, func(e *query.TimelineEntry) versionPos { return posOf(&e.Version) })
	}
	out, last := page(entries, start, size, convert.TimelineEntryToProto, mask)
	resp := &api.TimelineResponse{Entries: out}
	if last >= 0 && last < len(entries)-1 {
		resp.NextPageToken = encodePageToken(fp, posOf(&entries[last].Version))
	}
	return resp, nil
}
