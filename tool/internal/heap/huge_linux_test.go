package heap

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestAdviseHugePages: the range adviseHugePages returns lies in a mapping
// the kernel marks for huge pages ("hg" in /proc/self/smaps), or, on a
// kernel built without them, the advice is refused.
func TestAdviseHugePages(t *testing.T) {
	_, statErr := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled")
	addr, err := adviseHugePages(64 << 20)
	if statErr != nil {
		if err == nil {
			t.Fatalf("no transparent huge pages here (%v), yet the advice was taken", statErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	flags, ok := vmFlags(t, addr)
	if !ok {
		t.Fatalf("no mapping holds %#x", addr)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the mapping of %#x has flags %q, want hg among them", addr, flags)
	}
}

// vmFlags is the VmFlags line of the mapping in /proc/self/smaps that
// holds addr.
func vmFlags(t *testing.T, addr uintptr) (string, bool) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if rng, _, ok := strings.Cut(line, " "); ok {
			if lo, hi, ok := strings.Cut(rng, "-"); ok {
				l, err1 := strconv.ParseUint(lo, 16, 64)
				h, err2 := strconv.ParseUint(hi, 16, 64)
				if err1 == nil && err2 == nil {
					in = uintptr(l) <= addr && addr < uintptr(h)
					continue
				}
			}
		}
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			return strings.TrimSpace(flags), true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return "", false
}
