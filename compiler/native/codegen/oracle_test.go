package codegen

import (
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/assemble"
	"github.com/rules-pyc/rules_pyc/compiler/native/astopt"
	"github.com/rules-pyc/rules_pyc/compiler/native/flowgraph"
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/frontend"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/oraclewire"
)

//go:embed testdata/oracle.py
var oracleScript string

type oErr struct {
	Type      string  `json:"type"`
	Msg       string  `json:"msg"`
	Lineno    *int    `json:"lineno"`
	Offset    *int    `json:"offset"`
	EndLineno *int    `json:"end_lineno"`
	EndOffset *int    `json:"end_offset"`
	Text      *string `json:"text"`
}

type oCode struct {
	QualName                  oraclewire.HexStr    `json:"qualname"`
	Names, VarNames, CellVars []oraclewire.HexStr  `json:"-"`
	FreeVars                  []oraclewire.HexStr  `json:"freevars"`
	Consts                    []json.RawMessage    `json:"consts"`
	Loads                     [][2]json.RawMessage `json:"loads"`
	ArgCount                  int32                `json:"argcount"`
	PosOnly                   int32                `json:"posonly"`
	KwOnly                    int32                `json:"kwonly"`
	FirstLineNo               int32                `json:"firstlineno"`
	Flags                     int32                `json:"flags"`
}

