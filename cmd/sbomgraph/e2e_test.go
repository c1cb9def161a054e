package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// The end-to-end tests run the built binary: `sbomgraph serve` on a free loopback port with
// a store in a temp dir, and the client commands against it, as a user would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/sbomgraph once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sbomgraph-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "sbomgraph")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// freePort returns a loopback address nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// server is one running `sbomgraph serve`.
type server struct {
	t    *testing.T
	bin  string
	addr string
	cmd  *exec.Cmd
	logs *bytes.Buffer
	env  []string
}

// startServer starts `sbomgraph serve` with extra flags and waits until it answers.
func startServer(t *testing.T, extra ...string) *server {
	t.Helper()
	s := &server{t: t, bin: binary(t), addr: freePort(t), logs: &bytes.Buffer{}}
	s.env = append(os.Environ(), "SBOMGRAPH_SERVER="+s.addr, "SBOMGRAPH_TOKEN=", "NO_COLOR=1")
	args := append([]string{"serve", "--listen", s.addr, "--store", filepath.Join(t.TempDir(), "sbomgraph.db")}, extra...)
	s.cmd = exec.Command(s.bin, args...)
	s.cmd.Stdout = s.logs
	s.cmd.Stderr = s.logs
	s.cmd.Env = s.env
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("sbomgraph serve did not listen on %s in 60 s:\n%s", s.addr, s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server with SIGTERM, as an operator would, and checks it exits cleanly.
func (s *server) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			s.t.Errorf("sbomgraph serve exited with %v after SIGTERM:\n%s", err, s.logs)
		}
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
		s.t.Errorf("sbomgraph serve did not stop within 30 s of SIGTERM")
	}
}

