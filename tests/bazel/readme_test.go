package bazel

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
)

// readmeFirstCommand returns the first command of README.md: the first line
// of its first sh block that is not a comment.
func readmeFirstCommand(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(env.repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	in := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case !in && line == "```sh":
			in = true
		case in && line == "```":
			t.Fatal("README.md's first sh block has no command")
		case in && line != "" && !strings.HasPrefix(line, "#"):
			return line
		}
	}
	t.Fatal("README.md has no sh block")
	return ""
}

// cloneRepository makes dst a clone of this repository at its HEAD, as a
// user's `git clone` would be. When the working tree has changes (while
// developing), it copies the files git would commit instead.
func cloneRepository(t *testing.T, dst string) {
	t.Helper()
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return string(out)
	}
	if status := git(env.repo, "status", "--porcelain"); status != "" {
		t.Logf("the working tree has changes: %s gets a copy of its files instead of a clone", dst)
		for _, name := range strings.Split(strings.TrimRight(git(env.repo, "ls-files", "--cached", "--others", "--exclude-standard"), "\n"), "\n") {
			src := filepath.Join(env.repo, name)
			if info, err := os.Lstat(src); err != nil || !info.Mode().IsRegular() {
				continue // deleted, or a symlink
			}
			if err := copyFile(src, filepath.Join(dst, name)); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	head := strings.TrimSpace(git(env.repo, "rev-parse", "HEAD"))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	git(filepath.Dir(dst), "clone", "--quiet", "--no-checkout", env.repo, dst)
	git(dst, "checkout", "--quiet", head)
}

// TestReadmeDiskCache follows README.md's first command (build pyc with go,
// then build and run the example with Bazel) in two clones at different
// absolute paths under /tmp, each building its own pyc, with one shared
// --disk_cache. The second clone builds its pyc in the Debian sid chroot,
// whose gcc is not the host's, as a machine with another C compiler would.
// The two pyc binaries are identical and static, so the second clone gets
// every PycCompile action from the cache, and the outputs are identical.
// The rest of the example (//...) goes the same way.
func TestReadmeDiskCache(t *testing.T) {
	command := readmeFirstCommand(t)
	const goBuild = "CGO_ENABLED=0 go build "
	const bazel = "scripts/bazel --bazelrc=../offline.bazelrc run "
	build, rest, ok := strings.Cut(command, " && ")
	if !ok || !strings.HasPrefix(build, goBuild) || !strings.Contains(rest, bazel) {
		t.Fatalf("README.md's first command changed; this test expects `%s... && ...` and %q in it:\n%s", goBuild, bazel, command)
	}
	// scripts/chroot runs a program in the sid chroot of scripts/bazel.
	chroot := filepath.Join(env.repo, "scripts", "chroot")
	for _, where := range [][]string{{"gcc"}, {chroot, "gcc"}} {
		out, err := exec.Command(where[0], append(where[1:], "--version")...).Output()
		first, _, _ := strings.Cut(string(out), "\n")
		t.Logf("%s: %s (%v)", strings.Join(where, " "), first, err)
	}
	dir := filepath.Join(env.tmp, "readme")
	cache := filepath.Join(dir, "disk_cache")
	clones := []string{
		filepath.Join(dir, "one", "rules_pyc"),
		filepath.Join(dir, "somewhere", "else", "entirely", "rules_pyc"),
	}
	var logs []string
	for i, clone := range clones {
		cloneRepository(t, clone)
		example := filepath.Join(clone, "examples", "bzlmod")
		t.Cleanup(func() {
			// The README's Bazel runs with the default output root: remove
			// what it made there and stop its server.
			for _, args := range [][]string{{"clean", "--expunge"}, {"shutdown"}} {
				cmd := exec.Command(filepath.Join(clone, "scripts", "bazel"), append([]string{"--bazelrc=../offline.bazelrc"}, args...)...)
				cmd.Dir = example
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Logf("bazel %s in %s: %v\n%s", args[0], example, err, out)
				}
			}
		})

		// The README's command, with two changes: the second clone builds
		// pyc in the chroot, and the Bazel command also gets the shared
		// disk cache and an execution log.
		if i == 1 {
			cmd := exec.Command(chroot, "bash", "-c", build)
			cmd.Dir = clone
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("clone %d: %s in the chroot: %v\n%s", i+1, build, err, tail(string(out), 40))
			}
		}
		log := filepath.Join(t.TempDir(), "exec.json")
		logs = append(logs, log)
		line := command
		if i == 1 {
			line = rest // pyc is built already
		}
		line = strings.Replace(line, bazel, bazel+"--disk_cache="+cache+" --execution_log_json_file="+log+" ", 1)
		cmd := exec.Command("bash", "-c", line)
		cmd.Dir = clone
		var stdout, stderr bytes.Buffer
		cmd.Stdout = &stdout
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("clone %d: %s: %v\n%s", i+1, line, err, tail(stderr.String(), 40))
		}
		if !strings.Contains(stdout.String(), "Hello, world!") {
			t.Errorf("clone %d: //app:hello printed %q, want Hello, world!", i+1, stdout.String())
		}
	}

	first, err := os.ReadFile(filepath.Join(clones[0], "pyc"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile(filepath.Join(clones[1], "pyc"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("the two clones built different pyc binaries (the second with the chroot's C compiler): %s", firstDiff(first, second))
	}
	if err := gobuild.CheckStatic(filepath.Join(clones[0], "pyc")); err != nil {
		t.Error(err)
	}
	checkAllHits(t, "README command", readExecLog(t, logs[0]), readExecLog(t, logs[1]))

	// The whole example, the same way.
	var spawns [][]spawn
	for _, clone := range clones {
		log := filepath.Join(t.TempDir(), "all.json")
		cmd := exec.Command(filepath.Join(clone, "scripts", "bazel"), "--bazelrc=../offline.bazelrc", "build",
			"--disk_cache="+cache, "--execution_log_json_file="+log, "//...")
		cmd.Dir = filepath.Join(clone, "examples", "bzlmod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("bazel build //... in %s: %v\n%s", clone, err, tail(string(out), 30))
		}
		spawns = append(spawns, readExecLog(t, log))
	}
	checkAllHits(t, "//...", spawns[0], spawns[1])

	filesA := pycFiles(t, filepath.Join(clones[0], "examples", "bzlmod", "bazel-bin"))
	filesB := pycFiles(t, filepath.Join(clones[1], "examples", "bzlmod", "bazel-bin"))
	if len(filesA) == 0 || len(filesA) != len(filesB) {
		t.Fatalf("%d .pyc files in the first clone, %d in the second", len(filesA), len(filesB))
	}
	for _, name := range sortedKeys(filesA) {
		if !bytes.Equal(filesA[name], filesB[name]) {
			t.Errorf("%s differs between the clones: %s", name, firstDiff(filesA[name], filesB[name]))
		}
	}
	t.Logf("%d .pyc files identical in both clones", len(filesA))
}

// checkAllHits fails unless the second build took every PycCompile action
// the first one ran from the cache.
func checkAllHits(t *testing.T, what string, first, second []spawn) {
	t.Helper()
	ran := withMnemonic(first, "PycCompile")
	if len(ran) == 0 {
		t.Fatalf("%s: the first clone ran no PycCompile action", what)
	}
	hits := 0
	for _, s := range withMnemonic(second, "PycCompile") {
		if s.CacheHit {
			hits++
		} else {
			t.Errorf("%s: %s: PycCompile was not a cache hit in the second clone (runner %q)", what, s.TargetLabel, s.Runner)
		}
	}
	if hits != len(ran) {
		t.Errorf("%s: %d of %d PycCompile actions were cache hits in the second clone", what, hits, len(ran))
	}
	t.Logf("%s: %d of %d PycCompile actions were cache hits in the second clone", what, hits, len(ran))
}
