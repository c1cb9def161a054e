package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
	"github.com/sbomgraph/sbomgraph/server/convert"
)

// TestErrorCodes checks every status code the server maps from the model, on a real store.
func TestErrorCodes(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	ts := start(t, store, Options{})
	c := newClients(ts.dial(t, nil))
	v1 := ingesttest.Corpus(t, "big/debian-app-v1.syft.cdx.json")
	v2 := corpusGz(t, "big/debian-app-v2.syft.cdx.json")
	if _, err := c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: &api.IngestMetadata{Image: "app", Tag: "1"}, Sbom: v1}); err != nil {
		t.Fatal(err)
	}
	ingestBytes := func(md *api.IngestMetadata, raw []byte) error {
		_, err := c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: md, Sbom: raw})
		return err
	}
	page := func(req *api.FindRequest) error {
		_, err := c.query.Find(ctx, req)
		return err
	}

	t.Run("bad SBOM", func(t *testing.T) {
		err := ingestBytes(&api.IngestMetadata{Image: "app", Tag: "x", Name: "notes.txt"}, []byte("these are my notes"))
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidSBOM, "notes.txt: ", "not an SBOM")
		err = ingestBytes(&api.IngestMetadata{Image: "app", Tag: "x"}, v1[:len(v1)/2])
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidSBOM)
		err = ingestBytes(&api.IngestMetadata{Image: "app", Tag: "x"}, []byte(`{"bomFormat":"CycloneDX","specVersion":"9.9","version":1,"components":[]}`))
		wantCode(t, err, codes.InvalidArgument, convert.ReasonUnsupportedSBOM, `"9.9"`)
		_, err = ingestStream(ctx, c.ingest, &api.IngestMetadata{Image: "app", Tag: "x"}, []byte("{}"), 1)
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidSBOM)
	})
	t.Run("no version named", func(t *testing.T) {
		bare := `{"bomFormat":"CycloneDX","specVersion":"1.4","version":1,"components":[{"type":"library","name":"x","version":"1","purl":"pkg:npm/x@1"}]}`
		err := ingestBytes(nil, []byte(bare))
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "no image version named")
		err = ingestBytes(&api.IngestMetadata{Image: "app"}, []byte(bare))
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest)
	})
	t.Run("conflict", func(t *testing.T) {
		err := ingestBytes(&api.IngestMetadata{Image: "app", Tag: "1"}, v2)
		wantCode(t, err, codes.AlreadyExists, convert.ReasonConflict)
		resp, err := c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: &api.IngestMetadata{Image: "app", Tag: "1", Replace: true}, Sbom: v2})
		if err != nil || !resp.GetCreated() || resp.GetVersion().GetComponents() != 5553 {
			t.Fatalf("replace: %v %v", resp, err)
		}
		_, err = ingestStream(ctx, c.ingest, &api.IngestMetadata{Image: "app", Tag: "1"}, v1, 1<<20)
		wantCode(t, err, codes.AlreadyExists, convert.ReasonConflict)
	})
	t.Run("not found", func(t *testing.T) {
		_, err := c.query.GetVersion(ctx, &api.GetVersionRequest{Ref: &api.ImageRef{Image: "app", Tag: "9"}})
		wantCode(t, err, codes.NotFound, convert.ReasonNotFound)
		_, err = c.query.ListVersions(ctx, &api.ListVersionsRequest{Image: "nope"})
		wantCode(t, err, codes.NotFound, convert.ReasonNotFound)
		_, err = c.query.Path(ctx, &api.PathRequest{Ref: &api.ImageRef{Image: "app", Tag: "1"}, Component: "pkg:npm/left-pad"})
		wantCode(t, err, codes.NotFound, convert.ReasonNotFound, "does not contain")
		_, err = c.query.Timeline(ctx, &api.TimelineRequest{Image: "nope", Component: "curl"})
		wantCode(t, err, codes.NotFound, convert.ReasonNotFound)
		_, err = c.diff.Diff(ctx, &api.DiffRequest{Old: &api.ImageRef{Image: "app", Tag: "1"}, New: &api.ImageRef{Image: "app", Tag: "2"}})
		wantCode(t, err, codes.NotFound, convert.ReasonNotFound)
	})
	t.Run("bad request", func(t *testing.T) {
		_, err := c.query.GetVersion(ctx, &api.GetVersionRequest{Ref: &api.ImageRef{Image: "app"}})
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "neither tag nor digest")
		_, err = c.diff.Diff(ctx, &api.DiffRequest{Old: &api.ImageRef{Image: "app", Tag: "1"}})
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "new: ")
		_, err = c.diff.Diff(ctx, &api.DiffRequest{Old: &api.ImageRef{Image: "app", Tag: "1"}, New: &api.ImageRef{Image: "app", Tag: "1"}, AsOf: &timestamppb.Timestamp{Nanos: -1}})
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "as_of")
		err = ingestBytes(&api.IngestMetadata{Image: "app", Tag: "1", Created: &timestamppb.Timestamp{Seconds: 1 << 62}}, v1)
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "created")
		wantCode(t, page(&api.FindRequest{Component: ""}), codes.InvalidArgument, convert.ReasonInvalidRequest, "no component")
		wantCode(t, page(&api.FindRequest{Component: "curl", Range: "vers:deb/>>1"}), codes.InvalidArgument, convert.ReasonInvalidRequest, "range")
		wantCode(t, page(&api.FindRequest{Component: "curl", Scope: 99}), codes.InvalidArgument, convert.ReasonInvalidRequest, "scope")
		wantCode(t, page(&api.FindRequest{Component: "curl", PageSize: -1}), codes.InvalidArgument, convert.ReasonInvalidRequest, "page_size")
		wantCode(t, page(&api.FindRequest{Component: "curl", PageToken: "!!"}), codes.InvalidArgument, convert.ReasonInvalidRequest, "page_token")
		wantCode(t, page(&api.FindRequest{Component: "curl", ReadMask: &fieldmaskpb.FieldMask{Paths: []string{"version.nope"}}}),
			codes.InvalidArgument, convert.ReasonInvalidRequest, `no field "nope"`)
		// A token is only good for the request that made it.
		if _, err := c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: &api.IngestMetadata{Image: "zzz", Tag: "1"}, Sbom: v1}); err != nil {
			t.Fatal(err)
		}
		images, err := c.query.ListImages(ctx, &api.ListImagesRequest{PageSize: 1})
		if err != nil || images.GetNextPageToken() == "" {
			t.Fatalf("two images, page size 1: %v %v", images, err)
		}
		wantCode(t, page(&api.FindRequest{Component: "curl", PageToken: images.GetNextPageToken()}), codes.InvalidArgument, convert.ReasonInvalidRequest, "another request")
		_, err = c.query.ListVersions(ctx, &api.ListVersionsRequest{Image: "app", PageToken: images.GetNextPageToken()})
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "another request")
	})
	t.Run("stream protocol", func(t *testing.T) {
		stream, err := c.ingest.IngestStream(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stream.Send(&api.IngestStreamRequest{Part: &api.IngestStreamRequest_Chunk{Chunk: v1[:10]}})
		_, err = stream.CloseAndRecv()
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "first IngestStream message")

		stream, err = c.ingest.IngestStream(ctx)
		if err != nil {
			t.Fatal(err)
		}
		md := &api.IngestStreamRequest{Part: &api.IngestStreamRequest_Metadata{Metadata: &api.IngestMetadata{Image: "app", Tag: "3"}}}
		stream.Send(md)
		stream.Send(md)
		_, err = stream.CloseAndRecv()
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "metadata twice")

		_, err = ingestStream(ctx, c.ingest, &api.IngestMetadata{Image: "app", Tag: "3", Size: int64(len(v1)) + 1}, v1, 1<<20)
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "announced")

		stream, err = c.ingest.IngestStream(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = stream.CloseAndRecv()
		wantCode(t, err, codes.InvalidArgument, convert.ReasonInvalidRequest, "before the metadata")
	})
	t.Run("store unavailable", func(t *testing.T) {
		closed := openStore(t)
		closed.Close()
		tc := newClients(start(t, closed, Options{}).dial(t, nil))
		_, err := tc.query.ListImages(ctx, &api.ListImagesRequest{})
		wantCode(t, err, codes.Unavailable, convert.ReasonUnavailable)
		_, err = tc.ingest.Ingest(ctx, &api.IngestRequest{Metadata: &api.IngestMetadata{Image: "app", Tag: "1"}, Sbom: v1})
		wantCode(t, err, codes.Unavailable, convert.ReasonUnavailable)
	})
}

