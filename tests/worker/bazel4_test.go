//go:build linux

package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
	"github.com/rules-pyc/rules_pyc/internal/proctree"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// bazel4Defs is a rule that compiles each source in its own action, run by
// pyc as a JSON persistent worker, with the request in a multiline @file.
const bazel4Defs = `def _impl(ctx):
    outs = []
    for src in ctx.files.srcs:
        out = ctx.actions.declare_file(src.basename + "c")
        args = ctx.actions.args()
        args.use_param_file("@%s", use_always = True)
        args.set_param_file_format("multiline")
        args.add("--invalidation_mode", "checked_hash")
        args.add("--src", src)
        args.add("--src_name", src.short_path)
        args.add("--pyc", out)
        args.add("--optimize", "0")
        ctx.actions.run(
            executable = ctx.executable._pyc,
            arguments = ["--python", ctx.attr.python, args],
            inputs = [src],
            outputs = [out],
            mnemonic = "PyCompile",
            execution_requirements = {"supports-workers": "1", "requires-worker-protocol": "json"},
        )
        outs.append(out)
    return [DefaultInfo(files = depset(outs))]

pyc_files = rule(
    implementation = _impl,
    attrs = {
        "srcs": attr.label_list(allow_files = True),
        "python": attr.string(),
        "_pyc": attr.label(default = "//tools:pyc", executable = True, cfg = "host", allow_single_file = True),
    },
)
`