// run runs a client command and returns its stdout, stderr and exit status.
func (s *server) run(args ...string) (string, string, int) {
	s.t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("sbomgraph %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// ok runs a client command that must succeed and returns its stdout.
func (s *server) ok(args ...string) string {
	s.t.Helper()
	out, errs, code := s.run(args...)
	if code != 0 {
		s.t.Fatalf("sbomgraph %s: exit %d\nstderr: %s\nstdout: %s\nserver log:\n%s", strings.Join(args, " "), code, errs, out, s.logs)
	}
	return out
}

// okJSON runs a client command with -o json and decodes its output into v.
func (s *server) okJSON(v any, args ...string) {
	s.t.Helper()
	out := s.ok(append(args, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		s.t.Fatalf("sbomgraph %s -o json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// corpusFile returns the path of a bundled corpus file.
func corpusFile(name string) string {
	if strings.HasPrefix(name, "debian-app-") {
		return filepath.Join("..", "..", "testdata", "corpus", "big", name+".gz")
	}
	return filepath.Join("..", "..", "testdata", "corpus", name+".gz")
}

// manifestCounts reads the component_count column of a MANIFEST.tsv.
func manifestCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts := map[string]int{}
	col := -1
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		cells := strings.Split(line, "\t")
		if col < 0 {
			for i, c := range cells {
				if c == "component_count" {
					col = i
				}
			}
			if col < 0 {
				t.Fatalf("%s: no component_count column", path)
			}
			continue
		}
		n, err := strconv.Atoi(cells[col])
		if err != nil {
			t.Fatalf("%s: %s: component_count %q", path, cells[0], cells[col])
		}
		counts[cells[0]] = n
	}
	return counts
}

// decode reads one corpus file offline, for the expected answers.
func decode(t *testing.T, name string) *sbom.Document {
	t.Helper()
	doc, err := ingest.DecodeFile(context.Background(), corpusFile(name), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// jsonVersion is the part of a Version's JSON mapping the tests read.
type jsonVersion struct {
	Image      string `json:"image"`
	Tag        string `json:"tag"`
	Components int    `json:"components"`
	OrderBasis string `json:"orderBasis"`
}

func TestEndToEndSeries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	s := startServer(t)
	counts := manifestCounts(t, filepath.Join("..", "..", "testdata", "corpus", "big", "MANIFEST.tsv"))

	// Four releases of one image, ingested out of order: --created orders them.
	series := []string{"debian-app-v1.syft.cdx.json", "debian-app-v2.syft.cdx.json", "debian-app-v3.syft.cdx.json", "debian-app-v4.syft.cdx.json"}
	for _, i := range []int{2, 0, 3, 1} {
		out := s.ok("ingest", "--image", "example/debian-app", "--tag", fmt.Sprintf("v%d", i+1),
			"--created", fmt.Sprintf("2026-0%d-01T00:00:00Z", i+1), corpusFile(series[i]))
		if !strings.Contains(out, "1 stored") {
			t.Errorf("ingest %s: %s", series[i], out)
		}
	}
	// Re-ingesting the same SBOM is a no-op; another SBOM for a stored version is refused.
	if out := s.ok("ingest", "--image", "example/debian-app", "--tag", "v1", corpusFile(series[0])); !strings.Contains(out, "1 already stored") {
		t.Errorf("re-ingest: %s", out)
	}
	if out, _, code := s.run("ingest", "--image", "example/debian-app", "--tag", "v1", corpusFile(series[1])); code != 1 || !strings.Contains(out, "already exists") {
		t.Errorf("conflicting ingest: exit %d, stdout %s", code, out)
	}

	var versions struct{ Versions []jsonVersion }
	s.okJSON(&versions, "versions", "example/debian-app")
	if len(versions.Versions) != 4 {
		t.Fatalf("versions: %d, want 4", len(versions.Versions))
	}
	for i, v := range versions.Versions {
		if v.Tag != fmt.Sprintf("v%d", i+1) || v.OrderBasis != "ORDER_BASIS_CREATED" {
			t.Errorf("version %d: %+v, want tag v%d ordered by creation", i, v, i+1)
		}
		if want := counts[series[i]]; v.Components != want {
			t.Errorf("%s: %d components, MANIFEST says %d", series[i], v.Components, want)
		}
	}

	// A package v4 removed: find shows where it was, timeline says it went away in v4.
	r := diff.Documents(decode(t, series[2]), decode(t, series[3]))
	if len(r.Removed) == 0 {
		t.Fatal("v3 -> v4 removes nothing; pick another pair")
	}
	gone := r.Removed[0]
	var found struct {
		Kind   string
		Totals struct{ Images, StillAffected, Fixed, Versions int }
		Images []struct {
			Image          string
			NewestAffected bool
			FixedIn        *struct {
				Version struct{ Tag string }
				Event   string
			}
			Affected []struct {
				Version    struct{ Tag string }
				Components []struct {
					Key    string
					Direct bool
					Depth  int
					Path   []string
				}
			}
		}
	}
	s.okJSON(&found, "find", gone.Key, "--image", "example/debian-app")
	if len(found.Images) != 1 || found.Images[0].Image != "example/debian-app" {
		t.Fatalf("find %s: images %+v", gone.Key, found.Images)
	}
	im := found.Images[0]
	var inVersions []string
	for _, a := range im.Affected {
		inVersions = append(inVersions, a.Version.Tag)
		for _, c := range a.Components {
			if c.Key != gone.Key || len(c.Path) != c.Depth || c.Direct != (c.Depth == 1) {
				t.Errorf("%s: occurrence %+v", a.Version.Tag, c)
			}
		}
	}
	want := presence(t, series, gone.Key)
	if strings.Join(inVersions, ",") != strings.Join(want, ",") {
		t.Errorf("find %s: in %v, want %v (newest first)", gone.Key, inVersions, want)
	}
	if im.NewestAffected || im.FixedIn == nil || im.FixedIn.Version.Tag != "v4" || im.FixedIn.Event != "removed" {
		t.Errorf("find %s: newest affected %v, fixed in %+v; want fixed in v4 (removed)", gone.Key, im.NewestAffected, im.FixedIn)
	}
	if found.Totals.Images != 1 || found.Totals.Fixed != 1 || found.Totals.Versions != len(want) {
		t.Errorf("find totals %+v", found.Totals)
	}
	found.Images = nil
	s.okJSON(&found, "find", gone.Key, "--latest")
	for _, im := range found.Images {
		if im.Image == "example/debian-app" {
			t.Errorf("find --latest: %s still in %+v", gone.Key, im.Affected)
		}
	}
	for _, format := range []string{"text", "csv", "markdown", "html"} {
		if out := s.ok("find", gone.Key, "-o", format); !strings.Contains(out, "example/debian-app") {
			t.Errorf("find -o %s does not name the image:\n%s", format, out)
		}
	}
	var timeline struct {
		Entries []struct {
			Version  jsonVersion
			Versions []string
			Event    string
		}
	}
	s.okJSON(&timeline, "timeline", "example/debian-app", gone.Key)
	if len(timeline.Entries) != 4 || timeline.Entries[3].Event != "TIMELINE_EVENT_REMOVED" || len(timeline.Entries[3].Versions) != 0 {
		t.Errorf("timeline %s: %+v, want removed in v4", gone.Key, timeline.Entries)
	}
	if out := s.ok("timeline", "example/debian-app", gone.Key); !strings.Contains(out, "removed") {
		t.Errorf("timeline text:\n%s", out)
	}

	// path and show answer for a stored version, and name a missing one clearly.
	if out := s.ok("path", "example/debian-app:v3", gone.Key); !strings.Contains(out, gone.Key) {
		t.Errorf("path:\n%s", out)
	}
	if out := s.ok("show", "example/debian-app:v4"); !regexp.MustCompile(fmt.Sprintf(`components +%d `, counts[series[3]])).MatchString(out) {
		t.Errorf("show:\n%s", out)
	}
	if _, errs, code := s.run("show", "example/debian-app:v9"); code != 1 || !strings.Contains(errs, "not found") {
		t.Errorf("show missing version: exit %d, stderr %q", code, errs)
	}
	if out := s.ok("images"); !strings.Contains(out, "example/debian-app") {
		t.Errorf("images:\n%s", out)
	}
}

// presence returns the tags ("v1".."vN") of the series' files that contain key, newest
// first, computed offline.
func presence(t *testing.T, series []string, key string) []string {
	var tags []string
	for i := len(series) - 1; i >= 0; i-- {
		for _, c := range decode(t, series[i]).Components {
			if c.Key == key {
				tags = append(tags, fmt.Sprintf("v%d", i+1))
				break
			}
		}
	}
	return tags
}

func TestEndToEndNoServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	s := &server{t: t, bin: binary(t), addr: freePort(t)}
	s.env = append(os.Environ(), "SBOMGRAPH_SERVER="+s.addr)
	_, errs, code := s.run("images", "--timeout", "2s")
	if code != 1 || !strings.Contains(errs, "unavailable") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("images with no server: exit %d, stderr %q; want 1 and one line naming the problem", code, errs)
	}
}

// TestEndToEndPairs ingests both sides of every PAIRS.tsv row and checks that the server's
// diff of the two stored versions is exactly the offline diff of the two files, in every
// report format, and that each stored version has MANIFEST.tsv's component count.
func TestEndToEndPairs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	s := startServer(t)
	counts := manifestCounts(t, filepath.Join("..", "..", "testdata", "corpus", "MANIFEST.tsv"))
	pairs := readPairs(t)
	for i, p := range pairs {
		image := fmt.Sprintf("pairs/%02d", i)
		for tag, file := range map[string]string{"old": p[0], "new": p[1]} {
			s.ok("ingest", "--image", image, "--tag", tag, corpusFile(file))
		}
		for tag, file := range map[string]string{"old": p[0], "new": p[1]} {
			// A fresh value each time: the proto3 JSON mapping leaves out zero counts.
			var shown struct{ Version jsonVersion }
			s.okJSON(&shown, "show", image+":"+tag)
			if shown.Version.Components != counts[file] {
				t.Errorf("%s (%s:%s): %d components stored, MANIFEST says %d", file, image, tag, shown.Version.Components, counts[file])
			}
		}
		for _, format := range []string{"json", "markdown"} {
			remote := s.ok("diff", image+":old", image+":new", "--as-of", "2026-11-01", "-o", format, "--color", "never")
			offline := s.ok("diff", corpusFile(p[0]), corpusFile(p[1]), "--as-of", "2026-11-01", "-o", format, "--color", "never")
			if format == "markdown" {
				// The two sides are named by reference on one, by file on the other.
				remote = strings.NewReplacer(image+":old", "OLD", image+":new", "NEW").Replace(remote)
				offline = strings.NewReplacer(corpusFile(p[0]), "OLD", corpusFile(p[1]), "NEW").Replace(offline)
			}
			if remote != offline {
				t.Errorf("%s -> %s: -o %s: server diff differs from offline diff\n%s", p[0], p[1], format, firstDiff(remote, offline))
			}
		}
	}
}

// readPairs reads PAIRS.tsv's (old_file, new_file) rows.
func readPairs(t *testing.T) [][2]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "corpus", "PAIRS.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var pairs [][2]string
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		cells := strings.Split(line, "\t")
		if i == 0 || len(cells) < 2 {
			continue
		}
		pairs = append(pairs, [2]string{cells[0], cells[1]})
	}
	if len(pairs) < 20 {
		t.Fatalf("PAIRS.tsv: %d pairs", len(pairs))
	}
	return pairs
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  server:  %s\n  offline: %s", i+1, x, y)
		}
	}
	return ""
}