// TestSizeLimits checks Options.Limits.MaxBytes on every way in: a whole message, a stream
// (with and without its size announced), and a small compressed SBOM that decompresses past
// the limit.
func TestSizeLimits(t *testing.T) {
	ctx := context.Background()
	const limit = 20000
	ts := start(t, openStore(t), Options{Limits: sbom.Limits{MaxBytes: limit}})
	c := newClients(ts.dial(t, nil))
	big := ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json") // 36769 bytes
	gz := corpusGz(t, "alpine-3.16.2.syft.cdx.json")
	if len(gz) >= limit || len(big) <= limit {
		t.Fatalf("test data: %d bytes compressed, %d decompressed; want them either side of %d", len(gz), len(big), limit)
	}
	md := &api.IngestMetadata{Image: "a", Tag: "1", Name: "alpine.json"}
	_, err := c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: md, Sbom: big})
	wantCode(t, err, codes.InvalidArgument, convert.ReasonSBOMTooLarge, "alpine.json: ", "20000")
	_, err = ingestStream(ctx, c.ingest, md, big, 4096)
	wantCode(t, err, codes.InvalidArgument, convert.ReasonSBOMTooLarge, "alpine.json: ")
	_, err = ingestStream(ctx, c.ingest, &api.IngestMetadata{Image: "a", Tag: "1", Size: int64(len(big))}, big, 4096)
	wantCode(t, err, codes.InvalidArgument, convert.ReasonSBOMTooLarge)
	_, err = c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: md, Sbom: gz})
	wantCode(t, err, codes.InvalidArgument, convert.ReasonSBOMTooLarge)

	// A message over MaxMessageBytes is refused by gRPC itself.
	small := newClients(start(t, openStore(t), Options{MaxMessageBytes: 10000}).dial(t, nil))
	_, err = small.ingest.Ingest(ctx, &api.IngestRequest{Metadata: md, Sbom: big})
	wantCode(t, err, codes.ResourceExhausted, "")
	// The same SBOM in chunks under the limit goes through.
	if _, err := ingestStream(ctx, small.ingest, md, big, 4096); err != nil {
		t.Errorf("chunked ingest under the message limit: %v", err)
	}
}

