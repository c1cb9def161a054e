package neo4j_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/graphtest"
	"github.com/sbomgraph/sbomgraph/graph/neo4j"
)

// privateServer starts a Neo4j server of its own with the project's script (so stopping it
// disturbs no other test), and returns a function that runs the script's other commands on it
// and the server's Config. The server is removed when the test ends.
func privateServer(t *testing.T) (func(cmd string), neo4j.Config) {
	t.Helper()
	testConfig(t)
	script := os.Getenv("SBOMGRAPH_NEO4J_CTL")
	if script == "" {
		t.Skip("SBOMGRAPH_NEO4J_CTL is not set: the outage test needs graph/neo4j/server/neo4j.sh to run a server it may stop (make test sets it)")
	}
	home := t.TempDir()
	ctl := func(cmd string) {
		t.Helper()
		c := exec.Command("bash", script, cmd)
		c.Env = append(os.Environ(), "SBOMGRAPH_NEO4J_HOME="+home, "SBOMGRAPH_NEO4J_HEAP=512m", "SBOMGRAPH_NEO4J_PAGECACHE=64m")
		c.Stdout, c.Stderr = os.Stderr, os.Stderr
		if err := c.Run(); err != nil {
			t.Fatalf("neo4j.sh %s: %v", cmd, err)
		}
	}
	ctl("up")
	t.Cleanup(func() { ctl("down") })
	f, err := os.Open(filepath.Join(home, "env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok {
			env[k] = v
		}
	}
	cfg, err := neo4j.ConfigFromEnv("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return ctl, cfg
}

// TestOutage stops Neo4j under a store: every call fails with graph.ErrUnavailable, within the
// retry time, and the same store answers again once Neo4j is back, without reopening.
func TestOutage(t *testing.T) {
	ctl, cfg := privateServer(t)
	ctx := context.Background()
	cfg.RetryTime = time.Second
	cfg.ConnectTimeout = 500 * time.Millisecond
	s, err := neo4j.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	docs := graphtest.Corpus(t)
	a, b := docs[0].Doc, docs[1].Doc
	refA, refB := graph.Ref{Image: "example.com/outage", Tag: "a"}, graph.Ref{Image: "example.com/outage", Tag: "b"}
	if _, _, err := s.Put(ctx, refA, a, graph.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	id := a.Components[len(a.Components)/2].ID()

	start := time.Now()
	ctl("stop")
	t.Logf("stopped in %v", time.Since(start).Round(time.Millisecond))
	calls := map[string]func() error{
		"Put":         func() error { _, _, err := s.Put(ctx, refB, b, graph.PutOptions{}); return err },
		"Delete":      func() error { return s.Delete(ctx, refA) },
		"Images":      func() error { _, err := s.Images(ctx); return err },
		"Versions":    func() error { _, err := s.Versions(ctx, refA.Image); return err },
		"Version":     func() error { _, err := s.Version(ctx, refA); return err },
		"Document":    func() error { _, err := s.Document(ctx, refA); return err },
		"Components":  func() error { _, err := s.Components(ctx, graph.ComponentQuery{Purl: id}); return err },
		"Occurrences": func() error { _, err := s.Occurrences(ctx, []string{id}); return err },
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		if !errors.Is(err, graph.ErrUnavailable) {
			t.Errorf("%s while Neo4j is down = %v, want ErrUnavailable", name, err)
		}
		t.Logf("%s while Neo4j is down failed after %v: %v", name, time.Since(start).Round(time.Millisecond), err)
	}

	start = time.Now()
	ctl("start")
	t.Logf("restarted in %v", time.Since(start).Round(time.Millisecond))
	got, err := s.Document(ctx, refA)
	if err != nil {
		t.Fatalf("Document after Neo4j came back = %v", err)
	}
	if len(got.Components) != len(a.Components) {
		t.Errorf("Document after the outage has %d components, want %d", len(got.Components), len(a.Components))
	}
	if _, created, err := s.Put(ctx, refB, b, graph.PutOptions{}); err != nil || !created {
		t.Errorf("Put after Neo4j came back = %v, %v", created, err)
	}
	if vs, err := s.Versions(ctx, refA.Image); err != nil || len(vs) != 2 {
		t.Errorf("Versions after the outage = %d, %v; want 2 (the Put during the outage stored nothing)", len(vs), err)
	}
	if occ, err := s.Occurrences(ctx, []string{id}); err != nil || len(occ) == 0 {
		t.Errorf("Occurrences after the outage = %d, %v", len(occ), err)
	}
}
