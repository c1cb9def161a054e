// Package neo4j is sbomgraph's store in Neo4j (5.x, Community or Enterprise, a single server, a
// cluster or a managed instance), through the official Go driver. Any number of stateless
// sbomgraph servers may share one database.
//
// The graph, in Cypher terms (schema.go creates its constraints and indexes):
//
//	(:Image {name})-[:HAS]->(:Version {vid, image, tag, digest, seq, ingested, meta, doc, ...})
//	(:Version)-[:CONTAINS {direct, path, licenses, hashAlgs, ...}]->(:Component {id, key, ...})
//	(:Component)-[:OF]->(:Package {key})
//	(:Component)-[:DEPENDS_ON|HOLDS {vid}]->(:Component)
//	(:SbomgraphMeta {name, schema, seq, ingested})
//
// A Component is one identity (sbom.Component.ID), shared by every version that contains it;
// its attributes are those of the first document that stored it. A Package groups the
// components of one package key.
//
// CONTAINS is the containment of one identity in one version: whether it is direct, its
// shortest path from the top of the document (computed at ingest by graph.Forest, as the
// embedded store does, so both answer alike), and the licences, hashes, supplier, CPEs and
// spellings that document gave it. Find, path and timeline answers come from these.
//
// DEPENDS_ON and HOLDS are a version's dependency edges (sbom.DependsOn and sbom.Contains)
// between its components, tagged with the version's vid, for Cypher traversals of one
// version's dependency graph.
//
// A Version's doc property keeps the document itself (every node as written, in order,
// duplicates included, and the edges between nodes; see encodeDoc), so Document, and the
// release diff built on it, read one property however large the version.
//
// Version.seq and Version.ingested come from one counter node, updated as the last step of
// every Put, so they grow strictly across every server that writes the database.
//
// Every Put is one write transaction of a few batched UNWIND statements, retried on transient
// errors by the driver's managed transactions; reads are managed read transactions. Driver
// errors are translated at this package's edge: lost or refused connections and exhausted
// retries wrap graph.ErrUnavailable, constraint violations graph.ErrConflict.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/internal/cache"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

var _ graph.Store = (*Store)(nil)

// Config says which Neo4j database to use and how.
type Config struct {
	// URI is the server's address: neo4j://HOST:PORT routes through a cluster or a managed
	// instance, bolt://HOST:PORT talks to one server; a "+s" suffix on the scheme (neo4j+s://)
	// encrypts with a verified certificate, "+ssc" accepts a self-signed one. The port defaults
	// to 7687. Credentials never go in the URI.
	URI string
	// User and Password authenticate; User defaults to "neo4j".
	User     string
	Password string
	// Database is the database to use; empty means the user's home database (usually "neo4j").
	Database string
	// RetryTime bounds how long a call retries transient errors and lost connections before it
	// fails with graph.ErrUnavailable (default 15s).
	RetryTime time.Duration
	// ConnectTimeout bounds one attempt to open a connection (default 5s).
	ConnectTimeout time.Duration
	// MaxConnections caps the connection pool per server (default 100).
	MaxConnections int
	// CacheSize bounds the in-process cache of version records (default 100,000). Version
	// records never change once written, so the cache is safe with many servers.
	CacheSize int
	// DocumentCache bounds the in-process cache of decoded documents, which serves repeated
	// reads and diffs of the same versions (default 32 documents; a 5,000-component document
	// takes a few megabytes). Documents never change once written either.
	DocumentCache int
	// Log receives the store's rare notices (schema created). Nil discards them.
	Log *slog.Logger
}

// The environment variables ConfigFromEnv reads.
const (
	EnvURI          = "SBOMGRAPH_NEO4J_URI"
	EnvUser         = "SBOMGRAPH_NEO4J_USER"
	EnvPassword     = "SBOMGRAPH_NEO4J_PASSWORD"
	EnvPasswordFile = "SBOMGRAPH_NEO4J_PASSWORD_FILE"
	EnvDatabase     = "SBOMGRAPH_NEO4J_DATABASE"
)