// faultStore is a store whose Images fails as told; the other methods are not called.
type faultStore struct {
	graph.Store
	err   error
	panic bool
	block bool
}

func (f *faultStore) Images(ctx context.Context) ([]graph.Image, error) {
	switch {
	case f.panic:
		panic("images: boom")
	case f.block:
		<-ctx.Done()
		return nil, fmt.Errorf("images: %w", ctx.Err())
	}
	return nil, f.err
}

// TestFaults checks the codes of store failures that a real store cannot be made to show on
// demand, and that internal errors and panics are logged in full once but reach the client
// only as a generic message.
func TestFaults(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		store  *faultStore
		opts   Options
		code   codes.Code
		reason string
		msg    string
		log    []string
	}{
		{"canceled", &faultStore{err: fmt.Errorf("images: %w", context.Canceled)}, Options{}, codes.Canceled, convert.ReasonCanceled, "canceled", nil},
		{"server deadline", &faultStore{block: true}, Options{Timeout: 20 * time.Millisecond}, codes.DeadlineExceeded, convert.ReasonDeadline, "deadline", nil},
		{"unavailable", &faultStore{err: fmt.Errorf("dial neo4j: %w", graph.ErrUnavailable)}, Options{}, codes.Unavailable, convert.ReasonUnavailable, "dial neo4j", nil},
		{"internal", &faultStore{err: errors.New("open /var/lib/secret.db: disk on fire")}, Options{}, codes.Internal, "", convert.InternalMessage,
			[]string{"level=ERROR msg=\"internal error\"", "disk on fire"}},
		{"panic", &faultStore{panic: true}, Options{}, codes.Internal, "", convert.InternalMessage,
			[]string{"level=ERROR msg=\"panic in call\"", "images: boom", "runtime/debug.Stack"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := start(t, tc.store, tc.opts)
			c := newClients(ts.dial(t, nil))
			_, err := c.query.ListImages(ctx, &api.ListImagesRequest{})
			wantCode(t, err, tc.code, tc.reason, tc.msg)
			if tc.code == codes.Internal && strings.Contains(err.Error(), "secret") {
				t.Errorf("internal detail reached the client: %v", err)
			}
			logs := ts.logs.String()
			for _, l := range tc.log {
				if strings.Count(logs, l) != 1 {
					t.Errorf("log has %q %d times, want once:\n%s", l, strings.Count(logs, l), logs)
				}
			}
			if !strings.Contains(logs, "code="+tc.code.String()) {
				t.Errorf("call not logged with its code:\n%s", logs)
			}
			// The server lives on, after a panic too.
			_, err = c.query.ListImages(ctx, &api.ListImagesRequest{})
			wantCode(t, err, tc.code, tc.reason)
		})
	}
}
