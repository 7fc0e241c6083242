package engine

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestResolveFollowsChanges: resolve, which answers a name it resolved
// before from one stat, gives what resolving afresh (resolveName) gives
// after each change to the links and files on the name's way, and it
// keeps the answers it can check.
func TestResolveFollowsChanges(t *testing.T) {
	type step struct {
		change func(t *testing.T, dir string)
		want   string // the file the name leads to, under dir; "" for an error
	}
	link := func(target, name string) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			t.Helper()
			p := filepath.Join(dir, name)
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	chmod := func(name string, mode os.FileMode) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			t.Helper()
			if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
				t.Fatal(err)
			}
		}
	}
	remove := func(name string) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			t.Helper()
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	same := func(*testing.T, string) {}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		path  string // the interpreter name, under dir
		steps []step
	}{
		{"a file", same, "a/python3.13", []step{
			{same, "a/python3.13"},
			{same, "a/python3.13"},
			{chmod("a/python3.13", 0o644), ""},
			{chmod("a/python3.13", 0o755), "a/python3.13"},
			{remove("a/python3.13"), ""},
		}},
		{"a link re-pointed", link("a/python3.13", "python3"), "python3", []step{
			{same, "a/python3.13"},
			{link("b/python3.13", "python3"), "b/python3.13"},
			{same, "b/python3.13"},
			{link("a/python3.13", "python3"), "a/python3.13"},
			{link("missing", "python3"), ""},
			{link("b/python3.13", "python3"), "b/python3.13"},
		}},
		{"a directory on the way re-pointed", link("a", "cur"), "cur/python3.13", []step{
			{same, "a/python3.13"},
			{link("b", "cur"), "b/python3.13"},
			{link("a", "cur"), "a/python3.13"},
		}},
		{"a link to a link, the inner one re-pointed", func(t *testing.T, dir string) {
			link("a/python3.13", "inner")(t, dir)
			link("inner", "outer")(t, dir)
		}, "outer", []step{
			{same, "a/python3.13"},
			{link("b/python3.13", "inner"), "b/python3.13"},
			{chmod("b/python3.13", 0o644), ""},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"a", "b"} {
				if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, d, "python3.13"), []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			tc.setup(t, dir)
			e := New(Config{})
			defer e.Close()
			name := filepath.Join(dir, tc.path)
			for i, s := range tc.steps {
				s.change(t, dir)
				got, err := e.resolve(name)
				fresh, freshErr := resolveName(name)
				if (err == nil) != (freshErr == nil) || got != fresh {
					t.Fatalf("step %d: resolve gives %q, %v; resolving afresh %q, %v", i, got, err, fresh, freshErr)
				}
				if s.want == "" {
					if err == nil {
						t.Fatalf("step %d: resolve gives %q, want an error", i, got)
					}
					continue
				}
				want, err := filepath.EvalSymlinks(filepath.Join(dir, s.want))
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("step %d: resolve gives %q, want %q", i, got, want)
				}
				e.mu.Lock()
				kept := e.names[name].path
				e.mu.Unlock()
				if kept != got {
					t.Errorf("step %d: the engine keeps %q for the name, want %q", i, kept, got)
				}
			}
		})
	}
}

// TestResolveKeepsBoundedNames: past maxNames distinct names the engine
// keeps no more, and still resolves every name.
func TestResolveKeepsBoundedNames(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "python3.13")
	if err := os.WriteFile(target, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	want, err := filepath.EvalSymlinks(target)
	if err != nil {
		t.Fatal(err)
	}
	e := New(Config{})
	defer e.Close()
	for i := range maxNames + 10 {
		name := filepath.Join(dir, "link"+strconv.Itoa(i))
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
		got, err := e.resolve(name)
		if err != nil || got != want {
			t.Fatalf("%s: resolve gives %q, %v; want %q", name, got, err, want)
		}
	}
	if n := len(e.names); n != maxNames {
		t.Errorf("the engine keeps %d names, want %d", n, maxNames)
	}
}
