// Package server is sbomgraph's gRPC server: the services of api/sbomgraph/v1 (ingest, query,
// diff), grpc.health.v1 and server reflection, over any graph.Store.
//
// Each call is a thin adaptor: validate the request, call the store and the shared semantics
// (ingest.DecodeBytes, graph/query, graph/diff), convert the result (server/convert) and map
// errors with one function (convert.ToStatus). Around every call sit interceptors for panic
// recovery, request logging (log/slog), authentication and authorisation (bearer tokens with
// a read or write scope, client certificates), and a per-call deadline.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	api "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// Defaults for the zero fields of Options.
const (
	// DefaultMaxMessageBytes caps one gRPC message: a unary Ingest's SBOM must fit in it
	// (larger SBOMs go through IngestStream in chunks).
	DefaultMaxMessageBytes = 32 << 20
	// DefaultTimeout bounds every call that has no earlier deadline of its own.
	DefaultTimeout = 5 * time.Minute
)

// pageBytes bounds the encoded size of one page of a listing, under gRPC clients' default
// 4 MiB receive limit: a page holds fewer than page_size items rather than exceed it.
const pageBytes = 3 << 20

// Options configure a Server. The zero value serves without TLS and without authentication,
// with the default limits.
type Options struct {
	// Tokens, when set, requires a bearer token on every call but health checks: its scope
	// must allow the call (read for QueryService, DiffService and reflection; write for
	// IngestService).
	Tokens *Tokens
	// TLS, when set, serves TLS with it (see TLSConfig). When it verifies client
	// certificates (ClientAuth RequireAndVerifyClientCert), a verified certificate
	// authenticates its holder; without Tokens, the holder may make every call.
	TLS *tls.Config
	// MaxMessageBytes caps one received or sent gRPC message (default
	// DefaultMaxMessageBytes).
	MaxMessageBytes int
	// Limits bound each SBOM: Limits.MaxBytes caps its size as received and after
	// decompression (also while an IngestStream is received), MaxDepth and MaxComponents its
	// shape. Zero fields take sbom.DefaultLimits.
	Limits sbom.Limits
	// Timeout bounds every call that has no earlier deadline (default DefaultTimeout; a
	// negative value sets none).
	Timeout time.Duration
	// MaxConcurrentIngests bounds the SBOMs decoded and stored at once, each of which may
	// take several times its size in memory (default GOMAXPROCS). Further ingests wait.
	MaxConcurrentIngests int
}

// withDefaults returns o with every zero field set, or an error for a negative one.
func (o Options) withDefaults() (Options, error) {
	switch {
	case o.MaxMessageBytes < 0:
		return o, fmt.Errorf("server: negative MaxMessageBytes %d", o.MaxMessageBytes)
	case o.Limits.MaxBytes < 0 || o.Limits.MaxDepth < 0 || o.Limits.MaxComponents < 0:
		return o, fmt.Errorf("server: negative SBOM limit %+v", o.Limits)
	case o.MaxConcurrentIngests < 0:
		return o, fmt.Errorf("server: negative MaxConcurrentIngests %d", o.MaxConcurrentIngests)
	}
	if o.MaxMessageBytes == 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	o.Limits = o.Limits.WithDefaults()
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxConcurrentIngests == 0 {
		o.MaxConcurrentIngests = runtime.GOMAXPROCS(0)
	}
	return o, nil
}

// Server serves the sbomgraph API over one store. Create it with New, run it with Serve and
// stop it with Shutdown; it does not close the store.
type Server struct {
	store  graph.Store
	log    *slog.Logger
	opts   Options
	grpc   *grpc.Server
	health *health.Server
	// ingests holds one token per ingest running (see Options.MaxConcurrentIngests).
	ingests chan struct{}
	// clientCerts is true when the TLS configuration verifies client certificates.
	clientCerts bool
	// answers keeps recent multi-page Find answers for their next pages.
	answers answers
}

// The services Server registers, by full name, for health checks.
var serviceNames = []string{
	api.IngestService_ServiceDesc.ServiceName,
	api.QueryService_ServiceDesc.ServiceName,
	api.DiffService_ServiceDesc.ServiceName,
}

// New returns a Server for store that logs to log (nil discards). It returns an error for a
// nil store or an invalid option.
func New(store graph.Store, log *slog.Logger, opts Options) (*Server, error) {
	if store == nil {
		return nil, errors.New("server: no store")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		store:   store,
		log:     log,
		opts:    opts,
		health:  health.NewServer(),
		ingests: make(chan struct{}, opts.MaxConcurrentIngests),
	}
	gopts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(opts.MaxMessageBytes),
		grpc.MaxSendMsgSize(opts.MaxMessageBytes),
		grpc.ChainUnaryInterceptor(s.logUnary, s.recoverUnary, s.authUnary, s.deadlineUnary, s.errorsUnary),
		grpc.ChainStreamInterceptor(s.logStream, s.recoverStream, s.authStream, s.deadlineStream, s.errorsStream),
	}
	if opts.TLS != nil {
		s.clientCerts = opts.TLS.ClientAuth >= tls.VerifyClientCertIfGiven && opts.TLS.ClientCAs != nil
		gopts = append(gopts, grpc.Creds(credentials.NewTLS(opts.TLS)))
	}
	s.grpc = grpc.NewServer(gopts...)
	api.RegisterIngestServiceServer(s.grpc, &ingestService{s: s})
	api.RegisterQueryServiceServer(s.grpc, &queryService{s: s})
	api.RegisterDiffServiceServer(s.grpc, &diffService{s: s})
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	for _, name := range serviceNames {
		s.health.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	return s, nil
}

// Serve accepts connections on l until Shutdown or Stop; it returns nil after them, or the
// listener's error.
func (s *Server) Serve(l net.Listener) error {
	err := s.grpc.Serve(l)
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}

// Shutdown stops the server gracefully: health checks report NOT_SERVING, no new calls are
// accepted, and calls in progress (ingests included) run to completion. When ctx ends first,
// the remaining calls are cancelled and connections closed. Shutdown returns when the server
// has stopped.
func (s *Server) Shutdown(ctx context.Context) {
	s.health.Shutdown()
	done := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.log.Warn("shutdown deadline reached: cancelling the calls still in progress")
		s.grpc.Stop()
		<-done
	}
}

// Stop stops the server at once, cancelling calls in progress.
func (s *Server) Stop() {
	s.health.Shutdown()
	s.grpc.Stop()
}
