package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/proto"

	apiv1 "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/cmd/sbomgraph/internal/report"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/query"
	"github.com/sbomgraph/sbomgraph/server/convert"
)

// clientCommand holds what every read command parses: its connection and output flags.
type clientCommand struct {
	cf  clientFlags
	out string
	// allowed are the -o formats; nil means text and json.
	allowed []string
}

// parse registers the common flags on a new FlagSet, parses args, and checks the count of
// positional arguments against want.
func (c *clientCommand) parse(e *env, name, synopsis string, args []string, want int, extra func(*flag.FlagSet)) ([]string, error) {
	fs := newFlagSet(e, name, synopsis)
	c.cf.register(fs, e, 30*time.Second)
	usage := "output format: text or json (the proto's JSON mapping)"
	if c.allowed != nil {
		usage = "output format: " + strings.Join(c.allowed, ", ")
	}
	fs.StringVar(&c.out, "o", "text", usage)
	if extra != nil {
		extra(fs)
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	if err := outputFormat(c.out, c.formats()...); err != nil {
		return nil, err
	}
	if len(pos) != want {
		fs.Usage()
		return nil, fmt.Errorf("%w: want %d arguments, got %d", errUsage, want, len(pos))
	}
	return pos, nil
}

func (c *clientCommand) formats() []string {
	if c.allowed != nil {
		return c.allowed
	}
	return []string{"text", "json"}
}

// query dials the server and returns a QueryService client and a closer.
func (c *clientCommand) query() (apiv1.QueryServiceClient, func(), error) {
	conn, err := c.cf.dial()
	if err != nil {
		return nil, nil, err
	}
	return apiv1.NewQueryServiceClient(conn), func() { conn.Close() }, nil
}

// parseRef parses an IMAGE:TAG or IMAGE@DIGEST argument.
func parseRef(s string) (*apiv1.ImageRef, error) {
	r, err := graph.ParseRef(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return &apiv1.ImageRef{Image: r.Image, Tag: r.Tag, Digest: r.Digest}, nil
}

// runImages lists the stored images.
func runImages(ctx context.Context, e *env, args []string) error {
	var c clientCommand
	if _, err := c.parse(e, "images", "[flags]", args, 0, nil); err != nil {
		return err
	}
	client, closeConn, err := c.query()
	if err != nil {
		return err
	}
	defer closeConn()
	all := &apiv1.ListImagesResponse{}
	err = c.cf.allPages(ctx, func(ctx context.Context, token string) (string, error) {
		resp, err := client.ListImages(ctx, &apiv1.ListImagesRequest{PageSize: 1000, PageToken: token})
		all.Images = append(all.Images, resp.GetImages()...)
		return resp.GetNextPageToken(), err
	})
	if err != nil {
		return err
	}
	if c.out == "json" {
		return writeProtoJSON(e.stdout, all)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "IMAGE\tVERSIONS\tLATEST\tCOMPONENTS")
	for _, im := range all.GetImages() {
		l := im.GetLatest()
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\n", im.GetName(), im.GetVersions(), strings.TrimPrefix(graph.Ref{Tag: l.GetTag(), Digest: l.GetDigest()}.String(), ":"), l.GetComponents())
	}
	return tw.Flush()
}

// runVersions lists one image's versions in order.
func runVersions(ctx context.Context, e *env, args []string) error {
	var c clientCommand
	pos, err := c.parse(e, "versions", "[flags] IMAGE", args, 1, nil)
	if err != nil {
		return err
	}
	client, closeConn, err := c.query()
	if err != nil {
		return err
	}
	defer closeConn()
	all := &apiv1.ListVersionsResponse{}
	err = c.cf.allPages(ctx, func(ctx context.Context, token string) (string, error) {
		resp, err := client.ListVersions(ctx, &apiv1.ListVersionsRequest{Image: pos[0], PageSize: 1000, PageToken: token})
		all.Versions = append(all.Versions, resp.GetVersions()...)
		return resp.GetNextPageToken(), err
	})
	if err != nil {
		return err
	}
	if c.out == "json" {
		return writeProtoJSON(e.stdout, all)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tORDERED BY\tCOMPONENTS\tUNIQUE\tEDGES\tWARNINGS\tSBOM")
	for _, v := range all.GetVersions() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\n", versionRef(v), orderedBy(v),
			v.GetComponents(), v.GetUnique(), v.GetEdges(), len(v.GetWarnings()), sourceString(v.GetSource()))
	}
	return tw.Flush()
}

// versionRef names a version as IMAGE:TAG@DIGEST.
func versionRef(v *apiv1.Version) string {
	return graph.Ref{Image: v.GetImage(), Tag: v.GetTag(), Digest: v.GetDigest()}.String()
}

// orderedBy says what placed v in its image's order, with the time.
func orderedBy(v *apiv1.Version) string {
	if v.GetOrderBasis() == apiv1.OrderBasis_ORDER_BASIS_CREATED {
		return "created " + v.GetCreated().AsTime().UTC().Format(time.RFC3339)
	}
	return "ingested " + v.GetIngested().AsTime().UTC().Format(time.RFC3339)
}

// sourceString names an SBOM's format, encoding and spec version.
func sourceString(s *apiv1.Source) string {
	f := strings.TrimPrefix(s.GetFormat().String(), "FORMAT_")
	enc := strings.ToLower(strings.TrimPrefix(s.GetEncoding().String(), "ENCODING_"))
	return fmt.Sprintf("%s %s %s", strings.ToLower(f), s.GetSpecVersion(), enc)
}

// runShow prints one version and a summary of its content.
func runShow(ctx context.Context, e *env, args []string) error {
	var c clientCommand
	pos, err := c.parse(e, "show", "[flags] IMAGE:TAG|IMAGE@DIGEST", args, 1, nil)
	if err != nil {
		return err
	}
	ref, err := parseRef(pos[0])
	if err != nil {
		return err
	}
	client, closeConn, err := c.query()
	if err != nil {
		return err
	}
	defer closeConn()
	cctx, cancel := c.cf.call(ctx)
	defer cancel()
	resp, err := client.GetVersion(cctx, &apiv1.GetVersionRequest{Ref: ref})
	if err != nil {
		return rpcError(c.cf.server, err)
	}
	if c.out == "json" {
		return writeProtoJSON(e.stdout, resp)
	}
	v, s := resp.GetVersion(), resp.GetSummary()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "version\t%s\n", versionRef(v))
	fmt.Fprintf(tw, "ordered by\t%s (seq %d)\n", orderedBy(v), v.GetSeq())
	fmt.Fprintf(tw, "sbom\t%s, %s\n", sourceString(v.GetSource()), strings.Join(v.GetSource().GetTools(), ", "))
	fmt.Fprintf(tw, "sbom digest\t%s\n", v.GetSbomDigest())
	sub := v.GetSubject()
	fmt.Fprintf(tw, "subject\t%s\n", graph.Ref{Image: sub.GetName(), Tag: sub.GetVersion(), Digest: sub.GetDigest()}.String())
	fmt.Fprintf(tw, "components\t%d (%d unique, %d direct, max depth %d)\n", v.GetComponents(), v.GetUnique(), s.GetDirect(), s.GetMaxDepth())
	fmt.Fprintf(tw, "edges\t%d depends-on, %d contains\n", s.GetDependsOnEdges(), s.GetContainsEdges())
	fmt.Fprintf(tw, "ecosystems\t%s\n", countList(s.GetEcosystems(), 0))
	fmt.Fprintf(tw, "types\t%s\n", countList(s.GetTypes(), 0))
	fmt.Fprintf(tw, "licences\t%s\n", countList(s.GetLicenses(), 5))
	fmt.Fprintf(tw, "warnings\t%d\n", len(v.GetWarnings()))
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, w := range v.GetWarnings() {
		fmt.Fprintf(e.stdout, "  %s %s: %s\n", strings.ToLower(strings.TrimPrefix(w.GetCode().String(), "WARNING_CODE_")), w.GetId(), w.GetMessage())
	}
	return nil
}

