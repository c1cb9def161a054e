package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	apiv1 "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
)

// serveLog is a stderr for an in-process `serve` that the test reads while it runs.
type serveLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var servingAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)

// serveInProcess runs `sbomgraph serve ARGS` in this process until the test cancels it, and
// returns the address it listens on once it says so, a stop function that returns the exit
// status, and its log.
func serveInProcess(t *testing.T, getenv func(string) string, args ...string) (addr string, stop func() int, log *serveLog) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log = &serveLog{}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, &env{stdout: log, stderr: log, getenv: getenv}, append([]string{"serve"}, args...))
	}()
	var once sync.Once
	exit := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			exit = <-code
		})
		return exit
	}
	// Wait for the server to say where it listens (or to exit).
	for {
		if m := servingAddr.FindStringSubmatch(log.String()); m != nil {
			t.Cleanup(func() { stop() })
			return m[1], stop, log
		}
		select {
		case c := <-code:
			t.Fatalf("serve exited with %d before serving:\n%s", c, log.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func dialServe(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestServe starts the command on a free loopback port with a token file, checks health,
// authentication and an ingest, and stops it as SIGINT would.
func TestServe(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte("0123456789abcdef-rw write ci\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "data", "g.db")
	addr, stop, log := serveInProcess(t, func(string) string { return "" },
		"--listen", "127.0.0.1:0", "--store", store, "--tokens", tokens, "--max-sbom-bytes", "10000000")
	conn := dialServe(t, addr)

	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "sbomgraph.v1.QueryService"})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", resp, err)
	}
	_, err = apiv1.NewQueryServiceClient(conn).ListImages(ctx, &apiv1.ListImagesRequest{})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("ListImages without a token: %v, want Unauthenticated", err)
	}
	in, err := apiv1.NewIngestServiceClient(conn).Ingest(metadataToken(ctx, "0123456789abcdef-rw"), &apiv1.IngestRequest{
		Metadata: &apiv1.IngestMetadata{Image: "alpine", Tag: "3.16.2"},
		Sbom:     ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json"),
	})
	if err != nil || in.GetVersion().GetComponents() != 15 {
		t.Fatalf("ingest: %v %v", in, err)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d after shutdown:\n%s", code, log.String())
	}
	for _, want := range []string{"msg=serving", "tokens=true", "msg=\"shutting down", "msg=stopped", "principal=token:ci"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	if _, err := os.Stat(store); err != nil {
		t.Errorf("store file: %v", err)
	}
}

func metadataToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// TestServeDefaultStore checks that `sbomgraph serve` without --store puts its database in
// the per-user data directory.
func TestServeDefaultStore(t *testing.T) {
	home := t.TempDir()
	_, stop, log := serveInProcess(t, func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}, "--listen", "127.0.0.1:0")
	if code := stop(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, log.String())
	}
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "sbomgraph", "sbomgraph.db")); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_DATA_HOME": "/data", "HOME": "/home/u"}, "/data/sbomgraph/sbomgraph.db"},
		{map[string]string{"XDG_DATA_HOME": "relative", "HOME": "/home/u"}, "/home/u/.local/share/sbomgraph/sbomgraph.db"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/sbomgraph/sbomgraph.db"},
	} {
		got, err := defaultStorePath(func(k string) string { return tc.env[k] })
		if err != nil || got != filepath.FromSlash(tc.want) {
			t.Errorf("defaultStorePath(%v) = %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
	if _, err := defaultStorePath(func(string) string { return "" }); err == nil {
		t.Error("no HOME: no error")
	}
}

// TestServeRefuses checks the flag and exposure errors, all reported before listening.
func TestServeRefuses(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("0123456789abcdef-rw write\n"), 0o600)
	store := filepath.Join(dir, "g.db")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--listen", "0.0.0.0:7600"}, 2, "without authentication"},
		{[]string{"--listen", ":7600"}, 2, "without authentication"},
		{[]string{"--listen", "192.0.2.1:7600", "--tokens", tokens}, 2, "without TLS"},
		{[]string{"--listen", "nowhere"}, 2, "want HOST:PORT"},
		{[]string{"--tls-cert", "c.pem"}, 2, "--tls-cert and --tls-key go together"},
		{[]string{"--client-ca", "ca.pem"}, 2, "--client-ca needs --tls-cert"},
		{[]string{"--tokens", filepath.Join(dir, "missing")}, 1, "token file"},
		{[]string{"--store", "neo4j://127.0.0.1:1"}, 1, "store neo4j://127.0.0.1:1: open neo4j store at neo4j://127.0.0.1:1: store unavailable"},
		{[]string{"--log-format", "xml"}, 2, "--log-format"},
		{[]string{"--max-sbom-bytes", "0"}, 2, "must be positive"},
		{[]string{"extra"}, 2, "unexpected arguments"},
	} {
		args := append([]string{"serve", "--store", store}, tc.args...)
		code, _, stderr := runCLI(args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
	for _, tc := range []struct {
		listen                           string
		tokens, certs, tls, insecure, ok bool
	}{
		{"127.0.0.1:7600", false, false, false, false, true},
		{"[::1]:7600", false, false, false, false, true},
		{"localhost:7600", false, false, false, false, true},
		{"0.0.0.0:7600", false, false, false, true, true},
		{"0.0.0.0:7600", true, false, true, false, true},
		{"0.0.0.0:7600", false, true, true, false, true},
		{"0.0.0.0:7600", true, false, false, false, false},
		{"10.1.2.3:7600", false, false, true, false, false},
	} {
		err := checkExposure(tc.listen, tc.tokens, tc.certs, tc.tls, tc.insecure)
		if (err == nil) != tc.ok {
			t.Errorf("checkExposure(%+v) = %v", tc, err)
		}
	}
	if got := redact("neo4j://user:secret@db:7687"); strings.Contains(got, "secret") {
		t.Errorf("redact = %q", got)
	}
}
