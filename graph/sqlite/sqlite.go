// Package sqlite is sbomgraph's embedded default store: one local SQLite file (pure Go, through
// modernc.org/sqlite), in WAL mode, crash-safe, with no setup.
//
// Storage grows with unique components, not with SBOM count:
//
//   - components: one row per identity, shared by every version that contains it, with the
//     attribute set (licences, hashes, supplier, type, CPEs) of the first document that
//     stored it; other attribute sets documents give it are stored once each (variants);
//   - contents: a version's component list (component id and variant per entry, in document
//     order, duplicates kept) and its edges, as two compact varint blobs;
//   - occurrences: the inverted index, a posting list per component (version, variant, and
//     the component ids on its shortest path from graph.Forest.Placements) cut into chunks
//     that merges append to, so a component's occurrences are a few rows, and a path costs no
//     lookups beyond the cached component rows;
//   - pending: the postings of recent versions, one compact row per version, which a Put
//     writes instead of touching every posting list and later Puts merge into the posting
//     lists a slice at a time (see pending.go).
//
// See schema.go for the tables and migrations and codec.go for the blobs.
//
// Writes are serialised in-process and each runs in one IMMEDIATE transaction (the file's
// write lock, across processes too), so a Put is atomic, even across a crash, and concurrent
// Puts never lose anything; a background connection checkpoints the write-ahead log. Reads
// run in read transactions on a pool of connections (WAL lets them proceed while a write is
// in progress) and share an in-process cache of component, variant and version rows, keyed
// by ids that are never reused. Other processes may read the file with standard SQLite tools
// at any time; one process at a time should write it (a second writer is safe, but each
// drops its writer caches whenever it sees the other's commits).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/internal/cache"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
	msqlite "modernc.org/sqlite" // also registers the "sqlite" database/sql driver
)

var _ graph.Store = (*Store)(nil)

// Durability says how much a committed Put survives.
type Durability int

const (
	// DurabilityFull (the default): a Put that returned survives a crash of the process and a
	// power loss (PRAGMA synchronous=FULL).
	DurabilityFull Durability = iota
	// DurabilityProcess: a Put that returned survives a crash of the process; a power loss may
	// undo the last few Puts, but never leaves a partial one (synchronous=NORMAL). Faster for
	// bulk loads.
	DurabilityProcess
)

// Option configures Open.
type Option func(*config)

type config struct {
	log        *slog.Logger
	durability Durability
	readers    int
	cacheSize  int
	busy       time.Duration
	preload    bool
}

// WithLogger sets the logger for the store's rare notices (migrations applied). The default
// discards them.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithDurability sets how much a committed Put survives; see Durability.
func WithDurability(d Durability) Option { return func(c *config) { c.durability = d } }

// WithReaders sets the number of read connections (default: max(4, GOMAXPROCS)).
func WithReaders(n int) Option { return func(c *config) { c.readers = n } }

// WithCacheSize bounds each in-process row cache (components, variants, versions) to about n
// entries (default 1,000,000; a component costs a few hundred bytes).
func WithCacheSize(n int) Option { return func(c *config) { c.cacheSize = n } }

// WithPreload makes Open start loading component and version rows into the in-process cache
// in the background (up to the cache size), so the first reads after a restart are as fast as
// later ones instead of reading every row they need from the file. Reads do not wait for it.
func WithPreload() Option { return func(c *config) { c.preload = true } }

// WithBusyTimeout sets how long a statement waits for a lock held by another process before
// failing (default 10s).
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busy = d } }

// Store is the SQLite graph store. It is safe for concurrent use.
type Store struct {
	path string
	log  *slog.Logger
	w    *sql.DB   // one connection, every write
	r    *sql.DB   // read connections
	rs   readStmts // the read connections' statements
	ckpt *sql.DB   // one connection, background WAL checkpoints
	kick chan struct{}
	done chan struct{}
	wg   sync.WaitGroup
	st   stmts
	// stopPreload cancels the background preload, if any.
	stopPreload context.CancelFunc

	comps    *cache.Map[int64, *compRow]
	variants *cache.Map[vkey, *variantEntry]
	versions *cache.Map[int64, *graph.Version]
	pending  *cache.Map[int64, *postings] // a pending version's postings (see pending.go)
	// latest remembers each image's latest version (0: none) for Latest, as of a generation.
	latest struct {
		mu         sync.Mutex
		generation int64
		seq        map[string]int64
	}

	// Writer state, guarded by wmu.
	wmu          sync.Mutex
	byIdentity   *cache.Map[string, *compRow]
	variantSets  *cache.Map[int64, []string] // component -> its variants' attrs, by number
	tails        *cache.Map[int64, tail]     // component -> its last posting-list chunk
	lastIngested int64
	dataVersion  int64
	maxChunk     int // posting-list chunk bound for the file's page size
	closed       atomic.Bool
}

