package neo4j

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/internal/cache"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// These tests need no server: configuration, error translation and the property encodings.

func TestConfigFromEnv(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name    string
		uri     string
		getenv  func(string) string
		want    Config
		wantErr error
	}{
		{"uri argument", "neo4j://db.example:7687", env(EnvUser, "sbom", EnvPassword, "pw", EnvDatabase, "graph"),
			Config{URI: "neo4j://db.example:7687", User: "sbom", Password: "pw", Database: "graph"}, nil},
		{"uri from env", "", env(EnvURI, "bolt://127.0.0.1:7687", EnvPasswordFile, pwFile),
			Config{URI: "bolt://127.0.0.1:7687", Password: "s3cret"}, nil},
		{"tls schemes", "neo4j+s://x.databases.example", env(), Config{URI: "neo4j+s://x.databases.example"}, nil},
		{"no uri", "", env(), Config{}, graph.ErrInvalid},
		{"nil getenv", "", nil, Config{}, graph.ErrInvalid},
		{"http", "http://localhost:7474", env(), Config{}, graph.ErrInvalid},
		{"credentials in uri", "neo4j://neo4j:pw@localhost", env(), Config{}, graph.ErrInvalid},
		{"database as path", "neo4j://localhost/graph", env(), Config{}, graph.ErrInvalid},
		{"no host", "bolt://", env(), Config{}, graph.ErrInvalid},
		{"two passwords", "bolt://h", env(EnvPassword, "a", EnvPasswordFile, pwFile), Config{}, graph.ErrInvalid},
		{"missing password file", "bolt://h", env(EnvPasswordFile, pwFile+"-missing"), Config{}, os.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ConfigFromEnv(tc.uri, tc.getenv)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("ConfigFromEnv = %+v, %v; want an error wrapping %v", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ConfigFromEnv = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	for s, want := range map[string]bool{"neo4j://h": true, "NEO4J+S://h": true, "bolt+ssc://h:1": true, "sqlite:///x": false, "graph.db": false, "": false} {
		if IsURI(s) != want {
			t.Errorf("IsURI(%q) = %v", s, !want)
		}
	}
}

func TestOpenInvalid(t *testing.T) {
	if _, err := Open(context.Background(), Config{URI: "http://localhost"}); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("Open with an http URI = %v, want ErrInvalid", err)
	}
	// Nothing listens on port 1: unavailable, not a hang.
	if _, err := Open(context.Background(), Config{URI: "bolt://127.0.0.1:1", RetryTime: 100e6}); !errors.Is(err, graph.ErrUnavailable) {
		t.Errorf("Open with no server = %v, want ErrUnavailable", err)
	}
}

func TestMapErr(t *testing.T) {
	s := &Store{}
	live := context.Background()
	cancelled, cancel := context.WithCancel(live)
	cancel()
	constraint := &neo4j.Neo4jError{Code: codeConstraint, Msg: "already exists"}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want error
	}{
		{"connectivity", live, &neo4j.ConnectivityError{Inner: io.EOF}, graph.ErrUnavailable},
		{"eof", live, fmt.Errorf("read: %w", io.ErrUnexpectedEOF), graph.ErrUnavailable},
		{"transient", live, &neo4j.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected"}, graph.ErrUnavailable},
		{"database unavailable", live, &neo4j.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable"}, graph.ErrUnavailable},
		{"retries exhausted", live, &neo4j.TransactionExecutionLimit{Cause: "timeout", Errors: []error{&neo4j.ConnectivityError{Inner: io.EOF}}}, graph.ErrUnavailable},
		{"constraint", live, constraint, graph.ErrConflict},
		{"constraint retried", live, &neo4j.TransactionExecutionLimit{Cause: "timeout", Errors: []error{constraint}}, graph.ErrConflict},
		{"cancelled", cancelled, &neo4j.ConnectivityError{Inner: io.EOF}, context.Canceled},
		{"sentinel", cancelled, fmt.Errorf("x: %w", graph.ErrNotFound), graph.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.mapErr(tc.ctx, tc.err); !errors.Is(got, tc.want) {
				t.Errorf("mapErr(%v) = %v, want it to wrap %v", tc.err, got, tc.want)
			}
		})
	}
	syntax := &neo4j.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError"}
	got := s.mapErr(live, syntax)
	for _, sentinel := range []error{graph.ErrUnavailable, graph.ErrConflict, graph.ErrInvalid, graph.ErrNotFound} {
		if errors.Is(got, sentinel) {
			t.Errorf("a syntax error maps to %v", sentinel)
		}
	}
	if !errors.Is(got, syntax) {
		t.Errorf("mapErr lost the driver's error: %v", got)
	}
	// The writers' races are retried.
	if e := retriable(fmt.Errorf("put: %w", &neo4j.Neo4jError{Code: codeEntityNotFound})); !neo4j.IsRetryable(e) {
		t.Error("EntityNotFound is not marked retriable")
	}
	if e := retriable(syntax); neo4j.IsRetryable(e) {
		t.Error("a syntax error is marked retriable")
	}
}

func TestDecoder(t *testing.T) {
	d := decoder{vals: []any{"s", int64(7), true, []any{"a", ""}, []any{int64(1)}, nil, 3.5, []any{"x", int64(1)}}}
	if d.str(0) != "s" || d.int(1) != 7 || !d.bool(2) || strings.Join(d.strs(3), ",") != "a," || d.ints(4)[0] != 1 ||
		d.str(5) != "" || d.int(5) != 0 || d.strs(5) != nil || d.err != nil {
		t.Fatalf("decoder read the wrong values: %v", d.err)
	}
	for name, read := range map[string]func(d *decoder){
		"string from float":  func(d *decoder) { d.str(6) },
		"int from string":    func(d *decoder) { d.int(0) },
		"bool from int":      func(d *decoder) { d.bool(1) },
		"mixed string list":  func(d *decoder) { d.strs(7) },
		"mixed int list":     func(d *decoder) { d.ints(7) },
		"past the end":       func(d *decoder) { d.str(99) },
		"index out of range": func(d *decoder) { d.index(1, 5) },
		"negative index":     func(d *decoder) { d.vals[5] = int64(-1); d.index(5, 5) },
		"hashes unpaired":    func(d *decoder) { d.attrs(0, &sbom.Component{}) },
	} {
		d := decoder{vals: []any{"s", int64(7), true, []any{"a"}, []any{int64(1)}, nil, 3.5, []any{"x", int64(1)}}}
		if name == "hashes unpaired" {
			d.vals = []any{nil, nil, nil, nil, []any{"SHA-1"}, nil}
		}
		read(&d)
		if !errors.Is(d.err, errCorrupt) {
			t.Errorf("%s: err = %v, want errCorrupt", name, d.err)
		}
	}
	if _, _, err := decodeVersion(&decoder{vals: []any{int64(1), "i", "t", "", "sha256:x", nil, int64(5), "ingested", int64(1), int64(0), int64(0), int64(0), "{not json"}}); !errors.Is(err, errCorrupt) {
		t.Errorf("decodeVersion of bad metadata = %v", err)
	}
}

func TestDocRoundTrip(t *testing.T) {
	doc := &sbom.Document{Root: 0, Components: []sbom.Component{
		{LocalID: "root", Type: "container", Key: "content:container//app", Name: "app", Metadata: true},
		{LocalID: "a", Purl: "pkg:npm/a@1", Key: "pkg:npm/a", Name: "a", Version: "1", Licenses: "MIT",
			Hashes: []sbom.Hash{{Algorithm: "SHA-1", Value: "ab"}}, CPEs: []string{"cpe:x", ""}},
		{LocalID: "a-again", Purl: "pkg:npm/a@1", Key: "pkg:npm/a", Name: "A", Version: "1", Licenses: "ISC"},
	}, Edges: []sbom.Edge{{From: 0, To: 1, Kind: sbom.Contains}, {From: 1, To: 2, Kind: sbom.DependsOn}, {From: 2, To: 2, Kind: 9}}}
	data, err := encodeDoc(doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeDoc(data)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := json.Marshal(doc)
	g, _ := json.Marshal(got)
	if string(w) != string(g) {
		t.Errorf("round trip\n got %s\nwant %s", g, w)
	}
	bad := []*sbom.Document{
		{Root: 5, Components: doc.Components},
		{Root: -1, Components: doc.Components, Edges: []sbom.Edge{{From: 0, To: 3}}},
	}
	for _, b := range bad {
		data, _ := encodeDoc(b)
		if _, err := decodeDoc(data); !errors.Is(err, errCorrupt) {
			t.Errorf("decodeDoc of %+v = %v, want errCorrupt", b, err)
		}
	}
	if _, err := decodeDoc([]byte("not deflate")); !errors.Is(err, errCorrupt) {
		t.Errorf("decodeDoc of garbage = %v", err)
	}
}

// TestContainsRoundTrip checks that what a CONTAINS relationship stores of a component reads
// back as the same component: purl-derived fields left out, differing spellings kept.
func TestContainsRoundTrip(t *testing.T) {
	s := &Store{baselines: cache.New[string, baseline](16)}
	for name, c := range map[string]sbom.Component{
		"canonical": {Purl: "pkg:npm/%40a/b@1.0.0", Key: "pkg:npm/%40a/b", Ecosystem: "npm", Namespace: "@a", Name: "b", Version: "1.0.0",
			Type: "library", Licenses: "MIT", Supplier: "Ä Corp", CPEs: []string{"cpe:2.3:a:a:b:1.0.0:*:*:*:*:*:*:*", ""},
			Hashes: []sbom.Hash{{Algorithm: "SHA-256", Value: "00ff"}, {Algorithm: "X", Value: ""}}},
		"spelling": {Purl: "pkg:npm/express@4.18.2", Key: "pkg:npm/express", Ecosystem: "npm", Name: "Express", Version: "v4.18.2"},
		"emptied":  {Purl: "pkg:deb/debian/libc6@2.36", Key: "pkg:deb/debian/libc6", Name: "libc6"},
		"no purl":  {Key: "content:file//x", Name: "/usr/bin/x", Version: "1", Type: "file"},
	} {
		var buf [len(containsKeys) + 1]any
		d := decoder{vals: containsRow(c.ID(), asRead(s.containsProps(c.ID(), &c)), &buf)}
		got := s.decodeContains(&d, 0)
		w, _ := json.Marshal(c)
		g, _ := json.Marshal(got)
		if d.err != nil || string(w) != string(g) {
			t.Errorf("%s: round trip (%v)\n got %s\nwant %s", name, d.err, g, w)
		}
	}
}

// asRead returns props as the driver returns what properties(x) read: lists as []any.
func asRead(props map[string]any) map[string]any {
	out := make(map[string]any, len(props))
	for k, v := range props {
		if x, ok := v.([]string); ok {
			l := make([]any, len(x))
			for i := range x {
				l[i] = x[i]
			}
			v = l
		}
		out[k] = v
	}
	return out
}

func TestComponentRoundTrip(t *testing.T) {
	for name, c := range map[string]sbom.Component{
		"full": {Purl: "pkg:npm/%40a/b@1.0.0", Key: "pkg:npm/%40a/b", Ecosystem: "npm", Namespace: "@a", Name: "b", Version: "1.0.0",
			Type: "library", Licenses: "MIT", Supplier: "Ä Corp", CPEs: []string{"cpe:2.3:a:a:b:1.0.0:*:*:*:*:*:*:*"},
			Hashes: []sbom.Hash{{Algorithm: "SHA-256", Value: "00ff"}}},
		"no purl": {Key: "content:file//x", Name: "/usr/bin/x", Version: "1", Type: "file"},
	} {
		props := asRead(componentProps(c.ID(), &c))
		props["id"] = c.ID() // the node's identity, which Put sets beside componentProps
		var buf [len(componentKeys)]any
		d := decoder{vals: componentRow(props, &buf)}
		got := decodeComponent(&d)
		w, _ := json.Marshal(c)
		g, _ := json.Marshal(got)
		if d.err != nil || string(w) != string(g) {
			t.Errorf("%s: round trip (%v)\n got %s\nwant %s", name, d.err, g, w)
		}
	}
}

func TestPrepareInvalid(t *testing.T) {
	s := &Store{baselines: cache.New[string, baseline](16)}
	good := &sbom.Document{Root: -1, Components: []sbom.Component{{Purl: "pkg:npm/a@1", Key: "pkg:npm/a", Name: "a"}}}
	for name, doc := range map[string]*sbom.Document{
		"nil":       nil,
		"root":      {Root: 3, Components: good.Components},
		"edge":      {Root: -1, Components: good.Components, Edges: []sbom.Edge{{From: 0, To: 1, Kind: sbom.DependsOn}}},
		"no id":     {Root: -1, Components: []sbom.Component{{Name: "x"}}},
		"neg. edge": {Root: -1, Components: good.Components, Edges: []sbom.Edge{{From: -1, To: 0}}},
	} {
		if _, err := s.prepare(doc, graph.PutOptions{}); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("%s: prepare = %v, want ErrInvalid", name, err)
		}
	}
	if _, err := s.prepare(good, graph.PutOptions{}); err != nil {
		t.Errorf("prepare of a good document = %v", err)
	}
}

// FuzzDecode feeds arbitrary values to the record decoders, as a corrupt or foreign database
// would: they return errors, never panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("pkg:npm/a@1\x00x"), int64(3), true)
	f.Add([]byte("{\"source\":{}}"), int64(-1), false)
	doc, _ := encodeDoc(&sbom.Document{Root: -1, Components: []sbom.Component{{Key: "k"}}, Edges: []sbom.Edge{{From: 0, To: 0, Kind: 1}}})
	f.Add(doc, int64(0), false)
	s := &Store{baselines: cache.New[string, baseline](16)}
	f.Fuzz(func(t *testing.T, data []byte, n int64, b bool) {
		str := string(data)
		pool := []any{nil, str, n, b, []any{str, n}, []any{n}, []any{str}, 1.5}
		vals := make([]any, 16)
		for i := range vals {
			k := 0
			if len(data) > 0 {
				k = int(data[i%len(data)]) + i
			}
			vals[i] = pool[k%len(pool)]
		}
		d := decoder{vals: vals}
		s.decodeContains(&d, 0)
		d = decoder{vals: vals}
		decodeComponent(&d)
		d = decoder{vals: append(vals[:12:12], str)}
		decodeVersion(&d)
		decodeDoc(data)
		d = decoder{vals: vals}
		d.index(2, int(n%100))
	})
}
