package bazel

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// thirdParty is the module "thirdparty" of the corpus workspace and the
// package //third that compiles it.
var thirdParty = map[string]string{
	"thirdparty/MODULE.bazel":          "module(name = \"thirdparty\")\n",
	"thirdparty/BUILD.bazel":           "",
	"thirdparty/lib/BUILD.bazel":       "py_library(\n    name = \"lib\",\n    srcs = [\"util.py\"],\n    visibility = [\"//visibility:public\"],\n    deps = [\"//lib/inner\"],\n)\n",
	"thirdparty/lib/util.py":           "from lib.inner import core\n\n\ndef twice(x):\n    return core.once(x) * 2\n",
	"thirdparty/lib/inner/BUILD.bazel": "py_library(\n    name = \"inner\",\n    srcs = [\"core.py\"],\n    visibility = [\"//visibility:public\"],\n)\n",
	"thirdparty/lib/inner/core.py":     "def once(x):\n    \"\"\"Returns x.\"\"\"\n    return x\n",
	"third/BUILD.bazel":                "load(\"@rules_pyc//rules:defs.bzl\", \"pyc_library\")\n\npyc_library(\n    name = \"third_pyc\",\n    deps = [\"@thirdparty//lib\"],\n)\n",
}

// TestPycLibraryThirdParty compiles another module's py_library targets (Bazel's
// own rule, two levels of deps) through pyc_library: the .pyc files land in
// __pycache__ beside the sources of that repository, record the path relative
// to that repository's root, and equal py_compile's.
func TestPycLibraryThirdParty(t *testing.T) {
	py := pickPython(t)
	c := corpus(t, bzlmod, py)
	c.mustBazel("build", "//third:third_pyc")

	// bazel-bin/external/<canonical name of thirdparty>/...
	repos, err := filepath.Glob(filepath.Join(c.dir, "bazel-bin", "external", "thirdparty*"))
	if err != nil || len(repos) != 1 {
		t.Fatalf("the third-party repository's outputs: %q, %v", repos, err)
	}
	for _, src := range []string{"lib/util.py", "lib/inner/core.py"} {
		dir, base := filepath.Split(src)
		out := filepath.Join(repos[0], dir, "__pycache__", strings.TrimSuffix(base, ".py")+"."+py.CacheTag+".pyc")
		got, err := os.ReadFile(out)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		want := pyCompile(t, py, filepath.Join(c.dir, "thirdparty", src), src, 0, pyref.CheckedHash)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: pyc_library's pyc differs from py_compile's with dfile %s: %s", src, src, firstDiff(got, want))
		}
	}
}
