package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/estate"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// The crash tests re-run this test binary as a child process (TestCrashChild, switched on by
// crashEnv) that writes to a store and is killed with SIGKILL; the parent then reopens the file
// and checks that no partial version is visible and that the store still works.
const (
	crashEnv  = "SBOMGRAPH_CRASH_CHILD" // the database path
	crashMode = "SBOMGRAPH_CRASH_MODE"  // "midtx" or "loop"
)

// crashEstate is the estate the loop child puts and the parent checks against.
var crashEstate = estate.Params{Seed: 7, Images: 30, Versions: 20, Components: 120}

// bigDoc is a document of n components no other document has, in a chain of depth 4 under
// a root, so a Put of it dirties many pages.
func bigDoc(n int) *sbom.Document {
	doc := &sbom.Document{Root: 0, Warnings: []sbom.Warning{},
		Source: sbom.Source{Format: sbom.FormatCycloneDX, Encoding: sbom.EncodingJSON, SpecVersion: "1.5", Digest: "sha256:big"}}
	doc.Components = append(doc.Components, sbom.Component{Type: "container", Key: sbom.ContentKey("container", "", "big"), Name: "big", Metadata: true})
	for i := range n {
		name := fmt.Sprintf("crash-%d", i)
		doc.Components = append(doc.Components, sbom.Component{Type: "library", Purl: "pkg:npm/" + name + "@1.0.0",
			Key: "pkg:npm/" + name, Ecosystem: "npm", Name: name, Version: "1.0.0", Licenses: "MIT"})
		from := 0
		if i%4 != 0 {
			from = i
		}
		doc.Edges = append(doc.Edges, sbom.Edge{From: from, To: i + 1, Kind: sbom.DependsOn})
	}
	return doc
}

var bigRef = graph.Ref{Image: "example.com/big", Tag: "1"}

func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run as a child of TestCrash")
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	switch os.Getenv(crashMode) {
	case "midtx":
		// A tiny page cache makes the transaction spill uncommitted pages into the WAL, so the
		// kill leaves uncommitted frames behind.
		if _, err := s.w.Exec(`PRAGMA cache_size = 20`); err != nil {
			t.Fatal(err)
		}
		beforeCommit = func() {
			fmt.Println("IN-TRANSACTION")
			os.Stdout.Sync()
			time.Sleep(time.Hour) // until killed
		}
		_, _, err := s.Put(ctx, bigRef, bigDoc(30000), graph.PutOptions{})
		t.Fatalf("Put returned (%v) instead of being killed", err)
	case "loop":
		// Versions stored by an earlier round are no-ops; the first new one is where this
		// round's writes begin.
		for it := range estate.New(crashEstate).All() {
			_, created, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created})
			if err != nil {
				t.Fatal(err)
			}
			if created {
				fmt.Printf("COMMITTED %d %d\n", it.Image, it.Version)
				os.Stdout.Sync()
			}
		}
		fmt.Println("ALL")
		os.Stdout.Sync()
		time.Sleep(time.Hour)
	}
}

// child starts TestCrashChild in mode on the database at path, calls until on every line it
// prints until until returns true, then kills it with SIGKILL.
func child(t *testing.T, path, mode string, until func(line string) bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, crashMode+"="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Every line goes to until, those the child wrote before it was killed too: it may have
	// committed more while the kill was on its way.
	reached, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		once := false
		for sc.Scan() {
			if until(sc.Text()) && !once {
				once = true
				close(reached)
			}
		}
		if !once {
			close(reached)
		}
	}()
	select {
	case <-reached:
	case <-time.After(2 * time.Minute):
		t.Error("the child never reached the point to kill it at")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed by SIGKILL", err)
	}
}

