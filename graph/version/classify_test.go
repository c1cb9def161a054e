package version

import (
	"errors"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		eco, old, new string
		want          Change
		why           string
	}{
		{"npm", "1.2.3", "2.0.0", Change{Upgrade, Major}, "major moved"},
		{"npm", "1.2.3", "1.3.0", Change{Upgrade, Minor}, "minor moved"},
		{"npm", "1.2.3", "1.2.4", Change{Upgrade, Patch}, "patch moved"},
		{"npm", "2.0.0", "1.9.9", Change{Downgrade, Major}, "major moved down"},
		{"npm", "1.2.4", "1.2.3", Change{Downgrade, Patch}, "patch moved down"},
		{"npm", "1.0.0-rc.1", "1.0.0", Change{Upgrade, Other}, "only the pre-release changed"},
		{"npm", "1.2.3", "1.2.3", Change{Same, Unchanged}, "identical"},
		{"npm", "1.0.0+build.1", "1.0.0+build.2", Change{Same, Unchanged}, "build metadata is ignored"},
		{"npm", "v1.2.3", "1.2.3", Change{Same, Unchanged}, "a leading v is ignored"},
		{"cargo", "0.9.9", "1.0.0", Change{Upgrade, Major}, "major moved"},
		{"golang", "v0.0.0-20150114235600-33e0aa1cb7c0", "v0.0.0-20220303212507-bbda1eaf7a17", Change{Upgrade, Other}, "pseudo-versions differ only in their pre-release"},
		{"golang", "v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5", Change{Upgrade, Patch}, "a pseudo-version after v1.2.3 is a pre-release of v1.2.4"},
		{"golang", "v55.0.0+incompatible", "v55.0.0", Change{Same, Unchanged}, "+incompatible is build metadata"},
		{"golang", "v1.24.1", "v1.25.1", Change{Upgrade, Minor}, "corpus: kube-apiserver"},
		{"maven", "1.0", "1.0.0", Change{Same, Unchanged}, "equal under Maven's rules though the strings differ"},
		{"maven", "2.17.0", "2.17.1", Change{Upgrade, Patch}, "log4j-core fix release"},
		{"maven", "2.14.1", "2.17.1", Change{Upgrade, Minor}, "numeric prefix"},
		{"maven", "1.0-SNAPSHOT", "1.0", Change{Upgrade, Other}, "only the qualifier changed"},
		{"maven", "9.4.18.v20190429", "9.4.19.v20190610", Change{Upgrade, Patch}, "corpus: Jetty; the numeric prefix is 9.4.x"},
		{"maven", "5.2.18.Final", "5.4.3.Final", Change{Upgrade, Minor}, "corpus: Hibernate"},
		{"pypi", "1.26.12", "2.0.0", Change{Upgrade, Major}, "release segment 0"},
		{"pypi", "2.28.1", "2.28.2", Change{Upgrade, Patch}, "release segment 2"},
		{"pypi", "1.0", "1.0.post1", Change{Upgrade, Other}, "post-release only"},
		{"pypi", "1.0.0.1", "1.0.0.2", Change{Upgrade, Other}, "a fourth release segment"},
		{"pypi", "1!1.0", "2.0", Change{Downgrade, Other}, "epoch 1 to 0: the numbers say nothing"},
		{"nuget", "4.5.0", "4.6.0", Change{Upgrade, Minor}, "minor moved"},
		{"nuget", "1.0.0.1", "1.0.0.2", Change{Upgrade, Other}, "the fourth (revision) part"},
		{"gem", "1.2.4.beta", "1.2.4", Change{Upgrade, Other}, "pre-release to release"},
		{"gem", "6.1.7", "7.0.0", Change{Upgrade, Major}, "major moved"},
		{"composer", "v7.30.6", "v8.0.0", Change{Upgrade, Major}, "corpus: laravel; v prefix"},
		{"deb", "1.0-1", "1.0-2", Change{Upgrade, Other}, "Debian revision only"},
		{"deb", "1:2.29.2-1+deb9u1", "1:2.38.1-5+deb12u3", Change{Upgrade, Minor}, "corpus: bsdutils; upstream 2.29.2 to 2.38.1"},
		{"deb", "1:1.0-1", "2.0-1", Change{Downgrade, Other}, "epoch 1 to 0 is a downgrade whatever the upstream numbers"},
		{"deb", "1.0~rc1-1", "1.0-1", Change{Upgrade, Other}, "~rc1 to release: numbers equal"},
		{"deb", "2.36.1-8+deb11u1", "2.38.1-5", Change{Upgrade, Minor}, "upstream minor"},
		{"rpm", "1.0.2k-16.el7", "1.0.2k-19.el7", Change{Upgrade, Other}, "rpm release only"},
		{"rpm", "4.2.46-31.el7", "5.0-3.ph4", Change{Upgrade, Major}, "upstream major"},
		{"apk", "1.35.0-r17", "1.36.1-r27", Change{Upgrade, Minor}, "corpus: busybox"},
		{"apk", "1.2.3-r0", "1.2.3-r4", Change{Upgrade, Other}, "apk revision only"},
		{"apk", "1.1.1o-r0", "1.1.1q-r0", Change{Upgrade, Other}, "openssl letter only"},
		{"hackage", "1.0.0.0", "1.1.0.0", Change{Upgrade, Major}, "PVP: B is part of the major version"},
		{"hackage", "1.0.0.0", "1.0.1.0", Change{Upgrade, Minor}, "PVP: C is the minor version"},
		{"hackage", "1.0.0.0", "1.0.0.1", Change{Upgrade, Patch}, "PVP: D"},
		{"generic", "11.9", "11.15", Change{Upgrade, Minor}, "numeric, not string, order"},
		{"", "1.2.3.4", "1.2.3.5", Change{Upgrade, Other}, "a fourth part"},
		{"lexicographic", "a", "b", Change{Upgrade, Other}, "no numeric structure"},
		{"datetime", "2024-01-01T00:00:00Z", "2023-12-31T19:00:00-05:00", Change{Same, Unchanged}, "the same instant"},
	}
	for _, tt := range tests {
		t.Run(tt.eco+"/"+tt.old+"->"+tt.new, func(t *testing.T) {
			got, err := Classify(tt.eco, tt.old, tt.new)
			if err != nil {
				t.Fatalf("Classify(%q, %q, %q): %v", tt.eco, tt.old, tt.new, err)
			}
			if got != tt.want {
				t.Errorf("Classify(%q, %q, %q) = %v, want %v (%s)", tt.eco, tt.old, tt.new, got, tt.want, tt.why)
			}
		})
	}
}

func TestClassifyErrors(t *testing.T) {
	tests := []struct {
		eco, old, new string
		want          error
	}{
		{"golang", "(devel)", "v1.0.0", ErrInvalid},
		{"golang", "v1.0.0", "(devel)", ErrInvalid},
		{"npm", "", "1.0.0", ErrInvalid},
		{"composer", "dev-master", "1.0.0", ErrInvalid},
		{"example", "1.0", "2.0", ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.eco+"/"+tt.old+"->"+tt.new, func(t *testing.T) {
			_, err := Classify(tt.eco, tt.old, tt.new)
			if !errors.Is(err, tt.want) {
				t.Errorf("Classify(%q, %q, %q) = %v, want an error wrapping %v", tt.eco, tt.old, tt.new, err, tt.want)
			}
		})
	}
}

func TestChangeString(t *testing.T) {
	tests := []struct {
		c    Change
		want string
	}{
		{Change{Same, Unchanged}, "same"},
		{Change{Upgrade, Major}, "upgrade major"},
		{Change{Downgrade, Other}, "downgrade other"},
		{Change{Upgrade, Patch}, "upgrade patch"},
		{Change{Direction(9), Level(9)}, "Direction(9) Level(9)"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
}
