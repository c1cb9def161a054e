package license

import (
	"errors"
	"reflect"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"MIT", "MIT"},
		{"mit", "MIT"},
		{"(MIT)", "MIT"},
		{"MIT AND Apache-2.0", "Apache-2.0 AND MIT"},
		{"apache-2.0 and MIT", "Apache-2.0 AND MIT"},
		{"MIT OR (Apache-2.0 OR BSD-3-Clause)", "Apache-2.0 OR BSD-3-Clause OR MIT"},
		{"MIT AND MIT", "MIT"},
		{"MIT OR Apache-2.0 AND BSD-3-Clause", "(Apache-2.0 AND BSD-3-Clause) OR MIT"}, // AND binds tighter
		{"(MIT OR Apache-2.0) AND BSD-3-Clause", "(Apache-2.0 OR MIT) AND BSD-3-Clause"},
		{"GPL-2.0+", "GPL-2.0-or-later"},
		{"GPL-2.0", "GPL-2.0-only"},
		{"GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"},
		{"LicenseRef-Proprietary AND MIT", "LicenseRef-Proprietary AND MIT"},
		{"LicenseRef-sha256-fd7e4aae7e7b05f217bcf2d02322825c360e66c52c4c2f1b28d784d6297a1c23", "LicenseRef-fd7e4aae7e7b05f217bcf2d02322825c360e66c52c4c2f1b28d784d6297a1c23"},
		{"LicenseRef-sha256-fd7e", "LicenseRef-sha256-fd7e"},
	} {
		got, err := Normalize(tc.in)
		if err != nil {
			t.Errorf("Normalize(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeInvalid(t *testing.T) {
	for _, in := range []string{"MIT AND", "(MIT", "MIT)", "AND MIT", "MIT WITH", "MIT / Apache-2.0", "MIT Apache-2.0"} {
		if _, err := Normalize(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("Normalize(%q) err = %v, want ErrInvalid", in, err)
		}
	}
}

func TestEquivalent(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"MIT AND Apache-2.0", "(apache-2.0 AND MIT)", true},
		{"GPL-2.0+", "GPL-2.0-or-later", true},
		{"MIT", "Apache-2.0", false},
		{"MIT OR Apache-2.0", "MIT AND Apache-2.0", false},
		{"not an expression /", "not an expression /", true},
	} {
		if got := Equivalent(tc.a, tc.b); got != tc.want {
			t.Errorf("Equivalent(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestIDs(t *testing.T) {
	got, err := IDs("(MIT OR GPL-2.0+) AND GPL-2.0-only WITH Classpath-exception-2.0")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GPL-2.0-only", "GPL-2.0-or-later", "MIT"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IDs = %v, want %v", got, want)
	}
}
