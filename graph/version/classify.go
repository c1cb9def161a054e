package version

import "strconv"

// Direction says which way a version moved under its ecosystem's order.
type Direction int

// The directions. Same means equal under the ecosystem's rules, even when the strings differ
// ("1.0" and "1.0.0" in maven).
const (
	Same Direction = iota
	Upgrade
	Downgrade
)

// String returns "same", "upgrade" or "downgrade".
func (d Direction) String() string {
	switch d {
	case Same:
		return "same"
	case Upgrade:
		return "upgrade"
	case Downgrade:
		return "downgrade"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// Level says which part of the version changed.
type Level int

// The levels. Unchanged goes with Same. Major, Minor and Patch say which of the first three
// numeric release components is the first to differ (for hackage, following the PVP, a change
// in A or B of A.B.C.D is Major, C Minor, D Patch). Other is every other change: a
// pre-release, build, fourth or later component, or a packaging revision (deb revision, rpm
// release, apk -rN); an epoch change (deb, rpm, pypi), which resets the order so that the
// numbers no longer say anything; and every change in ecosystems without numeric structure
// (lexicographic, datetime).
const (
	Unchanged Level = iota
	Major
	Minor
	Patch
	Other
)

// String returns "unchanged", "major", "minor", "patch" or "other".
func (l Level) String() string {
	switch l {
	case Unchanged:
		return "unchanged"
	case Major:
		return "major"
	case Minor:
		return "minor"
	case Patch:
		return "patch"
	case Other:
		return "other"
	}
	return "Level(" + strconv.Itoa(int(l)) + ")"
}

// Change is the difference between two versions of one component.
type Change struct {
	Direction Direction
	Level     Level
}

// String returns e.g. "upgrade major", "downgrade other" or "same".
func (c Change) String() string {
	if c.Direction == Same && c.Level == Unchanged {
		return "same"
	}
	return c.Direction.String() + " " + c.Level.String()
}

// Classify parses old and new as versions of ecosystem and says whether new is an upgrade, a
// downgrade or the same version under the ecosystem's rules, and which part changed (see
// Level). It returns an error wrapping ErrInvalid when either version cannot be ordered (see
// Parse), so that a caller can report "changed, order unknown", and ErrUnsupported for a vers
// type reserved without an ordering.
func Classify(ecosystem, old, new string) (Change, error) {
	o, err := Parse(ecosystem, old)
	if err != nil {
		return Change{}, err
	}
	n, err := Parse(ecosystem, new)
	if err != nil {
		return Change{}, err
	}
	return ClassifyVersions(o, n)
}

// ClassifyVersions is Classify for versions already parsed. It returns the errors of
// Version.Compare.
func ClassifyVersions(old, new Version) (Change, error) {
	c, err := old.Compare(new)
	if err != nil {
		return Change{}, err
	}
	if c == 0 {
		return Change{Direction: Same, Level: Unchanged}, nil
	}
	ch := Change{Direction: Upgrade, Level: Other}
	if c > 0 {
		ch.Direction = Downgrade
	}
	ro, rn := old.s.release(old.raw), new.s.release(new.raw)
	if !ro.ok || !rn.ok || cmpDigits(orZero(ro.epoch), orZero(rn.epoch)) != 0 {
		return ch, nil
	}
	for i := 0; i < len(ro.nums) || i < len(rn.nums); i++ {
		x, y := "0", "0"
		if i < len(ro.nums) {
			x = ro.nums[i]
		}
		if i < len(rn.nums) {
			y = rn.nums[i]
		}
		d := cmpDigits(x, y)
		if d == 0 {
			continue
		}
		// The numbers moved against the ecosystem's order (possible only where an ecosystem
		// ranks something before its numbers); say nothing about the level then.
		if d != c {
			return ch, nil
		}
		ch.Level = old.s.level(i)
		return ch, nil
	}
	return ch, nil
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}
