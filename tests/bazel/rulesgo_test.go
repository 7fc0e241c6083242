package bazel

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// checkoutGo is the clone whose examples build pyc with the real rules_go:
// their Bazel servers and output bases are their own, apart from the stand-in
// builds of the other tests.
var checkoutGo = struct {
	once sync.Once
	dir  string
}{}

func cloneGo(t testing.TB) string {
	t.Helper()
	checkoutGo.once.Do(func() {
		checkoutGo.dir = checkout(t, filepath.Join(env.tmp, "go", "rules_pyc"))
	})
	if checkoutGo.dir == "" {
		t.Fatal("the rules_go checkout could not be created")
	}
	return checkoutGo.dir
}

// hostGoroot returns the GOROOT of the go on PATH, symlinks resolved.
func hostGoroot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	dir, err := filepath.EvalSymlinks(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// goSDKRepository is where each mode's host SDK repository lies below the
// output base: go_sdk.host(name = "go_sdk") under bzlmod,
// go_register_toolchains(go_version = "host") in WORKSPACE.
var goSDKRepository = map[mode]string{
	bzlmod:     "external/rules_go~~go_sdk~go_sdk",
	workspaceM: "external/go_sdk",
}

// TestRulesGo builds the examples as a user with network would, except that
// rules_go 0.50.1 and gazelle 0.38.0 come from the fixtures: //tool/pyc is a
// go_binary built by rules_go with this machine's Go SDK, its Go modules come
// from gazelle's go_deps (bzlmod) or go_repository (WORKSPACE) through the Go
// module proxy, and the rules compile with that pyc, from bazel-out. The
// checkout lies under /tmp, which Bazel 7 hides from sandboxed actions.
func TestRulesGo(t *testing.T) {
	rc := fixtureRC(t, "rules_go")
	root := cloneGo(t)
	py := examplePython(t)
	goroot := hostGoroot(t)
	for _, m := range []mode{bzlmod, workspaceM} {
		t.Run(string(m), func(t *testing.T) {
			w := newWorkspace(t, filepath.Join(root, "examples", string(m)), m, py.Path)
			w.rcs = []string{rc}
			w.ownGo = true

			log := filepath.Join(t.TempDir(), "exec.json")
			start := time.Now()
			w.mustBazel("build", "--execution_log_json_file="+log, "//...")
			t.Logf("%s example, rules_go from scratch: %s", m, time.Since(start).Round(time.Second))
			spawns := readExecLog(t, log)

			linked := false
			for _, s := range withMnemonic(spawns, "GoLink") {
				linked = linked || strings.HasSuffix(s.TargetLabel, "//tool/pyc:pyc")
			}
			if !linked {
				t.Errorf("no GoLink of //tool/pyc in the build: rules_go did not build pyc")
			}
			compiles := withMnemonic(spawns, "PycCompile")
			if len(compiles) == 0 {
				t.Fatal("no PycCompile action ran")
			}
			for _, s := range compiles {
				if exe := s.CommandArgs[0]; !strings.HasPrefix(exe, "bazel-out/") || !strings.HasSuffix(exe, "tool/pyc/pyc_/pyc") {
					t.Errorf("%s: PycCompile ran %s, want the pyc rules_go built in bazel-out", s.TargetLabel, exe)
				}
			}
			// pure = "on": static, whatever C toolchain Bazel found (the
			// chroot has gcc).
			if err := gobuild.CheckStatic(filepath.Join(w.info("execution_root"), compiles[0].CommandArgs[0])); err != nil {
				t.Errorf("rules_go's pyc: %v", err)
			}

			// The SDK is the host's: its repository links to this GOROOT.
			sdk := filepath.Join(w.info("output_base"), goSDKRepository[m], "bin", "go")
			if got, err := filepath.EvalSymlinks(sdk); err != nil || got != filepath.Join(goroot, "bin", "go") {
				t.Errorf("the Go SDK's go is %s (%v), want the host's %s", got, err, filepath.Join(goroot, "bin", "go"))
			}

			// What rules_go's pyc wrote is py_compile's, and the binary runs from it.
			for _, src := range []string{"greet/__init__.py", "greet/greeting.py"} {
				dir, base := filepath.Split(src)
				out := filepath.Join(w.dir, "bazel-bin", dir, "__pycache__", strings.TrimSuffix(base, ".py")+"."+py.CacheTag+".pyc")
				got, err := os.ReadFile(out)
				if err != nil {
					t.Errorf("%s: %v", src, err)
					continue
				}
				if want := pyCompile(t, py, filepath.Join(w.dir, src), src, 0, pyref.CheckedHash); !bytes.Equal(got, want) {
					t.Errorf("%s differs from py_compile's: %s", out, firstDiff(got, want))
				}
			}
			out := w.mustBazel("run", "//app:hello").stdout
			if got := loaders(t, out)["greet.greeting"]; got[0] != "SourceFileLoader" || !strings.HasSuffix(got[1], "greet/__pycache__/greeting."+py.CacheTag+".pyc") {
				t.Errorf("//app:hello: greet.greeting loaded by %v, want its pyc", got)
			}

			// New PycCompile actions (another level), sandboxed: the pyc in
			// bazel-out is visible there, though the checkout is not.
			log = filepath.Join(t.TempDir(), "sandboxed.json")
			w.mustBazel("build", "--execution_log_json_file="+log, "--strategy=PycCompile=sandboxed",
				"--@rules_pyc//rules:optimize_level=2", "//greet")
			sandboxed := withMnemonic(readExecLog(t, log), "PycCompile")
			if len(sandboxed) == 0 {
				t.Error("no sandboxed PycCompile ran")
			}
			for _, s := range sandboxed {
				if s.Runner != "linux-sandbox" && s.Runner != "processwrapper-sandbox" {
					t.Errorf("%s: runner %q, want a sandbox", s.TargetLabel, s.Runner)
				}
			}

			if m == bzlmod {
				buildAllGo(t, w)
			}
		})
	}
}

// execFilesBzl has two rules. exec_files builds its srcs in the exec
// configuration, the one pyc is built in for the toolchain; pure_files
// builds its srcs pure (@rules_go//go/config:pure), as pyc is built
// (pure = "on"). exec_files over pure_files builds them in pyc's own
// configuration: the Go standard library is built for it already, and any
// other configuration would build that again (minutes). rules_pyc has no
// cgo, so pure is how its Go ships.
const execFilesBzl = `"""Builds srcs in the exec configuration (exec_files), pure (pure_files)."""

def _files_impl(ctx):
    return [DefaultInfo(files = depset(ctx.files.srcs))]

exec_files = rule(
    implementation = _files_impl,
    attrs = {"srcs": attr.label_list(cfg = "exec")},
)

def _pure_impl(_settings, _attr):
    return {"@rules_go//go/config:pure": True}

_pure = transition(
    implementation = _pure_impl,
    inputs = [],
    outputs = ["@rules_go//go/config:pure"],
)

pure_files = rule(
    implementation = _files_impl,
    attrs = {
        "srcs": attr.label_list(cfg = _pure),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
`

// buildAllGo builds every go_library, go_binary and go_test that gazelle
// generated for rules_pyc, with rules_go.
func buildAllGo(t *testing.T, w *workspace) {
	t.Helper()
	out := w.mustBazel("cquery", "--output=label",
		`kind("go_library|go_binary|go_test", @rules_pyc//compiler/... + @rules_pyc//tool/... + @rules_pyc//internal/...)`).stdout
	// A target can be listed once per configuration: pyc's libraries are
	// also built pure, for pyc.
	var labels []string
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if label, _, _ := strings.Cut(line, " "); label != "" && !seen[label] {
			seen[label] = true
			labels = append(labels, fmt.Sprintf("%q", label))
		}
	}
	if len(labels) < 20 {
		t.Fatalf("found only %d Go targets:\n%s", len(labels), out)
	}
	dir := filepath.Join(w.dir, "allgo")
	t.Cleanup(func() { os.RemoveAll(dir) })
	writeFiles(t, dir, map[string]string{
		"exec.bzl": execFilesBzl,
		"BUILD.bazel": "load(\":exec.bzl\", \"exec_files\", \"pure_files\")\n\n" +
			"exec_files(\n    name = \"all\",\n    testonly = True,\n    srcs = [\":pure\"],\n)\n\n" +
			"pure_files(\n    name = \"pure\",\n    testonly = True,\n    srcs = [\n        " +
			strings.Join(labels, ",\n        ") + ",\n    ],\n)\n",
	})
	start := time.Now()
	// Most of them are private to rules_pyc.
	w.mustBazel("build", "--nocheck_visibility", "//allgo:all")
	t.Logf("every Go package, binary and test of rules_pyc (%d targets): %s", len(labels), time.Since(start).Round(time.Second))
}
