package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
)

const (
	readToken  = "read-0123456789abcdef"
	writeToken = "write-0123456789abcdef"
)

func testTokens(t testing.TB) *Tokens {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens")
	file := "# sbomgraph tokens\n\n" + readToken + " read alice\n" + writeToken + "\twrite  ci-pipeline\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	tokens, err := LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Len() != 2 {
		t.Fatalf("%d tokens", tokens.Len())
	}
	return tokens
}

func TestParseTokens(t *testing.T) {
	for _, tc := range []struct{ file, err string }{
		{"", "no tokens"},
		{"# only a comment\n", "no tokens"},
		{"short read\n", "line 1: token shorter than 16"},
		{"0123456789abcdef0 admin\n", `line 1: unknown scope "admin"`},
		{"0123456789abcdef0\n", "line 1: want TOKEN SCOPE [NAME], got 1 fields"},
		{"0123456789abcdef0 read a b\n", "got 4 fields"},
		{"0123456789abcdef0 read\n\n0123456789abcdef0 write\n", "line 3: the token of line 1 again"},
		{"0123456789abcdef\x7f read\n", "not printable ASCII"},
	} {
		_, err := ParseTokens(strings.NewReader(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseTokens(%q) = %v, want %q", tc.file, err, tc.err)
		}
	}
	tokens, err := ParseTokens(strings.NewReader("0123456789abcdef0 read\n0123456789abcdef1 write ci\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		token string
		ok    bool
		name  string
		scope Scope
	}{
		{"0123456789abcdef0", true, "line 1", ScopeRead},
		{"0123456789abcdef1", true, "ci", ScopeWrite},
		{"0123456789abcdef", false, "", 0},
		{"", false, "", 0},
	} {
		e, ok := tokens.lookup(tc.token)
		if ok != tc.ok || e.name != tc.name || e.scope != tc.scope {
			t.Errorf("lookup(%q) = %+v %v", tc.token, e, ok)
		}
	}
	if _, err := LoadTokens(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("LoadTokens of a missing file succeeded")
	}
}

func TestRequiredScope(t *testing.T) {
	for method, want := range map[string]Scope{
		"/grpc.health.v1.Health/Check":                                   scopeNone,
		"/grpc.health.v1.Health/Watch":                                   scopeNone,
		"/sbomgraph.v1.QueryService/Find":                                ScopeRead,
		"/sbomgraph.v1.DiffService/Diff":                                 ScopeRead,
		"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo":      ScopeRead,
		"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": ScopeRead,
		"/sbomgraph.v1.IngestService/Ingest":                             ScopeWrite,
		"/sbomgraph.v1.IngestService/IngestStream":                       ScopeWrite,
		"/sbomgraph.v2.Whatever/Thing":                                   ScopeWrite,
	} {
		if got := requiredScope(method); got != want {
			t.Errorf("requiredScope(%s) = %v, want %v", method, got, want)
		}
	}
}

// TestTokenAuth checks every outcome of token authentication over the API.
func TestTokenAuth(t *testing.T) {
	ctx := context.Background()
	ts := start(t, openStore(t), Options{Tokens: testTokens(t)})
	anon := newClients(ts.dial(t, nil))
	bad := newClients(ts.dial(t, nil, grpc.WithPerRPCCredentials(TokenCredentials{Token: "not-a-token-at-all", AllowInsecure: true})))
	reader := newClients(ts.dial(t, nil, grpc.WithPerRPCCredentials(TokenCredentials{Token: readToken, AllowInsecure: true})))
	writer := newClients(ts.dial(t, nil, grpc.WithPerRPCCredentials(TokenCredentials{Token: writeToken, AllowInsecure: true})))
	sbom := ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json")
	req := &api.IngestRequest{Metadata: &api.IngestMetadata{Image: "alpine", Tag: "3.16.2"}, Sbom: sbom}

	_, err := anon.query.ListImages(ctx, &api.ListImagesRequest{})
	wantCode(t, err, codes.Unauthenticated, "", "missing bearer token")
	_, err = anon.ingest.Ingest(ctx, req)
	wantCode(t, err, codes.Unauthenticated, "")
	_, err = bad.query.ListImages(ctx, &api.ListImagesRequest{})
	wantCode(t, err, codes.Unauthenticated, "", "invalid bearer token")

	_, err = reader.ingest.Ingest(ctx, req)
	wantCode(t, err, codes.PermissionDenied, "", `token "alice" has the read scope`)
	_, err = ingestStream(ctx, reader.ingest, req.GetMetadata(), sbom, 4096)
	wantCode(t, err, codes.PermissionDenied, "")

	if _, err := writer.ingest.Ingest(ctx, req); err != nil {
		t.Fatalf("write token ingest: %v", err)
	}
	if resp, err := reader.query.ListImages(ctx, &api.ListImagesRequest{}); err != nil || len(resp.GetImages()) != 1 {
		t.Fatalf("read token list: %v %v", resp, err)
	}
	if _, err := writer.diff.Diff(ctx, &api.DiffRequest{Old: &api.ImageRef{Image: "alpine", Tag: "3.16.2"}, New: &api.ImageRef{Image: "alpine", Tag: "3.16.2"}}); err != nil {
		t.Fatalf("write token diff: %v", err)
	}

	// Probes need no token.
	resp, err := healthpb.NewHealthClient(ts.dial(t, nil)).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health without a token: %v %v", resp, err)
	}
	// Reflection needs the read scope.
	if _, err := listServices(ctx, ts.dial(t, nil)); err == nil {
		t.Error("reflection without a token succeeded")
	}

	logs := ts.logs.String()
	for _, want := range []string{"principal=token:alice", "principal=token:ci-pipeline", "code=PermissionDenied", "code=Unauthenticated"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(logs, readToken) || strings.Contains(logs, writeToken) {
		t.Error("a token was logged")
	}
}

// listServices asks server reflection for the services, as `grpcurl ADDR list` does.
func listServices(ctx context.Context, conn *grpc.ClientConn) ([]string, error) {
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		return nil, err
	}
	defer stream.CloseSend()
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		return nil, err
	}
	resp, err := stream.Recv()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	slices.Sort(names)
	return names, nil
}

