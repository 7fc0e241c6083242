package gensrc

import (
	"bytes"
	"testing"
)

// TestDeterministic: an input depends only on its kind, seed and index,
// and kinds with the same seed differ.
func TestDeterministic(t *testing.T) {
	for _, k := range Kinds() {
		for i := range 300 {
			a, err := Make(k, 5, i)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Make(k, 5, i)
			if !bytes.Equal(a.Src, b.Src) || a.What != b.What {
				t.Fatalf("%s: made twice, differs", a)
			}
		}
	}
	if _, err := Make("nothing", 1, 1); err == nil {
		t.Error("an unknown kind gives no error")
	}
}

// TestVariety: the kinds make different sources, and the grammar's
// programs use the forms they are meant to.
func TestVariety(t *testing.T) {
	for _, k := range Kinds() {
		seen := map[string]bool{}
		n := 400
		for i := range n {
			in, _ := Make(k, 1, i)
			seen[string(in.Src)] = true
		}
		if len(seen) < n*3/4 {
			t.Errorf("%s: only %d distinct sources of %d", k, len(seen), n)
		}
	}
	var all bytes.Buffer
	for i := range 2000 {
		in, _ := Make("grammar", 1, i)
		all.Write(in.Src)
	}
	for _, want := range []string{"match ", "case ", "lambda", "async ", "await ", "yield", "f'", "except*", "type ", ":=", "**", "@", "global ", "nonlocal ", "class ", "def ", "[", "{", "0x", "j", "try:", "finally:", "with ", "while ", "for ", "elif ", "del ", "assert ", "raise ", "import ", "from "} {
		if !bytes.Contains(all.Bytes(), []byte(want)) {
			t.Errorf("2,000 programs never contain %q", want)
		}
	}
	all.Reset()
	for i := range 1000 {
		in, _ := Make("flow", 1, i)
		all.Write(in.Src)
	}
	for _, want := range []string{"match ", "case ", "lambda", "async def", "async for ", "async with ", "await ", "yield", "yield from", "f\"", "except* ", "finally:", "type ", ":=", "global ", "nonlocal ", "class ", "super()", "self.", "__class__", "break", "continue", "return", "while True:", "if __debug__:", "assert ", "for c", "def f[", "/, ", "*, ", " as m", "**m", " \\\n"} {
		if !bytes.Contains(all.Bytes(), []byte(want)) {
			t.Errorf("1,000 flow programs never contain %q", want)
		}
	}
}

// BenchmarkMake: the cost of making inputs (it must stay small next to
// the interpreter's).
func BenchmarkMake(b *testing.B) {
	for _, k := range Kinds() {
		b.Run(k, func(b *testing.B) {
			for i := range b.N {
				Make(k, 1, i)
			}
		})
	}
}
