package native

import (
	"errors"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// TestInlinedComprehensionsTooDeep: 23 nested inlined comprehensions that
// hide locals overflow the exception stack of CPython's flow graph before
// 3.13.16 (push_except_block writes past its array and the process
// crashes), so the native compiler refuses the source for those releases;
// from 3.13.16 each counts toward CO_MAXBLOCKS (gh-156091) and the 22nd is
// the SyntaxError (the cases compare 22 with every interpreter).
func TestInlinedComprehensionsTooDeep(t *testing.T) {
	src := []byte("x = " + nestedComps(23, "[%s for x in y]") + "\n")
	for _, v := range []string{"3.13.0", "3.13.5", "3.13.15", "3.13.16", "3.13.18"} {
		rel, _, err := release.Parse(v)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(Request{Source: src, Name: "deep.py", Release: rel, File: src})
		if rel.Less(release.Release{Major: 3, Minor: 13, Micro: 16}) {
			var u *UnsupportedError
			if !errors.As(err, &u) {
				t.Errorf("%s: got %v, want the source refused", v, err)
			}
			continue
		}
		var serr *syntaxerr.Error
		if !errors.As(err, &serr) || serr.Msg != "too many statically nested blocks" || serr.Lineno != 1 || serr.Offset != 26 || serr.EndOffset != 53 {
			t.Errorf("%s: got %v, want too many statically nested blocks at 1:26-53", v, err)
		}
	}
}
