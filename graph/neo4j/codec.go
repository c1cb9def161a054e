package neo4j

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// This file maps between the model and Neo4j's property values: components as node and
// relationship properties, and records back into the model. Decoding never trusts what it
// reads: a value of the wrong type or out of range is an error wrapping errCorrupt.

var errCorrupt = errors.New("corrupt graph data")

// versionMeta is the part of a version stored as one JSON property: small, and read whole.
type versionMeta struct {
	Source   sbom.Source    `json:"source"`
	Subject  sbom.Subject   `json:"subject"`
	Warnings []sbom.Warning `json:"warnings,omitempty"`
}

// baseline is what a component's canonical purl says about it: a component whose fields
// equal these stores none of them on its CONTAINS relationship.
type baseline struct {
	key, ecosystem, namespace, name, version string
}

// baselineOf returns the baseline of a component with identity id: the fields of the parsed
// purl when the component has one (hasPurl), nothing otherwise.
func (s *Store) baselineOf(id string, hasPurl bool) baseline {
	if !hasPurl {
		return baseline{}
	}
	if b, ok := s.baselines.Get(id); ok {
		return b
	}
	var b baseline
	if p, err := sbom.ParsePurl(id); err == nil {
		b = baseline{key: p.Key, ecosystem: p.Type, namespace: p.Namespace, name: p.Name, version: p.Version}
	}
	s.baselines.Put(id, b)
	return b
}

// attrProps adds the per-document attributes of c (type, licences, supplier, CPEs, hashes) to
// props, leaving out empty ones.
func attrProps(props map[string]any, c *sbom.Component) {
	setStr(props, "type", c.Type)
	setStr(props, "licenses", c.Licenses)
	setStr(props, "supplier", c.Supplier)
	if len(c.CPEs) > 0 {
		props["cpes"] = c.CPEs
	}
	if len(c.Hashes) > 0 {
		algs := make([]string, len(c.Hashes))
		values := make([]string, len(c.Hashes))
		for i, h := range c.Hashes {
			algs[i], values[i] = h.Algorithm, h.Value
		}
		props["hashAlgs"], props["hashValues"] = algs, values
	}
}

func setStr(props map[string]any, k, v string) {
	if v != "" {
		props[k] = v
	}
}

// componentProps returns the properties of a new (:Component) node for c, the node that
// places its identity id in the first document that stores it.
func componentProps(id string, c *sbom.Component) map[string]any {
	props := map[string]any{
		"purl": c.Purl != "", "key": c.Key, "ecosystem": c.Ecosystem, "namespace": c.Namespace,
		"name": c.Name, "version": c.Version,
	}
	attrProps(props, c)
	return props
}

// containsProps returns the properties of a CONTAINS relationship for component c (the
// representative node of its identity): its attributes, and the identity fields where they
// differ from the purl's baseline.
func (s *Store) containsProps(id string, c *sbom.Component) map[string]any {
	props := make(map[string]any, 8)
	attrProps(props, c)
	if c.Purl == "" {
		props["nopurl"] = true
	}
	b := s.baselineOf(id, c.Purl != "")
	for _, f := range []struct {
		name      string
		got, base string
	}{
		{"key", c.Key, b.key}, {"ecosystem", c.Ecosystem, b.ecosystem}, {"namespace", c.Namespace, b.namespace},
		{"name", c.Name, b.name}, {"version", c.Version, b.version},
	} {
		if f.got != f.base {
			props[f.name] = f.got
		}
	}
	return props
}

// storedDoc is what a Version node's doc property holds: the document's nodes (every
// component entry as written, in order, duplicates kept) and edges, so Document reads one
// property instead of walking thousands of relationships. The graph itself (CONTAINS and the
// edge relationships) serves the queries.
type storedDoc struct {
	Components []sbom.Component `json:"c"`
	Edges      [][3]int         `json:"e"`
	Root       int              `json:"r"`
}

// maxDocBytes bounds what decodeDoc inflates, against a corrupt or hostile property.
const maxDocBytes = 1 << 31

