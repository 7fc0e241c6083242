package heap

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimitFor(t *testing.T) {
	const base = 80 << 20
	for _, tc := range []struct {
		live, want int64
	}{
		{0, base},
		{40 << 20, base},
		{64 << 20, base},               // a quarter above is the base
		{72 << 20, 90 << 20},           // a quarter above
		{120 << 20, 150 << 20},         // a quarter above, at 1.5 × base
		{121 << 20, 121 << 20 * 3 / 2}, // half above, beyond 1.5 × base
		{1200 << 20, 1800 << 20},
	} {
		if got := limitFor(base, tc.live); got != tc.want {
			t.Errorf("limitFor(%d MiB live) = %d MiB, want %d MiB", tc.live>>20, got>>20, tc.want>>20)
		}
	}
}

func TestOneShotLimit(t *testing.T) {
	for _, tc := range []struct {
		jobs int
		want int64
	}{
		{0, 56 << 20},
		{1, 56 << 20},
		{2, 80 << 20}, // the worker's, on 2 cores
		{4, 128 << 20},
		{64, 128 << 20}, // at most four compiles' worth
	} {
		if got := oneShotLimit(tc.jobs); got != tc.want {
			t.Errorf("oneShotLimit(%d) = %d MiB, want %d MiB", tc.jobs, got>>20, tc.want>>20)
		}
	}
}

func TestCLILimitFor(t *testing.T) {
	const base = 320 << 20
	for _, tc := range []struct {
		live, want int64
	}{
		{0, base},
		{100 << 20, base},      // GOGC=200 paces: three times live is under the base
		{160 << 20, base},      // twice live is the base
		{161 << 20, 322 << 20}, // twice live
		{1200 << 20, 2400 << 20},
	} {
		if got := cliLimitFor(base, tc.live); got != tc.want {
			t.Errorf("cliLimitFor(%d MiB live) = %d MiB, want %d MiB", tc.live>>20, got>>20, tc.want>>20)
		}
	}
}

// TestLimitFollowsLiveHeap: with the limit set as the worker sets it, a
// live heap well beyond the base raises the limit after the next
// collections, and the limit falls back to the base once it is garbage.
func TestLimitFollowsLiveHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 400 MB")
	}
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	base := int64(baseMemoryLimit + 2*memoryPerCompile)
	defer followLive(base, limitFor).stop() // LimitWorker(2), and undone after
	limit := func() int64 { return debug.SetMemoryLimit(-1) }
	waitFor := func(what string, ok func(int64) bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			runtime.GC()
			if ok(limit()) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("the limit is %d MiB, want %s", limit()>>20, what)
	}
	waitFor("the base", func(l int64) bool { return l == base })
	live := make([][]byte, 400)
	for i := range live {
		live[i] = make([]byte, 1<<20)
		live[i][0] = 1
	}
	waitFor("at least 1.5 × 400 MiB", func(l int64) bool { return l >= 600<<20 })
	runtime.KeepAlive(live)
	live = nil
	waitFor("the base again", func(l int64) bool { return l == base })
}

func TestPrefaultSize(t *testing.T) {
	const noLimit = math.MaxInt64
	for _, tc := range []struct {
		jobs, inProcess int
		limit           int64
		want            int
	}{
		{2, 0, noLimit, 0},
		{2, 99, noLimit, 0},               // a small run: none
		{2, 100, noLimit, 100 << 17},      // 128 KiB per compile
		{2, 400, noLimit, 50 << 20},       // under the cap
		{2, 1721, noLimit, 64 << 20},      // the cap: 32 MiB + 16 MiB per job
		{0, 5000, noLimit, 48 << 20},      // one job at least
		{8, 100000, noLimit, 160 << 20},   // the cap grows with the jobs
		{64, 100000, noLimit, 512 << 20},  // up to 512 MiB
		{2, 1721, 320 << 20, 64 << 20},    // under three quarters of the soft limit
		{8, 100000, 160 << 20, 120 << 20}, // three quarters of the soft limit at most
		{2, 1721, 64 << 20, 48 << 20},     // a GOMEMLIMIT of 64 MiB
	} {
		if got := prefaultSize(tc.jobs, tc.inProcess, tc.limit); got != tc.want {
			t.Errorf("prefaultSize(%d jobs, %d compiles, limit %d MiB) = %d KiB, want %d KiB", tc.jobs, tc.inProcess, tc.limit>>20, got>>10, tc.want>>10)
		}
	}
}

func TestHugePagesDisabled(t *testing.T) {
	for _, tc := range []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"disablethp=1", true},
		{"disablethp=0", false},
		{"madvdontneed=1,disablethp=1", true},
		{"disablethp=1,disablethp=0", false}, // the last one wins
		{"disablethp=1, gctrace=1", true},
		{"xdisablethp=1", false},
	} {
		if got := hugePagesDisabled(tc.godebug); got != tc.want {
			t.Errorf("hugePagesDisabled(%q) = %v, want %v", tc.godebug, got, tc.want)
		}
	}
}
