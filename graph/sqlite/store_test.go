package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/estate"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

func TestVariantRoundTrip(t *testing.T) {
	row := &compRow{identity: "pkg:npm/%40a/b@1.0.0", purl: true, key: "pkg:npm/%40a/b", ecosystem: "npm", namespace: "@a", name: "b", version: "1.0.0"}
	for name, c := range map[string]sbom.Component{
		"bare":  {Purl: row.identity, Key: row.key, Ecosystem: "npm", Namespace: "@a", Name: "b", Version: "1.0.0"},
		"attrs": {Purl: row.identity, Key: row.key, Ecosystem: "npm", Namespace: "@a", Name: "b", Version: "1.0.0", Type: "library", Licenses: "MIT OR (Apache-2.0 AND BSD-3-Clause)", Supplier: "Ä Corp", CPEs: []string{"cpe:2.3:a:a:b:1.0.0:*:*:*:*:*:*:*", ""}},
		"hashes": {Purl: row.identity, Key: row.key, Ecosystem: "npm", Namespace: "@a", Name: "b", Version: "1.0.0", Hashes: []sbom.Hash{
			{Algorithm: "SHA-256", Value: "00ff"}, {Algorithm: "SHA-1", Value: "ABCD"}, {Algorithm: "MD5", Value: "abc"},
			{Algorithm: "X-CUSTOM", Value: "zz"}, {Algorithm: "SHA-512", Value: ""}}},
		"spelling": {Purl: row.identity, Key: "pkg:npm/other", Ecosystem: "", Namespace: "", Name: "B", Version: "v1.0.0"},
	} {
		got, err := decodeVariant(encodeVariant(nil, &c, row), row)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w, _ := json.Marshal(c)
		g, _ := json.Marshal(got)
		if string(w) != string(g) {
			t.Errorf("%s: round trip\n got %s\nwant %s", name, g, w)
		}
	}
}

// TestHashBytes checks that hash values are stored as bytes exactly when they are lower-case
// hex of even length, the strings hex.EncodeToString returns: variants are compared as
// encoded, so the encoding of what earlier builds stored must not change.
func TestHashBytes(t *testing.T) {
	for _, v := range []string{"", "00", "0f", "0F", "abcdef0123456789", "abc", "g0", "zz", " 00", "00 ", "é0", "ff\x00", strings.Repeat("a", 64)} {
		raw, err := hex.DecodeString(v)
		want := err == nil && hex.EncodeToString(raw) == v
		if got := isLowerHex(v); got != want {
			t.Errorf("isLowerHex(%q) = %v, want %v", v, got, want)
		}
		if !want {
			continue
		}
		c := sbom.Component{Hashes: []sbom.Hash{{Algorithm: "SHA-256", Value: v}}}
		enc := encodeVariant(nil, &c, &compRow{})
		wantEnc := append(binary.AppendUvarint(nil, attrHashes), 1, hashAlgCode["SHA-256"]) // bits, 1 hash, its algorithm
		wantEnc = append(binary.AppendUvarint(wantEnc, uint64(len(raw))<<1|1), raw...)
		if !bytes.Equal(enc, wantEnc) {
			t.Errorf("%q encodes as %x, want %x", v, enc, wantEnc)
		}
	}
}

