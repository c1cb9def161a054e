package sbom

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"
)

// Purl is a parsed, canonical package URL.
type Purl struct {
	// Canonical is the re-serialised purl: type, namespace and name normalised per the purl
	// spec, qualifiers sorted.
	Canonical string
	// Key is the canonical purl without version, qualifiers and subpath.
	Key       string
	Type      string
	Namespace string
	Name      string
	Version   string
	// Qualifiers are as written, keys lower-cased; Subpath is "" when there is none.
	Qualifiers packageurl.Qualifiers
	Subpath    string
}

// ParsePurl parses s and returns its canonical form. It returns an error (not wrapped in any
// sentinel; callers turn it into a WarnInvalidPurl) when s is not a valid purl.
func ParsePurl(s string) (Purl, error) {
	p, err := packageurl.FromString(strings.TrimSpace(s))
	if err != nil {
		return Purl{}, err
	}
	if p.Type == "" || p.Name == "" {
		return Purl{}, fmt.Errorf("purl %q has no type or name", s)
	}
	if alias, ok := typeAliases[p.Type]; ok && p.Namespace == "" {
		p.Type, p.Namespace = alias.typ, alias.namespace
		// Parsed again, for the new type's own rules (apk names are lower-case).
		if p, err = packageurl.FromString(p.ToString()); err != nil {
			return Purl{}, err
		}
	}
	// A Go module version starts with "v" ("v1.6.1"); trivy's go.mod reader dropped it until
	// 2024 (and its Kubernetes scanner still does), so its "pkg:golang/…@1.6.1" is syft's and
	// the Go toolchain's "@v1.6.1". The Go standard library is written both ways too.
	if p.Type == "golang" && p.Version != "" && p.Version[0] >= '0' && p.Version[0] <= '9' {
		p.Version = "v" + p.Version
	}
	out := Purl{Canonical: p.ToString(), Type: p.Type, Namespace: p.Namespace, Name: p.Name, Version: p.Version,
		Qualifiers: p.Qualifiers, Subpath: p.Subpath}
	// The key is the canonical form without version, qualifiers and subpath, which ToString
	// writes last, after "@", "?" and "#"; it percent-encodes those characters in the
	// namespace and name, so the key is what precedes the first of them after the type.
	out.Key = out.Canonical
	if i := strings.IndexAny(out.Canonical[len("pkg:")+len(p.Type):], "@?#"); i >= 0 {
		out.Key = out.Canonical[:len("pkg:")+len(p.Type)+i]
	}
	return out, nil
}

// typeAliases are purl types that generators wrote before the purl spec registered one for
// their ecosystem, and the spec's spelling: syft before 0.60 wrote Alpine packages as
// "pkg:alpine/musl@1.2.3-r0", later syft and every other tool "pkg:apk/alpine/musl@1.2.3-r0";
// syft 0.59 wrote .NET packages as "pkg:dotnet/...", the spec's type is nuget. Read as written,
// an old and a new scan of one image share no package, and a find by the spec's purl misses
// the old scans. A namespace given with an alias type is left alone: it is no known spelling.
var typeAliases = map[string]struct{ typ, namespace string }{
	"alpine": {"apk", "alpine"},
	"dotnet": {"nuget", ""},
}

// Matches reports whether p names a package version that the query q asks for: the same
// package key and version, and nothing p states that contradicts q. A qualifier (or subpath)
// q gives excludes a p that gives it another value (arch=arm64 is not arch=amd64, a jar is not
// its sources); one p does not state excludes nothing, nor do the qualifiers that say where a
// package was found or came from rather than what it is (whereFrom). So an advisory's
// "pkg:deb/debian/openssl@3.0.11-1~deb12u2", or a scanner's "…?arch=amd64&distro=debian-12.4",
// finds an SBOM's "…?arch=amd64&distro=debian-12.15&upstream=openssl": a find answers "are we
// exposed?", where a missed match costs more than an extra one.
func (q *Purl) Matches(p *Purl) bool {
	if q.Key != p.Key || q.Version != p.Version || q.Subpath != "" && p.Subpath != "" && q.Subpath != p.Subpath {
		return false
	}
	for _, want := range q.Qualifiers {
		if want.Value == "" || whereFrom[want.Key] { // the purl spec discards an empty qualifier
			continue
		}
		i := slices.IndexFunc(p.Qualifiers, func(have packageurl.Qualifier) bool { return have.Key == want.Key })
		if i >= 0 && p.Qualifiers[i].Value != want.Value {
			return false
		}
	}
	return true
}

