package server

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/sqlite"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is a Server on an in-memory listener.
type testServer struct {
	srv  *Server
	lis  *bufconn.Listener
	logs *syncBuffer
}

// start serves store with opts over bufconn until the test ends.
func start(t testing.TB, store graph.Store, opts Options) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	srv, err := New(store, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), opts)
	if err != nil {
		t.Fatal(err)
	}
	lis := bufconn.Listen(1 << 20)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &testServer{srv: srv, lis: lis, logs: logs}
}

// dial connects to the server, without TLS unless creds are given.
func (ts *testServer) dial(t testing.TB, creds credentials.TransportCredentials, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	if creds == nil {
		creds = insecure.NewCredentials()
	}
	opts = append([]grpc.DialOption{
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ts.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64 << 20)),
	}, opts...)
	conn, err := grpc.NewClient("passthrough:///bufconn", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// clients are the three API clients over one connection.
type clients struct {
	ingest api.IngestServiceClient
	query  api.QueryServiceClient
	diff   api.DiffServiceClient
}

func newClients(conn *grpc.ClientConn) clients {
	return clients{api.NewIngestServiceClient(conn), api.NewQueryServiceClient(conn), api.NewDiffServiceClient(conn)}
}

// openStore opens an empty SQLite store for the test.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// corpusGz returns a corpus file as stored: gzip-compressed.
func corpusGz(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ingesttest.CorpusDir(), name+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantCode fails the test unless err has the code (and, when reason is set, the ErrorInfo
// reason) and its message contains every one of msgs.
func wantCode(t testing.TB, err error, code codes.Code, reason string, msgs ...string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("code %v (%q), want %v", st.Code(), st.Message(), code)
	}
	for _, m := range msgs {
		if !strings.Contains(st.Message(), m) {
			t.Errorf("message %q does not contain %q", st.Message(), m)
		}
	}
	if reason == "" {
		return
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == reason {
			return
		}
	}
	t.Errorf("status %v has no ErrorInfo reason %s (details %v)", st.Code(), reason, st.Details())
}

// ingestStream sends raw through IngestStream in chunks of chunk bytes.
func ingestStream(ctx context.Context, c api.IngestServiceClient, md *api.IngestMetadata, raw []byte, chunk int) (*api.IngestStreamResponse, error) {
	stream, err := c.IngestStream(ctx)
	if err != nil {
		return nil, err
	}
	if err := stream.Send(&api.IngestStreamRequest{Part: &api.IngestStreamRequest_Metadata{Metadata: md}}); err != nil {
		return stream.CloseAndRecv()
	}
	for len(raw) > 0 {
		n := min(chunk, len(raw))
		if err := stream.Send(&api.IngestStreamRequest{Part: &api.IngestStreamRequest_Chunk{Chunk: raw[:n]}}); err != nil {
			// The server ended the call; CloseAndRecv returns its status.
			return stream.CloseAndRecv()
		}
		raw = raw[n:]
	}
	return stream.CloseAndRecv()
}
