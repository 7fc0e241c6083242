package heap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The test binary is also the child process of the prefault tests, which
// measure what prefault does to a heap nothing has used yet, as the command
// line's is when it calls it: in the test process, what earlier tests left
// in the heap (free pages the runtime has handed back to the kernel, at
// lower addresses than those made resident) decides where a new allocation
// lands. childEnv names what the child measures: "faults", or "huge=N" for
// a prefix of N bytes.
const childEnv = "RULES_PYC_TEST_PREFAULT_CHILD"

func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		os.Exit(child(v))
	}
	os.Exit(m.Run())
}

func child(what string) int {
	var out string
	var err error
	if prefix, ok := strings.CutPrefix(what, "huge="); ok {
		out, err = hugeChild(prefix)
	} else if what == "faults" {
		out, err = faultsChild()
	} else {
		err = fmt.Errorf("%s=%q: want faults or huge=N", childEnv, what)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println(out)
	return 0
}

// runChild runs the test binary as a child that measures what, and
// returns what it prints; it skips the test when the kernel refuses
// MADV_POPULATE_WRITE (before Linux 5.14).
func runChild(t *testing.T, what string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// The child's heap is paced by nothing but the test: no limit, no
	// collection it did not ask for.
	cmd.Env = append(os.Environ(), childEnv+"="+what, "GOGC=off", "GOMEMLIMIT=off")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if strings.Contains(stderr.String(), "invalid argument") {
		t.Skipf("the kernel refuses MADV_POPULATE_WRITE (before Linux 5.14): %s", stderr.String())
	}
	if err != nil {
		t.Fatalf("child (%s): %v\n%s", what, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// faultsWhile runs f and returns how many minor page faults the process
// took meanwhile.
func faultsWhile(f func()) (int64, error) {
	var before, after syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &before); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	f()
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &after); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return after.Minflt - before.Minflt, nil
}

// touch writes one byte in every 4 KB page of b.
func touch(b []byte) {
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
}

// prefaultTestSize is what the faults child writes: first in a fresh
// mapping, then in new heap after a prefault of twice as much.
const prefaultTestSize = 32 << 20

// faultsChild prints the page faults of writing prefaultTestSize bytes of
// fresh memory, then of as many bytes of new heap after a prefault.
func faultsChild() (string, error) {
	mem, err := unix.Mmap(-1, 0, prefaultTestSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return "", fmt.Errorf("mmap: %w", err)
	}
	defer unix.Munmap(mem)
	fresh, err := faultsWhile(func() { touch(mem) })
	if err != nil {
		return "", err
	}
	if err := prefault(2*prefaultTestSize, 0); err != nil {
		return "", err
	}
	prefaulted, err := faultsWhile(func() {
		b := make([]byte, prefaultTestSize)
		touch(b)
		runtime.KeepAlive(b)
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d %d", fresh, prefaulted), nil
}

// TestPrefault: after prefault, memory the heap hands out is resident, so
// writing it costs no page fault per page; without, the same writes to
// fresh memory fault once per page (counted in the process's rusage).
func TestPrefault(t *testing.T) {
	if strictOvercommit() {
		t.Skip("strict overcommit: prefault does nothing")
	}
	out := runChild(t, "faults")
	var fresh, prefaulted int64
	if _, err := fmt.Sscanf(out, "%d %d", &fresh, &prefaulted); err != nil {
		t.Fatalf("the child printed %q: %v", out, err)
	}
	pages := int64(prefaultTestSize / 4096)
	t.Logf("writing %d pages: %d faults in fresh memory, %d in new heap after prefault", pages, fresh, prefaulted)
	if fresh < pages/2 {
		t.Fatalf("writing %d fresh pages faulted %d times; the count does not see faults", pages, fresh)
	}
	if prefaulted > pages/10 {
		t.Errorf("after prefault, writing %d pages of new heap faulted %d times, want at most %d", pages, prefaulted, pages/10)
	}
}

// hugeChild prints how much more of the child's memory one prefault of 64
// MiB with the given prefix put on huge pages.
func hugeChild(prefix string) (string, error) {
	huge, err := strconv.Atoi(prefix)
	if err != nil {
		return "", err
	}
	before, err := anonHuge()
	if err == nil {
		err = prefault(64<<20, huge)
	}
	after, err2 := anonHuge()
	if err = errors.Join(err, err2); err != nil {
		return "", err
	}
	return strconv.FormatInt(after-before, 10), nil
}

// anonHuge is how much of the process's anonymous memory is on
// transparent huge pages (smaps_rollup's AnonHugePages), in bytes.
func anonHuge() (int64, error) {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "AnonHugePages:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("smaps_rollup: %q: %w", line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("smaps_rollup has no AnonHugePages line:\n%s", b)
}

// TestPrefaultHugePrefix: the prefix prefault is given goes onto huge
// pages, and nothing does without one, where the kernel gives huge pages
// to the ranges that ask (transparent_hugepage/enabled is madvise, as on
// the project's machines; with always every range gets them, with never
// none does, and there is nothing to tell apart). Each case runs in a
// fresh process, whose heap has reused no page yet.
func TestPrefaultHugePrefix(t *testing.T) {
	if strictOvercommit() {
		t.Skip("strict overcommit: prefault does nothing")
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("transparent huge pages are not given on request here (%q, %v)", bytes.TrimSpace(mode), err)
	}
	const prefix = 16 << 20
	for _, huge := range []int{0, prefix} {
		out := runChild(t, fmt.Sprintf("huge=%d", huge))
		got, err := strconv.ParseInt(out, 10, 64)
		if err != nil {
			t.Fatalf("child with a %d MiB prefix printed %q", huge>>20, out)
		}
		t.Logf("prefault(64 MiB, %d MiB): %d MiB more on huge pages", huge>>20, got>>20)
		switch {
		case huge == 0 && got > 0:
			t.Errorf("prefault without a prefix put %d MiB on huge pages", got>>20)
		case huge > 0 && got <= 0:
			t.Errorf("prefault with a %d MiB prefix put nothing on huge pages", huge>>20)
		case got > int64(huge):
			t.Errorf("prefault with a %d MiB prefix put %d MiB on huge pages", huge>>20, got>>20)
		}
	}
}
