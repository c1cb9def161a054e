package neo4j_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/graphtest"
	"github.com/sbomgraph/sbomgraph/graph/neo4j"
	grpcserver "github.com/sbomgraph/sbomgraph/server"
)

// privateServer starts a Neo4j server of its own with the project's script (so stopping it
// disturbs no other test), and returns a function that runs the script's other commands on it
// and the server's Config. The server is removed when the test ends.
func privateServer(t *testing.T) (func(cmd string), neo4j.Config) {
	t.Helper()
	testConfig(t)
	script := os.Getenv("SBOMGRAPH_NEO4J_CTL")
	if script == "" {
		t.Skip("SBOMGRAPH_NEO4J_CTL is not set: the outage test needs graph/neo4j/server/neo4j.sh to run a server it may stop (make test sets it)")
	}
	home := t.TempDir()
	ctl := func(cmd string) {
		t.Helper()
		c := exec.Command("bash", script, cmd)
		c.Env = append(os.Environ(), "SBOMGRAPH_NEO4J_HOME="+home, "SBOMGRAPH_NEO4J_HEAP=512m", "SBOMGRAPH_NEO4J_PAGECACHE=64m")
		c.Stdout, c.Stderr = os.Stderr, os.Stderr
		if err := c.Run(); err != nil {
			t.Fatalf("neo4j.sh %s: %v", cmd, err)
		}
	}
	ctl("up")
	t.Cleanup(func() { ctl("down") })
	f, err := os.Open(filepath.Join(home, "env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok {
			env[k] = v
		}
	}
	cfg, err := neo4j.ConfigFromEnv("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return ctl, cfg
}

// TestOutage stops Neo4j under a store and a gRPC server over it: every store call fails with
// graph.ErrUnavailable, within the retry time, every gRPC call with UNAVAILABLE while the server
// keeps serving, and both answer again once Neo4j is back, without reopening or restarting.
func TestOutage(t *testing.T) {
	ctl, cfg := privateServer(t)
	ctx := context.Background()
	cfg.RetryTime = time.Second
	cfg.ConnectTimeout = 500 * time.Millisecond
	s, err := neo4j.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client := serveGRPC(t, s)
	docs := graphtest.Corpus(t)
	a, b := docs[0].Doc, docs[1].Doc
	refA, refB := graph.Ref{Image: "example.com/outage", Tag: "a"}, graph.Ref{Image: "example.com/outage", Tag: "b"}
	if _, _, err := s.Put(ctx, refA, a, graph.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	id := a.Components[len(a.Components)/2].ID()

	start := time.Now()
	ctl("stop")
	t.Logf("stopped in %v", time.Since(start).Round(time.Millisecond))
	calls := map[string]func() error{
		"Put":         func() error { _, _, err := s.Put(ctx, refB, b, graph.PutOptions{}); return err },
		"Delete":      func() error { return s.Delete(ctx, refA) },
		"Images":      func() error { _, err := s.Images(ctx); return err },
		"Versions":    func() error { _, err := s.Versions(ctx, refA.Image); return err },
		"Version":     func() error { _, err := s.Version(ctx, refA); return err },
		"Document":    func() error { _, err := s.Document(ctx, refA); return err },
		"Components":  func() error { _, err := s.Components(ctx, graph.ComponentQuery{Purl: id}); return err },
		"Occurrences": func() error { _, err := s.Occurrences(ctx, []string{id}); return err },
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		if !errors.Is(err, graph.ErrUnavailable) {
			t.Errorf("%s while Neo4j is down = %v, want ErrUnavailable", name, err)
		}
		t.Logf("%s while Neo4j is down failed after %v: %v", name, time.Since(start).Round(time.Millisecond), err)
	}

	for name, call := range map[string]func() error{
		"ListImages": func() error { _, err := client.ListImages(ctx, &api.ListImagesRequest{}); return err },
		"GetVersion": func() error {
			_, err := client.GetVersion(ctx, &api.GetVersionRequest{Ref: &api.ImageRef{Image: refA.Image, Tag: refA.Tag}})
			return err
		},
	} {
		if err := call(); status.Code(err) != codes.Unavailable {
			t.Errorf("gRPC %s while Neo4j is down = %v, want UNAVAILABLE", name, err)
		}
	}

	start = time.Now()
	ctl("start")
	t.Logf("restarted in %v", time.Since(start).Round(time.Millisecond))
	got, err := s.Document(ctx, refA)
	if err != nil {
		t.Fatalf("Document after Neo4j came back = %v", err)
	}
	if len(got.Components) != len(a.Components) {
		t.Errorf("Document after the outage has %d components, want %d", len(got.Components), len(a.Components))
	}
	if _, created, err := s.Put(ctx, refB, b, graph.PutOptions{}); err != nil || !created {
		t.Errorf("Put after Neo4j came back = %v, %v", created, err)
	}
	if vs, err := s.Versions(ctx, refA.Image); err != nil || len(vs) != 2 {
		t.Errorf("Versions after the outage = %d, %v; want 2 (the Put during the outage stored nothing)", len(vs), err)
	}
	if occ, err := s.Occurrences(ctx, []string{id}); err != nil || len(occ) == 0 {
		t.Errorf("Occurrences after the outage = %d, %v", len(occ), err)
	}
	if resp, err := client.ListImages(ctx, &api.ListImagesRequest{}); err != nil || len(resp.GetImages()) != 1 {
		t.Errorf("gRPC ListImages after the outage = %v, %v; want the one image", resp, err)
	}
}

// serveGRPC serves s over gRPC on a loopback port for the test's duration and returns a
// client; the test fails if the server stops serving before the end.
func serveGRPC(t *testing.T, s graph.Store) api.QueryServiceClient {
	t.Helper()
	srv, err := grpcserver.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), grpcserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		select {
		case err := <-served:
			t.Errorf("the gRPC server stopped during the test: %v", err)
		default:
		}
		srv.Stop()
	})
	return api.NewQueryServiceClient(conn)
}
