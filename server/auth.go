package server

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
)

// Scope is what a token may do.
type Scope int

// The scopes; write includes read.
const (
	// ScopeRead may list, query and diff.
	ScopeRead Scope = iota + 1
	// ScopeWrite may also ingest.
	ScopeWrite
)

// String returns "read" or "write".
func (s Scope) String() string {
	switch s {
	case ScopeRead:
		return "read"
	case ScopeWrite:
		return "write"
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

// ParseScope reads "read" or "write".
func ParseScope(s string) (Scope, error) {
	switch s {
	case "read":
		return ScopeRead, nil
	case "write":
		return ScopeWrite, nil
	}
	return 0, fmt.Errorf("unknown scope %q (want read or write)", s)
}

// Allows reports whether a principal with scope s may make a call that needs scope need.
func (s Scope) Allows(need Scope) bool { return s >= need }

// MinTokenLength is the shortest token a token file may hold.
const MinTokenLength = 16

// Tokens is a set of bearer tokens, each with a scope and a name. Only the tokens' SHA-256
// sums are kept, and a lookup compares the sum of the token given with every one in constant
// time, so neither a token nor its length leaks through timing.
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	sum   [sha256.Size]byte
	name  string
	scope Scope
}

// ParseTokens reads a token file: one token per line, as
//
//	TOKEN SCOPE [NAME]
//
// separated by spaces or tabs, where TOKEN is at least MinTokenLength printable non-space
// ASCII characters (for example `openssl rand -hex 32`), SCOPE is "read" or "write" (which
// includes read), and NAME, optional, names the token's holder in the server's logs (the
// token itself is never logged; the default name is "line N"). Blank lines and lines starting
// with "#" are ignored. Errors name the line; a file without any token, or with one token
// twice, is an error.
func ParseTokens(r io.Reader) (*Tokens, error) {
	t := &Tokens{}
	sc := bufio.NewScanner(r)
	seen := map[[sha256.Size]byte]int{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 || len(f) > 3 {
			return nil, fmt.Errorf("line %d: want TOKEN SCOPE [NAME], got %d fields", n, len(f))
		}
		tok := f[0]
		if len(tok) < MinTokenLength {
			return nil, fmt.Errorf("line %d: token shorter than %d characters", n, MinTokenLength)
		}
		for _, c := range []byte(tok) {
			if c <= ' ' || c > '~' {
				return nil, fmt.Errorf("line %d: token has a character that is not printable ASCII", n)
			}
		}
		scope, err := ParseScope(f[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		name := fmt.Sprintf("line %d", n)
		if len(f) == 3 {
			name = f[2]
		}
		sum := sha256.Sum256([]byte(tok))
		if prev, ok := seen[sum]; ok {
			return nil, fmt.Errorf("line %d: the token of line %d again", n, prev)
		}
		seen[sum] = n
		t.entries = append(t.entries, tokenEntry{sum: sum, name: name, scope: scope})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(t.entries) == 0 {
		return nil, errors.New("no tokens")
	}
	return t, nil
}

// LoadTokens reads the token file at path (see ParseTokens). Errors name the file.
func LoadTokens(path string) (*Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	t, err := ParseTokens(f)
	if err != nil {
		return nil, fmt.Errorf("token file %s: %w", path, err)
	}
	return t, nil
}

// Len returns the number of tokens.
func (t *Tokens) Len() int { return len(t.entries) }

// lookup returns the entry of token, comparing its sum with every entry's in constant time.
func (t *Tokens) lookup(token string) (tokenEntry, bool) {
	sum := sha256.Sum256([]byte(token))
	var found tokenEntry
	ok := 0
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(sum[:], e.sum[:]) == 1 {
			found, ok = e, 1
		}
	}
	return found, ok == 1
}

// scopeNone marks methods anyone may call.
const scopeNone Scope = 0

// requiredScope returns the scope a method needs: none for health checks (so probes need no
// credentials), read for queries, diffs and reflection, write for ingests and for any method
// this table does not know.
func requiredScope(method string) Scope {
	service, _, _ := strings.Cut(strings.TrimPrefix(method, "/"), "/")
	switch {
	case service == "grpc.health.v1.Health":
		return scopeNone
	case service == api.QueryService_ServiceDesc.ServiceName, service == api.DiffService_ServiceDesc.ServiceName:
		return ScopeRead
	case strings.HasPrefix(service, "grpc.reflection."):
		return ScopeRead
	}
	return ScopeWrite
}

// authorize checks the caller's credentials for method and records who it is: the bearer
// token when the server has Tokens, else a verified client certificate when it verifies them;
// a server with neither lets everyone make every call. UNAUTHENTICATED without valid
// credentials, PERMISSION_DENIED when the token's scope does not allow the method.
func (s *Server) authorize(ctx context.Context, method string) error {
	need := requiredScope(method)
	if need == scopeNone {
		return nil
	}
	if s.opts.Tokens != nil {
		tok, err := bearerToken(ctx)
		if err != nil {
			return err
		}
		e, ok := s.opts.Tokens.lookup(tok)
		if !ok {
			return status.Error(codes.Unauthenticated, "invalid bearer token")
		}
		setPrincipal(ctx, "token:"+e.name)
		if !e.scope.Allows(need) {
			return status.Errorf(codes.PermissionDenied, "token %q has the %s scope; %s needs %s", e.name, e.scope, method, need)
		}
		return nil
	}
	if s.clientCerts {
		name, ok := verifiedClient(ctx)
		if !ok {
			return status.Error(codes.Unauthenticated, "a verified client certificate is required")
		}
		setPrincipal(ctx, "cert:"+name)
	}
	return nil
}

// bearerToken returns the token of the call's "authorization: Bearer TOKEN" metadata.
func bearerToken(ctx context.Context) (string, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return "", status.Error(codes.Unauthenticated, "missing bearer token (authorization: Bearer TOKEN)")
	}
	scheme, tok, ok := strings.Cut(strings.TrimSpace(vals[0]), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(tok) == "" {
		return "", status.Error(codes.Unauthenticated, "malformed authorization metadata: want Bearer TOKEN")
	}
	return strings.TrimSpace(tok), nil
}

// verifiedClient returns the common name (or else the first DNS name or the serial number)
// of the call's verified client certificate.
func verifiedClient(ctx context.Context) (string, bool) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return "", false
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return "", false
	}
	c := info.State.VerifiedChains[0][0]
	switch {
	case c.Subject.CommonName != "":
		return c.Subject.CommonName, true
	case len(c.DNSNames) > 0:
		return c.DNSNames[0], true
	}
	return "serial " + c.SerialNumber.String(), true
}

// TLSConfig returns a server TLS configuration (TLS 1.2 or later) with the certificate and
// key in the PEM files certFile and keyFile. The files are read again when they change (see
// certReloader), so a certificate rotated in place (cert-manager, certbot) is served to new
// connections without a restart. When clientCAFile is set, clients must present a
// certificate signed by one of the CA certificates in that PEM file (mutual TLS). Errors name
// the file.
func TLSConfig(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("TLS needs both a certificate and a key file")
	}
	r, err := newCertReloader(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.get}
	if clientCAFile != "" {
		pem, err := os.ReadFile(clientCAFile)
		if err != nil {
			return nil, fmt.Errorf("client CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("client CA file %s holds no PEM certificate", clientCAFile)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// TokenCredentials sends a bearer token with every call of a client connection
// (grpc.WithPerRPCCredentials).
type TokenCredentials struct {
	// Token is the bearer token.
	Token string
	// AllowInsecure lets the token travel over a connection without TLS; set it only for
	// loopback connections.
	AllowInsecure bool
}

// GetRequestMetadata returns the authorization metadata.
func (c TokenCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + c.Token}, nil
}

// RequireTransportSecurity is true unless AllowInsecure.
func (c TokenCredentials) RequireTransportSecurity() bool { return !c.AllowInsecure }

// certReloader serves the certificate in a pair of PEM files, and loads them again when
// either file's size or modification time changes (checked at most every certCheck). A pair
// that does not load (a rotation half-written, a key that does not match yet) leaves the
// previous certificate in service until the next check finds the files complete.
type certReloader struct {
	certFile, keyFile string
	every             time.Duration

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   [2]fileStamp // of certFile and keyFile, as last loaded or tried
	checked time.Time
}

// certCheck is how often a handshake may look at the certificate files.
const certCheck = 5 * time.Second

type fileStamp struct {
	size int64
	mod  time.Time
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{size: -1}
	}
	return fileStamp{fi.Size(), fi.ModTime()}
}

func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, every: certCheck}
	r.stamp = [2]fileStamp{stampOf(certFile), stampOf(keyFile)}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s, key %s: %w", certFile, keyFile, err)
	}
	r.cert, r.checked = &cert, time.Now()
	return r, nil
}

// get is tls.Config.GetCertificate.
func (r *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := time.Now(); now.Sub(r.checked) >= r.every {
		r.checked = now
		if stamp := [2]fileStamp{stampOf(r.certFile), stampOf(r.keyFile)}; stamp != r.stamp {
			r.stamp = stamp
			if cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile); err == nil {
				r.cert = &cert
			}
		}
	}
	return r.cert, nil
}
