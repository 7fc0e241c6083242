package flowgraph

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/internal/cfgoracle"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
)

// benchUnit is one code unit's input, ready for the optimizer.
type benchUnit struct {
	seq     instr.Sequence
	consts  []*pyobj.Object
	meta    instr.Metadata
	flags   int32
	nparams int
}

// BenchmarkOptimize runs the whole CFG stage as native.Compile does
// (Build, OptimizeCodeUnit, then Finish's passes with the final
// instructions written by CFG.Final into one reused array) on every code
// unit of a sample of the standard library (one
// file in 8; all with RULES_PYC_FULL_SWEEP=1), as CPython's code
// generation wrote them. It reports instructions (of the input) per
// second of CPU.
func BenchmarkOptimize(b *testing.B) {
	benchOnce.Do(func() { benchUnits, benchInstrs, benchProc = loadBenchUnits(b) })
	units, ninstrs, p := benchUnits, benchInstrs, benchProc
	if len(units) == 0 {
		b.Fatal("no code units")
	}
	o, err := New(opcode.V313, p)
	if err != nil {
		b.Fatal(err)
	}
	cache := p.NewConstCache()
	consts := make([]*pyobj.Object, 0, 1024)
	var final []instr.Instr
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Process()
	for i := 0; i < b.N; i++ {
		for j := range units {
			u := &units[j]
			g, err := o.Build(&u.seq)
			if err != nil {
				b.Fatal(err)
			}
			consts = append(consts[:0], u.consts...)
			if err := g.OptimizeCodeUnit(&consts, cache, len(u.meta.VarNames), u.nparams); err != nil {
				b.Fatal(err)
			}
			if _, _, err := g.finishGraph(&u.meta, u.flags); err != nil {
				b.Fatal(err)
			}
			final = g.Final(final)[:0]
		}
	}
	cpu := cputime.Process() - start
	if cpu <= 0 {
		return
	}
	b.ReportMetric(float64(ninstrs)*float64(b.N)/cpu.Seconds()/1e6, "Minstrs/cpu-s")
	b.ReportMetric(float64(len(units)), "units")
	b.ReportMetric(float64(ninstrs), "instrs")
}

var (
	benchOnce   sync.Once
	benchUnits  []benchUnit
	benchInstrs int
	benchProc   *pyobj.Process
)

// loadBenchUnits asks a 3.13 interpreter for the code units of the
// benchmark's files.
func loadBenchUnits(b *testing.B) ([]benchUnit, int, *pyobj.Process) {
	ins := interpreters(b)[0]
	lib := ins.Stdlib(b)
	files := sample(lib.Files, 8)
	sources := make([]cfgoracle.Source, len(files))
	for i, f := range files {
		p := filepath.Join(lib.Root, f)
		sources[i] = cfgoracle.Source{Path: p, Name: p}
	}
	p := pyobj.NewProcess(nil)
	var units []benchUnit
	ninstrs := 0
	var add func(u *cfgoracle.Unit)
	add = func(u *cfgoracle.Unit) {
		if u.Final != nil {
			seq, err := cfgoracle.Sequence(opcode.V313, u.Seq)
			if err != nil {
				b.Fatal(err)
			}
			consts := cfgoracle.Objects(p, u.Consts, func(int) *pyobj.Object { return p.NewCode(&pyobj.CodeObject{}) })
			units = append(units, benchUnit{seq: seq, consts: consts, meta: u.Metadata(p, nil), flags: u.Flags, nparams: u.NParams})
			ninstrs += len(seq.Instrs)
		}
		for _, ch := range u.Children {
			add(ch)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	err := cfgoracle.Run(ctx, ins, sources, 0, func(i int, f *cfgoracle.File) error {
		if f.Top != nil {
			add(f.Top)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return units, ninstrs, p
}
