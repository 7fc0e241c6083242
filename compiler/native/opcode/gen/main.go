// Command gen writes an opcode table of package opcode from a CPython
// interpreter's own modules (opcode, _opcode, _opcode_metadata): every
// opcode's number, name, has_* properties, inline cache size, the base of
// each specialized instruction, and each instruction's net stack effect as
// a formula fitted to _opcode.stack_effect and verified on opargs 0..4096
// and a few large ones.
//
// Usage, from the repository root:
//
//	go run ./compiler/native/opcode/gen -python "$(pyenv root)/versions/3.13.0/bin/python3"
//
// -python is a command line, split at spaces (scripts/chroot python3.13
// works too). The result is compiler/native/opcode/tableMAJORMINOR_gen.go.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// script prints the interpreter's opcode facts as JSON.
const script = `
import json, sys, _opcode, opcode, _opcode_metadata as m
samples = list(range(0, 4097)) + [65535, 65536, 70000, 1 << 24, (1 << 24) + 7]
ops = []
spec = {}
for base, names in m._specializations.items():
    for n in names:
        spec[n] = base
for name, op in sorted(m.opmap.items(), key=lambda x: x[1]):
    has_arg = bool(_opcode.has_arg(op))
    eff = {}
    for jump in (False, True):
        vals = []
        for a in (samples if has_arg else [None]):
            try:
                vals.append(_opcode.stack_effect(op, a, jump=jump))
            except ValueError:
                vals = None
                break
        eff[str(jump)] = vals
    ops.append(dict(name=name, op=op, arg=has_arg, const=bool(_opcode.has_const(op)),
        name_=bool(_opcode.has_name(op)), jump=bool(_opcode.has_jump(op)),
        free=bool(_opcode.has_free(op)), local=bool(_opcode.has_local(op)),
        exc=bool(_opcode.has_exc(op)), cache=opcode._inline_cache_entries.get(name, 0),
        deopt=spec.get(name, ""), effect=eff))
json.dump(dict(version="%d.%d" % sys.version_info[:2], full=sys.version.split()[0],
    have_argument=m.HAVE_ARGUMENT, min_instrumented=m.MIN_INSTRUMENTED_OPCODE,
    samples=samples, ops=ops), sys.stdout)
`

type opFacts struct {
	Name   string            `json:"name"`
	Op     int               `json:"op"`
	Arg    bool              `json:"arg"`
	Const  bool              `json:"const"`
	NameF  bool              `json:"name_"`
	Jump   bool              `json:"jump"`
	Free   bool              `json:"free"`
	Local  bool              `json:"local"`
	Exc    bool              `json:"exc"`
	Cache  int               `json:"cache"`
	Deopt  string            `json:"deopt"`
	Effect map[string][]*int `json:"effect"`
}

type facts struct {
	Version         string    `json:"version"`
	Full            string    `json:"full"`
	HaveArgument    int       `json:"have_argument"`
	MinInstrumented int       `json:"min_instrumented"`
	Samples         []int     `json:"samples"`
	Ops             []opFacts `json:"ops"`
}

// formula is an Effect's coefficients: Const, Mul, And1, Lo8, Hi8, Eq3.
type formula [6]int

func (f formula) of(a int) int {
	n := f[0] + f[1]*a + f[2]*(a&1) + f[3]*(a&0xFF) + f[4]*(a>>8)
	if a == 3 {
		n += f[5]
	}
	return n
}

// fit finds the formula that gives vals at samples, trying the shapes
// CPython's stack effects take, simplest first.
func fit(samples []int, vals []*int) (formula, error) {
	at := func(a int) int {
		for i, s := range samples {
			if s == a {
				return *vals[i]
			}
		}
		panic("no sample")
	}
	if len(vals) == 1 { // no oparg
		return formula{*vals[0]}, nil
	}
	e0, e1, e2, e3 := at(0), at(1), at(2), at(3)
	candidates := []formula{
		{e0},                         // constant
		{e0, e1 - e0},                // linear
		{e0, 0, e1 - e0},             // low bit
		{e0, 0, 0, e1 - e0, e1 - e0}, // UNPACK_EX: lo8 + hi8
		{e0, 0, 0, 0, 0, e3 - e0},    // BUILD_SLICE: oparg == 3
		{e0, e2/2 - e0/2, e1 - e0 - (e2/2 - e0/2)},
	}
	for _, f := range candidates {
		ok := true
		for i, a := range samples {
			if f.of(a) != *vals[i] {
				ok = false
				break
			}
		}
		if ok {
			return f, nil
		}
	}
	return formula{}, fmt.Errorf("no formula fits the effects %v and more", vals[:8])
}