// variantEntry is a cached variant: its component row and the component it describes.
type variantEntry struct {
	comp *compRow
	c    sbom.Component // without LocalID and Metadata
}

// Open opens (creating it if needed) the store in the SQLite file at path and migrates its
// schema to this build's version. It returns an error wrapping ErrSchema when the file is
// another application's database or has a newer schema, or SQLite's own error when the file
// cannot be opened.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := config{readers: max(4, runtime.GOMAXPROCS(0)), cacheSize: 1_000_000, busy: 10 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	syncMode := "FULL"
	if cfg.durability == DurabilityProcess {
		syncMode = "NORMAL"
	}
	base := "file:" + (&url.URL{Path: abs}).EscapedPath() + fmt.Sprintf("?_pragma=busy_timeout(%d)", cfg.busy.Milliseconds())
	// The writer never checkpoints the WAL itself (wal_autocheckpoint 0): a background
	// connection does, so a Put does not pay for copying earlier Puts into the database file.
	w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=synchronous("+syncMode+
		")&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{
		path:        abs,
		log:         cfg.log,
		w:           w,
		comps:       cache.New[int64, *compRow](cfg.cacheSize),
		variants:    cache.New[vkey, *variantEntry](cfg.cacheSize),
		versions:    cache.New[int64, *graph.Version](cfg.cacheSize / 10),
		pending:     cache.New[int64, *postings](4 * mergeVersions),
		byIdentity:  cache.New[string, *compRow](cfg.cacheSize),
		variantSets: cache.New[int64, []string](cfg.cacheSize),
		tails:       cache.New[int64, tail](cfg.cacheSize),
		kick:        make(chan struct{}, 1),
		done:        make(chan struct{}),
	}
	fail := func(err error) (*Store, error) {
		s.w.Close()
		if s.r != nil {
			s.r.Close()
		}
		if s.ckpt != nil {
			s.ckpt.Close()
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// The page size only takes on a new file, before WAL mode (which writes the header).
	if _, err := w.ExecContext(ctx, fmt.Sprintf(`PRAGMA page_size = %d`, pageSize)); err != nil {
		return fail(err)
	}
	var mode string
	if err := w.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil {
		return fail(err)
	}
	if mode != "wal" {
		return fail(fmt.Errorf("journal mode is %q, not wal", mode))
	}
	var before, filePageSize int
	if err := w.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&before); err != nil {
		return fail(err)
	}
	if err := w.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&filePageSize); err != nil {
		return fail(err)
	}
	s.maxChunk = maxChunk(filePageSize)
	if err := migrate(ctx, w); err != nil {
		return fail(err)
	}
	if before != SchemaVersion {
		s.log.Info("sqlite store migrated", "path", abs, "from", before, "to", SchemaVersion)
	}
	var last sql.NullInt64
	if err := w.QueryRowContext(ctx, `SELECT max(ingested) FROM versions`).Scan(&last); err != nil {
		return fail(err)
	}
	s.lastIngested = last.Int64
	if err := s.st.prepare(ctx, w); err != nil {
		return fail(err)
	}
	s.r, err = sql.Open("sqlite", base+"&_pragma=query_only(1)&_pragma=cache_size(-16384)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return fail(err)
	}
	s.r.SetMaxOpenConns(cfg.readers)
	s.r.SetMaxIdleConns(cfg.readers)
	s.r.SetConnMaxIdleTime(0)
	if err := s.rs.prepare(ctx, s.r); err != nil {
		return fail(err)
	}
	s.ckpt, err = sql.Open("sqlite", base+"&_pragma=synchronous("+syncMode+")")
	if err != nil {
		return fail(err)
	}
	s.ckpt.SetMaxOpenConns(1)
	if err := s.ckpt.PingContext(ctx); err != nil {
		return fail(err)
	}
	s.wg.Add(1)
	go s.checkpointer()
	if cfg.preload {
		var pctx context.Context
		pctx, s.stopPreload = context.WithCancel(context.Background())
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.preload(pctx); err != nil && pctx.Err() == nil {
				s.log.Warn("sqlite store: preload failed", "path", s.path, "err", err)
			}
		}()
	}
	return s, nil
}

