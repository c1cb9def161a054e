package cyclonedx

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

func TestIdentify(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		want   sbom.Encoding
		wantOK bool
	}{
		{"json 1.4 syft", ingesttest.Corpus(t, "alpine-3.16.2.syft.cdx.json"), sbom.EncodingJSON, true},
		{"json spaces around colon", ingesttest.Corpus(t, "quarkus-getting-started-1.0.0-SNAPSHOT.cdx.json"), sbom.EncodingJSON, true},
		{"json tabs", ingesttest.Corpus(t, "stm32cubeh7-1.12.1.cdx-1.5.json"), sbom.EncodingJSON, true},
		{"json 1.7 minified", ingesttest.Corpus(t, "big/debian-app-v1.syft.cdx.json"), sbom.EncodingJSON, true},
		{"xml 1.2", ingesttest.Corpus(t, "proton-bridge-v1.6.3.gomod.cdx-1.2.xml"), sbom.EncodingXML, true},
		{"xml 1.6", ingesttest.Corpus(t, "demo-deps-from-git.cdx-1.6.xml"), sbom.EncodingXML, true},
		{"json with byte order mark", []byte("\xef\xbb\xbf \n{\"bomFormat\":\"CycloneDX\"}"), sbom.EncodingJSON, true},
		{"xml prefixed root", []byte(`<?xml version="1.0"?><!-- c --><cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.5"/>`), sbom.EncodingXML, true},
		{"xml latin-1", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><bom xmlns="http://cyclonedx.org/schema/bom/1.3"/>`), sbom.EncodingXML, true},
		{"xml unknown version still identified", []byte(`<bom xmlns="http://cyclonedx.org/schema/bom/2.0"/>`), sbom.EncodingXML, true},
		{"spdx json", ingesttest.Corpus(t, "spdx-example-2.3.spdx.json"), "", false},
		{"spdx xml", ingesttest.Corpus(t, "spdx-example-2.3.spdx.xml"), "", false},
		{"spdx tag-value", ingesttest.Corpus(t, "spdx-example-2.3.spdx"), "", false},
		{"spdx 3", ingesttest.Corpus(t, "syft-spdx3-image.golden.spdx3.json"), "", false},
		{"json other bomFormat", []byte(`{"bomFormat": "SPDX", "specVersion": "1.4"}`), "", false},
		{"json without bomFormat", []byte(`{"specVersion": "1.4", "components": []}`), "", false},
		{"xml bom without namespace", []byte(`<bom version="1"/>`), "", false},
		{"xml bom other namespace", []byte(`<bom xmlns="http://example.com/bom/1.4"/>`), "", false},
		{"xml other root", []byte(`<project xmlns="http://cyclonedx.org/schema/bom/1.4"/>`), "", false},
		{"empty", nil, "", false},
		{"whitespace", []byte(" \n\t"), "", false},
		{"text", []byte("bomFormat CycloneDX"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Identify(tt.data)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Identify() = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// goldenFiles are one document per encoding and spec version, decoded into testdata/golden.
var goldenFiles = []struct {
	name     string // corpus name, or a path under testdata/
	handmade bool
}{
	{name: "cern-lhc-vdm-editor-e564943.cdx-1.2.json"},
	{name: "alpine-3.16.2.syft.cdx.json"},            // 1.4, syft, container subject
	{name: "centos-7.trivy.cdx.json"},                // 1.5, trivy, subject from RepoTag
	{name: "nested-packages.trivy-fixture.cdx.json"}, // 1.6, nested components
	{name: "handmade-1.7.cdx.json", handmade: true},
	{name: "proton-bridge-v1.6.3.gomod.cdx-1.2.xml"},
	{name: "alpine-3.17.2.syft.cdx.xml"}, // 1.4
	{name: "demo-deps-from-git.cdx-1.6.xml"},
}

func TestGolden(t *testing.T) {
	for _, g := range goldenFiles {
		t.Run(g.name, func(t *testing.T) {
			var data []byte
			if g.handmade {
				data = readTestdata(t, g.name)
			} else {
				data = ingesttest.Corpus(t, g.name)
			}
			doc := decode(t, data)
			ingesttest.Golden(t, filepath.Join("testdata", "golden", g.name+".golden.json"), doc)
		})
	}
}

// TestCorpus decodes every CycloneDX file in the corpus manifests and checks the entry count
// and spec version against the manifest's independent figures.
func TestCorpus(t *testing.T) {
	for _, manifest := range []string{"MANIFEST.tsv", "big/MANIFEST.tsv"} {
		rows := readManifest(t, filepath.Join(ingesttest.CorpusDir(), manifest))
		dir := filepath.Dir(manifest)
		n := 0
		for _, row := range rows {
			// format_and_spec reads "CycloneDX JSON 1.4".
			f := strings.Fields(row["format_and_spec"])
			if len(f) != 3 || f[0] != "CycloneDX" {
				continue
			}
			n++
			name := row["file"]
			if dir != "." {
				name = dir + "/" + name
			}
			t.Run(name, func(t *testing.T) {
				want, err := strconv.Atoi(row["component_count"])
				if err != nil {
					t.Fatalf("component_count %q: %v", row["component_count"], err)
				}
				doc := decode(t, ingesttest.Corpus(t, name))
				if got := doc.Entries(); got != want {
					t.Errorf("Entries() = %d, want %d", got, want)
				}
				if got, want := doc.Source.SpecVersion, f[2]; got != want {
					t.Errorf("SpecVersion = %q, want %q", got, want)
				}
				if got, want := string(doc.Source.Encoding), strings.ToLower(f[1]); got != want {
					t.Errorf("Encoding = %q, want %q", got, want)
				}
				checkEdges(t, doc)
			})
		}
		if n == 0 {
			t.Errorf("%s lists no CycloneDX files", manifest)
		}
	}
}

// readManifest returns the rows of a MANIFEST.tsv keyed by column name, skipping # comments.
func readManifest(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var header []string
	var rows []map[string]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, c := range cols {
			if i < len(header) {
				row[header[i]] = c
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// decode identifies and decodes data with the default limits, failing the test on error.
func decode(t testing.TB, data []byte) *sbom.Document {
	t.Helper()
	enc, ok := Identify(data)
	if !ok {
		t.Fatalf("Identify: not CycloneDX: %.60q", data)
	}
	doc, err := Decode(data, enc, sbom.Limits{})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return doc
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkEdges fails the test when an edge or the root does not index a component.
func checkEdges(t testing.TB, doc *sbom.Document) {
	t.Helper()
	n := len(doc.Components)
	for _, e := range doc.Edges {
		if e.From < 0 || e.From >= n || e.To < 0 || e.To >= n {
			t.Fatalf("edge %+v indexes outside %d components", e, n)
		}
	}
	if doc.Root < -1 || doc.Root >= n {
		t.Fatalf("root %d indexes outside %d components", doc.Root, n)
	}
}

// TestBigSyft17 checks the shape of a large syft 1.7 document, whose golden file would be too
// big to read: every file component is kept and every package has a purl.
func TestBigSyft17(t *testing.T) {
	doc := decode(t, ingesttest.Corpus(t, "big/debian-app-v1.syft.cdx.json"))
	var files, purls int
	for _, c := range doc.Components {
		if c.Type == "file" && !c.Metadata {
			files++
		}
		if c.Purl != "" {
			purls++
		}
	}
	// From big/MANIFEST.tsv: types=file:4964,library:88,operating-system:1; purls=88.
	if files != 4964 || purls != 88 {
		t.Errorf("files, purls = %d, %d; want 4964, 88", files, purls)
	}
	if got, want := doc.Subject, (sbom.Subject{Name: "debian-app", Version: "1.0.0", Type: "file"}); got != want {
		t.Errorf("Subject = %+v, want %+v", got, want)
	}
	if got, want := doc.Source.Tools, []string{"syft 1.57.1"}; !slices.Equal(got, want) {
		t.Errorf("Tools = %q, want %q", got, want)
	}
}
