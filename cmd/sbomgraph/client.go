package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
	"unicode"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/sbomgraph/sbomgraph/cmd/sbomgraph/internal/report"
)

// defaultServer is where client commands look for the server when neither --server nor
// SBOMGRAPH_SERVER says otherwise: `sbomgraph serve`'s default listen address.
const defaultServer = "127.0.0.1:7600"

// clientFlags are the connection flags every client command takes.
type clientFlags struct {
	server     string
	token      string
	tokenFile  string
	tls        bool
	ca         string
	cert, key  string
	serverName string
	timeout    time.Duration
}

// register adds the connection flags to fs, with defaults from the environment.
func (c *clientFlags) register(fs *flag.FlagSet, e *env, timeout time.Duration) {
	server := e.getenv("SBOMGRAPH_SERVER")
	if server == "" {
		server = defaultServer
	}
	fs.StringVar(&c.server, "server", server, "server address HOST:PORT (env SBOMGRAPH_SERVER)")
	fs.StringVar(&c.token, "token", e.getenv("SBOMGRAPH_TOKEN"), "bearer token (env SBOMGRAPH_TOKEN)")
	fs.StringVar(&c.tokenFile, "token-file", e.getenv("SBOMGRAPH_TOKEN_FILE"), "read the bearer token from this file (env SBOMGRAPH_TOKEN_FILE)")
	fs.BoolVar(&c.tls, "tls", false, "connect with TLS, verifying the server against the system's roots")
	fs.StringVar(&c.ca, "tls-ca", "", "connect with TLS, verifying the server against the CA certificates in this PEM file")
	fs.StringVar(&c.cert, "tls-cert", "", "client certificate PEM file, for servers that verify clients (with --tls-key)")
	fs.StringVar(&c.key, "tls-key", "", "client private key PEM file (with --tls-cert)")
	fs.StringVar(&c.serverName, "tls-server-name", "", "the name to verify the server's certificate against (default: the host of --server)")
	fs.DurationVar(&c.timeout, "timeout", timeout, "deadline of each call to the server")
}

// dial connects to the server. It does not wait for the connection: the first call reports
// a server that cannot be reached.
func (c *clientFlags) dial() (*grpc.ClientConn, error) {
	host, _, err := net.SplitHostPort(c.server)
	if err != nil {
		return nil, fmt.Errorf("%w: --server %q: want HOST:PORT", errUsage, c.server)
	}
	token := c.token
	if c.tokenFile != "" {
		b, err := os.ReadFile(c.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("token file: %w", err)
		}
		token = strings.TrimSpace(string(b))
		if token == "" {
			return nil, fmt.Errorf("token file %s is empty", c.tokenFile)
		}
	}
	if (c.cert == "") != (c.key == "") {
		return nil, fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
	}
	useTLS := c.tls || c.ca != "" || c.cert != ""
	opts := []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64 << 20))}
	if useTLS {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.serverName}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		if c.ca != "" {
			pem, err := os.ReadFile(c.ca)
			if err != nil {
				return nil, fmt.Errorf("CA file: %w", err)
			}
			cfg.RootCAs = x509.NewCertPool()
			if !cfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("CA file %s holds no PEM certificate", c.ca)
			}
		}
		if c.cert != "" {
			pair, err := tls.LoadX509KeyPair(c.cert, c.key)
			if err != nil {
				return nil, fmt.Errorf("client certificate: %w", err)
			}
			cfg.Certificates = []tls.Certificate{pair}
		}
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	} else {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	if token != "" {
		if !useTLS && !isLoopback(host) {
			return nil, fmt.Errorf("%w: refusing to send a token in the clear to %s: use --tls or --tls-ca", errUsage, c.server)
		}
		opts = append(opts, grpc.WithPerRPCCredentials(bearer{token: token, secure: useTLS}))
	}
	conn, err := grpc.NewClient(c.server, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", c.server, err)
	}
	return conn, nil
}

// call bounds ctx by the per-call timeout.
func (c *clientFlags) call(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.timeout)
}

// allPages calls fetch with each page token in turn, the first page's empty, each within the
// per-call timeout, until fetch returns an empty next token or an error.
func (c *clientFlags) allPages(ctx context.Context, fetch func(ctx context.Context, token string) (next string, err error)) error {
	for token := ""; ; {
		cctx, cancel := c.call(ctx)
		next, err := fetch(cctx, token)
		cancel()
		if err != nil {
			return rpcError(c.server, err)
		}
		if next == "" {
			return nil
		}
		token = next
	}
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// bearer sends a token in the authorization metadata of every call.
type bearer struct {
	token  string
	secure bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

// RequireTransportSecurity is false only for loopback connections, which dial checked.
func (b bearer) RequireTransportSecurity() bool { return b.secure }

// rpcError turns a gRPC status into one line for the user, naming the server.
func rpcError(server string, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	switch st.Code() {
	case codes.Unavailable:
		return fmt.Errorf("server %s unavailable: %s (is `sbomgraph serve` running? set --server or SBOMGRAPH_SERVER)", server, st.Message())
	case codes.Unauthenticated:
		return fmt.Errorf("server %s: not authenticated: %s (give --token or SBOMGRAPH_TOKEN)", server, st.Message())
	case codes.PermissionDenied:
		return fmt.Errorf("server %s: permission denied: %s", server, st.Message())
	case codes.DeadlineExceeded:
		return fmt.Errorf("server %s: no answer in time (raise --timeout): %s", server, st.Message())
	}
	return fmt.Errorf("%s: %s", codeWords(st.Code()), st.Message())
}

// codeWords spells a status code in lower-case words: AlreadyExists is "already exists".
func codeWords(c codes.Code) string {
	var b strings.Builder
	for i, r := range c.String() {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writeProtoJSONList writes ms as a JSON array of their canonical JSON mappings.
func writeProtoJSONList(w io.Writer, ms []proto.Message) error {
	var out bytes.Buffer
	out.WriteByte('[')
	for i, m := range ms {
		b, err := protojson.Marshal(m)
		if err != nil {
			return err
		}
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(b)
	}
	out.WriteByte(']')
	var ind bytes.Buffer
	if err := json.Indent(&ind, out.Bytes(), "", "  "); err != nil {
		return err
	}
	ind.WriteByte('\n')
	_, err := w.Write(ind.Bytes())
	return err
}

// writeProtoJSON writes m in the proto's canonical JSON mapping, with stable indentation.
func writeProtoJSON(w io.Writer, m proto.Message) error { return report.WriteProtoJSON(w, m) }
