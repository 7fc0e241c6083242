package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
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

// heapLimit follows the live heap (see above).
type heapLimit struct {
	base   int64
	sample []metrics.Sample
}

// limitMemory sets the heap's soft limit for jobs compiles at once (the
// engine's Jobs) and keeps it above what is live, unless GOMEMLIMIT is
// set.
func limitMemory(jobs int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	h := &heapLimit{
		base:   baseMemoryLimit + int64(jobs)*memoryPerCompile,
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}},
	}
	debug.SetMemoryLimit(h.base)
	h.watch()
}

// gcTick is garbage as soon as it is made: its finalizer runs after the
// next collection, and makes the next one.
type gcTick struct{ h *heapLimit }

func (h *heapLimit) watch() {
	runtime.SetFinalizer(&gcTick{h}, func(t *gcTick) {
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
	debug.SetMemoryLimit(limitFor(h.base, int64(h.sample[0].Value.Uint64())))
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