func main() {
	python := flag.String("python", "", "interpreter command line (split at spaces)")
	dir := flag.String("dir", filepath.Join("compiler", "native", "opcode"), "directory of package opcode")
	flag.Parse()
	if *python == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -python 'COMMAND [ARGS]' [-dir DIR]")
		os.Exit(2)
	}
	if err := run(strings.Fields(*python), *dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(python []string, dir string) error {
	cmd := exec.Command(python[0], append(python[1:], "-S", "-s", "-c", script)...)
	cmd.Env = []string{"PYTHONHASHSEED=0", "PATH=" + os.Getenv("PATH")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(python, " "), err, stderr.String())
	}
	var f facts
	if err := json.Unmarshal(out, &f); err != nil {
		return fmt.Errorf("decode the interpreter's facts: %v", err)
	}
	src, err := generate(&f)
	if err != nil {
		return err
	}
	name := filepath.Join(dir, "table"+strings.ReplaceAll(f.Version, ".", "")+"_gen.go")
	return os.WriteFile(name, src, 0o644)
}

func generate(f *facts) ([]byte, error) {
	byName := map[string]int{}
	maxOp := 0
	for _, o := range f.Ops {
		byName[o.Name] = o.Op
		if o.Op > maxOp {
			maxOp = o.Op
		}
	}
	sort.Slice(f.Ops, func(i, j int) bool { return f.Ops[i].Op < f.Ops[j].Op })
	ident := "V" + strings.ReplaceAll(f.Version, ".", "")
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by compiler/native/opcode/gen from CPython %s's opcode,\n// _opcode and _opcode_metadata modules. DO NOT EDIT.\n\npackage opcode\n\n", f.Full)
	fmt.Fprintf(&b, "// %s is CPython %s's opcode table.\nvar %s = newTable(%q, %d, %d, with%sPseudoTargets([]Info{\n", ident, f.Version, ident, f.Version, f.HaveArgument, f.MinInstrumented, ident)
	for _, o := range f.Ops {
		var flags []string
		add := func(c bool, n string) {
			if c {
				flags = append(flags, n)
			}
		}
		add(o.Arg, "HasArg")
		add(o.Const, "HasConst")
		add(o.NameF, "HasName")
		add(o.Jump, "HasJump")
		add(o.Free, "HasFree")
		add(o.Local, "HasLocal")
		add(o.Exc, "HasExc")
		add(o.Op >= 256, "Pseudo")
		add(o.Deopt != "", "Specialized")
		add(strings.HasPrefix(o.Name, "INSTRUMENTED_"), "Instrumented")
		add(strings.HasPrefix(o.Name, "JUMP_BACKWARD"), "BackwardJump")
		fl := "0"
		if len(flags) > 0 {
			fl = strings.Join(flags, " | ")
		}
		deopt := o.Op
		if o.Deopt != "" {
			d, ok := byName[o.Deopt]
			if !ok {
				return nil, fmt.Errorf("%s: unknown base %s", o.Name, o.Deopt)
			}
			deopt = d
		}
		effects := [2]string{}
		for i, j := range []string{"False", "True"} {
			vals := o.Effect[j]
			if vals == nil || o.Deopt != "" || strings.HasPrefix(o.Name, "INSTRUMENTED_") {
				effects[i] = "Effect{}"
				continue
			}
			samples := f.Samples
			if !o.Arg {
				samples = []int{0}
			}
			fo, err := fit(samples, vals)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", o.Name, err)
			}
			effects[i] = fmt.Sprintf("Effect{%d, %d, %d, %d, %d, %d, true}", fo[0], fo[1], fo[2], fo[3], fo[4], fo[5])
		}
		fmt.Fprintf(&b, "\t%d: {Name: %q, Flags: %s, Cache: %d, Deopt: %d, NoJump: %s, Jump: %s},\n", o.Op, o.Name, fl, o.Cache, deopt, effects[0], effects[1])
	}
	b.WriteString("}))\n")
	return format.Source(b.Bytes())
}
