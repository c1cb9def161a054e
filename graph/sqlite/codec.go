package sqlite

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// This file holds the compact binary encodings of what SQLite stores as blobs:
//
//   - a variant: the attributes one document gave a component (type, licences, hashes,
//     supplier, CPEs, and any name/namespace/version/key/ecosystem spelling that differs from
//     the component row), so identical attribute sets of a component are stored once;
//   - a version's nodes: per component entry, in document order, its component id, variant
//     number and flags;
//   - a version's edges: sorted (from, to, kind) triples, delta-encoded;
//   - a posting-list chunk: per version containing a component, the variant number and the
//     component ids on its shortest path.
//
// Every integer is a varint, so small ids cost one to three bytes.

var errCorrupt = errors.New("corrupt blob")

// compRow is a components row: the identity and the fields taken from the first document
// that stored the component.
type compRow struct {
	id        int64
	identity  string
	purl      bool
	key       string
	ecosystem string
	namespace string
	name      string
	version   string
}

// Variant attribute bits, in encoding order.
const (
	attrKey = 1 << iota
	attrEcosystem
	attrNamespace
	attrName
	attrVersion
	attrType
	attrLicenses
	attrSupplier
	attrCPEs
	attrHashes
)

// hashAlgs are the common hash algorithms, encoded as their index+1; 0 means "spelled out".
var hashAlgs = []string{"SHA-1", "SHA-256", "SHA-512", "MD5", "SHA-384", "SHA-224", "SHA3-256", "SHA3-512", "BLAKE2b-256", "BLAKE2b-512", "BLAKE3"}

var hashAlgCode = func() map[string]byte {
	m := make(map[string]byte, len(hashAlgs))
	for i, a := range hashAlgs {
		m[a] = byte(i + 1)
	}
	return m
}()

// encodeVariant encodes the per-document attributes of c relative to its component row.
func encodeVariant(buf []byte, c *sbom.Component, row *compRow) []byte {
	var bits uint64
	set := func(bit uint64, cond bool) {
		if cond {
			bits |= bit
		}
	}
	set(attrKey, c.Key != row.key)
	set(attrEcosystem, c.Ecosystem != row.ecosystem)
	set(attrNamespace, c.Namespace != row.namespace)
	set(attrName, c.Name != row.name)
	set(attrVersion, c.Version != row.version)
	set(attrType, c.Type != "")
	set(attrLicenses, c.Licenses != "")
	set(attrSupplier, c.Supplier != "")
	set(attrCPEs, len(c.CPEs) > 0)
	set(attrHashes, len(c.Hashes) > 0)
	buf = binary.AppendUvarint(buf[:0], bits)
	str := func(bit uint64, s string) {
		if bits&bit != 0 {
			buf = appendString(buf, s)
		}
	}
	str(attrKey, c.Key)
	str(attrEcosystem, c.Ecosystem)
	str(attrNamespace, c.Namespace)
	str(attrName, c.Name)
	str(attrVersion, c.Version)
	str(attrType, c.Type)
	str(attrLicenses, c.Licenses)
	str(attrSupplier, c.Supplier)
	if bits&attrCPEs != 0 {
		buf = binary.AppendUvarint(buf, uint64(len(c.CPEs)))
		for _, s := range c.CPEs {
			buf = appendString(buf, s)
		}
	}
	if bits&attrHashes != 0 {
		buf = binary.AppendUvarint(buf, uint64(len(c.Hashes)))
		for _, h := range c.Hashes {
			if code, ok := hashAlgCode[h.Algorithm]; ok {
				buf = append(buf, code)
			} else {
				buf = append(buf, 0)
				buf = appendString(buf, h.Algorithm)
			}
			// Lower-case hex of even length is stored as bytes, halving its size; anything
			// else is stored as written. The low bit of the length says which.
			if isLowerHex(h.Value) {
				buf = binary.AppendUvarint(buf, uint64(len(h.Value)/2)<<1|1)
				for i := 0; i < len(h.Value); i += 2 {
					buf = append(buf, unhex(h.Value[i])<<4|unhex(h.Value[i+1]))
				}
			} else {
				buf = binary.AppendUvarint(buf, uint64(len(h.Value))<<1)
				buf = append(buf, h.Value...)
			}
		}
	}
	return buf
}

