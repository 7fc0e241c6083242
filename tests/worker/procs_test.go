//go:build linux

package worker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rules-pyc/rules_pyc/internal/proctree"
)

// proc is one process as /proc describes it.
type proc = proctree.Proc

// descendants lists the processes whose parent chain leads to root (root
// itself excluded).
func descendants(t *testing.T, root int) []proc {
	t.Helper()
	procs, err := proctree.Descendants(root)
	if err != nil {
		t.Fatal(err)
	}
	return procs
}

// children lists the direct children of pid.
func children(pid int) []int { return proctree.Children(pid) }

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool { return proctree.Running(pid) }

// checkNoZombies fails the test if the running worker has a zombie in its
// process tree that is still there half a second later: a child it forgot
// to wait for.  (A compile that just ended is a zombie for a moment.)
func checkNoZombies(t *testing.T, workerPid int) {
	t.Helper()
	zombies := func() map[int]proc {
		z := map[int]proc{}
		for _, p := range descendants(t, workerPid) {
			if p.State == 'Z' {
				z[p.Pid] = p
			}
		}
		return z
	}
	first := zombies()
	if len(first) == 0 {
		return
	}
	time.Sleep(500 * time.Millisecond)
	for pid, p := range zombies() {
		if _, ok := first[pid]; ok {
			t.Errorf("zombie in the worker's process tree: %v", p)
		}
	}
}

// checkNoLeftovers fails the test if a process that the (exited) worker
// started is still running.  The test process is a child subreaper, so such
// a process has been re-parented to it.  Leftovers get a second to go, and
// are then killed.
func checkNoLeftovers(t *testing.T) {
	t.Helper()
	running, err := proctree.Leftovers(time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range running {
		t.Errorf("left running after the worker exited: %v", p)
		_ = unix.Kill(p.Pid, unix.SIGKILL)
	}
}

// checkOnlyFiles fails the test if dir holds anything but the named files
// (temporary or partial files left behind).
func checkOnlyFiles(t *testing.T, dir string, want map[string]bool) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	extra := 0
	for _, e := range entries {
		if !want[filepath.Join(dir, e.Name())] {
			if extra < 10 {
				t.Errorf("unexpected file in the output directory: %s", e.Name())
			}
			extra++
		}
	}
	if extra > 10 {
		t.Errorf("... %d unexpected files in all", extra)
	}
}