func TestNodesEdgesRoundTrip(t *testing.T) {
	doc := &sbom.Document{Components: []sbom.Component{
		{Purl: "pkg:npm/a@1", Key: "pkg:npm/a", Version: "1", LocalID: "pkg:npm/a@1", Metadata: true},
		{Purl: "pkg:npm/b@1", Key: "pkg:npm/b", Version: "1", LocalID: "SPDXRef-b"},
		{Key: "content:file//x", LocalID: ""},
		{Key: "content:file//y", Version: "2", LocalID: "content:file//y@2"},
	}}
	cids := []int64{1, 1 << 40, 3, 1}
	vars := []int32{0, 7, 1 << 20, 2}
	nodes, locals := encodeNodes(cids, vars, doc)
	got, err := decodeNodes(nodes)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := decodeLocals(locals)
	if err != nil || !slices.Equal(ls, []string{"SPDXRef-b"}) {
		t.Errorf("locals = %q, %v", ls, err)
	}
	for i, n := range got {
		if n.component != cids[i] || n.n != vars[i] {
			t.Errorf("node %d = %+v", i, n)
		}
	}
	if got[0].flags != nodeMetadata|nodeLocalIsID || got[1].flags != nodeLocalSet || got[2].flags != 0 || got[3].flags != nodeLocalIsID {
		t.Errorf("flags = %v", got)
	}
	edges := []sbom.Edge{{From: 0, To: 3, Kind: sbom.DependsOn}, {From: 1, To: 0, Kind: sbom.Contains}, {From: 3, To: 0, Kind: 9}, {From: 3, To: 3, Kind: sbom.DependsOn}}
	ge, err := decodeEdges(encodeEdges(edges), 4)
	if err != nil || !slices.Equal(ge, edges) {
		t.Errorf("edges = %v, %v", ge, err)
	}
	if _, err := decodeEdges(encodeEdges(edges), 3); err == nil {
		t.Error("edges beyond the node count decoded")
	}
}

