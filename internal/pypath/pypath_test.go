package pypath

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// TestMatchesPython checks every function against os.path, str and
// pathlib and importlib's own helpers of a real interpreter (the newest
// found).
func TestMatchesPython(t *testing.T) {
	pys := pythons.Require(t, 1)
	py := pys[len(pys)-1]
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "d", "f.py"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct{ at, to string }{
		{"d/rel", "f.py"}, {"d/up", "../d/./f.py"}, {"d/abs", filepath.Join(root, "d/f.py")},
		{"d/dangling", "nowhere/x.py"}, {"d/loop1", "loop2"}, {"d/loop2", "loop1"},
		{"d/dirlink", "."}, {"e", "d"},
	} {
		if err := os.Symlink(l.to, filepath.Join(root, l.at)); err != nil {
			t.Fatal(err)
		}
	}
	input := struct {
		Joins  [][]string `json:"joins"`
		Splits []string   `json:"splits"`
		Names  []string   `json:"names"`
		Strips []string   `json:"strips"`
		Reals  []string   `json:"reals"`
		Alnums []string   `json:"alnums"`
		Pairs  [][]string `json:"pairs"`
	}{
		Joins: [][]string{{"a", "b"}, {"a/", "b"}, {"a//", "b"}, {"", "b"}, {"a", "/b"}, {"a", ""},
			{"/x", "y", "/z", "w"}, {"src/", "a.py"}, {"", ""}, {"a", "b/", "c"}, {"/", "x"}},
		Splits: []string{"a/b", "a//b", "/b", "//b", "b", "", "a/", "a/b/", "///", "/a/b.c.py", "x.y/z"},
		Names:  []string{"b.py", "B.py", "_x.py", "a.py", "\u00fcn\u00ef.py", "\U0001F600.py", "\ufb01.py", "a", "a.py.bak", "aa", "Z", "~", "\x7f"},
		Strips: []string{"  a  ", "\ta\n", "\x1ca\x1f", "\u00a0a\u2003", "\u200ba", "a b", "\r\n"},
		Reals: []string{"d/f.py", "d/rel", "d/up", "d/abs", "d/dangling", "d/loop1", "d/dirlink/f.py",
			"e/f.py", "e/../d/f.py", "d/missing/../f.py", "./d//f.py", root + "/e/rel", "/", "d/f.py/x"},
		Alnums: []string{"", "1", "a1", "opt-1", "\u0661", "\u00b2", "\u2167", "x y", "\u00e9", "_"},
		Pairs: [][]string{{"/", "/a"}, {"/", "/"}, {"/a", "/a/b"}, {"/a", "/a"}, {"/a", "/ab"},
			{"/a/b", "/a"}, {"/a", "/a/b/c"}, {"/a/b", "/a/bc/d"}},
	}
	script := `import json, os, pathlib, sys
from importlib import _bootstrap_external as be
i = json.load(sys.stdin)
json.dump({
    "joins": [os.path.join(*j) for j in i["joins"]],
    "basenames": [os.path.basename(os.path.join(*j)) for j in i["joins"]],
    "ijoins": [be._path_join(*j) for j in i["joins"]],
    "splits": [list(os.path.split(p)) for p in i["splits"]],
    "isplits": [list(be._path_split(p)) for p in i["splits"]],
    "rpartitions": [list(p.rpartition(".")) for p in i["splits"]],
    "sorted": sorted(i["names"]),
    "strips": [s.strip() for s in i["strips"]],
    "reals": [os.path.realpath(p) for p in i["reals"]],
    "alnums": [s.isalnum() for s in i["alnums"]],
    "parents": [pathlib.Path(d) in pathlib.Path(p).parents for d, p in i["pairs"]],
}, sys.stdout)`
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py.Path, "-S", "-s", "-c", script)
	cmd.Dir = root
	cmd.Stdin = bytes.NewReader(in)
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", py, err)
	}
	var want struct {
		Joins, Basenames, IJoins, Sorted, Strips, Reals []string
		Splits, ISplits, RPartitions                    [][]string
		Alnums, Parents                                 []bool
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for k, j := range input.Joins {
		got := Join(j[0], j[1:]...)
		if got != want.Joins[k] || Base(got) != want.Basenames[k] {
			t.Errorf("join%q = %q (basename %q), Python %q (%q)", j, got, Base(got), want.Joins[k], want.Basenames[k])
		}
		if got := ImportlibJoin(j...); got != want.IJoins[k] {
			t.Errorf("_path_join%q = %q, Python %q", j, got, want.IJoins[k])
		}
	}
	for k, p := range input.Splits {
		if h, tl := Split(p); h != want.Splits[k][0] || tl != want.Splits[k][1] {
			t.Errorf("split(%q) = %q, %q; Python %q", p, h, tl, want.Splits[k])
		}
		if h, tl := ImportlibSplit(p); h != want.ISplits[k][0] || tl != want.ISplits[k][1] {
			t.Errorf("_path_split(%q) = %q, %q; Python %q", p, h, tl, want.ISplits[k])
		}
		if a, b, c := RPartition(p, "."); a != want.RPartitions[k][0] || b != want.RPartitions[k][1] || c != want.RPartitions[k][2] {
			t.Errorf("%q.rpartition('.') = %q, %q, %q; Python %q", p, a, b, c, want.RPartitions[k])
		}
	}
	names := slices.Clone(input.Names)
	slices.SortFunc(names, func(a, b string) int {
		if Less(a, b) {
			return -1
		}
		if Less(b, a) {
			return 1
		}
		return 0
	})
	if !slices.Equal(names, want.Sorted) {
		t.Errorf("sorted: %q, Python %q", names, want.Sorted)
	}
	for k, s := range input.Strips {
		if got := Strip(s); got != want.Strips[k] {
			t.Errorf("strip(%q) = %q, Python %q", s, got, want.Strips[k])
		}
	}
	for k, s := range input.Alnums {
		if got := IsAlnum(s); got != want.Alnums[k] {
			t.Errorf("%q.isalnum() = %v, Python %v", s, got, want.Alnums[k])
		}
	}
	for k, c := range input.Pairs {
		if got := IsAncestor(c[0], c[1]); got != want.Parents[k] {
			t.Errorf("IsAncestor(%q, %q) = %v; Python's Path(%[2]q).parents holds it: %v", c[0], c[1], got, want.Parents[k])
		}
	}
	t.Chdir(root)
	for k, p := range input.Reals {
		got, err := RealPath(p)
		if err != nil || got != want.Reals[k] {
			t.Errorf("realpath(%q) = %q, %v; Python %q", p, got, err, want.Reals[k])
		}
	}
}
