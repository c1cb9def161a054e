package version

import (
	"fmt"
	"testing"
)

// benchCases are typical version pairs from container-image SBOMs.
var benchCases = []struct{ eco, a, b, vers string }{
	{"npm", "1.2.3-beta.1", "1.2.3-beta.11", "vers:npm/>=1.0.0|<1.2.3"},
	{"golang", "v0.0.0-20220303212507-bbda1eaf7a17", "v0.0.0-20201111095634-7098f93598fb", "vers:golang/>=v0.0.0-20210101000000-abcdef123456|<v0.1.0"},
	{"deb", "1:2.38.1-5+deb12u3", "1:2.38.1-5+deb12u2", "vers:deb/>=1:2.29.2-1|<1:2.38.1-5+deb12u3"},
	{"rpm", "1.0.2k-16.el7", "1.0.2k-19.el7", "vers:rpm/<1.0.2k-19.el7"},
	{"apk", "1.36.1-r27", "1.36.1-r26", "vers:apk/>=1.35.0-r0|<1.36.1-r27"},
	{"maven", "2.17.0", "2.17.1", "vers:maven/>=2.0.0|<2.17.1"},
	{"pypi", "2.28.1", "2.28.2", "vers:pypi/>=2.0|!=2.28.0|<2.31.0"},
	{"generic", "11.15", "11.9", "vers:generic/>=11.0|<11.20"},
}

func BenchmarkParse(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.eco, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(c.eco, c.a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompare is the string API: both versions are parsed on every call.
func BenchmarkCompare(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.eco, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compare(c.eco, c.a, c.b); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVersionCompare compares versions parsed once.
func BenchmarkVersionCompare(b *testing.B) {
	for _, c := range benchCases {
		va, _ := Parse(c.eco, c.a)
		vb, _ := Parse(c.eco, c.b)
		b.Run(c.eco, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := va.Compare(vb); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkContains is the string API: the tested version is parsed on every call.
func BenchmarkContains(b *testing.B) {
	for _, c := range benchCases {
		r, err := ParseRange(c.vers)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.eco, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Contains(c.a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkContainsVersion tests a version parsed once.
func BenchmarkContainsVersion(b *testing.B) {
	for _, c := range benchCases {
		r, err := ParseRange(c.vers)
		if err != nil {
			b.Fatal(err)
		}
		v, _ := Parse(c.eco, c.a)
		b.Run(c.eco, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.ContainsVersion(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkQuery100k is one blast-radius query's range test over 100,000 component versions
// parsed at ingest: ns/op is the cost per query (the target is under 5 ms).
func BenchmarkQuery100k(b *testing.B) {
	for _, c := range benchCases {
		r, err := ParseRange(c.vers)
		if err != nil {
			b.Fatal(err)
		}
		pool := []string{c.a, c.b}
		for i := range 8 {
			switch c.eco {
			case "deb":
				pool = append(pool, fmt.Sprintf("1:2.%d.1-%d+deb12u%d", 30+i, i, i))
			case "rpm":
				pool = append(pool, fmt.Sprintf("1.0.%d-%d.el7", i, 10+i))
			case "apk":
				pool = append(pool, fmt.Sprintf("1.3%d.%d-r%d", i, i, i))
			case "golang":
				pool = append(pool, fmt.Sprintf("v0.%d.%d", i, i))
			default:
				pool = append(pool, fmt.Sprintf("%d.%d.%d", i%3, 10+i, i))
			}
		}
		versions := make([]Version, 100_000)
		for i := range versions {
			if versions[i], err = Parse(c.eco, pool[i%len(pool)]); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(c.eco, func(b *testing.B) {
			for b.Loop() {
				n := 0
				for _, v := range versions {
					if ok, _ := r.ContainsVersion(v); ok {
						n++
					}
				}
				if n == 0 {
					b.Fatal("nothing matched")
				}
			}
		})
	}
}
