// Package heap paces the Go garbage collector of the pyc process: the
// native compiler's compiles run in it, so its heap follows what they keep
// live.
package heap

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
)

// Memory of the worker and of one-shot runs: the native compiler's
// compiles run in this process, and the garbage collector's default pacing
// (GOGC=100) lets the heap grow to twice what is live, which over a large
// tree of sources peaked at about 160 MB. A soft limit on the Go heap
// (runtime/debug.SetMemoryLimit) makes the collector run earlier instead:
// baseMemoryLimit for what the process keeps between compiles (the
// parser's kept buffers are bounded: compiler/syntax/parser) plus
// memoryPerCompile for each compile that may run at once (the native
// compiler's largest standard library module needs about 20 MB while it
// compiles).
//
// A larger source needs more: 100-250 bytes per byte of source while it
// compiles, so a 2 MB module of generated code has about 300 MB live. A
// limit below what is live does not stop the heap from growing, but the
// collector then runs back to back (that 2 MB module took three times the
// CPU time). So after every collection the limit is set again, to the
// larger of that base and a quarter above what the collection found live:
// a large compile gets room in proportion, and once it is done the limit
// falls back to the base. Setting GOMEMLIMIT in the environment replaces
// all this. See docs/benchmarks.md.
const (
	baseMemoryLimit  = 32 << 20
	memoryPerCompile = 24 << 20
)

// The command line has no memory target, so its collector is paced for
// speed: the heap may grow to three times what is live (GOGC=200) instead
// of twice before a collection. Measured over the 3.13 standard library at
// -j 1 (23 runs each, interleaved, in three series): 5.6% less CPU (2.75 s
// against 2.91 s; the series gave 5.6%, 0% and 8%), peak RSS 119-144 MB
// against 78-87 MB; 300 gained nothing more. So that a large source does
// not then hold three times its live heap, a limit that follows the live
// heap applies too, from cliMemoryLimit up: beyond it the heap grows to
// twice what is live, as GOGC=100 lets it (the worker's tighter 1.25-1.5
// times made the command line's compile of a 6.5 MB module take 70% more
// CPU). See docs/benchmarks.md.
const (
	cliGCPercent   = 200
	cliMemoryLimit = 256 << 20
	cliPerJob      = 32 << 20
)

// A run of many native compiles also has its heap's first pages made
// resident at once, before the compiles start (see prefault): without it,
// each 4 KB page the growing heap touches for the first time costs a page
// fault, and the 3.13 standard library at -j 0 on 2 cores took about
// 38,000 of them, a tenth of the run's CPU time on a virtual machine whose
// every fault is a trap to the hypervisor. How much: prefaultPerCompile for
// each compile the run makes, at most prefaultBase plus prefaultPerJob for
// each compile that may run at once. The kernel clears every page it makes
// resident, so more than the compiles' busiest memory costs more than it
// saves: once the syntax tree's arenas were kept between compiles (the
// standard library allocates about 119 MB in all, and that run's heap
// peaks at about 130 MB), 64 MiB for 2 jobs measured 2-8% less CPU and
// 4-12% less wall time than the 192 MiB made resident before (the medians
// of the runs' ratios in four interleaved series of 8-12 runs each), with
// peak RSS 135 MB against 212 MB; 96 MiB and 48 MiB were between the two, and none at all measured
// about as 192 MiB did. Runs of fewer than prefaultMinCompiles compiles do
// without: their heap stays small. Never more than prefaultMax, nor more
// than three quarters of the heap's soft limit (GOMEMLIMIT's, when it is
// set): near the limit the scavenger hands free pages back at once (400
// MiB made resident under the limit of 320 MiB left 7,700 faults against
// 1,900 for 256 MiB). See docs/benchmarks.md.
const (
	prefaultMinCompiles = 100
	prefaultPerCompile  = 128 << 10
	prefaultBase        = 32 << 20
	prefaultPerJob      = 16 << 20
	prefaultMax         = 512 << 20
)

// The first hugePrefix bytes of that heap are asked for on transparent huge
// pages (see prefault), where the compiles' most used memory lives: each
// 4 KB page is also a TLB entry, and on a virtual machine a TLB miss walks
// two page tables. Only a prefix, because a fresh huge page is one the
// host must back again on a machine whose balloon hands free 2 MB blocks
// back to it (200-450 ms for 192 MiB of them after a few seconds idle,
// against 50-60 ms on ordinary pages); the whole heap on huge pages, tried
// before, cost 8-13% more CPU in runs 4 s apart. Measured over the 3.13
// standard library at -j 0 (three interleaved series, runs 5-10 s apart):
// medians 6-9% less CPU and 4-7% less wall time than ordinary pages
// throughout, page faults 41,000 instead of 57,000 (those of the
// prefault included), the same peak RSS. GODEBUG=disablethp=1, the
// Go runtime's own switch for huge pages, turns it off. See
// docs/benchmarks.md. At -j 0 on 2 cores the prefault (above) is no larger
// than the prefix, so all of it is on huge pages.
const hugePrefix = 64 << 20