// encodeDoc returns the doc property of a version: storedDoc as JSON, deflated.
func encodeDoc(doc *sbom.Document) ([]byte, error) {
	sd := storedDoc{Components: doc.Components, Edges: make([][3]int, len(doc.Edges)), Root: doc.Root}
	for i, e := range doc.Edges {
		sd.Edges[i] = [3]int{e.From, e.To, int(e.Kind)}
	}
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	if err := json.NewEncoder(w).Encode(&sd); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeDoc reads a doc property written by encodeDoc into a Document (without source,
// subject and warnings), checking every index.
func decodeDoc(data []byte) (*sbom.Document, error) {
	r := flate.NewReader(bytes.NewReader(data))
	defer r.Close()
	var sd storedDoc
	dec := json.NewDecoder(io.LimitReader(r, maxDocBytes))
	if err := dec.Decode(&sd); err != nil {
		return nil, fmt.Errorf("document: %w: %v", errCorrupt, err)
	}
	n := len(sd.Components)
	if sd.Root < -1 || sd.Root >= n {
		return nil, fmt.Errorf("document root %d of %d components: %w", sd.Root, n, errCorrupt)
	}
	doc := &sbom.Document{Components: sd.Components, Edges: make([]sbom.Edge, len(sd.Edges)), Root: sd.Root}
	if doc.Components == nil {
		doc.Components = []sbom.Component{}
	}
	for i, e := range sd.Edges {
		if e[0] < 0 || e[0] >= n || e[1] < 0 || e[1] >= n || e[2] < 0 || e[2] > 255 {
			return nil, fmt.Errorf("document edge %v of %d components: %w", e, n, errCorrupt)
		}
		doc.Edges[i] = sbom.Edge{From: e[0], To: e[1], Kind: sbom.EdgeKind(e[2])}
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		if len(c.CPEs) == 0 {
			c.CPEs = nil
		}
		if len(c.Hashes) == 0 {
			c.Hashes = nil
		}
	}
	return doc, nil
}

// rowOf returns a decoder over x, one row of a list a statement collected (collect([a, b])).
func rowOf(x any) decoder {
	vals, ok := x.([]any)
	if !ok {
		return decoder{err: fmt.Errorf("want a row (a list), got %T: %w", x, errCorrupt)}
	}
	return decoder{vals: vals}
}

// decoder reads a record's values by position, remembering the first error. A missing
// property (nil) reads as the zero value.
type decoder struct {
	vals []any
	err  error
}

func (d *decoder) fail(i int, want string) {
	if d.err == nil {
		got := "nothing"
		if i < len(d.vals) {
			got = fmt.Sprintf("%T", d.vals[i])
		}
		d.err = fmt.Errorf("column %d: want %s, got %s: %w", i, want, got, errCorrupt)
	}
}

func (d *decoder) val(i int) any {
	if i >= len(d.vals) {
		d.fail(i, "a value")
		return nil
	}
	return d.vals[i]
}

func (d *decoder) str(i int) string {
	switch v := d.val(i).(type) {
	case nil:
		return ""
	case string:
		return v
	}
	d.fail(i, "a string")
	return ""
}

func (d *decoder) int(i int) int64 {
	switch v := d.val(i).(type) {
	case nil:
		return 0
	case int64:
		return v
	}
	d.fail(i, "an integer")
	return 0
}

// index reads an integer that must lie in [0, n).
func (d *decoder) index(i int, n int) int {
	x := d.int(i)
	if x < 0 || x >= int64(n) {
		d.fail(i, fmt.Sprintf("an index below %d", n))
		return 0
	}
	return int(x)
}

func (d *decoder) bytes(i int) []byte {
	switch v := d.val(i).(type) {
	case nil:
		return nil
	case []byte:
		return v
	}
	d.fail(i, "bytes")
	return nil
}

func (d *decoder) bool(i int) bool {
	switch v := d.val(i).(type) {
	case nil:
		return false
	case bool:
		return v
	}
	d.fail(i, "a boolean")
	return false
}

func (d *decoder) strs(i int) []string {
	switch v := d.val(i).(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, len(v))
		for k, x := range v {
			s, ok := x.(string)
			if !ok {
				d.fail(i, "a list of strings")
				return nil
			}
			out[k] = s
		}
		return out
	}
	d.fail(i, "a list of strings")
	return nil
}

// list reads a list of any values.
func (d *decoder) list(i int) []any {
	switch v := d.val(i).(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	d.fail(i, "a list")
	return nil
}

// props reads a map, such as properties(r) returns.
func (d *decoder) props(i int) map[string]any {
	switch v := d.val(i).(type) {
	case nil:
		return nil
	case map[string]any:
		return v
	}
	d.fail(i, "a map")
	return nil
}

func (d *decoder) ints(i int) []int64 {
	switch v := d.val(i).(type) {
	case nil:
		return nil
	case []any:
		out := make([]int64, len(v))
		for k, x := range v {
			n, ok := x.(int64)
			if !ok {
				d.fail(i, "a list of integers")
				return nil
			}
			out[k] = n
		}
		return out
	}
	d.fail(i, "a list of integers")
	return nil
}

// attrs reads the attribute columns written by attrProps, starting at column i: type,
// licenses, supplier, cpes, hashAlgs, hashValues.
func (d *decoder) attrs(i int, c *sbom.Component) {
	c.Type, c.Licenses, c.Supplier = d.str(i), d.str(i+1), d.str(i+2)
	c.CPEs = d.strs(i + 3)
	algs, values := d.strs(i+4), d.strs(i+5)
	if len(algs) != len(values) {
		d.fail(i+5, "as many hash values as algorithms")
		return
	}
	if len(algs) > 0 {
		c.Hashes = make([]sbom.Hash, len(algs))
		for k := range algs {
			c.Hashes[k] = sbom.Hash{Algorithm: algs[k], Value: values[k]}
		}
	}
}

// attrCols are the attribute columns of a component node or CONTAINS relationship named v.
func attrCols(v string) string {
	return v + ".type, " + v + ".licenses, " + v + ".supplier, " + v + ".cpes, " + v + ".hashAlgs, " + v + ".hashValues"
}

// containsKeys are the CONTAINS properties decodeContains reads, in the order of its columns
// after the identity; the last, path, it leaves to its caller.
var containsKeys = [...]string{"nopurl", "key", "ecosystem", "namespace", "name", "version", "type", "licenses", "supplier", "cpes", "hashAlgs", "hashValues", "path"}

// containsRow lays out the identity id and the properties of one of its CONTAINS relationships
// (as properties(r) returns them) in the columns decodeContains reads, path last, in buf.
func containsRow(id string, props map[string]any, buf *[len(containsKeys) + 1]any) []any {
	buf[0] = id
	for k, name := range containsKeys {
		buf[k+1] = props[name]
	}
	return buf[:]
}

// decodeContains rebuilds the representative component of a CONTAINS relationship from the
// columns starting at column i: the identity, then the properties of containsKeys.
func (s *Store) decodeContains(d *decoder, i int) sbom.Component {
	id := d.str(i)
	hasPurl := !d.bool(i + 1)
	b := s.baselineOf(id, hasPurl)
	field := func(k int, base string) string {
		if d.val(i+k) == nil {
			return base
		}
		return d.str(i + k)
	}
	c := sbom.Component{
		Key: field(2, b.key), Ecosystem: field(3, b.ecosystem), Namespace: field(4, b.namespace),
		Name: field(5, b.name), Version: field(6, b.version),
	}
	if hasPurl {
		c.Purl = id
	}
	d.attrs(i+7, &c)
	return c
}

// componentKeys are the properties of a (:Component) node that decodeComponent reads, in the
// order of its columns.
var componentKeys = [...]string{"id", "purl", "key", "ecosystem", "namespace", "name", "version", "type", "licenses", "supplier", "cpes", "hashAlgs", "hashValues"}

// componentRow lays out the properties of a (:Component) node (as properties(c) returns them)
// in the columns decodeComponent reads, in buf.
func componentRow(props map[string]any, buf *[len(componentKeys)]any) []any {
	for k, name := range componentKeys {
		buf[k] = props[name]
	}
	return buf[:]
}

func decodeComponent(d *decoder) sbom.Component {
	c := sbom.Component{Key: d.str(2), Ecosystem: d.str(3), Namespace: d.str(4), Name: d.str(5), Version: d.str(6)}
	if d.bool(1) {
		c.Purl = d.str(0)
	}
	d.attrs(7, &c)
	return c
}

// versionCols are the columns of a (:Version) node v that decodeVersion reads.
const versionCols = `v.vid, v.image, v.tag, v.digest, v.sbomDigest, v.created, v.ingested, v.basis, v.seq, v.components, v.unique, v.edges, v.meta`

func decodeVersion(d *decoder) (int64, *graph.Version, error) {
	vid := d.int(0)
	v := &graph.Version{
		Image: d.str(1), Tag: d.str(2), Digest: d.str(3), SBOMDigest: d.str(4),
		OrderBasis: graph.OrderBasis(d.str(7)), Seq: d.int(8),
		Components: int(d.int(9)), Unique: int(d.int(10)), Edges: int(d.int(11)),
	}
	if d.val(5) != nil {
		v.Created = time.Unix(0, d.int(5)).UTC()
	}
	v.Ingested = time.Unix(0, d.int(6)).UTC()
	meta := d.str(12)
	if d.err != nil {
		return 0, nil, d.err
	}
	var m versionMeta
	if err := json.Unmarshal([]byte(meta), &m); err != nil {
		return 0, nil, fmt.Errorf("version %d metadata: %w: %v", vid, errCorrupt, err)
	}
	v.Source, v.Subject, v.Warnings = m.Source, m.Subject, m.Warnings
	if v.Warnings == nil {
		v.Warnings = []sbom.Warning{}
	}
	return vid, v, nil
}
