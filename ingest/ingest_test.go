package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// TestCorpus decodes every file of the project's corpus copy and checks it against the
// independent counts in MANIFEST.tsv.
func TestCorpus(t *testing.T) {
	for _, e := range ingesttest.Manifest(t, ingesttest.CorpusDir()) {
		t.Run(e.File, func(t *testing.T) {
			checkEntry(t, e, ingesttest.Corpus(t, e.File))
		})
	}
}

// TestSharedCorpus walks the shared corpus when it sits beside the repository: every file in
// the folder must be listed in its MANIFEST and decode with the listed counts.
func TestSharedCorpus(t *testing.T) {
	dir := filepath.Join(ingesttest.Root(), "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		t.Skipf("no shared corpus at %s", dir)
	}
	listed := map[string]bool{}
	for _, e := range ingesttest.Manifest(t, dir) {
		listed[e.File] = true
		t.Run(e.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			checkEntry(t, e, data)
		})
	}
	for _, sub := range []string{"", "big"} {
		files, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			name := filepath.ToSlash(filepath.Join(sub, f.Name()))
			if f.IsDir() || strings.HasSuffix(name, ".tsv") {
				continue
			}
			if !listed[name] {
				t.Errorf("%s is in the shared corpus but not in its MANIFEST", name)
			}
		}
	}
}