// PaceCommandLine sets the command line's pacing (unless GOGC is set) and
// its limit (unless GOMEMLIMIT is), for at most jobs compiles at once, and
// makes the first pages of the heap resident for a run of inProcess native
// compiles.
func PaceCommandLine(jobs, inProcess int) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(cliGCPercent)
	}
	followLive(cliMemoryLimit+int64(jobs)*cliPerJob, cliLimitFor)
	if n := prefaultSize(jobs, inProcess, debug.SetMemoryLimit(-1)); n > 0 {
		huge := hugePrefix
		if hugePagesDisabled(os.Getenv("GODEBUG")) {
			huge = 0
		}
		_ = prefault(n, huge) // without it the compiles fault the pages in
	}
}

// hugePagesDisabled reports whether godebug (GODEBUG's value) turns huge
// pages off: the last disablethp setting in it wins, as in the runtime.
func hugePagesDisabled(godebug string) bool {
	off := false
	for _, kv := range strings.Split(godebug, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && k == "disablethp" {
			off = v == "1"
		}
	}
	return off
}

// prefaultSize is how many bytes of heap PaceCommandLine makes resident for
// inProcess native compiles, at most jobs at once, under the soft limit
// limit: none for a small run.
func prefaultSize(jobs, inProcess int, limit int64) int {
	if inProcess < prefaultMinCompiles {
		return 0
	}
	n := min(inProcess*prefaultPerCompile, prefaultBase+max(jobs, 1)*prefaultPerJob, prefaultMax)
	return int(min(int64(n), limit/4*3))
}

// heapLimit follows the live heap (see above).
type heapLimit struct {
	base    int64
	limit   func(base, live int64) int64
	sample  []metrics.Sample
	stopped atomic.Bool
}

// LimitWorker sets the worker's heap soft limit for jobs compiles at once
// (the engine's Jobs) and keeps it above what is live, unless GOMEMLIMIT is
// set.
func LimitWorker(jobs int) {
	followLive(workerLimit(jobs), limitFor)
}

// workerLimit is the heap's base limit for jobs compiles at once.
func workerLimit(jobs int) int64 {
	return baseMemoryLimit + int64(jobs)*memoryPerCompile
}

// LimitOneShot paces a one-shot run (pyc @paramfile, pyc --src ...: what
// every sandboxed, standalone or remote PycCompile action is): the
// worker's limit, and no collection before the heap reaches it (GOGC=off)
// unless GOGC or GOMEMLIMIT is set. A target's sources need a few
// megabytes, so a typical action ends without collecting at all; under
// GOGC=100 the first collection came at 4 MB, and on 2 cores its
// stop-the-world phases, the idle core's mark worker and the runtime's
// first span lists cost an action of 3 to 24 sources a tenth to a fifth
// of its CPU and wall time. A large one collects at the limit, which then
// follows the live heap as the worker's does. The limit counts at most
// oneShotJobs compiles, so that on a machine with many cores a large
// action still collects at a size a build farm running many actions at
// once can afford. See docs/benchmarks.md.
func LimitOneShot(jobs int) {
	h := followLive(oneShotLimit(jobs), limitFor)
	if h != nil && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(-1)
	}
}

// oneShotJobs is the most compiles a one-shot run's first limit counts.
const oneShotJobs = 4

// oneShotLimit is a one-shot run's heap limit before its first collection,
// for jobs compiles at once.
func oneShotLimit(jobs int) int64 {
	return workerLimit(min(max(jobs, 1), oneShotJobs))
}

// followLive sets the heap's soft limit to base and, after every
// collection, to limit(base, live), unless GOMEMLIMIT is set. The process
// keeps following until it ends; the tests stop it with the result (nil
// when GOMEMLIMIT is set), so that the limit it sets leaves no trace in the
// tests after.
func followLive(base int64, limit func(base, live int64) int64) *heapLimit {
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	h := &heapLimit{
		base:   base,
		limit:  limit,
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}},
	}
	debug.SetMemoryLimit(h.base)
	h.watch()
	return h
}

// stop ends the following: the next collection's finalizer neither sets
// the limit nor watches again. The limit stays what it was last set to.
func (h *heapLimit) stop() {
	if h != nil {
		h.stopped.Store(true)
	}
}

// gcTick is garbage as soon as it is made: its finalizer runs after the
// next collection, and makes the next one.
type gcTick struct{ h *heapLimit }

func (h *heapLimit) watch() {
	runtime.SetFinalizer(&gcTick{h}, func(t *gcTick) {
		if t.h.stopped.Load() {
			return
		}
		t.h.collected()
		t.h.watch()
	})
}

// collected sets the limit after a collection.
func (h *heapLimit) collected() {
	metrics.Read(h.sample)
	if h.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	debug.SetMemoryLimit(h.limit(h.base, int64(h.sample[0].Value.Uint64())))
}

// limitFor is the limit when live bytes are live: the base, or a quarter
// above live when that is more, or half as much again as live once live is
// well beyond the base (a large compile, which then collects less often).
func limitFor(base, live int64) int64 {
	if live > base+base/2 {
		return live + live/2
	}
	return max(base, live+live/4)
}

// cliLimitFor is the command line's limit when live bytes are live: the
// base, or twice what is live when that is more.
func cliLimitFor(base, live int64) int64 { return max(base, 2*live) }