// TestReflectionAndHealth does what `grpcurl ADDR list`, `grpcurl ADDR describe` and
// `grpc_health_probe` do.
func TestReflectionAndHealth(t *testing.T) {
	ctx := context.Background()
	ts := start(t, openStore(t), Options{Tokens: testTokens(t)})
	conn := ts.dial(t, nil, grpc.WithPerRPCCredentials(TokenCredentials{Token: readToken, AllowInsecure: true}))
	names, err := listServices(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
		"sbomgraph.v1.DiffService", "sbomgraph.v1.IngestService", "sbomgraph.v1.QueryService"}
	if !slices.Equal(names, want) {
		t.Errorf("services = %v, want %v", names, want)
	}

	// describe: the file that defines QueryService, with its methods.
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: "sbomgraph.v1.QueryService"}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	stream.CloseSend()
	var methods []string
	for _, b := range resp.GetFileDescriptorResponse().GetFileDescriptorProto() {
		var fd descriptorpb.FileDescriptorProto
		if err := proto.Unmarshal(b, &fd); err != nil {
			t.Fatal(err)
		}
		for _, s := range fd.GetService() {
			if s.GetName() == "QueryService" {
				for _, m := range s.GetMethod() {
					methods = append(methods, m.GetName())
				}
			}
		}
	}
	if want := []string{"ListImages", "ListVersions", "GetVersion", "Find", "Path", "Timeline"}; !slices.Equal(methods, want) {
		t.Errorf("QueryService methods = %v, want %v", methods, want)
	}

	health := healthpb.NewHealthClient(conn)
	for _, svc := range append([]string{""}, serviceNames...) {
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health %q: %v %v", svc, resp, err)
		}
	}
	_, err = health.Check(ctx, &healthpb.HealthCheckRequest{Service: "nope.v1.Service"})
	wantCode(t, err, codes.NotFound, "")
}