func checkEntry(t *testing.T, e ingesttest.Entry, data []byte) {
	t.Helper()
	doc, err := DecodeBytes(context.Background(), data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := doc.Source
	if src.Format != e.Format || src.Encoding != e.Encoding || src.SpecVersion != e.Spec {
		t.Errorf("source = %s %s %s, MANIFEST says %s %s %s", src.Format, src.Encoding, src.SpecVersion, e.Format, e.Encoding, e.Spec)
	}
	if got := doc.Entries(); got != e.Components {
		t.Errorf("components = %d, MANIFEST says %d", got, e.Components)
	}
	if doc.Unique() > doc.Entries() {
		t.Errorf("unique %d > components %d", doc.Unique(), doc.Entries())
	}
	for _, edge := range doc.Edges {
		if edge.From < 0 || edge.From >= len(doc.Components) || edge.To < 0 || edge.To >= len(doc.Components) {
			t.Fatalf("edge %+v indexes outside %d components", edge, len(doc.Components))
		}
	}
	if !strings.HasPrefix(src.Digest, "sha256:") || src.Size != int64(len(data)) {
		t.Errorf("digest %q size %d, want sha256 of %d bytes", src.Digest, src.Size, len(data))
	}
}

// decode is DecodeBytes for tests that expect success.
func decode(t *testing.T, data []byte) *sbom.Document {
	t.Helper()
	doc, err := DecodeBytes(context.Background(), data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// sameContent checks that two decodings of one SBOM agree on everything but how it was wrapped.
func sameContent(t *testing.T, got, want *sbom.Document) {
	t.Helper()
	g, w := *got, *want
	g.Source.Compression, g.Source.Envelope, g.Source.Digest, g.Source.Size = "", nil, "", 0
	w.Source.Compression, w.Source.Envelope, w.Source.Digest, w.Source.Size = "", nil, "", 0
	gj, _ := json.Marshal(g)
	wj, _ := json.Marshal(w)
	if !bytes.Equal(gj, wj) {
		t.Errorf("decoded content differs from the plain document's")
	}
}

func TestCompression(t *testing.T) {
	const name = "alpine-3.16.2.syft.cdx.json"
	plain := ingesttest.Corpus(t, name)
	want := decode(t, plain)

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	zst, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	bz2, err := os.ReadFile(filepath.Join("testdata", name+".bz2"))
	if err != nil {
		t.Fatal(err)
	}
	var gzgz bytes.Buffer
	zw = gzip.NewWriter(&gzgz)
	zw.Write(gz.Bytes())
	zw.Close()

	for _, tc := range []struct {
		compression string
		data        []byte
	}{
		{"gzip", gz.Bytes()},
		{"bzip2", bz2},
		{"zstd", zst.EncodeAll(plain, nil)},
		{"gzip+gzip", gzgz.Bytes()},
	} {
		t.Run(tc.compression, func(t *testing.T) {
			got := decode(t, tc.data)
			if got.Source.Compression != tc.compression {
				t.Errorf("compression = %q, want %q", got.Source.Compression, tc.compression)
			}
			if got.Source.Digest == want.Source.Digest {
				t.Errorf("digest of the compressed input equals the plain one's")
			}
			sameContent(t, got, want)
		})
	}
}

func TestEnvelope(t *testing.T) {
	cdx := ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json")
	spdx := ingesttest.Corpus(t, "spdx-example-2.3.spdx.json")
	tv := ingesttest.Corpus(t, "spdx-example-2.3.spdx")
	statement := func(predicateType string, predicate any) []byte {
		b, err := json.Marshal(map[string]any{
			"_type":         "https://in-toto.io/Statement/v0.1",
			"predicateType": predicateType,
			"subject":       []any{map[string]any{"name": "index.docker.io/library/alpine", "digest": map[string]string{"sha256": strings.Repeat("ab", 32)}}},
			"predicate":     predicate,
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dsse := func(payload []byte) []byte {
		b, _ := json.Marshal(map[string]any{
			"payloadType": "application/vnd.in-toto+json",
			"payload":     base64.StdEncoding.EncodeToString(payload),
			"signatures":  []any{map[string]string{"keyid": "key-1", "sig": "c2lnbmF0dXJl"}},
		})
		return b
	}
	for _, tc := range []struct {
		name  string
		data  []byte
		plain []byte
		typ   string
	}{
		{"statement with CycloneDX object", statement("https://cyclonedx.org/bom", json.RawMessage(cdx)), cdx, "in-toto"},
		{"DSSE with SPDX object", dsse(statement("https://spdx.dev/Document", json.RawMessage(spdx))), spdx, "dsse"},
		{"DSSE with cosign Data string", dsse(statement("https://spdx.dev/Document", map[string]any{"Data": string(tv), "Timestamp": "2022-10-01T00:00:00Z"})), tv, "dsse"},
		{"two attestations, one per line", append(append(dsse(statement("https://cyclonedx.org/bom", json.RawMessage(cdx))), '\n'), dsse(statement("x", "y"))...), cdx, "dsse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := decode(t, tc.data)
			env := got.Source.Envelope
			if env == nil || env.Type != tc.typ || len(env.Subjects) != 1 || env.Subjects[0].Name != "index.docker.io/library/alpine" {
				t.Fatalf("envelope = %+v", env)
			}
			if tc.typ == "dsse" && (len(env.Signatures) != 1 || env.Signatures[0].KeyID != "key-1") {
				t.Errorf("signatures = %+v", env.Signatures)
			}
			sameContent(t, got, decode(t, tc.plain))
		})
	}
	t.Run("DSSE with a payload that is not base64", func(t *testing.T) {
		bad := []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"!!!","signatures":[]}`)
		_, err := DecodeBytes(context.Background(), bad, Options{})
		if !errors.Is(err, sbom.ErrInvalid) || !strings.Contains(err.Error(), "base64") {
			t.Errorf("err = %v, want ErrInvalid about base64", err)
		}
	})
	t.Run("DSSE of something else", func(t *testing.T) {
		bad := []byte(`{"payloadType":"application/vnd.cncf.notary","payload":"e30=","signatures":[]}`)
		if _, err := DecodeBytes(context.Background(), bad, Options{}); !errors.Is(err, sbom.ErrUnsupported) {
			t.Errorf("err = %v, want ErrUnsupported", err)
		}
	})
}

func TestErrors(t *testing.T) {
	cdx := ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json")
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 4<<20))
	zw.Close()
	for _, tc := range []struct {
		name   string
		data   []byte
		limits sbom.Limits
		want   error
		msg    string
	}{
		{"empty", nil, sbom.Limits{}, sbom.ErrInvalid, "empty"},
		{"plain text", []byte("hello, world\n"), sbom.Limits{}, sbom.ErrInvalid, "not an SBOM"},
		{"other JSON", []byte(`{"name":"package.json","version":"1.0.0"}`), sbom.Limits{}, sbom.ErrInvalid, "not an SBOM"},
		{"other XML", []byte(`<?xml version="1.0"?><project><modelVersion>4.0.0</modelVersion></project>`), sbom.Limits{}, sbom.ErrInvalid, "not an SBOM"},
		{"truncated gzip", bomb.Bytes()[:bomb.Len()/2], sbom.Limits{}, sbom.ErrInvalid, "gzip"},
		{"decompression bomb", bomb.Bytes(), sbom.Limits{MaxBytes: 1 << 20}, sbom.ErrTooLarge, "decompresses to more than"},
		{"too deep", []byte(`{"bomFormat":"CycloneDX","specVersion":"1.4","x":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`), sbom.Limits{}, sbom.ErrTooLarge, "nesting deeper than 256"},
		{"too deep XML", []byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.4">` + strings.Repeat("<a>", 20) + strings.Repeat("</a>", 20) + `</bom>`), sbom.Limits{MaxDepth: 10}, sbom.ErrTooLarge, "nesting deeper than 10"},
		{"too many components", cdx, sbom.Limits{MaxComponents: 5}, sbom.ErrTooLarge, "more than 5 components"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(context.Background(), "input.sbom", bytes.NewReader(tc.data), Options{Limits: tc.limits})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "input.sbom: ") || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %q, want it to name the file and say %q", err, tc.msg)
			}
		})
	}
	t.Run("input larger than MaxBytes", func(t *testing.T) {
		_, err := Decode(context.Background(), "big.json", bytes.NewReader(cdx), Options{Limits: sbom.Limits{MaxBytes: 1000}})
		if !errors.Is(err, sbom.ErrTooLarge) {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
	})
}

// FuzzDecode feeds arbitrary bytes through the whole pipeline: decompression, envelopes and
// every format. Nothing may panic, and a document that decodes must be well formed.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{
		"alpine-3.16.2.syft.cdx.json", "alpine-3.17.2.syft.cdx.xml", "spdx-example-2.3.spdx",
		"spdx-example-2.3.spdx.json", "spdx-example-2.3.spdx.yaml", "spdx-example-2.3.spdx.xml",
		"syft-spdx3-image.golden.spdx3.json", "cdx-components-nested.guac.cdx.json",
	} {
		f.Add(ingesttest.Corpus(f, name))
	}
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`))
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := DecodeBytes(context.Background(), data, Options{Limits: sbom.Limits{MaxBytes: 1 << 22, MaxComponents: 10000}})
		if err != nil {
			return
		}
		for _, e := range doc.Edges {
			if e.From < 0 || e.From >= len(doc.Components) || e.To < 0 || e.To >= len(doc.Components) {
				t.Fatalf("edge %+v outside %d components", e, len(doc.Components))
			}
		}
		if doc.Root >= len(doc.Components) {
			t.Fatalf("root %d outside %d components", doc.Root, len(doc.Components))
		}
	})
}
