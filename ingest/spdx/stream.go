package spdx

import (
	"encoding/json"
	"strings"

	"github.com/spdx/tools-golang/convert"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/v2_1"
	"github.com/spdx/tools-golang/spdx/v2/v2_2"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/sbomgraph/sbomgraph/ingest/internal/jsonsplit"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// The arrays of an SPDX JSON document that streamJSON reads a batch at a time.
const (
	jsonPackages      = "packages"
	jsonFiles         = "files"
	jsonRelationships = "relationships"
)

// streamBatch is how many packages, files or relationships streamJSON has tools-golang decode
// (and, for SPDX 2.1 and 2.2, convert to the 2.3 model) at a time.
const streamBatch = 256

// jsonVersion reads the JSON of one SPDX version with tools-golang's types for that version and
// converts the result to its 2.3 model, as spdxjson.Read does for a whole document.
type jsonVersion struct {
	// document reads a document, or part of one.
	document func(js []byte) (*spdx.Document, error)
	// files and relationships read entries of the files and relationships arrays, in order,
	// as the converted document would hold them (nil for null, and for an SPDX 2.1 or 2.2
	// entry that is empty, which tools-golang's conversion drops).
	files         func(entries [][]byte) ([]*spdx.File, error)
	relationships func(entries [][]byte) ([]*spdx.Relationship, error)
}

// jsonVersions has a jsonVersion for every supported spdxVersion.
var jsonVersions = map[string]jsonVersion{
	"SPDX-2.1": {
		document:      readDocument[v2_1.Document],
		files:         readFiles(func(l []*v2_1.File) v2_1.Document { return v2_1.Document{Files: l} }),
		relationships: readRelationships(func(l []*v2_1.Relationship) v2_1.Document { return v2_1.Document{Relationships: l} }),
	},
	"SPDX-2.2": {
		document:      readDocument[v2_2.Document],
		files:         readFiles(func(l []*v2_2.File) v2_2.Document { return v2_2.Document{Files: l} }),
		relationships: readRelationships(func(l []*v2_2.Relationship) v2_2.Document { return v2_2.Document{Relationships: l} }),
	},
	"SPDX-2.3": {
		document:      readDocument[v2_3.Document],
		files:         readFiles(func(l []*v2_3.File) v2_3.Document { return v2_3.Document{Files: l} }),
		relationships: readRelationships(func(l []*v2_3.Relationship) v2_3.Document { return v2_3.Document{Relationships: l} }),
	},
}

// readDocument decodes js as a D (a tools-golang document type) and converts it to the 2.3
// model, which is what spdxjson.Read does once it knows the version.
func readDocument[D any](js []byte) (*spdx.Document, error) {
	var d D
	if err := json.Unmarshal(js, &d); err != nil {
		return nil, err
	}
	var latest spdx.Document
	if err := convert.Document(d, &latest); err != nil {
		return nil, err
	}
	return &latest, nil
}

// readEntries decodes each entry as a *T, as encoding/json decodes the elements of a []*T, and
// converts the list, wrapped in a document by wrap, to the 2.3 model.
func readEntries[T, D any](entries [][]byte, wrap func([]*T) D) (*spdx.Document, error) {
	list := make([]*T, len(entries))
	for i, e := range entries {
		if err := json.Unmarshal(e, &list[i]); err != nil {
			return nil, err
		}
	}
	var latest spdx.Document
	if err := convert.Document(wrap(list), &latest); err != nil {
		return nil, err
	}
	return &latest, nil
}

func readFiles[T, D any](wrap func([]*T) D) func([][]byte) ([]*spdx.File, error) {
	return func(entries [][]byte) ([]*spdx.File, error) {
		d, err := readEntries(entries, wrap)
		if err != nil {
			return nil, err
		}
		return d.Files, nil
	}
}

func readRelationships[T, D any](wrap func([]*T) D) func([][]byte) ([]*spdx.Relationship, error) {
	return func(entries [][]byte) ([]*spdx.Relationship, error) {
		d, err := readEntries(entries, wrap)
		if err != nil {
			return nil, err
		}
		return d.Relationships, nil
	}
}

// streamJSON decodes an SPDX 2 JSON document a batch of packages, files and relationships at a
// time, mapping each batch before reading the next, so tools-golang's model of the whole
// document (and spdxjson.Read's generic copy of it) never exists. tools-golang still reads
// every part, with the types of the document's version: the document without those three
// arrays, the packages in small documents of their own (so the library turns their hasFiles
// into relationships), the files and relationships one entry at a time.
//
// It gives the Document Decode would give and reports true, or reports false when it cannot
// tell that it would: the input is not plain enough for jsonsplit, repeats a member (in any
// case), is not of a supported version, or has a part tools-golang does not read, or the
// document hits a limit. Decode then reads it whole (readJSON and build), which also gives the
// error or the repairs, so errors and warnings say what they always said.
//
// The order of the mapping is build's: packages, then files (with those listed inside
// packages), then the document's relationships, those from documentDescribes and those from
// hasFiles. tools-golang drops a documentDescribes or hasFiles relationship that repeats
// another; here it is mapped again, which adds nothing, as the first one was mapped before it.
func streamJSON(data []byte, limits sbom.Limits) (*sbom.Document, bool) {
	members, ok := jsonsplit.Object(data, func(key string) bool {
		return key == jsonPackages || key == jsonFiles || key == jsonRelationships
	})
	if !ok {
		return nil, false
	}
	var version string
	lists := map[string][][]byte{}
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		// encoding/json matches member names to fields regardless of case, and the last of two
		// members for one field wins; tools-golang reads spdxVersion by its exact name.
		k := strings.ToLower(m.Key)
		if seen[k] {
			return nil, false
		}
		seen[k] = true
		switch k {
		case "spdxversion":
			if m.Key != "spdxVersion" || json.Unmarshal(m.Value, &version) != nil {
				return nil, false
			}
		case jsonPackages, jsonFiles, jsonRelationships:
			if m.Key != k || m.Elements == nil && string(m.Value) != "null" {
				return nil, false
			}
			lists[k] = m.Elements
		}
	}
	v, ok := jsonVersions[version]
	if !ok {
		return nil, false
	}
	// The document without the three arrays.
	rest := []byte{'{'}
	for _, m := range members {
		if _, listed := lists[m.Key]; listed {
			continue
		}
		if len(rest) > 1 {
			rest = append(rest, ',')
		}
		rest = append(rest, m.Raw...)
	}
	rest = append(rest, '}')
	d, err := safely(func() (*spdx.Document, error) { return v.document(rest) })
	if err != nil {
		return nil, false
	}
	b := newBuilder(d, version, sbom.EncodingJSON, limits, nil)

	var hasFiles []*spdx.Relationship // from the packages' hasFiles, mapped last
	var inPackages [][]*spdx.File     // files listed inside packages, after the document's
	packages := lists[jsonPackages]
	b.Grow(len(packages))
	var js []byte
	for batch := range chunks(packages) {
		js = append(js[:0], `{"packages":[`...)
		for i, p := range batch {
			if i > 0 {
				js = append(js, ',')
			}
			js = append(js, p...)
		}
		js = append(js, "]}"...)
		pd, err := safely(func() (*spdx.Document, error) { return v.document(js) })
		if err != nil {
			return nil, false
		}
		for _, pkg := range pd.Packages {
			if pkg == nil {
				continue
			}
			if addPackage(b, pkg) != nil {
				return nil, false
			}
			if len(pkg.Files) > 0 {
				inPackages = append(inPackages, pkg.Files)
			}
		}
		hasFiles = append(hasFiles, pd.Relationships...)
	}

	e := documentElements(b, d)
	for batch := range chunks(lists[jsonFiles]) {
		files, err := safely(func() ([]*spdx.File, error) { return v.files(batch) })
		if err != nil {
			return nil, false
		}
		for _, f := range files {
			e.addFile(f)
		}
	}
	for _, files := range inPackages {
		for _, f := range files {
			e.addFile(f)
		}
	}
	e.addSnippets(d)

	for batch := range chunks(lists[jsonRelationships]) {
		rels, err := safely(func() ([]*spdx.Relationship, error) { return v.relationships(batch) })
		if err != nil {
			return nil, false
		}
		for _, r := range rels {
			if r != nil {
				e.relate(r)
			}
		}
	}
	for _, rels := range [][]*spdx.Relationship{d.Relationships, hasFiles} {
		for _, r := range rels {
			if r != nil {
				e.relate(r)
			}
		}
	}
	setSubject(b, d)
	return b.Finish(), true
}

// chunks yields list in slices of at most streamBatch entries.
func chunks(list [][]byte) func(yield func([][]byte) bool) {
	return func(yield func([][]byte) bool) {
		for len(list) > 0 {
			n := min(len(list), streamBatch)
			if !yield(list[:n]) {
				return
			}
			list = list[n:]
		}
	}
}
