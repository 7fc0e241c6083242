//go:build linux

package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// proc is one process as /proc describes it.
type proc struct {
	pid, ppid int
	state     byte // R, S, D, Z, ...
	cmdline   string
}

func (p proc) String() string {
	cmd := p.cmdline
	if len(cmd) > 100 {
		cmd = cmd[:100] + "..."
	}
	return fmt.Sprintf("pid %d (ppid %d, state %c): %s", p.pid, p.ppid, p.state, cmd)
}

// processes reads every process of the machine from /proc.  Processes that
// exit during the scan are skipped.
func processes() (map[int]proc, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("read /proc: %w", err)
	}
	all := map[int]proc{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, err := strconv.Atoi(fields[1])
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		all[pid] = proc{pid: pid, ppid: ppid, state: fields[0][0], cmdline: strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " ")}
	}
	return all, nil
}

// descendants lists the processes whose parent chain leads to root (root
// itself excluded).
func descendants(t *testing.T, root int) []proc {
	t.Helper()
	all, err := processes()
	if err != nil {
		t.Fatal(err)
	}
	var out []proc
	for _, p := range all {
		for q, n := p, 0; n < 64; n++ {
			if q.ppid == root {
				out = append(out, p)
				break
			}
			parent, ok := all[q.ppid]
			if !ok || q.ppid <= 1 {
				break
			}
			q = parent
		}
	}
	return out
}

// children lists the direct children of pid, from /proc/PID/task/*/children.
func children(pid int) []int {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	var out []int
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z'
}

// checkNoZombies fails the test if the running worker has a zombie in its
// process tree that is still there half a second later: a child it forgot
// to wait for.  (A compile that just ended is a zombie for a moment.)
func checkNoZombies(t *testing.T, workerPid int) {
	t.Helper()
	zombies := func() map[int]proc {
		z := map[int]proc{}
		for _, p := range descendants(t, workerPid) {
			if p.state == 'Z' {
				z[p.pid] = p
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
// a process has been re-parented to it.  Zombies re-parented to it (processes
// that were killed and whose parent had already exited) are reaped; they no
// longer run.  Leftovers get a second to go, and are then killed.
func checkNoLeftovers(t *testing.T) {
	t.Helper()
	self := os.Getpid()
	deadline := time.Now().Add(time.Second)
	for {
		var running []proc
		for _, p := range descendants(t, self) {
			if p.state == 'Z' {
				if p.ppid == self {
					var st unix.WaitStatus
					_, _ = unix.Wait4(p.pid, &st, unix.WNOHANG, nil)
				}
				continue
			}
			running = append(running, p)
		}
		if len(running) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, p := range running {
				t.Errorf("left running after the worker exited: %v", p)
				_ = unix.Kill(p.pid, unix.SIGKILL)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
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
