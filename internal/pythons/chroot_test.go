package pythons

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestChrooted checks each interpreter of the chroots (sid's, and trixie's
// 3.13.5) against what it says when asked again through Command, and that
// Minor lists it.
func TestChrooted(t *testing.T) {
	found := Chrooted(t)
	trixie := ChrootedSuite(t, "trixie")
	if len(found) == 0 && len(trixie) == 0 {
		t.Skip("no chroot interpreters (see the log)")
	}
	for _, in := range trixie {
		if in.Suite != "trixie" || in.Major != 3 || in.Minor != 13 {
			t.Errorf("trixie's chroot lists %s (suite %q)", in, in.Suite)
		}
	}
	for _, in := range append(found, trixie...) {
		if in.Chroot == "" {
			t.Errorf("%s: no Chroot program", in)
		}
		out, err := in.Command(context.Background(), "-S", "-s", "-c",
			"import sys; print('%d.%d.%d' % sys.version_info[:3], sys.executable)").Output()
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		want := fmt.Sprintf("%d.%d.%d %s", in.Major, in.Minor, in.Micro, in.Path)
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%s says %q, want %q", in, got, want)
		}
		var listed bool
		for _, m := range Minor(t, in.Major, in.Minor) {
			listed = listed || m == in
		}
		if !listed {
			t.Errorf("Minor(%d, %d) does not list %s", in.Major, in.Minor, in)
		}
	}
}

// TestStdlib checks that every 3.13's stdlib holds its own os.py, as the
// interpreter reads it, and no site-packages.
func TestStdlib(t *testing.T) {
	for _, in := range Minor(t, 3, 13) {
		t.Run(in.Version, func(t *testing.T) {
			s := in.Stdlib(t)
			t.Logf("%s: %d files under %s", in, len(s.Files), s.Root)
			for _, f := range s.Files {
				if strings.Contains("/"+f, "/site-packages/") || strings.Contains("/"+f, "/__pycache__/") {
					t.Errorf("%s: %s is listed", in, f)
				}
			}
			data, err := os.ReadFile(filepath.Join(s.Root, "os.py"))
			if err != nil {
				t.Fatal(err)
			}
			out, err := in.Command(context.Background(), "-S", "-s", "-c",
				"import os, sys; sys.stdout.buffer.write(open(os.__file__, 'rb').read())").Output()
			if err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			if !bytes.Equal(data, out) {
				t.Errorf("%s: os.py of the copy differs from the interpreter's (%d and %d bytes)", in, len(data), len(out))
			}
			if again := in.Stdlib(t); again.Root != s.Root {
				t.Errorf("second call: %s, first %s", again.Root, s.Root)
			}
		})
	}
}

// TestChrootInterpreters runs this package's tests again inside the chroot,
// where Find must list exactly the chroot's interpreters (TestFindInChroot).
func TestChrootInterpreters(t *testing.T) {
	RunInChroot(t)
}

// TestChrootRecipe checks, from the host, that the chroot holds the three
// sid interpreters its recipe installs, and that Program runs a program
// beside them with the test's temporary directory at the same path and the
// program's own exit status.
func TestChrootRecipe(t *testing.T) {
	if InChroot() {
		t.Skip("checks the chroot from the host; inside, TestFindInChroot runs")
	}
	found := RequireChrooted(t)
	minors := map[int]bool{}
	for _, in := range found {
		if !strings.HasPrefix(in.Path, "/usr/bin/python3.") {
			t.Errorf("%s: want an interpreter in the chroot's /usr/bin", in)
		}
		minors[in.Minor] = true
	}
	for _, minor := range []int{13, 14, 15} {
		if !minors[minor] {
			t.Errorf("the chroot has no python3.%d: %v", minor, found)
		}
	}
	dir := t.TempDir()
	cmd := found[len(found)-1].Program(context.Background(), "/bin/sh", "-c", `printf %s "$PWD" > out; exit 7`)
	cmd.Dir = dir
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Errorf("Program: %v, want the program's exit status 7", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "out"))
	if err != nil || string(got) != dir {
		t.Errorf("Program: the program wrote %q (%v), want its working directory %q", got, err, dir)
	}
}

// TestFindInChroot checks, inside the chroot, that Find lists the
// interpreters RunInChroot named and none of the host's, and that Chrooted
// lists none.
func TestFindInChroot(t *testing.T) {
	if !InChroot() {
		t.Skip("runs inside the chroot (TestChrootInterpreters starts it there)")
	}
	want := filepath.SplitList(os.Getenv(EnvVar))
	var got []string
	for _, in := range Require(t, 2) {
		got = append(got, in.Path)
		if in.Chroot != "" {
			t.Errorf("%s: Chroot is set inside the chroot", in)
		}
	}
	if strings.Join(got, ":") != strings.Join(want, ":") {
		t.Errorf("Find = %v, want the chroot's %v", got, want)
	}
	if c := Chrooted(t); len(c) != 0 {
		t.Errorf("Chrooted inside the chroot = %v, want none", c)
	}
}
