package graph

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

func TestNormalizeImage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Official images on Docker Hub: every spelling is the short name.
		{"alpine", "alpine"},
		{"library/alpine", "alpine"},
		{"docker.io/alpine", "alpine"},
		{"docker.io/library/alpine", "alpine"},
		{"index.docker.io/library/alpine", "alpine"},
		{"Docker.IO/library/alpine", "alpine"},
		{"INDEX.DOCKER.IO/alpine", "alpine"},
		{"  docker.io/library/alpine\t", "alpine"},
		// Other Docker Hub repositories keep their namespace.
		{"bitnami/redis", "bitnami/redis"},
		{"docker.io/bitnami/redis", "bitnami/redis"},
		{"index.docker.io/bitnami/redis", "bitnami/redis"},
		{"docker.io/library/a/b", "library/a/b"},
		{"library/a/b", "library/a/b"},
		// A Docker Hub path whose first component reads as a host keeps the host, or the name
		// would move to another registry.
		{"docker.io/a.b/c", "docker.io/a.b/c"},
		{"docker.io/localhost/c", "docker.io/localhost/c"},
		{"docker.io/a.b", "a.b"},
		{"docker.io/library/a.b", "a.b"},
		// Other registries: the host is lower-cased, the path kept as written.
		{"Registry.Example.COM/Team/App", "registry.example.com/Team/App"},
		{"registry.example.com:5000/team/app", "registry.example.com:5000/team/app"},
		{"LOCALHOST/app", "localhost/app"},
		{"localhost:5000/library/app", "localhost:5000/library/app"},
		// Not references: left alone, never guessed at.
		{"caddy-latest", "caddy-latest"},
		{"docker.io/library/caddy-latest", "caddy-latest"},
		{"debian-app", "debian-app"},
		{"docker.io", "docker.io"},
		{"library/", "library/"},
		{"docker.io/", ""},
		{"", ""},
	} {
		if got := NormalizeImage(tc.in); got != tc.want {
			t.Errorf("NormalizeImage(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := NormalizeImage(tc.want); got != tc.want {
			t.Errorf("NormalizeImage(%q) = %q: the normal form is not stable", tc.want, got)
		}
	}
}

func TestParseRef(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct {
		in   string
		want Ref
	}{
		{"alpine:3.17", Ref{Image: "alpine", Tag: "3.17"}},
		{"docker.io/library/alpine:3.17", Ref{Image: "alpine", Tag: "3.17"}},
		{"index.docker.io/library/alpine:3.17", Ref{Image: "alpine", Tag: "3.17"}},
		{"library/alpine:3.17@sha256:" + strings.Repeat("AB", 32), Ref{Image: "alpine", Tag: "3.17", Digest: digest}},
		{"Registry.Example.com:5000/team/app@" + digest, Ref{Image: "registry.example.com:5000/team/app", Digest: digest}},
		{"registry.example.com:5000/team/app:Latest", Ref{Image: "registry.example.com:5000/team/app", Tag: "Latest"}},
	} {
		got, err := ParseRef(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if got.Normalize() != got {
			t.Errorf("ParseRef(%q) = %+v is not in normal form", tc.in, got)
		}
	}
	for _, in := range []string{"", "alpine", "docker.io/:1", "docker.io/library/alpine", ":1"} {
		if r, err := ParseRef(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseRef(%q) = %+v, %v; want ErrInvalid", in, r, err)
		}
	}
	if err := (Ref{Image: "docker.io/", Tag: "1"}).Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Validate of an image name that normalises to nothing = %v, want ErrInvalid", err)
	}
}

// FuzzNormalizeImage checks that the normal form is a fixed point and that normalising never
// changes which registry a name is on.
func FuzzNormalizeImage(f *testing.F) {
	for _, s := range []string{"alpine", "docker.io/library/alpine", "index.docker.io/a.b/c", "Registry.Example.com/x", "localhost/library/x", "library/", "docker.io/docker.io/x", "library/ 0", "library/ "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeImage(s)
		if again := NormalizeImage(n); again != n {
			t.Fatalf("NormalizeImage(%q) = %q, but NormalizeImage(%q) = %q", s, n, n, again)
		}
		if n != "" && host(n) != host(strings.TrimSpace(s)) {
			t.Fatalf("NormalizeImage(%q) = %q moved the name to another registry", s, n)
		}
	})
}

// host returns the registry a normalised name is on, the way the Docker reference rules read it.
func host(name string) string {
	h, _, ok := strings.Cut(name, "/")
	if !ok || !isRegistryHost(h) {
		return dockerHub
	}
	h = strings.ToLower(h)
	if h == dockerHubLegacy {
		return dockerHub
	}
	return h
}

// TestPutCreated checks which creation time a Put records: the option's over the SBOM's,
// none when neither is known, saturated outside the years int64 nanoseconds can hold.
func TestPutCreated(t *testing.T) {
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	doc := &sbom.Document{Source: sbom.Source{Created: day}}
	for _, tc := range []struct {
		name string
		doc  *sbom.Document
		opt  time.Time
		want int64
		ok   bool
	}{
		{"the SBOM's", doc, time.Time{}, day.UnixNano(), true},
		{"the option's first", doc, day.Add(time.Hour), day.Add(time.Hour).UnixNano(), true},
		{"none", &sbom.Document{}, time.Time{}, 0, false},
		{"before 1678", &sbom.Document{}, time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), math.MinInt64, true},
		{"after 2262", &sbom.Document{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64, true},
	} {
		if got, ok := PutCreated(tc.doc, PutOptions{Created: tc.opt}); got != tc.want || ok != tc.ok {
			t.Errorf("%s: %d, %v; want %d, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestDocumentDigest checks that a decoded SBOM is identified by its input's digest, and any
// other document by its content: equal documents alike, different ones not.
func TestDocumentDigest(t *testing.T) {
	decoded := &sbom.Document{Source: sbom.Source{Digest: "sha256:" + strings.Repeat("ab", 32)}}
	if got, err := DocumentDigest(decoded); err != nil || got != decoded.Source.Digest {
		t.Errorf("decoded: %q, %v", got, err)
	}
	a := &sbom.Document{Components: []sbom.Component{{Purl: "pkg:npm/a@1", Key: "pkg:npm/a", Name: "a", Version: "1"}}}
	b := &sbom.Document{Components: []sbom.Component{{Purl: "pkg:npm/a@2", Key: "pkg:npm/a", Name: "a", Version: "2"}}}
	da, err := DocumentDigest(a)
	if err != nil || !strings.HasPrefix(da, "sha256:") || len(da) != len("sha256:")+64 {
		t.Fatalf("built: %q, %v", da, err)
	}
	if again, _ := DocumentDigest(a); again != da {
		t.Errorf("the same document: %q, then %q", da, again)
	}
	if db, _ := DocumentDigest(b); db == da {
		t.Errorf("two documents share the digest %q", da)
	}
}