func (c *oCode) UnmarshalJSON(b []byte) error {
	type plain oCode
	var v struct {
		plain
		Names    []oraclewire.HexStr `json:"names"`
		VarNames []oraclewire.HexStr `json:"varnames"`
		CellVars []oraclewire.HexStr `json:"cellvars"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = oCode(v.plain)
	c.Names, c.VarNames, c.CellVars = v.Names, v.VarNames, v.CellVars
	return nil
}

type oUnit struct {
	Seq      [][6]int32          `json:"seq"`
	Consts   []json.RawMessage   `json:"consts"`
	Names    []oraclewire.HexStr `json:"names"`
	VarNames []oraclewire.HexStr `json:"varnames"`
	CellVars []oraclewire.HexStr `json:"cellvars"`
	FreeVars []oraclewire.HexStr `json:"freevars"`
	Children []*oUnit            `json:"children"`
	Code     *oCode              `json:"code"`
}

type oLevel struct {
	ParseError *oErr           `json:"parse_error"`
	Tree       json.RawMessage `json:"tree"`
	Error      *oErr           `json:"error"`
	Warnings   [][2]any        `json:"warnings"`
	Top        *oUnit          `json:"top"`
}

// encodeConst writes o as oracle.py's enc does: scalars in the oracle
// wire's form (internal/oraclewire), a tuple or frozenset as its tag and
// its items, a code object as "code".
func encodeConst(o *pyobj.Object) any {
	if f, ok := oraclewire.EncodeScalar(o.Kind, o.Value); ok {
		return f
	}
	switch o.Kind {
	case pyobj.Tuple, pyobj.FrozenSet:
		tag := "t"
		if o.Kind == pyobj.FrozenSet {
			tag = "fs"
		}
		items := make([]any, len(o.Items))
		for i, it := range o.Items {
			items[i] = encodeConst(it)
		}
		return []any{tag, items}
	case pyobj.Code:
		return []any{"code"}
	}
	return []any{"?"}
}

// canonConst is a constant's form (oracle.py's or encodeConst's) as text
// to compare: code objects without their qualified names, and every NaN
// as "nan", since the trees internal/astjson carries lose a NaN's sign
// and payload (float.hex).
func canonConst(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "?"
	}
	var strip func(any) any
	strip = func(x any) any {
		a, ok := x.([]any)
		if !ok || len(a) == 0 {
			return x
		}
		switch a[0] {
		case "code":
			return []any{"code"}
		case "f", "c":
			out := []any{a[0]}
			for _, h := range a[1:] {
				hs, _ := h.(string)
				b, err := hex.DecodeString(hs)
				if err == nil && len(b) == 8 && math.IsNaN(math.Float64frombits(binary.LittleEndian.Uint64(b))) {
					hs = "nan"
				}
				out = append(out, hs)
			}
			return out
		case "t", "fs":
			items, _ := a[1].([]any)
			out := make([]any, len(items))
			for i, it := range items {
				out[i] = strip(it)
			}
			return []any{a[0], out}
		}
		return a
	}
	b, _ := json.Marshal(strip(v))
	return string(b)
}

// canonNative is canonConst of encodeConst(o).
func canonNative(o *pyobj.Object) string {
	b, err := json.Marshal(encodeConst(o))
	if err != nil {
		return "?"
	}
	return canonConst(b)
}

type differ struct {
	out []string
	max int
	// jobs are the nested units whose constants the second oracle checks.
	jobs []cfgJob
}

func (d *differ) addf(format string, args ...any) {
	if len(d.out) < d.max {
		d.out = append(d.out, fmt.Sprintf(format, args...))
	}
}

func opName(op int32) string {
	return opcode.V313.Name(opcode.Op(op))
}

// seqRows is u's sequence as compiler_codegen shows it: jump targets as
// instruction indexes, pseudo opcodes as they are.
func seqRows(u *Unit) ([][6]int32, error) {
	s := &u.Seq
	out := make([][6]int32, len(s.Instrs))
	for i, in := range s.Instrs {
		arg := in.Arg
		if opcode.V313.Has(in.Op, opcode.HasJump) || opcode.V313.Has(in.Op, opcode.HasExc) || isBlockPush(in.Op) {
			idx, err := s.Index(instr.Label(arg))
			if err != nil {
				return nil, err
			}
			arg = int32(idx)
		}
		out[i] = [6]int32{int32(in.Op), arg, in.Loc.Line, in.Loc.EndLine, in.Loc.Col, in.Loc.EndCol}
	}
	return out, nil
}

func isBlockPush(op opcode.Op) bool {
	return op == pSETUP_FINALLY || op == pSETUP_CLEANUP || op == pSETUP_WITH
}

func compareSeq(d *differ, path string, want, got [][6]int32) bool {
	n := len(want)
	if len(got) < n {
		n = len(got)
	}
	for i := 0; i < n; i++ {
		if want[i] != got[i] {
			d.addf("%s: instruction %d: CPython %s %v, native %s %v (of %d, %d)", path, i,
				opName(want[i][0]), want[i][1:], opName(got[i][0]), got[i][1:], len(want), len(got))
			return false
		}
	}
	if len(want) != len(got) {
		d.addf("%s: CPython has %d instructions, native %d", path, len(want), len(got))
		return false
	}
	return true
}

func strsOf(objs []*pyobj.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Str()
	}
	return out
}

func hexStrs(h []oraclewire.HexStr) []string {
	out := make([]string, len(h))
	for i, x := range h {
		out[i] = string(x)
	}
	return out
}

func compareList(d *differ, path, what string, want, got []string) {
	if strings.Join(want, "\x00") != strings.Join(got, "\x00") || len(want) != len(got) {
		d.addf("%s: %s: CPython %q, native %q", path, what, want, got)
	}
}

// compareUnit compares one unit and its children.
func compareUnit(d *differ, path string, want *oUnit, got *Unit, top bool) {
	gotRows, err := seqRows(got)
	if err != nil {
		d.addf("%s: %v", path, err)
		return
	}
	seqOK := compareSeq(d, path, want.Seq, gotRows)
	m := &got.Meta
	if top {
		var w, g []string
		for _, c := range want.Consts {
			w = append(w, canonConst(c))
		}
		for _, c := range m.Consts {
			g = append(g, canonNative(c))
		}
		compareList(d, path, "consts", w, g)
		compareList(d, path, "names", hexStrs(want.Names), strsOf(m.Names))
		compareList(d, path, "varnames", hexStrs(want.VarNames), strsOf(m.VarNames))
		compareList(d, path, "cellvars", hexStrs(want.CellVars), strsOf(m.CellVars))
		compareList(d, path, "freevars", hexStrs(want.FreeVars), strsOf(m.FreeVars))
	} else if want.Code != nil {
		co := want.Code
		compareList(d, path, "co_names", hexStrs(co.Names), strsOf(m.Names))
		compareList(d, path, "co_varnames", hexStrs(co.VarNames), strsOf(m.VarNames))
		compareList(d, path, "co_freevars", hexStrs(co.FreeVars), strsOf(m.FreeVars))
		compareList(d, path, "co_cellvars", hexStrs(co.CellVars), coCellvars(m))
		if string(co.QualName) != m.QualName.Str() {
			d.addf("%s: qualname: CPython %q, native %q", path, co.QualName, m.QualName.Str())
		}
		if co.FirstLineNo != m.FirstLineNo || co.ArgCount != m.ArgCount+m.PosOnlyArgCount || co.PosOnly != m.PosOnlyArgCount || co.KwOnly != m.KwOnlyArgCount {
			d.addf("%s: firstlineno/argcounts: CPython %d %d %d %d, native %d %d %d %d", path,
				co.FirstLineNo, co.ArgCount, co.PosOnly, co.KwOnly, m.FirstLineNo, m.ArgCount+m.PosOnlyArgCount, m.PosOnlyArgCount, m.KwOnlyArgCount)
		}
		if co.Flags != got.Flags {
			d.addf("%s: flags: CPython %#x, native %#x", path, co.Flags, got.Flags)
		}
		// co_consts[0] stays first (remove_unused_consts keeps it, loaded
		// or not: a function's docstring or None).
		if len(co.Consts) > 0 && len(m.Consts) > 0 {
			if w, g := canonConst(co.Consts[0]), canonNative(m.Consts[0]); w != g {
				d.addf("%s: co_consts[0]: CPython %s, native %s", path, w, g)
			}
		}
		if seqOK {
			addConstsJob(d, path, co, got)
		}
	}
	if len(want.Children) != len(got.Children) {
		d.addf("%s: CPython has %d nested units, native %d", path, len(want.Children), len(got.Children))
		return
	}
	for i, w := range want.Children {
		name := "?"
		if got.Children[i].Meta.QualName != nil {
			name = got.Children[i].Meta.QualName.Str()
		}
		compareUnit(d, fmt.Sprintf("%s/%s", path, name), w, got.Children[i], false)
	}
}

// coCellvars is co_cellvars as the assembler orders the cells: those that
// are also locals at their local's place, the others after.
func coCellvars(m *instr.Metadata) []string {
	var out []string
	cells := map[string]bool{}
	for _, c := range m.CellVars {
		cells[c.Str()] = true
	}
	local := map[string]bool{}
	for _, v := range m.VarNames {
		local[v.Str()] = true
		if cells[v.Str()] {
			out = append(out, v.Str())
		}
	}
	for _, c := range m.CellVars {
		if !local[c.Str()] {
			out = append(out, c.Str())
		}
	}
	return out
}

// addConstsJob queues a nested unit whose instructions agree for the
// second oracle (optcfg.py): CPython's CFG optimizer run on the unit with
// the native constants must load, instruction for instruction, the
// constants the code object compile() made loads. Every constant that
// reaches the code object is so compared exactly (value, type, order of a
// frozenset), also those the optimizer folds into tuples.
func addConstsJob(d *differ, path string, co *oCode, got *Unit) {
	s := &got.Seq
	rows := make([][7]int32, len(s.Instrs))
	for i, in := range s.Instrs {
		arg, label := in.Arg, int32(0)
		if opcode.V313.Has(in.Op, opcode.HasJump) || opcode.V313.Has(in.Op, opcode.HasExc) || isBlockPush(in.Op) {
			idx, err := s.Index(instr.Label(arg))
			if err != nil {
				d.addf("%s: %v", path, err)
				return
			}
			arg, label = int32(idx), 1
		}
		rows[i] = [7]int32{int32(in.Op), arg, in.Loc.Line, in.Loc.EndLine, in.Loc.Col, in.Loc.EndCol, label}
	}
	consts := make([]any, len(got.Meta.Consts))
	for i, c := range got.Meta.Consts {
		consts[i] = encodeConst(c)
	}
	d.jobs = append(d.jobs, cfgJob{path: path, want: co.Loads,
		req: cfgRequest{Rows: rows, Consts: consts, NLocals: len(got.Meta.VarNames)}})
}

// outcome of one file at one level.
type outcome int

const (
	agree outcome = iota
	differs
	skipped
)

// checker compares native code generation with one interpreter's answers.
type checker struct {
	in  astjson.Interp
	cfg *optCfg
}

// treeSource says where the tree native code generation compiles comes
// from.
type treeSource int

const (
	// cpythonTree: CPython's optimized tree (PyCF_OPTIMIZED_AST), through
	// internal/astjson.
	cpythonTree treeSource = iota
	// nativeTree: the native parser's tree, optimized by astopt.
	nativeTree
)

// compareLevel compares one source at one optimization level. src is the
// source's bytes; isFile says whether it is a file's (CPython reads an
// error's text back from the file; otherwise there is none).
func (k *checker) compareLevel(name string, src []byte, isFile bool, optimize int, lv *oLevel, from treeSource) (outcome, []string) {
	if lv.ParseError != nil {
		return skipped, nil
	}
	d := &differ{max: 5}
	var text symtable.TextFunc
	if isFile {
		s, err := source.Decode(src, name, k.in.Release)
		if err != nil {
			return differs, []string{fmt.Sprintf("decoding the source: %v", err)}
		}
		text = s.ProgramText
	}
	var res *Result
	var gerr error
	switch from {
	case cpythonTree:
		tree, err := astjson.Convert(lv.Tree)
		if err != nil {
			return differs, []string{fmt.Sprintf("converting the tree: %v", err)}
		}
		res, gerr = generate(tree.(ast.ModNode), name, k.in, optimize, text, false)
	case nativeTree:
		mod, perr := frontend.Parse(name, src, k.in.Release)
		if perr != nil {
			return differs, []string{fmt.Sprintf("the native parser rejected a source CPython parsed: %v", perr)}
		}
		res, gerr = generate(mod, name, k.in, optimize, text, true)
	}
	if lv.Error != nil || gerr != nil {
		compareError(d, lv.Error, gerr)
		if len(d.out) > 0 {
			return differs, d.out
		}
		return agree, nil
	}
	compareWarnings(d, lv.Warnings, res.Warnings)
	compareUnit(d, "<module>", lv.Top, res.Top, true)
	if len(d.jobs) > 0 && k.cfg != nil {
		if err := k.cfg.run(d, d.jobs); err != nil {
			d.addf("%v", err)
		}
	}
	if len(d.out) > 0 {
		return differs, d.out
	}
	return agree, nil
}

// generate runs the stages after the parser on mod (the AST optimizer
// too when optimize is set: a tree from the native parser) and native code
// generation.
func generate(mod ast.ModNode, name string, in astjson.Interp, level int, text symtable.TextFunc, optimize bool) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	fut, err := symtable.ParseFuture(mod, name, in.Release, text)
	if err != nil {
		return nil, err
	}
	if optimize {
		err := astopt.Optimize(mod, astopt.Config{Optimize: level, Release: in.Release,
			FutureAnnotations: fut.Features&symtable.FutureAnnotations != 0})
		if err != nil {
			return nil, err
		}
	}
	st, err := symtable.Build(mod, symtable.Config{Filename: name, Release: in.Release, Future: fut, Text: text})
	if err != nil {
		return nil, err
	}
	cfg := Config{Filename: name, Release: in.Release, Optimize: level, Text: text}
	if err := finishNested(&cfg); err != nil {
		return nil, err
	}
	return Generate(mod, st, cfg)
}

// finishNested makes cfg turn nested units into real code objects, as the
// pipeline does (the CFG optimizer and the assembler, on a copy of the
// unit, which the test compares as code generation left it): the
// constant cache then merges equal code objects as CPython's does.
func finishNested(cfg *Config) error {
	startup, err := pyobj.StartupFor(cfg.Release)
	if err != nil {
		return err
	}
	p := pyobj.NewProcess(startup)
	cache := p.NewConstCache()
	opt, err := flowgraph.New(opcode.V313, p)
	if err != nil {
		return err
	}
	asm := assemble.New(opcode.V313, p, cache)
	filename := p.Intern(p.NewStr(cfg.Filename))
	cfg.Process, cfg.Cache = p, cache
	cfg.Finish = func(u *Unit) (*pyobj.Object, error) {
		cp := u.Unit
		cp.Seq.Instrs = append([]instr.Instr(nil), u.Seq.Instrs...)
		cp.Meta.Consts = append([]*pyobj.Object(nil), u.Meta.Consts...)
		if err := opt.OptimizeUnit(&cp, cache, u.NParams); err != nil {
			return nil, err
		}
		return asm.Assemble(&cp, filename)
	}
	return nil
}

func compareError(d *differ, want *oErr, got error) {
	if want == nil {
		d.addf("native error %v, CPython none", got)
		return
	}
	if got == nil {
		d.addf("CPython error %s: %s, native none", want.Type, want.Msg)
		return
	}
	se, ok := got.(*syntaxerr.Error)
	if !ok {
		d.addf("CPython error %s: %s, native %v", want.Type, want.Msg, got)
		return
	}
	g := describeError(se)
	w := fmt.Sprintf("%s: %s (%s,%s)-(%s,%s) text %s", want.Type, want.Msg, ip(want.Lineno), ip(want.Offset), ip(want.EndLineno), ip(want.EndOffset), sp(want.Text))
	if g != w {
		d.addf("error: CPython %s, native %s", w, g)
	}
}

// describeError writes a native error as compareError writes CPython's.
func describeError(se *syntaxerr.Error) string {
	if se.NoLocation {
		return fmt.Sprintf("%s: %s (None,None)-(None,None) text None", se.Type, se.Msg)
	}
	text := "None"
	if se.HasText {
		text = fmt.Sprintf("%q", se.Text)
	}
	return fmt.Sprintf("%s: %s (%d,%d)-(%d,%d) text %s", se.Type, se.Msg, se.Lineno, se.Offset, se.EndLineno, se.EndOffset, text)
}

func sp(p *string) string {
	if p == nil {
		return "None"
	}
	return fmt.Sprintf("%q", *p)
}

func ip(p *int) string {
	if p == nil {
		return "None"
	}
	return fmt.Sprint(*p)
}

func compareWarnings(d *differ, want [][2]any, got []Warning) {
	var w, g []string
	for _, x := range want {
		w = append(w, fmt.Sprintf("%v:%v", x[1], x[0]))
	}
	for _, x := range got {
		g = append(g, fmt.Sprintf("%d:%s", x.Lineno, x.Msg))
	}
	compareList(d, "warnings", "", w, g)
}

// sample says which files of the standard library to compare: those whose
// index i has i%every == offset. Every file with RULES_PYC_FULL_SWEEP=1;
// RULES_PYC_SWEEP_SLICE=N/K the files with i%N == K (so that a full sweep
// can run in parts, K = 0..N-1); else every 16th (every 64th with
// -short).
func sample(t *testing.T) (every, offset int) {
	if os.Getenv("RULES_PYC_FULL_SWEEP") == "1" {
		return 1, 0
	}
	if s := os.Getenv("RULES_PYC_SWEEP_SLICE"); s != "" {
		if _, err := fmt.Sscanf(s, "%d/%d", &every, &offset); err != nil || every < 1 || offset < 0 || offset >= every {
			t.Fatalf("RULES_PYC_SWEEP_SLICE=%q: want N/K with 0 <= K < N", s)
		}
		return every, offset
	}
	if testing.Short() {
		return 64, 0
	}
	return 16, 0
}

// TestStdlibAgainstCompilerCodegen compares, for a sample of each 3.13
// interpreter's standard library at optimization levels 0, 1 and 2, every
// code unit native code generation makes with
// _testinternalcapi.compiler_codegen's (and the nested units' constants
// through optcfg.py), and errors and warnings with compile()'s: first
// from CPython's own optimized tree, then from the native parser's tree
// optimized by astopt.
func TestStdlibAgainstCompilerCodegen(t *testing.T) {
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			lib := in.Interpreter().Stdlib(t)
			every, offset := sample(t)
			var files []string
			for i, f := range lib.Files {
				if i%every == offset {
					files = append(files, filepath.Join(lib.Root, filepath.FromSlash(f)))
				}
			}
			k := &checker{in: in, cfg: startOptCfg(t, in)}
			var counts [2]map[outcome][3]int
			counts[0], counts[1] = map[outcome][3]int{}, map[outcome][3]int{}
			var report []string
			in.Parse(t, astjson.Request{Files: files, Extra: oraclewire.Prelude + oracleScript}, func(rec *astjson.Record) {
				if rec.ExtraError != "" {
					t.Errorf("%s: oracle: %s", rec.Name, rec.ExtraError)
					return
				}
				if rec.ParseError != "" || rec.ReadError != "" {
					return
				}
				var levels []oLevel
				if err := json.Unmarshal(rec.Extra, &levels); err != nil {
					t.Errorf("%s: %v", rec.Name, err)
					return
				}
				src, err := os.ReadFile(rec.Name)
				if err != nil {
					t.Errorf("%s: %v", rec.Name, err)
					return
				}
				for from := cpythonTree; from <= nativeTree; from++ {
					for o := range levels {
						oc, msgs := k.compareLevel(rec.Name, src, true, o, &levels[o], from)
						c := counts[from][oc]
						c[o]++
						counts[from][oc] = c
						if oc == differs && len(report) < 60 {
							report = append(report, fmt.Sprintf("%s -O%d (%s):\n    %s", rec.Name, o, from, strings.Join(msgs, "\n    ")))
						}
					}
				}
			})
			for _, r := range report {
				t.Log(r)
			}
			for from := cpythonTree; from <= nativeTree; from++ {
				c := counts[from]
				t.Logf("%s, %s: %d files; agree %v, differ %v (per level 0,1,2)", in, from, len(files), c[agree], c[differs])
				if d := c[differs]; d[0]+d[1]+d[2] > 0 {
					t.Errorf("%s, %s: %v files differ at levels 0,1,2", in, from, d)
				}
			}
		})
	}
}

func (s treeSource) String() string {
	if s == nativeTree {
		return "native parser and astopt"
	}
	return "CPython's tree"
}
