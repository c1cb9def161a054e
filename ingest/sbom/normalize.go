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
	out := Purl{Canonical: p.ToString(), Type: p.Type, Namespace: p.Namespace, Name: p.Name, Version: p.Version}
	p.Version, p.Qualifiers, p.Subpath = "", nil, ""
	out.Key = p.ToString()
	return out, nil
}

// ContentKeyPrefix starts every content key, so a content key never equals a purl key.
const ContentKeyPrefix = "content:"

// ContentKey returns the stable identity of a component that has no usable purl, derived from
// what it is: its type, namespace (CycloneDX group) and name, each trimmed and percent-encoded,
// type lower-cased. The same component in two documents gets the same key.
func ContentKey(typ, namespace, name string) string {
	esc := func(s string) string { return url.PathEscape(strings.TrimSpace(s)) }
	typ = strings.ToLower(strings.TrimSpace(typ))
	if typ == "" {
		typ = "unknown"
	}
	return ContentKeyPrefix + esc(typ) + "/" + esc(namespace) + "/" + esc(name)
}

var hashAlgorithms = map[string]string{
	"MD5": "MD5", "SHA1": "SHA-1", "SHA224": "SHA-224", "SHA256": "SHA-256", "SHA384": "SHA-384", "SHA512": "SHA-512",
	"SHA3224": "SHA3-224", "SHA3256": "SHA3-256", "SHA3384": "SHA3-384", "SHA3512": "SHA3-512",
	"BLAKE2B256": "BLAKE2b-256", "BLAKE2B384": "BLAKE2b-384", "BLAKE2B512": "BLAKE2b-512", "BLAKE3": "BLAKE3",
	"MD2": "MD2", "MD4": "MD4", "MD6": "MD6", "ADLER32": "ADLER32",
}

var hashSeparators = strings.NewReplacer("-", "", "_", "", " ", "")

// NormalizeHashAlgorithm maps the spellings used by CycloneDX ("SHA-256"), SPDX 2 ("SHA256")
// and SPDX 3 ("sha256") to the CycloneDX one. Unknown names are returned upper-cased.
func NormalizeHashAlgorithm(alg string) string {
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
		h.Value = strings.ToLower(strings.TrimSpace(h.Value))
		if h.Value == "" {
			continue
		}
		out = append(out, h)
	}
	if len(out) < 2 {
		if len(out) == 0 {
			return nil
		}
		return out
	}
	slices.SortFunc(out, func(a, b Hash) int {
		return cmp.Or(cmp.Compare(a.Algorithm, b.Algorithm), cmp.Compare(a.Value, b.Value))
	})
	dedup := out[:0]
	for i, h := range out {
		if i > 0 && h == out[i-1] {
			continue
		}
		dedup = append(dedup, h)
	}
	if len(dedup) == 0 {
		return nil
	}
	return dedup
}

// JoinLicenses combines licence expressions that apply together (CycloneDX lists several
// licences for one component) into one SPDX expression: the distinct parts joined with AND, in
// the order given, compound parts parenthesised. SPDX's NOASSERTION and NONE mean no
// information and are dropped.
func JoinLicenses(exprs ...string) string {
	var parts []string
	seen := map[string]bool{}
	for _, e := range exprs {
		e = strings.TrimSpace(e)
		if e == "" || e == "NOASSERTION" || e == "NONE" || seen[e] {
			continue
		}
		seen[e] = true
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
