//go:build linux

package worker

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/native"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// releaseSources are sources whose bytes differ between 3.13 patch
// releases (comprehensions and generator expressions), with the fixtures.
var releaseSources = map[string]string{
	"comps.py": "def f(xs):\n    return sum(x for x in xs), [y for y in xs if y], {z: z for z in xs}, {w for w in (v for v in xs)}\n",
}

// nativeOracle is the interpreter whose py_compile the default backend
// (auto) imitates for a request that sends only --python_version version
// with no interpreter named, when the native compiler covers that release:
// the interpreter of exactly the release version names (X.Y: the newest of
// X.Y known). covered is false when native does not cover it; found is
// false when no interpreter of that release is on the machine.
func nativeOracle(t *testing.T, version string) (py pythons.Interpreter, covered, found bool) {
	t.Helper()
	r, _, err := release.Parse(version)
	if err != nil || native.Check(r) != nil {
		return py, false, false
	}
	for _, in := range pythons.Minor(t, r.Major, r.Minor) {
		if in.Version == r.String() && !in.Embedded {
			return in, true, true
		}
	}
	return py, true, false
}

// TestDefaultNoInterpreter: a worker started as rules_python starts its
// precompiler (nothing but --persistent_worker), with an empty PATH, so
// that no interpreter can be found, compiles rules_python's requests for
// 3.13 with the native compiler (the default backend, auto): --python_version
// 3.13 as the newest 3.13 release known, a pinned 3.13.N as that release.
// Over proto and JSON, and run once with an @paramfile, at every optimize
// level, the outputs are the py_compile bytes of an interpreter of that
// release.
func TestDefaultNoInterpreter(t *testing.T) {
	versions := []string{"3.13"}
	for _, in := range pythons.Minor(t, 3, 13) {
		if _, covered, _ := nativeOracle(t, in.Version); covered && !in.Embedded {
			versions = append(versions, in.Version)
		}
	}
	dir := t.TempDir()
	var srcs []file
	names := map[string]string{}
	for name, text := range fixtures {
		names[name] = text
	}
	for name, text := range releaseSources {
		names[name] = text
	}
	for name, text := range names {
		src := filepath.Join(dir, name)
		if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, file{src: src, name: "pkg/" + name})
	}
	env := []string{"PATH="}
	compared := 0
	for _, version := range versions {
		oracle, _, found := nativeOracle(t, version)
		if !found {
			t.Logf("--python_version %s: no interpreter of that release here to compare with", version)
			continue
		}
		compared++
		t.Run(version, func(t *testing.T) {
			// want[level][i] is srcs[i]'s bytes at that level.
			var want [3][][]byte
			for level := range want {
				specs := make([]pyref.Spec, len(srcs))
				for i, f := range srcs {
					specs[i] = pyref.Spec{Source: f.src, DFile: f.name, Mode: pyref.CheckedHash, Optimize: level}
				}
				res, err := pyref.CompileAllWith(oracle.Runner(), specs, t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				for i, r := range res {
					if r.Error != "" {
						t.Fatalf("%s refused %s: %s", oracle, srcs[i].src, r.Error)
					}
					want[level] = append(want[level], r.Data)
				}
			}
			request := func(level, i int, pyc string) []string {
				return rulesPythonArgs(rulesPythonCase{"checked_hash", level}, srcs[i].src, srcs[i].name, pyc, version)
			}
			check := func(t *testing.T, level, i int, pyc string) {
				t.Helper()
				if got := mustReadFile(t, pyc); !bytes.Equal(got, want[level][i]) {
					t.Errorf("-O%d %s: differs from %s's py_compile", level, srcs[i].name, oracle)
				}
			}
			for _, w := range []wire{protoWire, jsonLines} {
				t.Run(w.String(), func(t *testing.T) {
					out := t.TempDir()
					wk := startWorker(t, w, workerOptions{dir: dir, env: env})
					id := int32(0)
					for level := range want {
						for i := range srcs {
							id++
							pyc := filepath.Join(out, fmt.Sprintf("%d-%d.pyc", level, i))
							if err := wk.send(&workerpb.WorkRequest{RequestId: id, Arguments: request(level, i, pyc)}); err != nil {
								t.Fatal(err)
							}
						}
					}
					wk.closeStdin()
					resps := wk.recvAll()
					if len(resps) != int(id) {
						t.Errorf("%d responses for %d requests", len(resps), id)
					}
					for _, r := range resps {
						if r.GetExitCode() != 0 {
							t.Errorf("request %d: exit code %d: %s", r.GetRequestId(), r.GetExitCode(), r.GetOutput())
						}
					}
					for level := range want {
						for i := range srcs {
							check(t, level, i, filepath.Join(out, fmt.Sprintf("%d-%d.pyc", level, i)))
						}
					}
					if code := wk.wait(10 * time.Second); code != 0 {
						t.Errorf("exit code %d, want 0", code)
					}
					wk.checkStderr()
				})
			}
			t.Run("standalone", func(t *testing.T) {
				out := t.TempDir()
				params := filepath.Join(out, "req.params")
				pyc := filepath.Join(out, "x.pyc")
				if err := os.WriteFile(params, []byte(strings.Join(request(2, 0, pyc), "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(pycBinary, "@"+params)
				cmd.Dir, cmd.Env = dir, env
				if b, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("pyc @params: %v\n%s", err, b)
				}
				check(t, 2, 0, pyc)
			})
			checkNoLeftovers(t)
		})
	}
	if compared == 0 {
		t.Fatalf("no interpreter of any of the releases %v to compare with", versions)
	}
}