// countList formats counts as "a 3, b 2" by count then name, at most limit of them (0: all).
func countList(m map[string]int32, limit int) string {
	type kv struct {
		k string
		v int32
	}
	list := make([]kv, 0, len(m))
	for k, v := range m {
		if k == "" {
			k = "(none)"
		}
		if r := []rune(k); len(r) > 48 {
			k = string(r[:45]) + "..."
		}
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].v != list[j].v {
			return list[i].v > list[j].v
		}
		return list[i].k < list[j].k
	})
	var parts []string
	for i, p := range list {
		if limit > 0 && i == limit {
			parts = append(parts, fmt.Sprintf("and %d more", len(list)-limit))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", p.k, p.v))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// findAll runs a Find through every page and returns the matches in one response.
func findAll(ctx context.Context, cf *clientFlags, client apiv1.QueryServiceClient, req *apiv1.FindRequest) (*apiv1.FindResponse, error) {
	req = proto.Clone(req).(*apiv1.FindRequest)
	req.PageSize = 1000
	var all *apiv1.FindResponse
	err := cf.allPages(ctx, func(ctx context.Context, token string) (string, error) {
		req.PageToken = token
		resp, err := client.Find(ctx, req)
		if all == nil {
			all = resp
		} else {
			all.Matches = append(all.Matches, resp.GetMatches()...)
		}
		return resp.GetNextPageToken(), err
	})
	if err != nil {
		return nil, err
	}
	all.NextPageToken = ""
	return all, nil
}

// runPath prints how a component got into one version.
func runPath(ctx context.Context, e *env, args []string) error {
	var c clientCommand
	pos, err := c.parse(e, "path", "[flags] IMAGE:TAG|IMAGE@DIGEST PURL|KEY|NAME", args, 2, nil)
	if err != nil {
		return err
	}
	ref, err := parseRef(pos[0])
	if err != nil {
		return err
	}
	client, closeConn, err := c.query()
	if err != nil {
		return err
	}
	defer closeConn()
	cctx, cancel := c.cf.call(ctx)
	defer cancel()
	resp, err := client.Path(cctx, &apiv1.PathRequest{Ref: ref, Component: pos[1]})
	if err != nil {
		return rpcError(c.cf.server, err)
	}
	if c.out == "json" {
		return writeProtoJSON(e.stdout, resp)
	}
	for _, m := range resp.GetMatches() {
		kind := "transitive"
		if m.GetDirect() {
			kind = "direct"
		}
		fmt.Fprintf(e.stdout, "%s (%s, depth %d)\n", componentString(m.GetComponent()), kind, len(m.GetPath()))
		for i, p := range m.GetPath() {
			fmt.Fprintf(e.stdout, "  %s%s\n", strings.Repeat("  ", i), p)
		}
	}
	return nil
}

// componentString names a component by purl, else by key and version.
func componentString(c *apiv1.Component) string {
	if c.GetPurl() != "" {
		return c.GetPurl()
	}
	if c.GetVersion() != "" {
		return c.GetKey() + "@" + c.GetVersion()
	}
	return c.GetKey()
}

// runTimeline prints a package's history in one image.
func runTimeline(ctx context.Context, e *env, args []string) error {
	var c clientCommand
	pos, err := c.parse(e, "timeline", "[flags] IMAGE PURL|KEY|NAME", args, 2, nil)
	if err != nil {
		return err
	}
	client, closeConn, err := c.query()
	if err != nil {
		return err
	}
	defer closeConn()
	all, err := timelineAll(ctx, &c.cf, client, pos[0], pos[1])
	if err != nil {
		return err
	}
	if c.out == "json" {
		return writeProtoJSON(e.stdout, all)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tEVENT\tPACKAGE VERSIONS")
	for _, en := range all.GetEntries() {
		v := en.GetVersion()
		vs := strings.Join(en.GetVersions(), ", ")
		if vs == "" {
			vs = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", versionRef(v), eventString(en.GetEvent()), vs)
	}
	return tw.Flush()
}

// timelineAll reads every page of a timeline.
func timelineAll(ctx context.Context, cf *clientFlags, client apiv1.QueryServiceClient, image, component string) (*apiv1.TimelineResponse, error) {
	all := &apiv1.TimelineResponse{}
	err := cf.allPages(ctx, func(ctx context.Context, token string) (string, error) {
		resp, err := client.Timeline(ctx, &apiv1.TimelineRequest{Image: image, Component: component, PageSize: 1000, PageToken: token})
		all.Entries = append(all.Entries, resp.GetEntries()...)
		return resp.GetNextPageToken(), err
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// eventString names a timeline event in lower case ("removed").
func eventString(ev apiv1.TimelineEvent) string {
	if ev == apiv1.TimelineEvent_TIMELINE_EVENT_UNSPECIFIED {
		return "-"
	}
	return strings.ToLower(strings.TrimPrefix(ev.String(), "TIMELINE_EVENT_"))
}

// runFind answers a blast-radius question: which stored image versions contain a component,
// grouped by image, with whether each image's newest version is still affected and the
// version it was fixed in.
func runFind(ctx context.Context, e *env, args []string) error {
	c := clientCommand{allowed: report.FindFormats}
	var rng, image, color string
	var latest, direct, transitive bool
	pos, err := c.parse(e, "find", "[flags] PURL|KEY|NAME", args, 1, func(fs *flag.FlagSet) {
		fs.StringVar(&rng, "range", "", `only component versions in this range: "vers:maven/>=2.0.0|<2.17.1" or "<2.17.1", ">=1.0,<2"`)
		fs.BoolVar(&latest, "latest", false, "only each image's latest version")
		fs.BoolVar(&direct, "direct", false, "only top-level (direct) components")
		fs.BoolVar(&transitive, "transitive", false, "only components reached through another")
		fs.StringVar(&image, "image", "", "only this image")
		fs.StringVar(&color, "color", "auto", "colour the text output: auto (when stdout is a terminal and NO_COLOR is unset), always or never")
	})
	if err != nil {
		return err
	}
	if direct && transitive {
		return fmt.Errorf("%w: --direct and --transitive exclude each other", errUsage)
	}
	useColor, err := colorMode(color, e)
	if err != nil {
		return err
	}
	req := query.FindRequest{Component: pos[0], Range: rng, Latest: latest, Image: image}
	switch {
	case direct:
		req.Scope = query.DirectOnly
	case transitive:
		req.Scope = query.TransitiveOnly
	}
	client, closeConn, err := c.query()
	if err != nil {
		return err
	}
	defer closeConn()
	b, err := report.BuildBlastRadius(ctx, rpcSource{cf: &c.cf, client: client}, req)
	if err != nil {
		return err
	}
	if err := report.WriteFind(e.stdout, c.out, b, report.FindOptions{Color: useColor}); err != nil {
		return err
	}
	for _, s := range b.Skipped {
		fmt.Fprintf(e.stderr, "sbomgraph find: skipped %s: %s\n", s.Component, s.Reason)
	}
	return nil
}

// rpcSource answers a blast-radius report's questions with the server's Find and Timeline.
type rpcSource struct {
	cf     *clientFlags
	client apiv1.QueryServiceClient
}

var _ report.FindSource = rpcSource{}

// Find runs Find on the server, every page.
func (s rpcSource) Find(ctx context.Context, req query.FindRequest) (*query.FindResult, error) {
	resp, err := findAll(ctx, s.cf, s.client, convert.FindRequestToProto(&req))
	if err != nil {
		return nil, err
	}
	return convert.FindResultFromProto(resp), nil
}

// Timeline runs Timeline on the server, every page.
func (s rpcSource) Timeline(ctx context.Context, image, key string) ([]query.TimelineEntry, error) {
	resp, err := timelineAll(ctx, s.cf, s.client, image, key)
	if err != nil {
		return nil, err
	}
	return convert.TimelineFromProto(resp.GetEntries()), nil
}