// checkFile checks the database file with SQLite itself: integrity, and the store's own
// invariants (every version has its contents and exactly one occurrence per distinct
// component, in a posting list or in its pending row, never both; nothing refers to a missing
// row; no component is left without occurrences).
func checkFile(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	for what, q := range map[string]string{
		"versions without contents":     `SELECT count(*) FROM versions v WHERE NOT EXISTS (SELECT 1 FROM contents c WHERE c.version = v.id)`,
		"contents without version":      `SELECT count(*) FROM contents c WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = c.version)`,
		"occurrences of missing comp":   `SELECT count(*) FROM occurrences o WHERE NOT EXISTS (SELECT 1 FROM components c WHERE c.id = o.component)`,
		"variants of missing component": `SELECT count(*) FROM variants v WHERE NOT EXISTS (SELECT 1 FROM components c WHERE c.id = v.component)`,
		"pending of missing version":    `SELECT count(*) FROM pending p WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = p.version)`,
		"merge state rows":              `SELECT count(*) - 1 FROM merge_state`,
	} {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d (%v)", what, n, err)
		}
	}
	// Every posting-list entry names a stored version, at most once per component, and every
	// version has exactly one entry per distinct component it contains.
	perVersion := map[int64]int{}
	orows, err := db.Query(`SELECT component, chunk, data FROM occurrences ORDER BY component, chunk`)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[2]int64]bool{}
	for orows.Next() {
		var cid, chunk int64
		var data []byte
		if err := orows.Scan(&cid, &chunk, &data); err != nil {
			t.Fatal(err)
		}
		if len(data) == 0 || len(data) > maxChunk(65536) {
			t.Errorf("component %d chunk %d holds %d bytes", cid, chunk, len(data))
		}
		_, err := decodeEntries(chunk, data, nil, func(v int64, _ int32, dst []int64) []int64 {
			if seen[[2]int64{cid, v}] {
				t.Errorf("component %d lists version %d twice", cid, v)
			}
			seen[[2]int64{cid, v}] = true
			perVersion[v]++
			return dst[:0]
		})
		if err != nil {
			t.Fatalf("component %d chunk %d: %v", cid, chunk, err)
		}
	}
	orows.Close()
	prows, err := db.Query(pendingStateSQL)
	if err != nil {
		t.Fatal(err)
	}
	state, err := scanPendingState(prows)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range state {
		var data []byte
		if err := db.QueryRow(`SELECT data FROM pending WHERE version = ?`, p.version).Scan(&data); err != nil {
			t.Fatal(err)
		}
		post, err := decodePostings(data)
		if err != nil {
			t.Fatalf("pending version %d: %v", p.version, err)
		}
		if len(post.cids) != p.entries {
			t.Errorf("pending version %d: %d entries, its row says %d", p.version, len(post.cids), p.entries)
		}
		for _, cid := range post.cids[post.from(p.merged):] {
			if seen[[2]int64{cid, p.version}] {
				t.Errorf("component %d: version %d is both pending and in the posting list", cid, p.version)
			}
			seen[[2]int64{cid, p.version}] = true
			perVersion[p.version]++
		}
	}
	held := map[int64]bool{}
	for k := range seen {
		held[k[0]] = true
	}
	crows, err := db.Query(`SELECT id FROM components`)
	if err != nil {
		t.Fatal(err)
	}
	for crows.Next() {
		var cid int64
		if err := crows.Scan(&cid); err != nil {
			t.Fatal(err)
		}
		if !held[cid] {
			t.Errorf("component %d: no version contains it", cid)
		}
	}
	crows.Close()
	rows, err := db.Query(`SELECT version, nodes FROM contents`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var vid int64
		var blob []byte
		if err := rows.Scan(&vid, &blob); err != nil {
			t.Fatal(err)
		}
		nodes, err := decodeNodes(blob)
		if err != nil {
			t.Fatalf("version %d: %v", vid, err)
		}
		distinct := map[int64]bool{}
		for _, n := range nodes {
			distinct[n.component] = true
		}
		if perVersion[vid] != len(distinct) {
			t.Errorf("version %d: %d occurrences for %d distinct components", vid, perVersion[vid], len(distinct))
		}
		delete(perVersion, vid)
	}
	for v, n := range perVersion {
		t.Errorf("%d occurrences of version %d, which is not stored", n, v)
	}
}

func sameJSON(t *testing.T, what string, want, got any) {
	t.Helper()
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if string(w) != string(g) {
		t.Errorf("%s differs after the crash", what)
	}
}