func TestEntries(t *testing.T) {
	type entry struct {
		version int64
		variant int32
		path    []int64
	}
	want := []entry{{100, 0, nil}, {101, 3, []int64{9, 1 << 35}}, {250, 1 << 20, []int64{1}}}
	var data []byte
	for _, e := range want {
		data = appendEntry(data, e.version-100, e.variant, e.path)
	}
	read := func(data []byte, ids int) []entry {
		var got []entry
		start := 0
		path, err := decodeEntries(100, data, nil, func(v int64, n int32, dst []int64) []int64 {
			got = append(got, entry{v, n, slices.Clone(dst[start:])})
			start = len(dst)
			return dst
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(path) != ids {
			t.Errorf("paths hold %d ids, want %d", len(path), ids)
		}
		return got
	}
	got := read(data, 3)
	if len(got) != len(want) {
		t.Fatalf("got %d entries", len(got))
	}
	for i := range want {
		if got[i].version != want[i].version || got[i].variant != want[i].variant || !slices.Equal(got[i].path, want[i].path) {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	rest, found, err := removeEntry(100, data, 101)
	if err != nil || !found {
		t.Fatalf("removeEntry = %v, %v", found, err)
	}
	if got := read(rest, 1); len(got) != 2 || got[0].version != 100 || got[1].version != 250 {
		t.Errorf("after removing 101: %+v", got)
	}
	if _, found, _ := removeEntry(100, rest, 101); found {
		t.Error("removed an entry twice")
	}
}

// FuzzDecode feeds arbitrary bytes to every blob decoder: corrupt data is an error, never a
// panic or a runaway allocation.
func FuzzDecode(f *testing.F) {
	row := &compRow{identity: "pkg:npm/a@1", purl: true, key: "pkg:npm/a", name: "a", version: "1"}
	f.Add(encodeVariant(nil, &sbom.Component{Licenses: "MIT", Hashes: []sbom.Hash{{Algorithm: "SHA-1", Value: "ab"}}}, row))
	f.Add(encodeEdges([]sbom.Edge{{From: 0, To: 1, Kind: 1}, {From: 1, To: 0, Kind: 2}}))
	f.Add(appendEntry(appendEntry(nil, 0, 1, []int64{2, 3}), 5, 0, nil))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeVariant(data, row)
		decodeNodes(data)
		decodeEdges(data, 3)
		decodeEntries(7, data, nil, func(_ int64, _ int32, dst []int64) []int64 { return dst })
		removeEntry(7, data, 9)
		decodeLocals(data)
	})
}

func openT(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func putAll(t *testing.T, s *Store, e *estate.Estate) []estate.Item {
	t.Helper()
	var items []estate.Item
	for it := range e.All() {
		if _, _, err := s.Put(context.Background(), it.Ref, it.Doc, graph.PutOptions{Created: it.Created}); err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	return items
}

func checkItems(t *testing.T, s *Store, items []estate.Item) {
	t.Helper()
	for _, it := range items {
		doc, err := s.Document(context.Background(), it.Ref)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := json.Marshal(it.Doc)
		g, _ := json.Marshal(doc)
		if string(w) != string(g) {
			t.Errorf("%s: Document differs from what was put", it.Ref)
		}
	}
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	s := openT(t, path)
	items := putAll(t, s, estate.New(estate.Tiny))
	last, err := s.Version(ctx, items[len(items)-1].Ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	for _, opts := range [][]Option{nil, {WithPreload()}} {
		s = openT(t, path, opts...)
		checkItems(t, s, items)
		v, _, err := s.Put(ctx, graph.Ref{Image: "example.com/after", Tag: "1"}, items[0].Doc, graph.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if v.Seq <= last.Seq || !v.Ingested.After(last.Ingested) {
			t.Errorf("after reopening: seq %d ingested %v, last before %d %v", v.Seq, v.Ingested, last.Seq, last.Ingested)
		}
		last = v
		if err := s.Delete(ctx, v.Ref()); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	checkFile(t, path)
}

func TestSchemaGuards(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(context.Background(), foreign); !errors.Is(err, ErrSchema) {
		t.Errorf("Open of another application's database = %v, want ErrSchema", err)
	}

	newer := filepath.Join(dir, "newer.db")
	s := openT(t, newer)
	s.Close()
	db, err = sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(context.Background(), newer); !errors.Is(err, ErrSchema) {
		t.Errorf("Open of a newer schema = %v, want ErrSchema", err)
	}
}

// TestTwoWriters has two Stores (as two processes would) write one file in turns: each sees
// the other's commits through data_version and drops its writer caches, so a component one
// of them reclaimed is not reused by the other under its old id.
func TestTwoWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	a, b := openT(t, path), openT(t, path)
	e := estate.New(estate.Tiny)
	var items []estate.Item
	for it := range e.All() {
		s := a
		if it.Version%2 == 1 {
			s = b
		}
		if _, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created}); err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	// a deletes a version, reclaiming its own components; b then puts it back.
	gone := items[len(items)-1]
	if err := a.Delete(ctx, gone.Ref); err != nil {
		t.Fatal(err)
	}
	if _, created, err := b.Put(ctx, gone.Ref, gone.Doc, graph.PutOptions{Created: gone.Created}); err != nil || !created {
		t.Fatalf("b.Put after a.Delete = %v, %v", created, err)
	}
	checkItems(t, a, items)
	checkItems(t, b, items)
	a.Close()
	b.Close()
	checkFile(t, path)
}

func TestPreloadFills(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	s := openT(t, path)
	items := putAll(t, s, estate.New(estate.Tiny))
	s.Close()
	s = openT(t, path, WithPreload())
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, m := s.variants.Len(), s.comps.Len()
		if n > 0 && n == m {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("preload loaded %d variants", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkItems(t, s, items)
}

// TestPostingChunks fills one component's posting list over several chunks, then deletes
// versions from its first, middle and last chunks, replaces one, and checks every answer.
func TestPostingChunks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	s := openT(t, path)
	doc := func(i int) *sbom.Document {
		d := &sbom.Document{Root: -1, Warnings: []sbom.Warning{}, Source: sbom.Source{Digest: "sha256:" + strconv.Itoa(i)}}
		for j, p := range []string{"pkg:npm/root-%d@1", "pkg:npm/mid-a@1", "pkg:npm/mid-b@1", "pkg:npm/shared@1"} {
			if j == 0 {
				p = strings.Replace(p, "%d", strconv.Itoa(i), 1)
			}
			pp, _ := sbom.ParsePurl(p)
			d.Components = append(d.Components, sbom.Component{Purl: pp.Canonical, Key: pp.Key, Name: pp.Name, Version: pp.Version})
			if j > 0 {
				d.Edges = append(d.Edges, sbom.Edge{From: j - 1, To: j, Kind: sbom.DependsOn})
			}
		}
		return d
	}
	const n = 500
	for i := range n {
		if _, _, err := s.Put(ctx, graph.Ref{Image: "example.com/p", Tag: strconv.Itoa(i)}, doc(i), graph.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var chunks int
	if err := s.r.QueryRow(`SELECT count(*) FROM occurrences o JOIN components c ON c.id = o.component WHERE c.identity = 'pkg:npm/shared@1'`).Scan(&chunks); err != nil || chunks < 3 {
		t.Fatalf("the shared component's %d entries fill %d chunks (%v), want several", n, chunks, err)
	}
	replaced := false
	count := func(want int) {
		t.Helper()
		occ, err := s.Occurrences(ctx, []string{"pkg:npm/shared@1"})
		if err != nil || len(occ) != want {
			t.Fatalf("Occurrences = %d, %v; want %d", len(occ), err, want)
		}
		for _, o := range occ {
			root := o.Version.Tag
			if root == "7" && replaced {
				root = "1000"
			}
			if len(o.Path) != 4 || o.Path[0] != "pkg:npm/root-"+root+"@1" {
				t.Fatalf("path %q in %s", o.Path, o.Version.Tag)
			}
		}
	}
	count(n)
	for k, tag := range []string{"0", "250", "499", "1", "249"} {
		if err := s.Delete(ctx, graph.Ref{Image: "example.com/p", Tag: tag}); err != nil {
			t.Fatal(err)
		}
		count(n - k - 1)
	}
	if _, _, err := s.Put(ctx, graph.Ref{Image: "example.com/p", Tag: "7"}, doc(1000), graph.PutOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	replaced = true
	if _, _, err := s.Put(ctx, graph.Ref{Image: "example.com/p", Tag: "0"}, doc(0), graph.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	count(n - 4)
	st, err := s.Stats(ctx)
	if want := int64(4 * (n - 4)); err != nil || st.Occurrences != want || st.Versions != n-4 || st.Images != 1 {
		t.Errorf("Stats = %+v, %v; want %d occurrences", st, err, want)
	}
	s.Close()
	checkFile(t, path)
}

// TestBusy holds the file's write lock from another connection, as another process would:
// a Put waits for the busy timeout, then fails with graph.ErrUnavailable, and succeeds once
// the lock is released.
func TestBusy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	s := openT(t, path, WithBusyTimeout(50*time.Millisecond))
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	it := estate.New(estate.Tiny).Item(0, 0)
	if _, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{}); !errors.Is(err, graph.ErrUnavailable) {
		t.Errorf("Put while another connection writes = %v, want ErrUnavailable", err)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if _, created, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{}); err != nil || !created {
		t.Errorf("Put after the lock is released = %v, %v", created, err)
	}
}

// TestMigrateRefs opens a file whose versions an earlier build stored under image names and
// digests not in normal form (schema version 1): the migration rewrites them, so every
// spelling finds them. Two stored versions that turn out to be one fail the migration, which
// leaves the file as it was.
func TestMigrateRefs(t *testing.T) {
	ctx := context.Background()
	digest := "sha256:" + strings.Repeat("ab", 32)
	// downgrade rewrites the stored references as an earlier build would have kept them and
	// takes the file back to schema version 1 (every posting merged, as version 1 had no
	// pending postings; no catalog generation).
	SetMergePolicy(t, 0, 0, 0, true)
	downgrade := func(path string, refs map[int64]graph.Ref) {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for id, r := range refs {
			if _, err := db.Exec(`UPDATE versions SET image = ?, tag = ?, digest = ? WHERE id = ?`, r.Image, r.Tag, r.Digest, id); err != nil {
				t.Fatal(err)
			}
		}
		var pending int
		if err := db.QueryRow(`SELECT count(*) FROM pending`).Scan(&pending); err != nil || pending != 0 {
			t.Fatalf("%d pending versions (%v), want every posting merged", pending, err)
		}
		for _, q := range []string{`DROP TABLE pending`, `DROP TABLE merge_state`,
			`DROP TRIGGER versions_added`, `DROP TRIGGER versions_removed`, `DROP TABLE catalog`, `PRAGMA user_version = 1`} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	e := estate.New(estate.Tiny)
	put := func(s *Store, ref graph.Ref, i int) graph.Version {
		t.Helper()
		v, _, err := s.Put(ctx, ref, e.Item(i, 0).Doc, graph.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	path := filepath.Join(t.TempDir(), "g.db")
	s := openT(t, path)
	a := put(s, graph.Ref{Image: "alpine", Tag: "3.17"}, 0)
	b := put(s, graph.Ref{Image: "registry.example.com/team/app", Digest: digest}, 1)
	c := put(s, graph.Ref{Image: "bitnami/redis", Tag: "7"}, 2)
	s.Close()
	downgrade(path, map[int64]graph.Ref{
		a.Seq: {Image: "index.docker.io/library/alpine", Tag: "3.17"},
		b.Seq: {Image: "Registry.Example.com/team/app", Digest: digest[:7] + strings.ToUpper(digest[7:])},
		c.Seq: {Image: "docker.io/bitnami/redis", Tag: "7"},
	})
	s = openT(t, path)
	for _, want := range []graph.Version{a, b, c} {
		other := graph.Ref{Image: "docker.io/" + want.Image, Tag: want.Tag, Digest: want.Digest}
		if want.Seq == b.Seq {
			other.Image = "REGISTRY.example.com/team/app"
		}
		for _, ref := range []graph.Ref{want.Ref(), other} {
			got, err := s.Version(ctx, ref)
			if err != nil || got.Seq != want.Seq || got.Ref() != want.Ref() {
				t.Errorf("after migration, Version(%s) = %s (seq %d), %v; want %s (seq %d)", ref, got.Ref(), got.Seq, err, want.Ref(), want.Seq)
			}
		}
	}
	imgs, err := s.Images(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, im := range imgs {
		names = append(names, im.Name)
	}
	if got, want := strings.Join(names, " "), "alpine bitnami/redis registry.example.com/team/app"; got != want {
		t.Errorf("Images after migration = %s, want %s", got, want)
	}
	s.Close()

	// Two spellings of one version: the migration refuses, and the file stays at version 1.
	path = filepath.Join(t.TempDir(), "dup.db")
	s = openT(t, path)
	a = put(s, graph.Ref{Image: "alpine", Tag: "3.17"}, 0)
	b = put(s, graph.Ref{Image: "other", Tag: "3.17"}, 1)
	s.Close()
	downgrade(path, map[int64]graph.Ref{b.Seq: {Image: "docker.io/library/alpine", Tag: "3.17"}})
	_, err = Open(ctx, path)
	if !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), "docker.io/library/alpine:3.17") {
		t.Fatalf("Open with two spellings of one version = %v, want ErrSchema naming both", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version int
	var image string
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != 1 {
		t.Errorf("after the failed migration the schema version is %d (%v), want 1", version, err)
	}
	if err := db.QueryRow(`SELECT image FROM versions WHERE id = ?`, b.Seq).Scan(&image); err != nil || image != "docker.io/library/alpine" {
		t.Errorf("after the failed migration version %d's image is %q (%v), want it untouched", b.Seq, image, err)
	}
}

// TestPendingMerge puts, replaces and deletes versions while generations of pending postings
// are merged a few entries per Put, so versions are deleted and replaced while pending, partly
// merged and merged, and checks after every step that Occurrences reports exactly what the
// stored documents contain, with their shortest paths, and that the file keeps its invariants.
func TestPendingMerge(t *testing.T) {
	ctx := context.Background()
	SetMergePolicy(t, 60, 3, 17, false)
	path := filepath.Join(t.TempDir(), "g.db")
	s := openT(t, path)
	stored := map[graph.Ref]*sbom.Document{}
	check := func(step string) {
		t.Helper()
		want := map[string][]string{}
		for ref, doc := range stored {
			f := graph.ShortestPaths(doc)
			for _, pl := range f.Placements(doc) {
				want[pl.ID] = append(want[pl.ID], ref.String()+" "+strings.Join(f.Path(doc, pl.Node), " > "))
			}
		}
		ids := make([]string, 0, len(want))
		for id := range want {
			ids = append(ids, id)
			slices.Sort(want[id])
		}
		occ, err := s.Occurrences(ctx, ids)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		got := map[string][]string{}
		for _, o := range occ {
			got[o.Component.ID()] = append(got[o.Component.ID()], o.Version.Ref().String()+" "+strings.Join(o.Path, " > "))
		}
		for _, id := range ids {
			slices.Sort(got[id])
			if !slices.Equal(got[id], want[id]) {
				t.Fatalf("%s: Occurrences(%s) = %q, want %q", step, id, got[id], want[id])
			}
		}
		if len(occ) != func() (n int) {
			for _, w := range want {
				n += len(w)
			}
			return n
		}() {
			t.Fatalf("%s: %d occurrences in all", step, len(occ))
		}
		st, err := s.Stats(ctx)
		if err != nil || st.Occurrences != int64(len(occ)) {
			t.Fatalf("%s: Stats = %+v, %v; want %d occurrences", step, st, err, len(occ))
		}
	}
	e := estate.New(estate.Tiny)
	var items []estate.Item
	pendingSeen := false
	for it := range e.All() {
		if _, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created}); err != nil {
			t.Fatal(err)
		}
		stored[it.Ref] = it.Doc
		items = append(items, it)
		n := len(items)
		switch {
		case n%5 == 0: // the version put just before, which is pending
			gone := items[n-2].Ref
			if err := s.Delete(ctx, gone); err != nil {
				t.Fatal(err)
			}
			delete(stored, gone)
		case n%7 == 0: // a version from long ago, merged by now
			old := items[n/3]
			if _, ok := stored[old.Ref]; ok {
				doc := e.Item(old.Image, (old.Version+1)%estate.Tiny.Versions).Doc
				if _, _, err := s.Put(ctx, old.Ref, doc, graph.PutOptions{Replace: true}); err != nil {
					t.Fatal(err)
				}
				stored[old.Ref] = doc
			}
		}
		var upto, next int64
		if err := s.r.QueryRow(`SELECT upto, next FROM merge_state`).Scan(&upto, &next); err != nil {
			t.Fatal(err)
		}
		pendingSeen = pendingSeen || next > 0
		check(fmt.Sprintf("after %d puts (merge state %d/%d)", n, upto, next))
	}
	if !pendingSeen {
		t.Error("no generation was ever partly merged: the test did not test what it is for")
	}
	s.Close()
	checkFile(t, path)
	s = openT(t, path)
	check("after reopening")
	for ref := range stored {
		if err := s.Delete(ctx, ref); err != nil {
			t.Fatal(err)
		}
		delete(stored, ref)
		check("delete " + ref.String())
	}
	st, err := s.Stats(ctx)
	if err != nil || st.Components != 0 || st.Occurrences != 0 || st.Chunks != 0 || st.Pending != 0 {
		t.Errorf("Stats of an emptied store = %+v, %v", st, err)
	}
	s.Close()
	checkFile(t, path)
}

// TestLatestTwoWriters checks that Latest, which remembers its answers, sees versions another
// process adds and removes: two stores on one file stand for two processes.
func TestLatestTwoWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	a, b := openT(t, path), openT(t, path)
	e := estate.New(estate.Tiny)
	put := func(s *Store, tag string, i int) graph.Version {
		t.Helper()
		v, _, err := s.Put(ctx, graph.Ref{Image: "app", Tag: tag}, e.Item(i, 0).Doc, graph.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	latest := func(want int64) {
		t.Helper()
		got, err := a.Latest(ctx, []string{"app", "other"})
		if err != nil {
			t.Fatal(err)
		}
		if want == 0 && len(got) != 0 || want != 0 && (len(got) != 1 || got["app"] != want) {
			t.Errorf("Latest = %v, want app: %d", got, want)
		}
	}
	latest(0)
	v1 := put(b, "1", 0)
	latest(v1.Seq)
	latest(v1.Seq) // from what a remembers
	v2 := put(b, "2", 1)
	latest(v2.Seq)
	if err := b.Delete(ctx, v2.Ref()); err != nil {
		t.Fatal(err)
	}
	latest(v1.Seq)
	v3 := put(a, "3", 2)
	latest(v3.Seq)
	if err := b.Delete(ctx, v1.Ref()); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, v3.Ref()); err != nil {
		t.Fatal(err)
	}
	latest(0)
}