// TestBazel4JSON builds with Debian's Bazel 4.2.3 (bookworm's package
// bazel-bootstrap, run as bazel-4 in the chroot of scripts/chroot --suite
// bookworm) as a real client of the JSON protocol: it writes requests back
// to back with no newline, one at a time to a single worker, and reads
// responses with its own JSON reader.  Every action must run in the worker
// and write py_compile's bytes, and after `bazel shutdown` nothing the worker
// started may be left running.  Where the chroot cannot be had (not root, no
// Debian archive) the test is skipped, and under CI it fails.
func TestBazel4JSON(t *testing.T) {
	if testing.Short() {
		t.Skip("starting a Bazel server takes a minute; skipped with -short")
	}
	bazel := bazel4(t)
	in := python(t)
	root, err := os.MkdirTemp("", "pyc-bazel4-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Bazel's install base is read-only.
		_ = exec.Command("chmod", "-R", "u+w", root).Run()
		os.RemoveAll(root)
	})
	ws := filepath.Join(root, "ws")
	files := map[string]string{
		"WORKSPACE":         `workspace(name = "w")` + "\n",
		"defs.bzl":          bazel4Defs,
		"tools/BUILD":       `exports_files(["pyc"])` + "\n",
		"../stub/WORKSPACE": "",
		"../stub/BUILD":     "",
	}
	var srcs []string
	for name, text := range fixtures {
		files["pkg/"+name] = text
		srcs = append(srcs, `"pkg/`+name+`"`)
	}
	files["BUILD"] = "load(\":defs.bzl\", \"pyc_files\")\n\npyc_files(\n    name = \"lib\",\n    srcs = [" +
		strings.Join(srcs, ", ") + "],\n    python = \"" + in.Path + "\",\n)\n"
	for name, text := range files {
		p := filepath.Join(ws, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyFile(pycBinary, filepath.Join(ws, "tools/pyc")); err != nil {
		t.Fatal(err)
	}

	startup := []string{"--output_user_root=" + filepath.Join(root, "user_root"), "--max_idle_secs=60"}
	run := func(args ...string) ([]byte, error) {
		// A worker that never answers leaves Bazel waiting forever.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bazel[0], append(append(append([]string{}, bazel[1:]...), startup...), args...)...)
		cmd.Dir = ws
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		// The Bazel server daemonizes, so it is re-parented to this test
		// process (a subreaper). The client waits for the server's pid to
		// go away, so reap it, and only it, while the client runs.
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		for {
			select {
			case err := <-done:
				return out.Bytes(), err
			case <-time.After(100 * time.Millisecond):
				reapAdoptedZombies(cmd.Process.Pid)
			}
		}
	}
	t.Cleanup(func() { _, _ = run("shutdown") })
	execLog := filepath.Join(root, "exec.json")
	out, err := run("build",
		"--experimental_worker_allow_json_protocol",
		"--strategy=PyCompile=worker",
		"--worker_max_instances=1",
		"--override_repository=remote_coverage_tools="+filepath.Join(root, "stub"),
		"--execution_log_json_file="+execLog,
		"//:lib")
	if err != nil {
		logs, _ := filepath.Glob(filepath.Join(root, "user_root", "*", "bazel-workers", "*.log"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Logf("%s:\n%s", filepath.Base(l), b)
		}
		t.Fatalf("bazel build: %v\n%s", err, out)
	}

	// Every PyCompile action ran in the worker.
	data := mustReadFile(t, execLog)
	dec := json.NewDecoder(bytes.NewReader(data))
	workers := 0
	for {
		var spawn struct {
			Mnemonic string `json:"mnemonic"`
			Runner   string `json:"runner"`
		}
		if err := dec.Decode(&spawn); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("execution log: %v", err)
		}
		if spawn.Mnemonic != "PyCompile" {
			continue
		}
		if spawn.Runner != "worker" {
			t.Errorf("a PyCompile action ran with runner %q, not in the worker", spawn.Runner)
		}
		workers++
	}
	if workers != len(fixtures) {
		t.Errorf("%d PyCompile actions ran in the worker, want %d", workers, len(fixtures))
	}

	var sources []file
	for name := range fixtures {
		sources = append(sources, file{src: filepath.Join(ws, "pkg", name), name: "pkg/" + name})
	}
	want := reference(t, in, sources, pyref.CheckedHash, 0)
	bin := filepath.Join(ws, "bazel-bin")
	for i, f := range sources {
		got := mustReadFile(t, filepath.Join(bin, filepath.Base(f.src)+"c"))
		if !bytes.Equal(got, want[i]) {
			t.Errorf("%s built by Bazel 4 differs from py_compile's output", f.name)
		}
	}

	if out, err := run("shutdown"); err != nil {
		t.Fatalf("bazel shutdown: %v\n%s", err, out)
	}
	checkNoLeftovers(t)
}

// bazel4Setup bounds the first use of the bookworm chroot, which builds it:
// debootstrap and the packages, about two minutes once per machine.
const bazel4Setup = 20 * time.Minute

// bazel4 returns the command line that runs Bazel 4 in the bookworm chroot,
// after building the chroot if need be. When that cannot be done it skips
// the test, or fails it under CI.
func bazel4(t *testing.T) []string {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		if pythons.OnCI() {
			t.Fatalf("Bazel 4 is needed under %s: "+format, append([]any{pythons.CIEnv}, args...)...)
		}
		t.Skipf("Bazel 4 is unavailable: "+format, args...)
	}
	if pythons.InChroot() {
		unavailable("this test runs inside a chroot, and scripts/chroot does not nest")
	}
	if os.Geteuid() != 0 {
		unavailable("scripts/chroot needs root")
	}
	root, err := gobuild.Root()
	if err != nil {
		t.Fatal(err)
	}
	chroot := filepath.Join(root, "scripts", "chroot")
	ctx, cancel := context.WithTimeout(context.Background(), bazel4Setup)
	defer cancel()
	out, err := exec.CommandContext(ctx, chroot, "--suite", "bookworm", "sh", "-c", "command -v bazel-4").CombinedOutput()
	if err != nil {
		unavailable("the bookworm chroot: %v\n%s", err, out)
	}
	return []string{chroot, "--suite", "bookworm", "bazel-4"}
}

// reapAdoptedZombies reaps the zombies among this process's children, except
// not, a child that exec.Cmd will wait for.
func reapAdoptedZombies(not int) {
	all, err := proctree.All()
	if err != nil {
		return
	}
	self := os.Getpid()
	for _, p := range all {
		if p.PPid == self && p.State == 'Z' && p.Pid != not {
			var st unix.WaitStatus
			_, _ = unix.Wait4(p.Pid, &st, unix.WNOHANG, nil)
		}
	}
}

// copyFile copies an executable.
func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755)
}
