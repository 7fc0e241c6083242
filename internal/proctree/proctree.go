//go:build linux

// Package proctree reads the machine's process tree from /proc, for tests
// that check what processes a program leaves behind.
//
// A test that makes itself a child subreaper (BecomeSubreaper) inherits
// every orphan of the processes it started, instead of init: a process that
// outlives the program that started it is then still among the test's
// descendants, and Leftovers finds it.
package proctree

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Proc is one process as /proc describes it.
type Proc struct {
	Pid, PPid int
	State     byte // R, S, D, Z, ...
	Cmdline   string
}

func (p Proc) String() string {
	cmd := p.Cmdline
	if len(cmd) > 100 {
		cmd = cmd[:100] + "..."
	}
	return fmt.Sprintf("pid %d (ppid %d, state %c): %s", p.Pid, p.PPid, p.State, cmd)
}

// All reads every process of the machine from /proc.  Processes that exit
// during the scan are skipped.
func All() (map[int]Proc, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("read /proc: %w", err)
	}
	all := map[int]Proc{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		p, ok := read(pid)
		if ok {
			all[pid] = p
		}
	}
	return all, nil
}

// read reads one process; false if it is gone.
func read(pid int) (Proc, bool) {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return Proc{}, false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return Proc{}, false
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return Proc{}, false
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return Proc{}, false
	}
	// The command line is only for messages; a process that has just
	// exited has none.
	cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	return Proc{Pid: pid, PPid: ppid, State: fields[0][0],
		Cmdline: strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " ")}, true
}

// Descendants lists the processes whose parent chain leads to root (root
// itself excluded).
func Descendants(root int) ([]Proc, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	var out []Proc
	for _, p := range all {
		for q, n := p, 0; n < 64; n++ {
			if q.PPid == root {
				out = append(out, p)
				break
			}
			parent, ok := all[q.PPid]
			if !ok || q.PPid <= 1 {
				break
			}
			q = parent
		}
	}
	return out, nil
}

// Children lists the direct children of pid, from
// /proc/PID/task/*/children.
func Children(pid int) []int {
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

// Running reports whether pid exists and is not a zombie.
func Running(pid int) bool {
	p, ok := read(pid)
	return ok && p.State != 'Z'
}

// RSS is the resident set size of pid in bytes (0 when it is gone).
func RSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// BecomeSubreaper makes this process the reaper of its descendants'
// orphans.
func BecomeSubreaper() error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", err)
	}
	return nil
}

// Leftovers waits up to grace for this process's descendants to end and
// returns those still running then, except the processes keep names.
// Zombies re-parented to this process (orphans that were killed) are
// reaped on the way: they no longer run.
func Leftovers(grace time.Duration, keep func(Proc) bool) ([]Proc, error) {
	self := os.Getpid()
	deadline := time.Now().Add(grace)
	for {
		procs, err := Descendants(self)
		if err != nil {
			return nil, err
		}
		var running []Proc
		for _, p := range procs {
			if p.State == 'Z' {
				if p.PPid == self {
					var st unix.WaitStatus
					_, _ = unix.Wait4(p.Pid, &st, unix.WNOHANG, nil)
				}
				continue
			}
			if keep == nil || !keep(p) {
				running = append(running, p)
			}
		}
		if len(running) == 0 || time.Now().After(deadline) {
			return running, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}
