package native

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// crashSources are sources CPython 3.13.0 crashes on (SIGSEGV) and later
// releases reject with a SyntaxError: a generic class defined in a class
// body with a type parameter named __classdict__. Found by a generator of
// reserved names in every binding position.
var crashSources = []string{
	"class W:\n    class C[__classdict__]: pass\n",
	"class W:\n    class C[T, *__classdict__]:\n        x = __classdict__\n",
	"def g():\n    class W:\n        class C[**__classdict__]: pass\n",
	"class W:\n    class C[__classdict__]: pass\n    def f(self): return [__classdict__ for _ in y]\n",
}

// TestCasesCPythonCrashes checks that the native compiler refuses
// crashSources for the releases that crash on them (the auto backend then
// hands them to the interpreter) and gives the later releases' error, and
// that each local 3.13 interpreter does crash (or reject) as expected.
func TestCasesCPythonCrashes(t *testing.T) {
	for _, micro := range []int{0, 1, 2, 3, 5, 18} {
		rel := release.Release{Major: 3, Minor: 13, Micro: micro}
		for _, src := range crashSources {
			_, err := Compile(Request{Source: []byte(src), Name: "c.py", Release: rel})
			var unsup *UnsupportedError
			var serr *syntaxerr.Error
			switch {
			case !rel.AtLeast(symtable.ReservedTypeParamName):
				if !errors.As(err, &unsup) {
					t.Errorf("%s: %q: got %v, want the source refused", rel, src, err)
				} else if msg := err.Error(); !strings.HasPrefix(msg, "the native compiler cannot compile this source as CPython does (codegen): CPython ") {
					// The stage is named once, not "(codegen): codegen: ".
					t.Errorf("%s: %q: message %q", rel, src, msg)
				}
			case !errors.As(err, &serr) || !strings.Contains(serr.Msg, "reserved name '__classdict__'"):
				t.Errorf("%s: %q: got %v, want the reserved name's SyntaxError", rel, src, err)
			}
		}
	}
	for _, py := range pythons.Local(t, 3, 13) {
		rel, _, err := release.Parse(py.Version)
		if err != nil {
			t.Fatalf("%s: %v", py, err)
		}
		for _, src := range crashSources {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			srv, err := interp.Launch(ctx, py.Path, nil, interp.Options{})
			if err != nil {
				cancel()
				t.Fatalf("start %s: %v", py, err)
			}
			_, refErr := srv.Compile(ctx, interp.Request{Name: "c.py", Source: []byte(src)})
			srv.Kill()
			srv.Close()
			cancel()
			var ce *failure.CompileError
			rejected := errors.As(refErr, &ce)
			if rel.AtLeast(symtable.ReservedTypeParamName) != rejected || (refErr == nil) {
				t.Errorf("%s: %q: got %v", py, src, refErr)
			}
		}
	}
}
