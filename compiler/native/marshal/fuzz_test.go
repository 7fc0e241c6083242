package marshal_test

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/marshal"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// FuzzRead: Read never panics, and what it reads from the Writer's output
// it reads whole.
func FuzzRead(f *testing.F) {
	for _, c := range valueCases {
		p := pyobj.NewProcess(nil)
		b, err := marshal.Dump(p.FromValue(c.v))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\xe3\x00\x00"))
	f.Add([]byte("l\xff\xff\xff\x7f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = marshal.Read(b)
	})
}

// FuzzDumpStr: any str or bytes value is written and read back unchanged.
func FuzzDumpStr(f *testing.F) {
	f.Add("abc", true)
	f.Add("caf\xc3\xa9", false)
	f.Fuzz(func(t *testing.T, s string, isStr bool) {
		p := pyobj.NewProcess(nil)
		v := ast.BytesValue(s)
		if isStr {
			v = ast.StrValue(s)
		}
		b, err := marshal.Dump(p.FromValue(v))
		if err != nil {
			t.Fatal(err)
		}
		it, err := marshal.Read(b)
		if err != nil || it.Str != s {
			t.Fatalf("read back %q, %v; want %q", it.Str, err, s)
		}
	})
}