// preload fills the caches with version and component rows (each component's first
// variant), stopping when a cache is half full.
func (s *Store) preload(ctx context.Context) error {
	return s.read(ctx, "preload", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+versionCols+` FROM versions`)
		if err != nil {
			return err
		}
		for n := 0; rows.Next() && n < s.versions.Cap()/2; n++ {
			id, v, err := scanVersion(rows)
			if err != nil {
				rows.Close()
				return err
			}
			s.versions.Put(id, v)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT `+compCols+`, attrs FROM components`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for n := 0; rows.Next() && n < s.variants.Cap()/2; n++ {
			c := new(compRow)
			var data []byte
			if err := rows.Scan(&c.id, &c.identity, &c.purl, &c.key, &c.ecosystem, &c.namespace, &c.name, &c.version, &data); err != nil {
				return err
			}
			comp, err := decodeVariant(data, c)
			if err != nil {
				return fmt.Errorf("component %d attributes: %w", c.id, err)
			}
			s.comps.Put(c.id, c)
			s.variants.Put(vkey{c.id, 0}, &variantEntry{comp: c, c: comp})
		}
		return rows.Err()
	})
}

// pageSize is the page size of new database files. Each occurrence a Put inserts lands at
// its component's place in the containment index, dirtying one page, and a commit writes
// every dirty page to the WAL: small pages keep that write small.
var pageSize = 4096

// walResetBytes is the WAL size past which the writer itself checkpoints with RESTART after a
// commit. The background checkpointer has copied most of the WAL by then, so this is quick,
// and it lets the next transaction start the WAL over: PASSIVE checkpoints alone never catch
// up with a busy writer, and the WAL would grow without bound.
const walResetBytes = 64 << 20

// checkpointer copies committed transactions from the WAL into the database file when kicked
// after a commit, with PASSIVE checkpoints that never block readers or the writer. Kicks that
// arrive while it works coalesce.
func (s *Store) checkpointer() {
	defer s.wg.Done()
	for {
		select {
		case <-s.done:
			return
		case <-s.kick:
		}
		var busy, frames, done int
		if err := s.ckpt.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &done); err != nil {
			s.log.Warn("sqlite store: background checkpoint failed", "path", s.path, "err", err)
		}
	}
}

// afterCommit runs after every write transaction, holding wmu: it hands the WAL to the
// background checkpointer, or checkpoints itself when the WAL has grown too large.
func (s *Store) afterCommit(ctx context.Context) {
	if fi, err := os.Stat(s.path + "-wal"); err == nil && fi.Size() > walResetBytes {
		// Not the Put's context: the Put has committed, and a cancelled context must not
		// leave the WAL growing.
		if _, err := s.w.ExecContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(RESTART)`); err != nil {
			s.log.Warn("sqlite store: checkpoint failed", "path", s.path, "err", err)
		}
		return
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Path returns the absolute path of the store's database file.
func (s *Store) Path() string { return s.path }

// Close checkpoints the write-ahead log into the database file and closes the store. Calls
// on a closed store return an error wrapping graph.ErrUnavailable.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(s.done)
	if s.stopPreload != nil {
		s.stopPreload()
	}
	s.wg.Wait()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.rs.close()
	err := s.r.Close()
	s.ckpt.Close()
	s.st.close()
	if _, cerr := s.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); cerr != nil && err == nil {
		err = cerr
	}
	if cerr := s.w.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

var errClosed = fmt.Errorf("%w: sqlite store is closed", graph.ErrUnavailable)

func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return ctx.Err()
}

// mapErr wraps graph.ErrUnavailable around the errors that may go away if the call is retried
// (the database is locked by another process beyond the busy timeout) or that come from a
// closed store, and leaves the others (context errors, sentinels already wrapped) as they are.
func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var se *msqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqliteBusy || se.Code()&0xff == sqliteLocked) {
		return fmt.Errorf("%w: %w", graph.ErrUnavailable, err)
	}
	if errors.Is(err, sql.ErrConnDone) || s.closed.Load() && !errors.Is(err, errClosed) {
		return fmt.Errorf("%w: %w", graph.ErrUnavailable, err)
	}
	return err
}

// SQLite's primary result codes for a database another connection holds.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)