// pki writes a CA, a server certificate for "localhost" and a client certificate for
// "client-1" signed by it, as PEM files in dir.
type pki struct {
	caFile, certFile, keyFile string
	clientCert, clientKey     string
	pool                      *x509.CertPool
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			DNSNames: []string{name}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return write(name+".crt", "CERTIFICATE", der), write(name+".key", "EC PRIVATE KEY", kder)
	}
	p := pki{caFile: write("ca.crt", "CERTIFICATE", caDER), pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.certFile, p.keyFile = leaf("localhost", 2, x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = leaf("client-1", 3, x509.ExtKeyUsageClientAuth)
	return p
}

// TestMutualTLS serves TLS with client-certificate verification and no tokens: a verified
// certificate is the credential.
func TestMutualTLS(t *testing.T) {
	ctx := context.Background()
	p := newPKI(t)
	cfg, err := TLSConfig(p.certFile, p.keyFile, p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, openStore(t), Options{TLS: cfg})
	clientPair, err := tls.LoadX509KeyPair(p.clientCert, p.clientKey)
	if err != nil {
		t.Fatal(err)
	}
	withCert := credentials.NewTLS(&tls.Config{ServerName: "localhost", RootCAs: p.pool, Certificates: []tls.Certificate{clientPair}})
	c := newClients(ts.dial(t, withCert))
	if _, err := c.ingest.Ingest(ctx, &api.IngestRequest{Metadata: &api.IngestMetadata{Image: "alpine", Tag: "1"}, Sbom: ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json")}); err != nil {
		t.Fatalf("with a client certificate: %v", err)
	}
	if !strings.Contains(ts.logs.String(), "principal=cert:client-1") {
		t.Errorf("log lacks the certificate's name:\n%s", ts.logs.String())
	}
	without := newClients(ts.dial(t, credentials.NewTLS(&tls.Config{ServerName: "localhost", RootCAs: p.pool})))
	if _, err := without.query.ListImages(ctx, &api.ListImagesRequest{}); err == nil {
		t.Error("a client without a certificate was served")
	}
	plain := newClients(ts.dial(t, nil))
	if _, err := plain.query.ListImages(ctx, &api.ListImagesRequest{}); err == nil {
		t.Error("a plaintext client was served")
	}

	for _, tc := range []struct{ cert, key, ca, err string }{
		{"", p.keyFile, "", "both a certificate and a key"},
		{p.certFile, p.clientKey, "", "private key does not match"},
		{p.certFile, p.keyFile, filepath.Join(t.TempDir(), "none.pem"), "client CA file"},
		{p.certFile, p.keyFile, p.keyFile, "holds no PEM certificate"},
	} {
		if _, err := TLSConfig(tc.cert, tc.key, tc.ca); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("TLSConfig(%q, %q, %q) = %v, want %q", tc.cert, tc.key, tc.ca, err, tc.err)
		}
	}
}

// TestCertReload rotates a server certificate in place: the new pair is served once both
// files are complete, and a half-written rotation (new certificate, old key) keeps the old
// pair in service.
func TestCertReload(t *testing.T) {
	a, b := newPKI(t), newPKI(t)
	r, err := newCertReloader(a.certFile, a.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	r.every = 0
	der := func(p pki) []byte {
		pair, err := tls.LoadX509KeyPair(p.certFile, p.keyFile)
		if err != nil {
			t.Fatal(err)
		}
		return pair.Certificate[0]
	}
	served := func() []byte {
		c, err := r.get(nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.Certificate[0]
	}
	oldDER, newDER := der(a), der(b)
	if !bytes.Equal(served(), oldDER) {
		t.Fatal("the first certificate is not served")
	}
	copyFile := func(from, to string, age time.Duration) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o600); err != nil {
			t.Fatal(err)
		}
		// A distinct modification time, whatever the file system's clock granularity.
		when := time.Now().Add(age)
		if err := os.Chtimes(to, when, when); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(b.certFile, a.certFile, time.Minute)
	if !bytes.Equal(served(), oldDER) {
		t.Error("a certificate without its key replaced the served pair")
	}
	copyFile(b.keyFile, a.keyFile, 2*time.Minute)
	if !bytes.Equal(served(), newDER) {
		t.Error("the rotated pair is not served")
	}
	// Between checks the files are not looked at.
	c := newPKI(t)
	r.every = time.Hour
	copyFile(c.certFile, a.certFile, 3*time.Minute)
	copyFile(c.keyFile, a.keyFile, 3*time.Minute)
	if !bytes.Equal(served(), newDER) {
		t.Error("the files were read again before the check was due")
	}
	r.checked = time.Time{}
	if !bytes.Equal(served(), der(c)) {
		t.Error("the next rotation is not served when the check is due")
	}
}