// whereFrom are the purl qualifiers that say where a package was found or came from (a
// distribution's point release, its source package, a repository or download address, a
// generator's own id), not which build of it this is.
var whereFrom = map[string]bool{
	"distro": true, "upstream": true, "repository_url": true, "download_url": true, "vcs_url": true,
	"file_name": true, "package-id": true,
}

// ContentKeyPrefix starts every content key, so a content key never equals a purl key.
const ContentKeyPrefix = "content:"

// ContentKey returns the stable identity of a component that has no usable purl, derived from
// what it is: its type, namespace (CycloneDX group) and name, each trimmed and percent-encoded
// (as url.PathEscape does), type lower-cased. The same component in two documents gets the same
// key.
func ContentKey(typ, namespace, name string) string {
	return string(appendContentKey(nil, typ, namespace, name))
}

// appendContentKey appends ContentKey(typ, namespace, name) to buf.
func appendContentKey(buf []byte, typ, namespace, name string) []byte {
	typ = strings.ToLower(strings.TrimSpace(typ))
	if typ == "" {
		typ = "unknown"
	}
	buf = append(buf, ContentKeyPrefix...)
	buf = appendEscaped(buf, typ)
	buf = append(buf, '/')
	buf = appendEscaped(buf, strings.TrimSpace(namespace))
	buf = append(buf, '/')
	return appendEscaped(buf, strings.TrimSpace(name))
}

// pathSafe holds the bytes url.PathEscape leaves as they are, taken from url.PathEscape itself,
// so that ContentKey escapes exactly as it does, in one pass.
var pathSafe = func() (safe [256]bool) {
	for c := range 256 {
		s := string([]byte{byte(c)})
		safe[c] = url.PathEscape(s) == s
	}
	return safe
}()

// appendEscaped appends s percent-encoded as url.PathEscape does.
func appendEscaped(buf []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !pathSafe[c] {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '%', hex[c>>4], hex[c&15])
			start = i + 1
		}
	}
	return append(buf, s[start:]...)
}

var hashAlgorithms = map[string]string{
	"MD5": "MD5", "SHA1": "SHA-1", "SHA224": "SHA-224", "SHA256": "SHA-256", "SHA384": "SHA-384", "SHA512": "SHA-512",
	"SHA3224": "SHA3-224", "SHA3256": "SHA3-256", "SHA3384": "SHA3-384", "SHA3512": "SHA3-512",
	"BLAKE2B256": "BLAKE2b-256", "BLAKE2B384": "BLAKE2b-384", "BLAKE2B512": "BLAKE2b-512", "BLAKE3": "BLAKE3",
	"MD2": "MD2", "MD4": "MD4", "MD6": "MD6", "ADLER32": "ADLER32",
}

// hashSpellings maps each spelling NormalizeHashAlgorithm returns to itself, so that input
// already spelt that way is recognised at once, and shares the one copy of the string.
var hashSpellings = func() map[string]string {
	m := make(map[string]string, len(hashAlgorithms))
	for _, v := range hashAlgorithms {
		m[v] = v
	}
	return m
}()

var hashSeparators = strings.NewReplacer("-", "", "_", "", " ", "")

