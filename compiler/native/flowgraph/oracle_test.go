package flowgraph

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/internal/cfgoracle"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// fullSweepEnv, set to 1, makes the standard-library tests take every file
// instead of a fixed sample (the project's convention).
const fullSweepEnv = "RULES_PYC_FULL_SWEEP"

// sample keeps every n-th file, every file under RULES_PYC_FULL_SWEEP=1,
// and four times fewer under -short.
func sample(files []string, n int) []string {
	switch {
	case os.Getenv(fullSweepEnv) == "1":
		return files
	case testing.Short():
		n *= 4
	}
	var out []string
	for i := 0; i < len(files); i += n {
		out = append(out, files[i])
	}
	return out
}

// interpreters are the 3.13 interpreters whose _testinternalcapi the
// tests ask (every 3.13 on the machine: pyenv's 3.13.0, the chroot's
// 3.13.18).
func interpreters(t testing.TB) []pythons.Interpreter {
	return pythons.Minor(t, 3, 13)
}

// tally counts a sweep's units and differences.
type tally struct {
	units, opt, final int
	// optDiffs and finalDiffs are the differences, by the input's kind
	// for finalDiffs.
	optDiffs   int
	finalDiffs map[string]int
	inputs     map[string]int
	errors     int
	shown      int
}

func newTally() *tally {
	return &tally{finalDiffs: map[string]int{}, inputs: map[string]int{}}
}

// report fails t on a difference in the optimizer (against optimize_cfg)
// or in the final stage for an input that is CPython's or validated; a
// final difference for a recovered input is counted and logged.
func (c *tally) report(t *testing.T, where string, err error, kind string) {
	t.Helper()
	var d *cfgoracle.Diff
	serious := kind != "recovered" || !errors.As(err, &d)
	if c.shown < 10 {
		c.shown++
		if serious {
			t.Errorf("%s: %v", where, err)
		} else {
			t.Logf("%s (recovered input): %v", where, err)
		}
	} else if serious {
		t.Fail()
	}
}

// checkUnit runs the optimizer on u and its children, comparing with
// CPython's answers.
func checkUnit(t *testing.T, c *tally, where string, p *pyobj.Process, cache *pyobj.ConstCache, u *cfgoracle.Unit) {
	t.Helper()
	tab := opcode.V313
	c.units++
	c.inputs[u.Input]++
	codes := make([]*pyobj.Object, len(u.Children))
	index := map[*pyobj.Object]int{}
	for i := range codes {
		codes[i] = p.NewCode(&pyobj.CodeObject{})
		index[codes[i]] = i
	}
	code := func(i int) *pyobj.Object {
		if i >= 0 && i < len(codes) {
			return codes[i]
		}
		return p.NewCode(&pyobj.CodeObject{})
	}
	codeIndex := func(o *pyobj.Object) int {
		if i, ok := index[o]; ok {
			return i
		}
		return -1
	}
	o, err := New(tab, p)
	if err != nil {
		t.Fatal(err)
	}
	// Against optimize_cfg: a fresh constant cache and no parameters, as
	// _PyCompile_OptimizeCfg runs it.
	if u.Opt != nil {
		c.opt++
		err := func() error {
			seq, err := cfgoracle.Sequence(tab, u.Seq)
			if err != nil {
				return err
			}
			consts := cfgoracle.Objects(p, u.Consts, code)
			g, err := o.Build(&seq)
			if err != nil {
				return err
			}
			if err := g.OptimizeCodeUnit(&consts, p.NewConstCache(), u.NLocals, 0); err != nil {
				return err
			}
			out := g.Sequence()
			return cfgoracle.CompareOpt(tab, &out, consts, u.Opt, codeIndex)
		}()
		if err != nil {
			c.optDiffs++
			c.report(t, where+": optimize_cfg", err, "exact")
		}
	}
	// Against the code object: the compile's constant cache holds every
	// constant of the unit, as code generation put them there.
	if u.Final != nil {
		c.final++
		err := func() error {
			seq, err := cfgoracle.Sequence(tab, u.Seq)
			if err != nil {
				return err
			}
			consts := cfgoracle.Objects(p, u.Consts, code)
			for i := range consts {
				consts[i] = cache.Merge(consts[i])
			}
			g, err := o.Build(&seq)
			if err != nil {
				return err
			}
			if err := g.OptimizeCodeUnit(&consts, cache, u.NLocals, u.NParams); err != nil {
				return err
			}
			meta := u.Metadata(p, consts)
			out, depth, nlp, err := g.Finish(&meta, u.Flags)
			if err != nil {
				return err
			}
			if err := finalAgrees(o, &out, g.Final(nil)); err != nil {
				return err
			}
			return cfgoracle.CompareFinal(tab, &out, depth, nlp, meta.Consts, u.Final, codeIndex)
		}()
		if err != nil {
			c.finalDiffs[u.Input]++
			c.report(t, where+": code object", err, u.Input)
		}
	}
	for i, ch := range u.Children {
		checkUnit(t, c, fmt.Sprintf("%s/%d", where, i), p, cache, ch)
	}
}

