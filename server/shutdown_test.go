package server

import (
	"context"
	"runtime"
	"testing"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
)

// TestGracefulShutdown starts a streamed ingest, shuts the server down while the SBOM is
// still arriving, and checks that the ingest completes and is stored before Shutdown returns.
func TestGracefulShutdown(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	ts := start(t, store, Options{})
	c := newClients(ts.dial(t, nil))
	raw := ingesttest.Corpus(t, "big/debian-app-v2.syft.cdx.json")
	stream, err := c.ingest.IngestStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&api.IngestStreamRequest{Part: &api.IngestStreamRequest_Metadata{Metadata: &api.IngestMetadata{Image: "app", Tag: "2", Size: int64(len(raw))}}}); err != nil {
		t.Fatal(err)
	}
	half := len(raw) / 2
	if err := stream.Send(&api.IngestStreamRequest{Part: &api.IngestStreamRequest_Chunk{Chunk: raw[:half]}}); err != nil {
		t.Fatal(err)
	}
	// A call on the same connection that completes proves the server has read the stream's
	// opening (it reads a connection's frames in order), so the stream is in progress when
	// the shutdown begins.
	if _, err := c.query.ListImages(ctx, &api.ListImagesRequest{}); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() {
		ts.srv.Shutdown(ctx)
		close(stopped)
	}()
	// Shutdown has begun once health checks report NOT_SERVING.
	for {
		resp, err := ts.srv.health.Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetStatus() == healthpb.HealthCheckResponse_NOT_SERVING {
			break
		}
		runtime.Gosched()
	}
	select {
	case <-stopped:
		t.Fatal("Shutdown returned with an ingest in progress")
	default:
	}
	if err := stream.Send(&api.IngestStreamRequest{Part: &api.IngestStreamRequest_Chunk{Chunk: raw[half:]}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		t.Fatalf("ingest in progress at shutdown: %v", err)
	}
	<-stopped
	if !resp.GetCreated() || resp.GetVersion().GetComponents() != 5553 {
		t.Errorf("ingest = %v", resp)
	}
	if v, err := store.Version(ctx, graph.Ref{Image: "app", Tag: "2"}); err != nil || v.Seq != resp.GetVersion().GetSeq() {
		t.Errorf("stored version: %+v %v", v, err)
	}
	// New calls are refused.
	if _, err := c.query.ListImages(ctx, &api.ListImagesRequest{}); err == nil {
		t.Error("a call after shutdown was served")
	}
}