// ConfigFromEnv returns the Config for uri (or, when uri is empty, SBOMGRAPH_NEO4J_URI) with
// the credentials and database from the environment getenv reads (pass os.Getenv):
// SBOMGRAPH_NEO4J_USER, SBOMGRAPH_NEO4J_PASSWORD or SBOMGRAPH_NEO4J_PASSWORD_FILE (a file
// holding the password; one trailing newline is dropped) and SBOMGRAPH_NEO4J_DATABASE. A nil
// getenv reads nothing. It returns an error wrapping graph.ErrInvalid when no URI is given,
// the URI is not a Neo4j URI, or both password variables are set, and the file's read error
// when the password file cannot be read.
func ConfigFromEnv(uri string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if uri == "" {
		uri = getenv(EnvURI)
	}
	cfg := Config{URI: uri, User: getenv(EnvUser), Password: getenv(EnvPassword), Database: getenv(EnvDatabase)}
	if file := getenv(EnvPasswordFile); file != "" {
		if cfg.Password != "" {
			return Config{}, fmt.Errorf("%w: both %s and %s are set", graph.ErrInvalid, EnvPassword, EnvPasswordFile)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return Config{}, fmt.Errorf("neo4j password file: %w", err)
		}
		cfg.Password = strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	}
	if _, err := cfg.target(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// schemes are the URI schemes the driver speaks.
var schemes = map[string]bool{"neo4j": true, "neo4j+s": true, "neo4j+ssc": true, "bolt": true, "bolt+s": true, "bolt+ssc": true}

// IsURI reports whether s is a Neo4j URI (neo4j://, bolt:// and their +s and +ssc variants),
// for a caller that chooses the store by the address it is given.
func IsURI(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	return ok && schemes[strings.ToLower(scheme)]
}

// target checks the URI and returns it in the form the driver takes.
func (c *Config) target() (string, error) {
	if c.URI == "" {
		return "", fmt.Errorf("%w: no Neo4j URI (set %s or pass neo4j://HOST:PORT)", graph.ErrInvalid, EnvURI)
	}
	u, err := url.Parse(c.URI)
	if err != nil {
		return "", fmt.Errorf("%w: Neo4j URI: %v", graph.ErrInvalid, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch {
	case !schemes[u.Scheme]:
		return "", fmt.Errorf("%w: Neo4j URI %q: scheme must be neo4j, bolt, neo4j+s, bolt+s, neo4j+ssc or bolt+ssc", graph.ErrInvalid, c.URI)
	case u.User != nil:
		return "", fmt.Errorf("%w: Neo4j URI: put credentials in %s and %s, not in the URI", graph.ErrInvalid, EnvUser, EnvPassword)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("%w: Neo4j URI %q has no host", graph.ErrInvalid, c.URI)
	case u.Path != "" && u.Path != "/":
		return "", fmt.Errorf("%w: Neo4j URI %q: choose the database with %s, not a path", graph.ErrInvalid, c.URI, EnvDatabase)
	}
	u.Path = ""
	return u.String(), nil
}

// Store is the Neo4j graph store. It is safe for concurrent use.
type Store struct {
	driver neo4j.DriverWithContext
	db     string
	bm     neo4j.BookmarkManager
	log    *slog.Logger
	target string
	// versions caches version records by vid; they never change once committed.
	versions *cache.Map[int64, *graph.Version]
	// baselines caches what a canonical purl says about its component (see baseline).
	baselines *cache.Map[string, baseline]
	// docs caches decoded documents by vid: like version records, they never change.
	docs   *cache.Map[int64, *sbom.Document]
	closed atomic.Bool
}

// Open connects to the database cfg names, checks that it answers, and creates the schema
// (constraints, indexes and the counter node) if it is not there yet. It returns an error
// wrapping graph.ErrInvalid for a bad Config, graph.ErrUnavailable when the server cannot be
// reached, ErrSchema when the database holds another application's data or a newer
// sbomgraph schema, or the driver's error (for example bad credentials).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	target, err := cfg.target()
	if err != nil {
		return nil, err
	}
	if cfg.User == "" {
		cfg.User = "neo4j"
	}
	if cfg.RetryTime <= 0 {
		cfg.RetryTime = 15 * time.Second
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = 100
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 100_000
	}
	if cfg.DocumentCache <= 0 {
		cfg.DocumentCache = 32
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	driver, err := neo4j.NewDriverWithContext(target, neo4j.BasicAuth(cfg.User, cfg.Password, ""), func(c *config.Config) {
		c.MaxTransactionRetryTime = cfg.RetryTime
		c.SocketConnectTimeout = cfg.ConnectTimeout
		c.ConnectionAcquisitionTimeout = cfg.RetryTime
		c.MaxConnectionPoolSize = cfg.MaxConnections
		c.SocketKeepalive = true
		// Connections idle for a while are checked before use, so a pool that outlived a
		// server restart heals without failing a call.
		c.ConnectionLivenessCheckTimeout = 30 * time.Second
		c.TelemetryDisabled = true
	})
	if err != nil {
		return nil, fmt.Errorf("%w: Neo4j URI %q: %v", graph.ErrInvalid, cfg.URI, err)
	}
	s := &Store{
		driver:    driver,
		db:        cfg.Database,
		bm:        neo4j.NewBookmarkManager(neo4j.BookmarkManagerConfig{}),
		log:       cfg.Log,
		target:    target,
		versions:  cache.New[int64, *graph.Version](cfg.CacheSize),
		baselines: cache.New[string, baseline](4 * cfg.CacheSize),
		docs:      cache.New[int64, *sbom.Document](cfg.DocumentCache),
	}
	if err := driver.VerifyConnectivity(ctx); err != nil {
		driver.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("open neo4j store at %s: %w", target, s.mapErr(ctx, err))
	}
	if err := s.migrate(ctx); err != nil {
		driver.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("open neo4j store at %s: %w", target, err)
	}
	return s, nil
}

// Target returns the URI the store connects to.
func (s *Store) Target() string { return s.target }

// Close closes the driver and its connections. It may be called more than once; other calls
// after Close return an error wrapping graph.ErrUnavailable.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	return s.driver.Close(context.Background())
}

var errClosed = fmt.Errorf("%w: neo4j store is closed", graph.ErrUnavailable)

func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return ctx.Err()
}

func (s *Store) session(ctx context.Context, mode neo4j.AccessMode) neo4j.SessionWithContext {
	return s.driver.NewSession(ctx, neo4j.SessionConfig{
		AccessMode:      mode,
		DatabaseName:    s.db,
		FetchSize:       neo4j.FetchAll,
		BookmarkManager: s.bm,
	})
}

// read runs work in a managed read transaction, retried on transient errors (so work must
// start from scratch every time it runs).
func (s *Store) read(ctx context.Context, what string, work func(ctx context.Context, tx neo4j.ManagedTransaction) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	sess := s.session(ctx, neo4j.AccessModeRead)
	defer sess.Close(context.WithoutCancel(ctx))
	_, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return nil, work(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, s.mapErr(ctx, err))
	}
	return nil
}

// write runs work in a managed write transaction, retried on transient errors and on the
// errors concurrent writers can cause each other (see retriable and lostAtCommit), so work
// must start from scratch every time it runs. Cancelling ctx stops work before it commits,
// never during the commit: a write that returns an error has not happened.
func (s *Store) write(ctx context.Context, work func(ctx context.Context, tx neo4j.ManagedTransaction) (any, error)) (any, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	txCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var mu sync.Mutex
	committing := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !committing {
			cancel()
		}
	})
	defer stop()
	sess := s.session(txCtx, neo4j.AccessModeWrite)
	defer sess.Close(txCtx)
	var out any
	var err error
	for attempt := 1; ; attempt++ {
		out, err = sess.ExecuteWrite(txCtx, func(tx neo4j.ManagedTransaction) (any, error) {
			mu.Lock()
			committing = false
			mu.Unlock()
			res, err := work(txCtx, tx)
			if err != nil {
				return nil, retriable(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			committing = true
			return res, nil
		})
		if err == nil || attempt == commitAttempts || !lostAtCommit(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return nil, s.mapErr(ctx, err)
	}
	return out, nil
}

// commitAttempts bounds how many times write runs a transaction that lost a race at commit.
const commitAttempts = 5

// lostAtCommit reports whether err is a race with a concurrent writer that Neo4j reported at
// commit, where the driver retries nothing: a Delete whose reclaim found a component no
// version contains fails there ("still has relationships") when a concurrent Put contained
// it in the meantime, since Neo4j checks that at commit. Run again, the Delete sees the
// Put's containment and keeps the component. The same races met by a statement are retried
// by the driver (see retriable), and come back wrapped in a TransactionExecutionLimit once
// its retry time is spent.
func lostAtCommit(err error) bool {
	var limit *neo4j.TransactionExecutionLimit
	var nerr *neo4j.Neo4jError
	return !errors.As(err, &limit) && errors.As(err, &nerr) && (nerr.Code == codeConstraint || nerr.Code == codeEntityNotFound)
}

// Neo4j status codes the store acts on.
const (
	codeConstraint     = "Neo.ClientError.Schema.ConstraintValidationFailed"
	codeEntityNotFound = "Neo.ClientError.Statement.EntityNotFound"
)

// retriable marks the errors concurrent writers cause each other as worth retrying: a
// uniqueness or "node still has relationships" violation (two writers creating, or one
// reclaiming, the same node) and a node deleted under a writer that found it. The retry
// sees the other writer's committed work and does the right thing.
func retriable(err error) error {
	var nerr *neo4j.Neo4jError
	if errors.As(err, &nerr) && (nerr.Code == codeConstraint || nerr.Code == codeEntityNotFound) {
		nerr.MarkRetriable()
	}
	return err
}

// mapErr translates a driver error at the store's edge: context errors stay what they are,
// lost, refused or exhausted connections and transient server errors wrap
// graph.ErrUnavailable, constraint violations graph.ErrConflict; errors the store made itself
// (sentinels already wrapped) pass through.
func (s *Store) mapErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	for _, sentinel := range []error{graph.ErrNotFound, graph.ErrConflict, graph.ErrInvalid, graph.ErrUnavailable, ErrSchema, errCorrupt} {
		if errors.Is(err, sentinel) {
			return err
		}
	}
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return err
		}
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The driver's own timeouts (connection acquisition) on a live context: the server
		// did not answer in time.
		return fmt.Errorf("%w: %w", graph.ErrUnavailable, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("%w: %w", graph.ErrUnavailable, err)
	}
	if unavailable(err) {
		return fmt.Errorf("%w: %w", graph.ErrUnavailable, err)
	}
	var nerr *neo4j.Neo4jError
	if errors.As(err, &nerr) && nerr.Code == codeConstraint {
		return fmt.Errorf("%w: %w", graph.ErrConflict, err)
	}
	var limit *neo4j.TransactionExecutionLimit
	if errors.As(err, &limit) {
		// Retries ran out. They only happen on errors worth retrying: connection losses,
		// transient server errors, and the writers' races retriable marks.
		for _, e := range limit.Errors {
			if errors.As(e, &nerr) && nerr.Code == codeConstraint {
				return fmt.Errorf("%w: %w", graph.ErrConflict, err)
			}
		}
		return fmt.Errorf("%w: %w", graph.ErrUnavailable, err)
	}
	return err
}

// unavailable reports whether err says the server could not be reached or served the call
// (the call may succeed later).
func unavailable(err error) bool {
	var cerr *neo4j.ConnectivityError
	var nerr *neo4j.Neo4jError
	var netErr net.Error
	switch {
	case errors.As(err, &cerr), errors.As(err, &netErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &nerr):
		return nerr.IsRetriableTransient() || nerr.IsRetriableCluster() ||
			nerr.Code == "Neo.ClientError.Database.DatabaseNotFound" ||
			strings.HasPrefix(nerr.Code, "Neo.TransientError.")
	}
	return false
}
