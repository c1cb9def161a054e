package version

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixtureLine is one "A op B" comparison from testdata/osv-scalibr.
type fixtureLine struct {
	line int
	a, b string
	want int
}

func readFixture(t *testing.T, name string) []fixtureLine {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "osv-scalibr", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]int{"<": -1, "=": 0, ">": 1}
	var out []fixtureLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "// ") {
			continue
		}
		p := strings.Split(line, " ")
		if len(p) != 3 {
			t.Fatalf("%s:%d: want \"A op B\", got %q", name, n, line)
		}
		w, ok := want[p[1]]
		if !ok {
			t.Fatalf("%s:%d: unknown comparator %q", name, n, p[1])
		}
		out = append(out, fixtureLine{n, p[0], p[2], w})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCompareFixtures runs osv-scalibr's own comparison fixtures through Compare. Versions
// that this package rejects as unorderable (see Parse) are listed per file with the reason;
// every other line must compare as the fixture says.
func TestCompareFixtures(t *testing.T) {
	tests := []struct {
		file    string
		ecos    []string
		invalid []string
		why     string
	}{
		{
			file: "alpine-versions.txt", ecos: []string{"apk"},
			invalid: []string{
				"0...1...0", "0...1...0.r1", "0...1...0.r2", "0...1...0r1", "0...1...0r2", "0...1...1",
				"0...8", "0..1..0", "0..1..1", "0..8", "0.8.21.r1", "0.8.21.r2", "0.8.21r2", "0.r1", "0r2",
				".1", ".2", "1--ruff1", "1-r-0", "1-r-1", "1-r-2", "1-r0-1", "1-r0-2", "1-r0-ruff1",
				"1-r0-ruff2", "1-ruff", "1-ruff1", "1-ruff2", "1.0bc", "1.2.0A", "1.2.0D", "1.2_blah",
				"1.2_csv2", "10.2.22.r0", "10.2.24.r0", "23_foo", "6.6.2p1", "6.6.2p2", "a", "b", "c",
			},
			why: "not apk-tools' grammar number{.number}[letter]{_suffix[number]}[~hash][-rN] (osv-scalibr marks these invalid too, or they use an unknown suffix)",
		},
		{file: "cran-versions.txt", ecos: []string{"cran"}},
		{file: "debian-versions.txt", ecos: []string{"deb"}},
		{file: "hackage-versions.txt", ecos: []string{"hackage"}},
		{file: "maven-versions.txt", ecos: []string{"maven"}},
		{file: "nuget-versions.txt", ecos: []string{"nuget"}},
		{
			file: "packagist-versions.txt", ecos: []string{"composer"},
			invalid: []string{"dev-foo"},
			why:     "a branch, not a version",
		},
		{
			file: "pub-versions.txt", ecos: []string{"pub"},
			invalid: []string{"1.1.3.4.5"},
			why:     "more than three numeric parts",
		},
		{
			file: "pypi-versions.txt", ecos: []string{"pypi"},
			invalid: []string{
				"-class.-jw.util.version.version-dev", "-class.-jw.util.version.version-pre",
				"-class.-jw.util.version.version-preview", "0.1-bulbasaur", "0.1-charmander", "0.9-doduo",
				"0.9-eevee", "0.9-fearow", "0.9-gyarados", "0.9-horsea", "0.9-ivysaur",
			},
			why: "not PEP 440 (legacy versions pip no longer accepts)",
		},
		{
			file: "redhat-versions.txt", ecos: []string{"rpm"},
			invalid: []string{"+", "+_", "_", "_+", "0:1.2.ββ", "1.1.α", "1.1.αα", "1.1.β", "1.1.ββ", "1.2.ββ"},
			why:     "no letter or digit, or not ASCII",
		},
		{
			file: "rubygems-versions.txt", ecos: []string{"gem"},
			invalid: []string{"1beta", "1gamma"},
			why:     "not Gem::Version's pattern (a letter must follow a dot)",
		},
		{
			file: "semver-versions.txt", ecos: []string{"npm", "cargo", "golang"},
			invalid: []string{"1.1.3.4.5"},
			why:     "more than three numeric parts",
		},
	}
	for _, tt := range tests {
		lines := readFixture(t, tt.file)
		for _, eco := range tt.ecos {
			t.Run(eco+"/"+tt.file, func(t *testing.T) {
				var rejected []string
				for _, l := range lines {
					bad := false
					for _, v := range []string{l.a, l.b} {
						if _, err := Parse(eco, v); err != nil {
							if !errors.Is(err, ErrInvalid) {
								t.Errorf("line %d: Parse(%q): %v, want ErrInvalid", l.line, v, err)
							}
							if !slices.Contains(rejected, v) {
								rejected = append(rejected, v)
							}
							bad = true
						}
					}
					if bad {
						continue
					}
					got, err := Compare(eco, l.a, l.b)
					if err != nil || got != l.want {
						t.Errorf("line %d: Compare(%q, %q) = %d, %v; want %d", l.line, l.a, l.b, got, err, l.want)
					}
				}
				slices.Sort(rejected)
				want := slices.Clone(tt.invalid)
				slices.Sort(want)
				if !slices.Equal(rejected, want) {
					t.Errorf("rejected versions = %q\nwant %q (%s)", rejected, want, tt.why)
				}
			})
		}
	}
}
