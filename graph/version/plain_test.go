package version

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePlainRange(t *testing.T) {
	tests := []struct {
		eco, in, want string
		in2, out      []string
	}{
		{"maven", "<2.17.1", "vers:maven/<2.17.1", []string{"2.17.0", "2.0"}, []string{"2.17.1", "2.17.1.0", "3.0"}},
		{"pypi", ">=1.0,<2", "vers:pypi/>=1.0|<2", []string{"1.0", "1.5", "2.0rc1"}, []string{"0.9", "2", "2.0.0"}},
		{"pypi", ">= 1.0, < 2", "vers:pypi/>=1.0|<2", nil, nil},
		{"pypi", ">=1.0 <2", "vers:pypi/>=1.0|<2", nil, nil},
		{"pypi", "  <2 , >=1.0  ", "vers:pypi/>=1.0|<2", nil, nil},
		{"npm", "=1.2.3", "vers:npm/1.2.3", []string{"1.2.3", "v1.2.3"}, []string{"1.2.4"}},
		{"npm", "==1.2.3", "vers:npm/1.2.3", nil, nil},
		{"npm", "1.2.3", "vers:npm/1.2.3", nil, nil},
		{"npm", "!=1.0.0", "vers:npm/!=1.0.0", []string{"0.1.0", "2.0.0"}, []string{"1.0.0"}},
		{"npm", "!=1.0.0, !=2.0.0", "vers:npm/!=1.0.0|!=2.0.0", []string{"1.5.0"}, []string{"1.0.0", "2.0.0"}},
		{"npm", ">=1.0.0,<2.0.0,!=1.5.0", "vers:npm/>=1.0.0|!=1.5.0|<2.0.0", []string{"1.0.0", "1.4.0"}, []string{"1.5.0", "2.0.0", "0.9.0"}},
		{"npm", "<1.0.0 || >=2.0.0,<2.5.0 || 3.0.0", "vers:npm/<1.0.0|>=2.0.0|<2.5.0|3.0.0", []string{"0.1.0", "2.1.0", "3.0.0"}, []string{"1.0.0", "2.5.0", "3.0.1"}},
		{"npm", ">=3.0.0 || <1.0.0", "vers:npm/<1.0.0|>=3.0.0", []string{"0.5.0", "4.0.0"}, []string{"2.0.0"}},
		{"npm", "<=1.0.0 || 2.0.0 || >3.0.0", "vers:npm/<=1.0.0|2.0.0|>3.0.0", []string{"1.0.0", "2.0.0", "3.0.1"}, []string{"1.5.0", "3.0.0"}},
		{"deb", "<< 1:2.38.1-5", "", nil, nil}, // Debian's << is not accepted; see errors
		{"deb", "<1:2.38.1-5+deb12u3", "vers:deb/<1:2.38.1-5+deb12u3", []string{"2.40-1"}, nil},
		{"", "1.0", "vers:generic/1.0", []string{"1.0.0"}, []string{"1.1"}},
		{"NPM", "*", "vers:npm/*", []string{"1.0.0"}, nil},
		{"golang", ">=v1.2.3, <v1.2.4", "vers:golang/>=v1.2.3|<v1.2.4", []string{"v1.2.4-0.20191109021931-daa7c04131f5"}, []string{"v1.2.4"}},
	}
	for _, tt := range tests {
		t.Run(tt.eco+"/"+tt.in, func(t *testing.T) {
			r, err := ParsePlainRange(tt.eco, tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("ParsePlainRange(%q, %q) = %v, %v; want ErrInvalid", tt.eco, tt.in, r, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePlainRange(%q, %q): %v", tt.eco, tt.in, err)
			}
			if got := r.String(); got != tt.want {
				t.Errorf("ParsePlainRange(%q, %q) = %q, want %q", tt.eco, tt.in, got, tt.want)
			}
			if r2, err := ParseRange(r.String()); err != nil || r2.String() != r.String() {
				t.Errorf("ParseRange(%q) = %v, %v; want it unchanged", r.String(), r2, err)
			}
			for _, v := range tt.in2 {
				if got, err := r.Contains(v); err != nil || !got {
					t.Errorf("Contains(%q) = %v, %v; want true", v, got, err)
				}
			}
			for _, v := range tt.out {
				if got, err := r.Contains(v); err != nil || got {
					t.Errorf("Contains(%q) = %v, %v; want false", v, got, err)
				}
			}
		})
	}
}

func TestParsePlainRangeErrors(t *testing.T) {
	tests := []struct {
		eco, in, message string
	}{
		{"npm", "", "empty"},
		{"npm", "   ", "empty"},
		{"npm", "^1.2.3", "unsupported comparator \"^\""},
		{"gem", "~> 1.2", "unsupported comparator \"~>\""},
		{"pypi", "~=1.2", "unsupported comparator \"~=\""},
		{"pypi", "===1.2", "unsupported comparator \"===\""},
		{"deb", "<< 1:2.38.1-5", "unsupported comparator \"<<\""},
		{"npm", ">=", "has no version"},
		{"npm", "1.0.0 ||", "an alternative is empty"},
		{"npm", "|| 1.0.0", "an alternative is empty"},
		{"npm", "1.0.0|2.0.0", "separate alternatives with \"||\""},
		{"npm", "1.0.0, >=0.5.0", "an exact version cannot be combined"},
		{"npm", ">=1.0.0, >=2.0.0", "more than one lower bound"},
		{"npm", "<1.0.0 <2.0.0", "more than one upper bound"},
		{"npm", ">=2.0.0, <1.0.0", "is not below the upper bound"},
		{"npm", ">=1.0.0, <=1.0.0", "is not below the upper bound"},
		{"npm", ">=1.0.0,<2.0.0,!=3.0.0", "!=3.0.0 is not below the upper bound"},
		{"npm", ">=1.0.0,!=0.5.0", "!=0.5.0 is not above the lower bound"},
		{"npm", "!=1.5.0 || >=2.0.0", "must stand alone"},
		{"npm", "<2.0.0 || >=1.0.0", "overlap"},
		{"npm", ">=1.0.0 || >=2.0.0", "overlap"},
		{"npm", "<1.0.0 || >1.0.0", "overlap or meet"},
		{"npm", "1.0.0 || 1.0.0", "overlap or meet"},
		{"npm", "1.5.0 || >=1.0.0,<2.0.0", "overlap or meet"},
		{"maven", "1.0 || 1.0.0", "overlap or meet"},
		{"npm", ">=(devel)", "npm version \"(devel)\""},
		{"npm", "* || 1.0.0", "\"*\" (every version) must stand alone"},
		{"npm", ">=1.0.0, 1.*", "npm version \"1.*\""},
		{"npm", "1.0.0 - 2.0.0", "npm version \"-\""},
	}
	for _, tt := range tests {
		t.Run(tt.eco+"/"+tt.in, func(t *testing.T) {
			r, err := ParsePlainRange(tt.eco, tt.in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParsePlainRange(%q, %q) = %v, %v; want ErrInvalid", tt.eco, tt.in, r, err)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("ParsePlainRange(%q, %q) error %q does not say %q", tt.eco, tt.in, err, tt.message)
			}
		})
	}
	if _, err := ParsePlainRange("example", "1.0"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("ParsePlainRange(example) = %v, want ErrUnsupported", err)
	}
	if _, err := ParsePlainRange("my_type", "1.0"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParsePlainRange(my_type) = %v, want ErrInvalid", err)
	}
}

// TestParsePlainRangeMeaning checks that every accepted plain range means, as a vers range,
// what its text says: some alternative whose comparisons all hold. It evaluates the text
// directly over a grid of versions.
func TestParsePlainRangeMeaning(t *testing.T) {
	comparisons := []string{"", "<2", "<=2", ">2", ">=2", "!=2", "=2", "<4", "<=4", ">4", ">=4", "!=3", "!=5", "6", ">=6,<8", ">1,<=3", "!=7"}
	probes := []string{"0", "1", "2", "2.5", "3", "4", "5", "6", "7", "8", "9"}
	accepted := 0
	for _, a := range comparisons {
		for _, b := range comparisons {
			for _, c := range comparisons {
				alt1 := strings.Trim(a+","+b, ",")
				for _, text := range []string{alt1, alt1 + " || " + c} {
					if strings.TrimSpace(text) == "" || strings.HasSuffix(text, "|| ") {
						continue
					}
					r, err := ParsePlainRange("intdot", text)
					if err != nil {
						continue
					}
					accepted++
					for _, p := range probes {
						got, err := r.Contains(p)
						if err != nil {
							t.Fatal(err)
						}
						if want := plainHolds(t, text, p); got != want {
							t.Errorf("ParsePlainRange(%q) = %s; Contains(%s) = %v, but the text says %v", text, r, p, got, want)
						}
					}
				}
			}
		}
	}
	if accepted < 200 {
		t.Fatalf("only %d ranges accepted", accepted)
	}
}

// plainHolds evaluates a plain range text (alternatives of comma-separated comparisons) for
// version p directly.
func plainHolds(t *testing.T, text, p string) bool {
	for _, alt := range strings.Split(text, "||") {
		all := true
		for _, c := range strings.Split(alt, ",") {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			o := strings.TrimRight(c, "0123456789.")
			d, err := Compare("intdot", p, c[len(o):])
			if err != nil {
				t.Fatal(err)
			}
			ok := map[string]bool{"": d == 0, "=": d == 0, "!=": d != 0, "<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0}[o]
			all = all && ok
		}
		if all {
			return true
		}
	}
	return false
}
