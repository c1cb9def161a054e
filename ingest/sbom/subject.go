package sbom

import "strings"

// SplitImageRef splits an image reference such as "docker.io/library/alpine:3.16@sha256:ab..."
// into its name ("docker.io/library/alpine"), tag ("3.16") and digest ("sha256:ab..."). A
// colon that belongs to a registry port ("localhost:5000/app") is not taken for a tag. Parts
// that are absent are empty.
func SplitImageRef(ref string) (name, tag, digest string) {
	ref = strings.TrimSpace(ref)
	if i := strings.LastIndex(ref, "@"); i >= 0 && IsDigest(ref[i+1:]) {
		ref, digest = ref[:i], ref[i+1:]
	}
	if i := strings.LastIndex(ref, ":"); i >= 0 && !strings.Contains(ref[i+1:], "/") {
		ref, tag = ref[:i], ref[i+1:]
	}
	return ref, tag, digest
}

// IsDigest reports whether s looks like a content digest, "algorithm:hex" (e.g. "sha256:…").
func IsDigest(s string) bool {
	alg, hex, ok := strings.Cut(s, ":")
	if !ok || alg == "" || len(hex) < 32 {
		return false
	}
	for _, c := range hex {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	for _, c := range alg {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
