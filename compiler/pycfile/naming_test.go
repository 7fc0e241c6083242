package pycfile

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// sources are the tricky paths whose cache names are compared with
// importlib's.
var sources = []string{
	"x.py",
	"pkg/mod.py",
	"/abs/pkg/mod.py",
	"/x.py",
	"//x.py",
	"./x.py",
	"../up/x.py",
	"dir//x.py",
	"dir.with.dots/x.py",
	"a.b.c.py",
	"noext",
	"dir/noext",
	"trailing.",
	"dir/trailing.",
	".hidden",
	"dir/.hidden.py",
	"dir/",
	"x.pyw",
	"x.PY",
	"dir/x.tar.gz",
	"__pycache__/x.py",
	"sp ace/\u00fcnicode.py",
}

// pycs are names given to SourceName, with the ones CacheName produces.
var pycs = []string{
	"x.pyc",
	"__pycache__/x.pyc",
	"__pycache__/x.cpython-312.pyc",
	"/__pycache__/x.cpython-312.pyc",
	"a/b/__pycache__/x.cpython-312.opt-1.pyc",
	"a/b/__pycache__/x.cpython-312.opt-.pyc",
	"a/b/__pycache__/x.cpython-312.foo-1.pyc",
	"a/b/__pycache__/x.cpython-312.opt-\u00e41.pyc",
	"a/b/__pycache__/x.cpython-312.opt-1!.pyc",
	"a/b/__pycache__/x.y.z.w.pyc",
	"a/__pycache__/b/x.cpython-312.pyc",
	"a/__pycache__//x.cpython-312.pyc",
}

const namingScript = `import sys, json, importlib.util
out = []
for r in json.load(sys.stdin):
    try:
        if r["op"] == "cache":
            v = importlib.util.cache_from_source(r["path"], optimization=r["opt"] or "")
        else:
            v = importlib.util.source_from_cache(r["path"])
        out.append({"ok": v})
    except Exception as e:
        out.append({"err": "%s: %s" % (type(e).__name__, e)})
json.dump(out, sys.stdout)
`

type namingReq struct {
	Op   string `json:"op"`
	Path string `json:"path"`
	Opt  int    `json:"opt"`
}

// TestNamingAgainstInterpreters compares CacheName and SourceName with
// importlib.util.cache_from_source and source_from_cache of every
// interpreter on the machine.
func TestNamingAgainstInterpreters(t *testing.T) {
	for _, in := range pythons.Require(t, 2) {
		t.Run(in.Version+"_"+in.CacheTag, func(t *testing.T) {
			var reqs []namingReq
			var want []result
			for _, src := range sources {
				for _, opt := range []int{0, 1, 2, 10} {
					reqs = append(reqs, namingReq{"cache", src, opt})
					name, err := CacheName(src, in.CacheTag, opt)
					want = append(want, goResult(name, err))
					if err == nil {
						// Every name CacheName gives must map back as importlib maps it.
						reqs = append(reqs, namingReq{"source", name, 0})
						src, err := SourceName(name)
						want = append(want, goResult(src, err))
					}
				}
			}
			for _, pyc := range pycs {
				reqs = append(reqs, namingReq{"source", pyc, 0})
				src, err := SourceName(pyc)
				want = append(want, goResult(src, err))
			}
			var got []result
			in.RunJSON(t, namingScript, reqs, &got)
			if len(got) != len(reqs) {
				t.Fatalf("%d answers for %d requests", len(got), len(reqs))
			}
			for i, r := range reqs {
				g, w := got[i], want[i]
				switch {
				case (g.OK == nil) != (w.OK == nil):
					t.Errorf("%s(%q, opt %d): Go %s, Python %s", r.Op, r.Path, r.Opt, w, g)
				case g.OK != nil && *g.OK != *w.OK:
					t.Errorf("%s(%q, opt %d) = %q, Python %q", r.Op, r.Path, r.Opt, *w.OK, *g.OK)
				}
			}
		})
	}
}

func goResult(s string, err error) result {
	if err != nil {
		return result{Err: err.Error()}
	}
	return result{OK: &s}
}

// TestCacheName pins a few names so that a reader sees the shapes; the
// interpreters are the reference in TestNamingAgainstInterpreters.
func TestCacheName(t *testing.T) {
	tests := []struct {
		source   string
		optimize int
		want     string
	}{
		{"pkg/mod.py", 0, "pkg/__pycache__/mod.cpython-312.pyc"},
		{"pkg/mod.py", 2, "pkg/__pycache__/mod.cpython-312.opt-2.pyc"},
		{"a.b.py", 0, "__pycache__/a.b.cpython-312.pyc"},
		{"noext", 0, "__pycache__/noextcpython-312.pyc"},
		{"/x.py", 0, "__pycache__/x.cpython-312.pyc"},
	}
	for _, tt := range tests {
		got, err := CacheName(tt.source, "cpython-312", tt.optimize)
		if err != nil || got != tt.want {
			t.Errorf("CacheName(%q, %d) = %q, %v; want %q", tt.source, tt.optimize, got, err, tt.want)
		}
	}
	for _, bad := range []struct {
		tag string
		opt int
	}{{"", 0}, {"cpython-312", -1}} {
		if got, err := CacheName("x.py", bad.tag, bad.opt); err == nil {
			t.Errorf("CacheName(x.py, %q, %d) = %q, want an error", bad.tag, bad.opt, got)
		}
	}
}

func TestLegacyName(t *testing.T) {
	for src, want := range map[string]string{"x.py": "x.pyc", "a/b/m.py": "a/b/m.pyc", "noext": "noextc"} {
		if got := LegacyName(src); got != want {
			t.Errorf("LegacyName(%q) = %q, want %q", src, got, want)
		}
	}
}
