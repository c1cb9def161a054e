package diff

import (
	"context"
	"slices"
	"testing"

	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/ingest/ingesttest"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

func corpusDoc(t *testing.T, name string) *sbom.Document {
	t.Helper()
	d, err := ingest.DecodeBytes(context.Background(), ingesttest.Corpus(t, name), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func changedNames(r *Result) []string {
	var out []string
	for _, c := range r.Changed {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return out
}

func componentNames(cs []Component) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestCorpusPairs checks diffs of corpus version pairs against what PAIRS.tsv says changed.
// debian-app's notes count name@version pairs including the SPDX root package (debian-app
// itself); the diff leaves the subject's own component out, so its counts are one lower there.
func TestCorpusPairs(t *testing.T) {
	debChanged := []string{"apt", "libapt-pkg6.0", "liblzma5", "libpam-modules", "libpam-modules-bin", "libpam-runtime", "libpam0g", "libpcre2-8-0", "perl-base", "tzdata"}
	curlRemoved := []string{"curl", "libbrotli1", "libcurl4", "libldap-2.5-0", "libnghttp2-14", "libpsl5", "librtmp1", "libsasl2-2", "libsasl2-modules-db", "libssh2-1"}
	for _, tc := range []struct {
		old, new string
		check    func(t *testing.T, r *Result)
	}{
		{"big/debian-app-v1.syft.cdx.json", "big/debian-app-v2.syft.cdx.json", func(t *testing.T, r *Result) {
			if got := changedNames(r); !slices.Equal(got, debChanged) {
				t.Errorf("changed %v, want %v", got, debChanged)
			}
			if r.Summary.Upgraded != 10 || r.Summary.Added != 18 || r.Summary.Removed != 0 {
				t.Errorf("summary %+v, want 10 upgraded, 18 added, 0 removed", r.Summary)
			}
		}},
		{"big/debian-app-v1.syft.spdx.json", "big/debian-app-v2.syft.spdx.json", func(t *testing.T, r *Result) {
			if got := changedNames(r); !slices.Equal(got, debChanged) {
				t.Errorf("changed %v, want %v", got, debChanged)
			}
			if r.Old.Subject.Version != "1.0.0" || r.New.Subject.Version != "2.0.0" {
				t.Errorf("subjects %+v -> %+v", r.Old.Subject, r.New.Subject)
			}
		}},
		{"big/debian-app-v2.syft.cdx.json", "big/debian-app-v3.syft.cdx.json", func(t *testing.T, r *Result) {
			if r.Summary.Added != 31 || r.Summary.Removed != 0 || len(r.Changed) != 0 {
				t.Errorf("summary %+v, want 31 added only", r.Summary)
			}
		}},
		{"big/debian-app-v3.syft.cdx.json", "big/debian-app-v4.syft.cdx.json", func(t *testing.T, r *Result) {
			if got := componentNames(r.Removed); !slices.Equal(got, curlRemoved) {
				t.Errorf("removed %v, want %v", got, curlRemoved)
			}
			if got := componentNames(r.Added); !slices.Equal(got, []string{"busybox"}) {
				t.Errorf("added %v, want busybox", got)
			}
			if r.Summary.FilesRemoved == 0 || r.Summary.FilesAdded == 0 {
				t.Errorf("files %+v: curl's files go, busybox's come", r.Summary)
			}
		}},
		{"big/debian-app-v1.syft.cdx.json", "big/debian-app-v4.syft.cdx.json", func(t *testing.T, r *Result) {
			if r.Summary.Upgraded != 10 || r.Summary.Added != 40 || r.Summary.Removed != 0 {
				t.Errorf("summary %+v, want 10 upgraded, 40 added", r.Summary)
			}
		}},
		{"kube-proxy-v1.24.1.syft.spdx.json", "kube-proxy-v1.24.2.syft.spdx.json", func(t *testing.T, r *Result) {
			if r.Summary.Added+r.Summary.Removed+len(r.Changed) != 0 || r.Summary.Unchanged != 98 && r.Summary.Unchanged != 99 {
				t.Errorf("summary %+v, want no package change", r.Summary)
			}
		}},
		{"kube-scheduler-v1.24.5.syft.spdx.json", "kube-scheduler-v1.24.6.syft.spdx.json", func(t *testing.T, r *Result) {
			if r.Summary.Added+r.Summary.Removed != 0 {
				t.Errorf("summary %+v, want identical package set", r.Summary)
			}
		}},
		{"kube-apiserver-v1.24.6.syft.spdx.json", "kube-apiserver-v1.25.1.syft.spdx.json", func(t *testing.T, r *Result) {
			golang := 0
			for _, c := range r.Added {
				if c.Ecosystem == "golang" {
					golang++
				}
			}
			if golang < 139 {
				t.Errorf("%d Go modules added, want 139 (summary %+v)", golang, r.Summary)
			}
		}},
		{"laravel-7.12.0.cdx-1.4.json", "laravel-7.12.0.cdx-1.4.xml", func(t *testing.T, r *Result) {
			if s := r.Summary; s.Added+s.Removed+len(r.Changed)+s.LicenseChanges+s.Integrity+s.EdgesAdded+s.EdgesRemoved != 0 {
				t.Errorf("summary %+v, want an empty diff", s)
			}
		}},
		{"proton-bridge-v1.6.3.gomod.cdx.json", "proton-bridge-v1.8.0.gomod.cdx.json", func(t *testing.T, r *Result) {
			x := Documents(corpusDoc(t, "proton-bridge-v1.6.3.gomod.cdx-1.2.xml"), corpusDoc(t, "proton-bridge-v1.8.0.gomod.cdx-1.2.xml"))
			if r.Summary != x.Summary || !slices.Equal(changedNames(r), changedNames(x)) {
				t.Errorf("JSON diff %+v differs from the XML diff %+v", r.Summary, x.Summary)
			}
			if r.Summary.Upgraded == 0 {
				t.Errorf("summary %+v, want upgrades", r.Summary)
			}
		}},
		{"kubectl-linux-amd64-2023-08-29.syft.spdx.json", "kubectl-linux-amd64-v1.28.1.syft.spdx.json", func(t *testing.T, r *Result) {
			found := false
			for _, c := range r.Changed {
				if c.Name == "k8s.io/kubernetes" && c.Old.Version == "(devel)" && c.New.Version == "v1.28.1" {
					found = c.Kind == Unordered
				}
			}
			if !found {
				t.Errorf("k8s.io/kubernetes (devel) -> v1.28.1 not reported as unordered: %+v", r.Changed)
			}
		}},
	} {
		t.Run(tc.old+" -> "+tc.new, func(t *testing.T) {
			tc.check(t, Documents(corpusDoc(t, tc.old), corpusDoc(t, tc.new)))
		})
	}
}