// isLowerHex reports whether s is lower-case hex of even length: exactly the strings
// hex.EncodeToString returns.
func isLowerHex(s string) bool {
	if len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// unhex returns the value of a lower-case hex digit.
func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// decodeVariant rebuilds the component a variant describes, without LocalID and Metadata.
func decodeVariant(data []byte, row *compRow) (sbom.Component, error) {
	c := sbom.Component{
		Key: row.key, Ecosystem: row.ecosystem, Namespace: row.namespace,
		Name: row.name, Version: row.version,
	}
	if row.purl {
		c.Purl = row.identity
	}
	r := reader{b: data}
	bits := r.uvarint()
	str := func(bit uint64, dst *string) {
		if bits&bit != 0 {
			*dst = r.string()
		}
	}
	str(attrKey, &c.Key)
	str(attrEcosystem, &c.Ecosystem)
	str(attrNamespace, &c.Namespace)
	str(attrName, &c.Name)
	str(attrVersion, &c.Version)
	str(attrType, &c.Type)
	str(attrLicenses, &c.Licenses)
	str(attrSupplier, &c.Supplier)
	if bits&attrCPEs != 0 {
		n := r.count()
		c.CPEs = make([]string, n)
		for i := range c.CPEs {
			c.CPEs[i] = r.string()
		}
	}
	if bits&attrHashes != 0 {
		n := r.count()
		c.Hashes = make([]sbom.Hash, n)
		for i := range c.Hashes {
			code := r.byte()
			switch {
			case code == 0:
				c.Hashes[i].Algorithm = r.string()
			case int(code) <= len(hashAlgs):
				c.Hashes[i].Algorithm = hashAlgs[code-1]
			default:
				r.err = errCorrupt
			}
			l := r.uvarint()
			raw := r.bytes(int(l >> 1))
			if l&1 == 1 {
				c.Hashes[i].Value = hex.EncodeToString(raw)
			} else {
				c.Hashes[i].Value = string(raw)
			}
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	return c, r.err
}

// Node flags, in the low bits of a node's varint.
const (
	nodeMetadata  = 1 << iota // the component is the CycloneDX metadata component
	nodeLocalSet              // the LocalID is spelled out in the local-id section
	nodeLocalIsID             // the LocalID equals the component identity
	nodeFlagBits  = 3
)

// encodeNodes encodes every node's component id, variant number and flags, in document order.
func encodeNodes(cids []int64, variants []int32, doc *sbom.Document) (nodes, locals []byte) {
	nodes = binary.AppendUvarint(make([]byte, 0, 5*len(cids)+4), uint64(len(cids)))
	var lbuf []byte
	for i, cid := range cids {
		c := &doc.Components[i]
		var flags uint64
		if c.Metadata {
			flags |= nodeMetadata
		}
		switch c.LocalID {
		case "":
		case c.ID():
			flags |= nodeLocalIsID
		default:
			flags |= nodeLocalSet
			lbuf = appendString(lbuf, c.LocalID)
		}
		nodes = binary.AppendUvarint(nodes, uint64(cid))
		nodes = binary.AppendUvarint(nodes, uint64(variants[i])<<nodeFlagBits|flags)
	}
	if len(lbuf) > 0 {
		locals = compress(lbuf)
	}
	return nodes, locals
}

// vkey names a variant: a component and its variant number.
type vkey struct {
	component int64
	n         int32
}

// node is one decoded entry of a version's node list.
type node struct {
	vkey
	flags uint64
}

// decodeNodes decodes a node list written by encodeNodes.
func decodeNodes(data []byte) ([]node, error) {
	r := reader{b: data}
	n := r.count()
	out := make([]node, n)
	for i := range out {
		cid := r.uvarint()
		x := r.uvarint()
		if x>>nodeFlagBits > math.MaxInt32 {
			r.err = errCorrupt
		}
		out[i] = node{vkey: vkey{component: int64(cid), n: int32(x >> nodeFlagBits)}, flags: x & (1<<nodeFlagBits - 1)}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	return out, r.err
}

// decodeLocals returns the spelled-out local ids, in node order.
func decodeLocals(data []byte) ([]string, error) {
	if len(data) == 0 {
		return nil, nil
	}
	raw, err := decompress(data)
	if err != nil {
		return nil, err
	}
	r := reader{b: raw}
	var out []string
	for len(r.b) > 0 && r.err == nil {
		out = append(out, r.string())
	}
	return out, r.err
}

// encodeEdges encodes sorted edges: the from delta, then (to-from) zig-zagged with the kind.
func encodeEdges(edges []sbom.Edge) []byte {
	buf := binary.AppendUvarint(make([]byte, 0, 3*len(edges)+4), uint64(len(edges)))
	prev := 0
	for _, e := range edges {
		buf = binary.AppendUvarint(buf, uint64(e.From-prev))
		prev = e.From
		d := int64(e.To - e.From)
		buf = binary.AppendUvarint(buf, uint64(d<<1^d>>63)<<8|uint64(e.Kind))
	}
	return buf
}

// decodeEdges decodes edges written by encodeEdges, checking that they index n components.
func decodeEdges(data []byte, n int) ([]sbom.Edge, error) {
	r := reader{b: data}
	m := r.count()
	out := make([]sbom.Edge, m)
	from := 0
	for i := range out {
		from += int(r.uvarint())
		x := r.uvarint()
		zz := x >> 8
		d := int64(zz>>1) ^ -int64(zz&1)
		to := from + int(d)
		if from >= n || to < 0 || to >= n {
			return nil, errCorrupt
		}
		out[i] = sbom.Edge{From: from, To: to, Kind: sbom.EdgeKind(x & 0xff)}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	return out, r.err
}

// maxChunk bounds a posting-list chunk of a database with the given page size, so a chunk
// row stays within the local payload limit of an index b-tree page, (usable-12)*64/255-23
// bytes (1,002 for 4 KiB pages), and never spills to overflow pages; 16 bytes are left for
// the row's header and key.
func maxChunk(pageSize int) int {
	return min(900, (pageSize-12)*64/255-23-16)
}

// appendEntry appends one posting-list entry to a chunk: the version (as its distance from the
// chunk's first version), the payload length, and the payload: the variant number and the
// component ids before the component on its path. Entries are self-delimiting, so a Put can
// append one with SQL's || without reading the chunk.
func appendEntry(buf []byte, delta int64, variant int32, path []int64) []byte {
	var payload [binary.MaxVarintLen64 * 8]byte
	p := binary.AppendUvarint(payload[:0], uint64(variant))
	for _, id := range path {
		p = binary.AppendUvarint(p, uint64(id))
	}
	buf = binary.AppendUvarint(buf, uint64(delta))
	buf = binary.AppendUvarint(buf, uint64(len(p)))
	return append(buf, p...)
}

// decodeEntries calls fn for every entry of a chunk, in order, with the entry's version, its
// variant and the path ids appended to dst (fn gets the grown slice and must return it).
func decodeEntries(chunk int64, data []byte, dst []int64, fn func(version int64, variant int32, dst []int64) []int64) ([]int64, error) {
	r := reader{b: data}
	for len(r.b) > 0 && r.err == nil {
		version := chunk + int64(r.uvarint())
		payload := reader{b: r.bytes(int(r.count()))}
		if r.err != nil {
			break
		}
		v := payload.uvarint()
		if v > math.MaxInt32 {
			return dst, errCorrupt
		}
		for len(payload.b) > 0 && payload.err == nil {
			dst = append(dst, int64(payload.uvarint()))
		}
		if payload.err != nil {
			return dst, payload.err
		}
		dst = fn(version, int32(v), dst)
	}
	return dst, r.err
}

// removeEntry returns the chunk without the entry of version, and whether it had one.
func removeEntry(chunk int64, data []byte, version int64) ([]byte, bool, error) {
	r := reader{b: data}
	for len(r.b) > 0 && r.err == nil {
		start := len(data) - len(r.b)
		v := chunk + int64(r.uvarint())
		r.bytes(int(r.count()))
		if r.err == nil && v == version {
			end := len(data) - len(r.b)
			return append(slices.Clip(data[:start]), data[end:]...), true, nil
		}
	}
	return data, false, r.err
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// reader decodes varints and strings, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return x
}

// count reads a length that must not exceed the bytes left (every element takes at least one).
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return 0
	}
	return int(n)
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errCorrupt
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errCorrupt
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *reader) string() string {
	return string(r.bytes(int(r.uvarint())))
}

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

func compress(data []byte) []byte {
	var buf bytes.Buffer
	w := flateWriters.Get().(*flate.Writer)
	w.Reset(&buf)
	w.Write(data)
	w.Close()
	flateWriters.Put(w)
	return buf.Bytes()
}

func decompress(data []byte) ([]byte, error) {
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	return out, nil
}