// TestEndToEndDirectory ingests a directory: every SBOM in it, named by its own subject, the
// notes beside them skipped.
func TestEndToEndDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	s := startServer(t)
	dir := t.TempDir()
	files := []string{"alpine-3.16.2.syft.cdx.json", "alpine-3.17.2.syft.cdx.xml", "nginx-1.23.1.syft.spdx.json", "caddy-2.6.2.syft.cdx.json"}
	for _, f := range files {
		b, err := os.ReadFile(corpusFile(f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f+".gz"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Old syft names nginx's subject "docker.io/library/nginx-latest": no tag, no digest. That
	// file fails with a clear message (exit 1); the others are stored all the same.
	out, _, code := s.run("ingest", dir)
	if code != 1 || !strings.Contains(out, fmt.Sprintf("%d files: %d stored", len(files), len(files)-1)) ||
		!strings.Contains(out, "nginx-1.23.1.syft.spdx.json.gz: invalid argument") || !strings.Contains(out, "no image version named") {
		t.Errorf("ingest %s: exit %d\n%s", dir, code, out)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasPrefix(f, "nginx") })
	var images struct {
		Images []struct {
			Name     string
			Versions int
		}
	}
	s.okJSON(&images, "images")
	got := map[string]int{}
	for _, im := range images.Images {
		got[im.Name] = im.Versions
	}
	for _, f := range files {
		doc := decode(t, f)
		name := doc.Subject.Name
		if got[name] == 0 {
			// Stored under the normal form of the subject's name.
			found := false
			for n := range got {
				if strings.HasSuffix(n, "/"+name) || strings.HasSuffix(name, "/"+n) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: subject %q not among the images %v", f, name, got)
			}
		}
	}
}

// TestEndToEndTokens runs a server that requires tokens: the client's --token and
// SBOMGRAPH_TOKEN carry them, and a missing or read-only token is refused with one clear line.
func TestEndToEndTokens(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("# scope per token\nreader-0123456789abcdef read ci\nwriter-0123456789abcdef write release\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "--tokens", tokens)
	file := corpusFile("alpine-3.16.2.syft.cdx.json")
	if _, errs, code := s.run("images"); code != 1 || !strings.Contains(errs, "not authenticated") {
		t.Errorf("images without a token: exit %d, stderr %q", code, errs)
	}
	if out, _, code := s.run("ingest", "--token", "reader-0123456789abcdef", file); code != 1 || !strings.Contains(out, "permission denied") {
		t.Errorf("ingest with a read token: exit %d, stdout %q", code, out)
	}
	s.ok("ingest", "--token", "writer-0123456789abcdef", file)
	s.env = append(s.env, "SBOMGRAPH_TOKEN=reader-0123456789abcdef")
	if out := s.ok("images"); !strings.Contains(out, "alpine") {
		t.Errorf("images with a read token:\n%s", out)
	}
}

// TestEndToEndStream ingests an SBOM larger than one message's worth, which the client
// streams in chunks.
func TestEndToEndStream(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	s := startServer(t)
	name := "debian-app-v3.syft.spdx.json"
	raw := gunzip(t, corpusFile(name))
	if len(raw) <= unaryLimit {
		t.Fatalf("%s is %d bytes, not over the %d streaming threshold", name, len(raw), unaryLimit)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var resp []struct {
		Version jsonVersion
		Created bool
	}
	s.okJSON(&resp, "ingest", "--image", "example/debian-app", "--tag", "v3", path)
	counts := manifestCounts(t, filepath.Join("..", "..", "testdata", "corpus", "big", "MANIFEST.tsv"))
	if len(resp) != 1 || !resp[0].Created || resp[0].Version.Components != counts[name] {
		t.Errorf("streamed ingest: %+v, want one created version with %d components", resp, counts[name])
	}
}

// gunzip reads a gzip file whole.
func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