// TestCrashMidTransaction kills a writer inside a large Put's transaction.
func TestCrashMidTransaction(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the child")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	e := estate.New(estate.Tiny)
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var seeded []estate.Item
	for it := range e.All() {
		if _, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created}); err != nil {
			t.Fatal(err)
		}
		seeded = append(seeded, it)
	}
	// Keep the store open: the child writes while this process holds connections, as a
	// second process would.
	child(t, path, "midtx", func(line string) bool { return line == "IN-TRANSACTION" })
	if fi, err := os.Stat(path + "-wal"); err == nil {
		t.Logf("WAL left by the killed writer: %d bytes", fi.Size())
	}
	s.Close()

	checkFile(t, path)
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Version(ctx, bigRef); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("the killed Put is visible: %v", err)
	}
	if c, err := s.Components(ctx, graph.ComponentQuery{Purl: "pkg:npm/crash-1@1.0.0"}); err != nil || len(c) != 0 {
		t.Errorf("components of the killed Put are visible: %v, %v", c, err)
	}
	imgs, err := s.Images(ctx)
	if err != nil || len(imgs) != estate.Tiny.Images {
		t.Errorf("Images after the crash = %d, %v", len(imgs), err)
	}
	for _, it := range seeded {
		doc, err := s.Document(ctx, it.Ref)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, it.Ref.String(), it.Doc, doc)
	}
	// The store still works: the same Put now succeeds.
	if _, created, err := s.Put(ctx, bigRef, bigDoc(30000), graph.PutOptions{}); err != nil || !created {
		t.Fatalf("Put after the crash = %v, %v", created, err)
	}
	occ, err := s.Occurrences(ctx, []string{"pkg:npm/crash-29999@1.0.0"})
	if err != nil || len(occ) != 1 || len(occ[0].Path) != 4 {
		t.Errorf("Occurrences after the crash = %+v, %v", occ, err)
	}
	s.Close()
	checkFile(t, path)
}

// TestCrashLoop kills a writer putting versions one after another at a random moment, a few
// times over, and checks that every Put that returned survived, whole.
func TestCrashLoop(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the child")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	e := estate.New(crashEstate)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	committed := map[[2]int]bool{}
	for round := range 3 {
		// Kill at a random moment after a random number of commits: the child always has a
		// Put in progress (or just finished), rarely at the same point. Commits the child
		// reports after that point, before the kill lands, count too.
		after := 5 + r.IntN(40)
		n := 0
		child(t, path, "loop", func(line string) bool {
			var img, ver int
			if _, err := fmt.Sscanf(line, "COMMITTED %d %d", &img, &ver); err == nil {
				committed[[2]int{img, ver}] = true
				n++
				if n == after {
					time.Sleep(time.Duration(r.IntN(3000)) * time.Microsecond)
				}
				return n >= after
			}
			return line == "ALL"
		})
		checkFile(t, path)
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		stored := 0
		var seen [][2]int
		for i := range crashEstate.Images {
			vs, err := s.Versions(ctx, e.Item(i, 0).Ref.Image)
			if errors.Is(err, graph.ErrNotFound) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			stored += len(vs)
			for _, v := range vs {
				var it estate.Item
				for k := range crashEstate.Versions {
					if e.Item(i, k).Ref == v.Ref() {
						it = e.Item(i, k)
						seen = append(seen, [2]int{i, k})
					}
				}
				doc, err := s.Document(ctx, v.Ref())
				if err != nil {
					t.Fatal(err)
				}
				sameJSON(t, v.Ref().String(), it.Doc, doc)
			}
		}
		for k := range committed {
			if _, err := s.Version(ctx, e.Item(k[0], k[1]).Ref); err != nil {
				t.Errorf("round %d: committed version %v lost: %v", round, k, err)
			}
		}
		// The Put in flight at the kill may have committed before it could say so.
		if stored != len(committed) && stored != len(committed)+1 {
			t.Errorf("round %d: %d versions stored, %d reported committed", round, stored, len(committed))
		}
		t.Logf("round %d: killed after %d commits in this round, %d versions stored", round, n, stored)
		for _, k := range seen { // the next round starts from what is stored
			committed[k] = true
		}
		s.Close()
	}
}