// sweep compares every unit of the files with in's answers.
func sweep(t *testing.T, in pythons.Interpreter, root string, files []string, optimize int) *tally {
	t.Helper()
	c := newTally()
	sources := make([]cfgoracle.Source, len(files))
	for i, f := range files {
		p := filepath.Join(root, f)
		sources[i] = cfgoracle.Source{Path: p, Name: p}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	err := cfgoracle.Run(ctx, in, sources, optimize, func(i int, f *cfgoracle.File) error {
		if f.Error != "" {
			c.errors++
			t.Logf("%s: CPython: %s", files[i], f.Error)
			return nil
		}
		p := pyobj.NewProcess(nil)
		checkUnit(t, c, files[i], p, p.NewConstCache(), f.Top)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *tally) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d units (inputs: %d exact, %d validated, %d recovered); optimize_cfg: %d compared, %d differ; code objects: %d compared, %d differ",
		c.units, c.inputs["exact"], c.inputs["validated"], c.inputs["recovered"], c.opt, c.optDiffs, c.final,
		c.finalDiffs["exact"]+c.finalDiffs["validated"]+c.finalDiffs["recovered"])
	if n := c.finalDiffs["recovered"]; n > 0 {
		fmt.Fprintf(&b, " (%d of them with a recovered input)", n)
	}
	if c.errors > 0 {
		fmt.Fprintf(&b, "; %d files CPython does not compile", c.errors)
	}
	return b.String()
}

// TestStdlib runs the optimizer on every code unit of the standard
// library's .py files of each 3.13 interpreter, at optimization levels 0,
// 1 and 2, fed with CPython's own code generation output, and compares
// the result with CPython's optimize_cfg and with the code objects of
// compile(): a fixed sample of one file in 8 at -O0 and one in 32 at -O1
// and -O2 (four times fewer with -short), every file with
// RULES_PYC_FULL_SWEEP=1.
func TestStdlib(t *testing.T) {
	for _, in := range interpreters(t) {
		t.Run(in.Version, func(t *testing.T) {
			lib := in.Stdlib(t)
			for _, opt := range []int{0, 1, 2} {
				files := sample(lib.Files, map[int]int{0: 8, 1: 32, 2: 32}[opt])
				if only := os.Getenv("FLOWGRAPH_FILES"); only != "" {
					// A debugging aid: the files named (relative to the
					// stdlib).
					files = strings.Split(only, ",")
				}
				t.Run(fmt.Sprintf("O%d", opt), func(t *testing.T) {
					c := sweep(t, in, lib.Root, files, opt)
					t.Logf("%s -O%d, %d files: %v", in.Version, opt, len(files), c)
					if c.units == 0 {
						t.Fatal("no code unit compared")
					}
				})
			}
		})
	}
}

// finalAgrees checks that final, what CFG.Final wrote, is seq with each
// jump's oparg and each handler's label replaced by the instruction index
// the label stands for.
func finalAgrees(o *Optimizer, seq *instr.Sequence, final []instr.Instr) error {
	if len(final) != len(seq.Instrs) {
		return fmt.Errorf("Final wrote %d instructions, Sequence %d", len(final), len(seq.Instrs))
	}
	for i, want := range seq.Instrs {
		if o.hasTarget(want.Op) {
			x, err := seq.Index(instr.Label(want.Arg))
			if err != nil {
				return fmt.Errorf("instruction %d: %w", i, err)
			}
			want.Arg = int32(x)
		}
		if want.Handler.Label != instr.NoLabel {
			x, err := seq.Index(want.Handler.Label)
			if err != nil {
				return fmt.Errorf("handler of instruction %d: %w", i, err)
			}
			want.Handler.Label = instr.Label(x)
		}
		if final[i] != want {
			return fmt.Errorf("instruction %d: Final wrote %+v, Sequence %+v (labels resolved)", i, final[i], want)
		}
	}
	return nil
}
