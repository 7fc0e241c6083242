// Package release names the CPython release a native compile imitates.
//
// CPython changes its parser and its bytecode inside a minor version,
// without changing the magic number, so the native compiler targets a patch
// release (3.13.5), not a minor version. "3.13" alone means the newest
// release of 3.13 that this build of rules_pyc knows.
package release

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Release is a CPython release X.Y.Z.
type Release struct {
	Major, Minor, Micro int
}

func (r Release) String() string { return fmt.Sprintf("%d.%d.%d", r.Major, r.Minor, r.Micro) }

// Less reports whether r comes before o.
func (r Release) Less(o Release) bool {
	if r.Major != o.Major {
		return r.Major < o.Major
	}
	if r.Minor != o.Minor {
		return r.Minor < o.Minor
	}
	return r.Micro < o.Micro
}

// AtLeast reports whether r is o or later.
func (r Release) AtLeast(o Release) bool { return !r.Less(o) }

// newest is the newest release of each minor version known to this build.
var newest = map[[2]int]int{
	{3, 13}: 18,
}

// ErrSyntax is wrapped by Parse's error for a version that is not "X.Y"
// or "X.Y.Z".
var ErrSyntax = errors.New("want X.Y or X.Y.Z, e.g. 3.13")

// Parse reads "X.Y" or "X.Y.Z". For "X.Y" it returns the newest release of
// X.Y that this build knows, and exact is false.
func Parse(s string) (r Release, exact bool, err error) {
	parts := strings.Split(s, ".")
	if len(parts) != 2 && len(parts) != 3 {
		return Release{}, false, fmt.Errorf("bad Python version %q: %w", s, ErrSyntax)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p == "" || (len(p) > 1 && p[0] == '0') {
			return Release{}, false, fmt.Errorf("bad Python version %q: %w", s, ErrSyntax)
		}
		n[i] = v
	}
	r = Release{n[0], n[1], n[2]}
	if len(parts) == 3 {
		return r, true, nil
	}
	micro, ok := newest[[2]int{r.Major, r.Minor}]
	if !ok {
		return Release{}, false, fmt.Errorf("python version %s: the native compiler knows no release of it", s)
	}
	r.Micro = micro
	return r, false, nil
}

// Known lists the minor versions with their newest known release, e.g.
// "3.13.0 to 3.13.18".
func Known() string {
	var s []string
	for mm, micro := range newest {
		s = append(s, fmt.Sprintf("%d.%d.0 to %d.%d.%d", mm[0], mm[1], mm[0], mm[1], micro))
	}
	return strings.Join(s, ", ")
}

// Supported returns an error unless the native compiler knows r: a release
// of a known minor version, no newer than the newest one known.
func Supported(r Release) error {
	micro, ok := newest[[2]int{r.Major, r.Minor}]
	if !ok {
		return fmt.Errorf("the native compiler does not know %d.%d", r.Major, r.Minor)
	}
	if r.Micro > micro {
		return fmt.Errorf("%s is newer than the newest release the native compiler knows, %d.%d.%d", r, r.Major, r.Minor, micro)
	}
	return nil
}