// NormalizeHashAlgorithm maps the spellings used by CycloneDX ("SHA-256"), SPDX 2 ("SHA256")
// and SPDX 3 ("sha256") to the CycloneDX one. Unknown names are returned upper-cased.
func NormalizeHashAlgorithm(alg string) string {
	if n, ok := hashSpellings[alg]; ok {
		return n
	}
	k := strings.ToUpper(hashSeparators.Replace(strings.TrimSpace(alg)))
	if n, ok := hashAlgorithms[k]; ok {
		return n
	}
	return strings.ToUpper(strings.TrimSpace(alg))
}

// SortHashes normalises algorithms and values (lower-case hex) and sorts the hashes by
// algorithm then value, dropping exact duplicates and empty values.
func SortHashes(hs []Hash) []Hash {
	out := hs[:0]
	for _, h := range hs {
		h.Algorithm = NormalizeHashAlgorithm(h.Algorithm)
		h.Value = lowerHex(h.Value)
		if h.Value == "" {
			continue
		}
		out = append(out, h)
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out
	case 2:
		// The common case (syft gives files a SHA-1 and a SHA-256), without a sort.
		switch c := compareHashes(out[0], out[1]); {
		case c == 0:
			return out[:1]
		case c > 0:
			out[0], out[1] = out[1], out[0]
		}
		return out
	}
	slices.SortFunc(out, compareHashes)
	return slices.Compact(out)
}

func compareHashes(a, b Hash) int {
	return cmp.Or(cmp.Compare(a.Algorithm, b.Algorithm), cmp.Compare(a.Value, b.Value))
}

// lowerHex returns strings.ToLower(strings.TrimSpace(s)), looking at s eight bytes at a time
// to see that it is already trimmed lower-case ASCII, as hex digests almost always are.
func lowerHex(s string) string {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if !plainLower(w) {
			return strings.ToLower(strings.TrimSpace(s))
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 || c <= ' ' {
			return strings.ToLower(strings.TrimSpace(s))
		}
	}
	return s
}

// plainLower reports whether none of the eight bytes in w is an upper-case ASCII letter, a
// space or control character, or not ASCII.
func plainLower(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if w&highs != 0 {
		return false
	}
	// Every byte is below 0x80, so adding to a byte never carries into the next, and
	// subtracting from one only borrows from the next when it is below the amount.
	below21 := (w - 0x21*ones) & ^w & highs
	upper := (w + (0x80-'A')*ones) & ^(w + (0x80-'Z'-1)*ones) & highs
	return below21|upper == 0
}

// JoinLicenses combines licence expressions that apply together (CycloneDX lists several
// licences for one component) into one SPDX expression: the distinct parts joined with AND, in
// the order given, compound parts parenthesised. SPDX's NOASSERTION and NONE mean no
// information and are dropped.
func JoinLicenses(exprs ...string) string {
	var parts []string
	var seen map[string]bool // only for long lists; a short one is searched
	for _, e := range exprs {
		e = strings.TrimSpace(e)
		if e == "" || e == "NOASSERTION" || e == "NONE" {
			continue
		}
		if len(parts) == 8 && seen == nil {
			seen = make(map[string]bool)
			for _, p := range parts {
				seen[p] = true
			}
		}
		if seen != nil {
			if seen[e] {
				continue
			}
			seen[e] = true
		} else if slices.Contains(parts, e) {
			continue
		}
		parts = append(parts, e)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	for i, p := range parts {
		if strings.ContainsAny(p, " ") && !(strings.HasPrefix(p, "(") && strings.HasSuffix(p, ")")) {
			parts[i] = "(" + p + ")"
		}
	}
	return strings.Join(parts, " AND ")
}

// LicenseRef turns a free-text licence name that is not an SPDX identifier into a valid SPDX
// LicenseRef ("LicenseRef-" and the name with every character outside [A-Za-z0-9.-] replaced by
// '-'), so it can stand in an expression.
func LicenseRef(name string) string {
	var b strings.Builder
	b.WriteString("LicenseRef-")
	for _, r := range strings.TrimSpace(name) {
		if r < 128 && (r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}
