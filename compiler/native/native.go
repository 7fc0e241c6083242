// Package native is the native compiler's entrance: source bytes, the name
// to record, the CPython release to imitate and the optimization level in;
// the marshalled code object py_compile would write after the .pyc header,
// the SyntaxWarnings CPython would print, or the exception CPython would
// raise, out. No interpreter is started or looked for.
//
// It runs CPython's stages in CPython's order, one package each: decoding and
// parsing (compiler/syntax/parser), the future statements and the symbol
// table (compiler/native/symtable), the AST optimizer
// (compiler/native/astopt), code generation (compiler/native/codegen), the
// CFG optimizer (compiler/native/flowgraph), the assembler
// (compiler/native/assemble) and marshal (compiler/native/marshal), over one
// object space (compiler/native/pyobj) per compile.
//
// Invariants:
//   - The result is a pure function of the source bytes, the name, the
//     release and the level: every compile starts from the objects CPython's
//     reference process (a fresh `python3.13 -S -s` with PYTHONHASHSEED=0
//     that imported py_compile) holds, and nothing is shared between
//     compiles but read-only tables and scratch memory.
//   - An exception CPython raises for the source is returned as a
//     *syntaxerr.Error (syntaxerr.Format gives py_compile's listing of it);
//     a source whose result the native compiler cannot vouch for is a
//     *UnsupportedError; anything else is a fault of the native compiler,
//     an error naming the stage. Nothing panics out of Compile.
package native

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/native/assemble"
	"github.com/rules-pyc/rules_pyc/compiler/native/astopt"
	"github.com/rules-pyc/rules_pyc/compiler/native/codegen"
	"github.com/rules-pyc/rules_pyc/compiler/native/flowgraph"
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/marshal"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/stop"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/parser"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// Request is one source to compile.
type Request struct {
	// Source is the file's bytes, as py_compile reads them. Compile does
	// not modify them, and nothing may while it runs or while its Result
	// is in use: the compile's strings share them rather than copy them.
	Source []byte
	// Name is recorded as co_filename and names the file in errors and
	// warnings (py_compile's dfile). Bytes that are not UTF-8 stand for
	// the surrogates Python's surrogateescape decoding gives them.
	Name string
	// Release is the CPython release imitated (see Check).
	Release release.Release
	// Optimize is the optimization level: 0, 1 (-O) or 2 (-OO).
	Optimize int
	// File is what CPython finds when it reads the file named Name back
	// to show the line of an error (PyErr_ProgramTextObject, relative to
	// the working directory): the file's bytes, nil when there is no such
	// file. Usually Source itself. The parser's errors are shown from it
	// when it is Source and from the tokenizer's buffers when it is nil; a
	// file that differs from Source counts as Source for them.
	File []byte
	// Stub asks, for a source CPython rejects, for the code of a module
	// that raises the same exception when imported (Result.Stub).
	Stub bool
	// Prefix is copied in front of Result.Code: a caller that writes a
	// .pyc passes its header, and gets the file's bytes in one array.
	Prefix []byte
	// Out, when not nil, is memory for Result.Code: the compile appends
	// Prefix and the code to Out[:0], growing it as it must, and Result.Code
	// is that slice. A caller that writes each .pyc before its next compile
	// reuses one array for them all; without Out each Result.Code is a new
	// array.
	Out []byte
	// Stop, when set, stops the compile soon after it is closed: Compile
	// then returns stop.ErrStopped. It is polled every few thousand
	// tokens, every 65,536 instructions of a code unit, and between
	// stages and units.
	Stop <-chan struct{}
}

// Result is a compile's outcome.
type Result struct {
	// Code is Request.Prefix followed by marshal.dumps of the module's
	// code object as py_compile writes it after the 16-byte header; nil
	// when the source does not compile.
	Code []byte
	// Warnings are the warnings CPython emits while compiling the source,
	// in order (also those emitted before an error).
	Warnings []Warning
	// Stub is, when Request.Stub is set and the source is rejected,
	// marshal.dumps of the code of a module that raises the exception the
	// source raised (same class, same args), as the CPython backend makes
	// it.
	Stub []byte
}

// Warning is a warning the compile emits: CPython prints it through the
// warnings module (see FormatWarning).
type Warning struct {
	// Category is the class: "SyntaxWarning" (or "DeprecationWarning").
	Category string
	Msg      string
	Lineno   int
}

// UnsupportedError is a source, or a release, for which the native compiler
// cannot reproduce what CPython does: the compile must go to CPython.
type UnsupportedError struct {
	// Stage is the stage that refused ("source", "codegen", ...).
	Stage string
	Err   error
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("the native compiler cannot compile this source as CPython does (%s): %v", e.Stage, e.Err)
}

func (e *UnsupportedError) Unwrap() error { return e.Err }

// FaultError is a failure of the native compiler itself (a bug): the stage
// it happened in and what went wrong, with the stack for a panic.
type FaultError struct {
	Stage string
	Err   error
	Stack []byte
}

func (e *FaultError) Error() string {
	return fmt.Sprintf("internal error of the native compiler in %s: %v", e.Stage, e.Err)
}

func (e *FaultError) Unwrap() error { return e.Err }

// Check returns an error unless the native compiler vouches for rel: a
// release it knows (release.Supported) whose every stage is modelled.
func Check(rel release.Release) error {
	if err := release.Supported(rel); err != nil {
		return err
	}
	for _, r := range unvouched {
		if r == rel {
			return fmt.Errorf("the native compiler does not reproduce %s: %s", rel, unvouchedWhy)
		}
	}
	return nil
}

// unvouched are releases in the known range whose bytecode the native
// compiler does not model: 3.13.4 changed generator expressions and 3.13.5
// undid it (gh-135171), and neither its source nor an interpreter was
// available to model it from.
var unvouched = []release.Release{{Major: 3, Minor: 13, Micro: 4}}

const unvouchedWhy = "its generator expressions changed in that release only"

// Covered describes the releases Check accepts, for messages.
func Covered() string {
	return "3.13.0 to 3.13.3 and 3.13.5 to 3.13.18"
}

// Magic is the magic number of the .pyc files of rel's minor version, and
// CacheTag their __pycache__ tag (sys.implementation.cache_tag).
func Magic(rel release.Release) (magic [4]byte, cacheTag string, err error) {
	if rel.Major == 3 && rel.Minor == 13 {
		// importlib's MAGIC_NUMBER: 3571 little-endian, then "\r\n".
		return [4]byte{0xf3, 0x0d, 0x0d, 0x0a}, "cpython-313", nil
	}
	return magic, "", fmt.Errorf("python version %s: no magic number known", rel)
}

// Compile compiles req as py_compile.compile does in CPython req.Release.
// On a *syntaxerr.Error the Result still holds the warnings emitted before
// the error (CPython prints them before the error).
func Compile(req Request) (res *Result, err error) {
	return compileTraced(req, nil)
}

// tracer sees the intermediate results of a compile (for the tests, which
// compare each stage with CPython's to tell where a difference starts).
type tracer struct {
	parsed    func(mod ast.ModNode)
	optimized func(mod ast.ModNode)
	// generated sees a unit as code generation made it, optimized as the
	// CFG optimizer made it (before the assembler resolves its jumps).
	generated, optimizedUnit func(u *codegen.Unit)
}

func compileTraced(req Request, tr *tracer) (res *Result, err error) {
	res = &Result{}
	c := &compile{req: req, res: res, tr: tr}
	defer func() {
		if r := recover(); r != nil {
			res.Code = nil
			if stop.Is(r) {
				res.Warnings, res.Stub = nil, nil
				err = stop.ErrStopped
				return
			}
			err = &FaultError{Stage: c.stage, Err: fmt.Errorf("panic: %v", r), Stack: debug.Stack()}
		}
	}()
	if err := Check(req.Release); err != nil {
		return res, &UnsupportedError{Stage: "release", Err: err}
	}
	if req.Optimize < 0 || req.Optimize > 2 {
		return res, fmt.Errorf("optimization level %d: want 0, 1 or 2", req.Optimize)
	}
	code, err := c.run()
	if c.scratch != nil {
		// Not after a panic (above): the scratch may be inconsistent.
		putScratch(c.scratch)
		c.scratch = nil
	}
	if c.arena != nil && tr == nil {
		// Not after a panic either. Nothing returned points into the
		// tree (the code is marshalled bytes, the warnings and errors
		// are values), so it is dead: its memory serves the next tree.
		putArena(c.arena)
		c.arena = nil
	}
	if c.st != nil && tr == nil {
		// Not after a panic either. Code generation is over and its
		// code objects are marshalled; nothing returned refers to the
		// table or to the units.
		c.st.Free()
		c.st = nil
	}
	if c.gen != nil && tr == nil {
		c.gen.Free()
		c.gen = nil
	}
	if c.p != nil && tr == nil {
		// Nothing of the compile is looked at any more (a tracer may
		// still hold its objects and ask the Process about them): the
		// output is marshalled bytes, and the scratch, the constant
		// caches and the intern table were reset or emptied.
		c.p.Free()
		c.p = nil
	}
	if err != nil {
		var serr *syntaxerr.Error
		if req.Stub && errors.As(err, &serr) {
			c.stage = "stub"
			st, stubErr := stub(req, serr, c.shape)
			if stubErr != nil {
				return res, stubErr
			}
			res.Stub = st
		}
		return res, err
	}
	res.Code = code
	return res, nil
}

// compile is the state of one compile.
type compile struct {
	req   Request
	res   *Result
	stage string // for faults
	src   *source.Source
	tr    *tracer
	// shape is how CPython builds the args of the exception the stage
	// that failed raises (for the stub).
	shape argsShape
	// scratch is the back end's reusable memory while the compile runs.
	scratch *scratch
	// p is the compile's object space.
	p *pyobj.Process
	// st is the module's symbol table, once built; gen what code
	// generation returned.
	st  *symtable.Table
	gen *codegen.Result
	// arena holds the compile's syntax tree (the parser's nodes and the
	// AST optimizer's).
	arena *ast.Arena
	// cache is the compile's constant cache, and filename its
	// co_filename, for every unit.
	cache    *pyobj.ConstCache
	filename *pyobj.Object
}

// arenaPool keeps the arenas of finished compiles, Reset: their trees are
// dead, and a compile's tree is built in the memory of an earlier one
// instead of new slabs (fewer allocations, less for the collector to
// clear and sweep).
var arenaPool sync.Pool

// maxKeptArena bounds the bytes of slabs an arena keeps between compiles,
// so that one huge source does not pin its tree's memory for the life of
// a worker. An arena keeps one chunk per node type, as large as a tree
// needed (see ast.Arena.Reset): after the whole standard library, 8.3 MB
// (with 4 MB, BenchmarkStdlib allocated 40% more bytes).
const maxKeptArena = 8 << 20

func getArena() *ast.Arena {
	if a, ok := arenaPool.Get().(*ast.Arena); ok {
		return a
	}
	return ast.NewArena()
}

func putArena(a *ast.Arena) {
	a.Reset(maxKeptArena)
	arenaPool.Put(a)
}

// scratch is the memory the back end reuses from one compile to the next:
// the CFG optimizer's and the assembler's tables and buffers, the
// instruction sequences' storage and marshal's output buffer. It holds no
// object of a finished compile that affects the next one (each compile
// resets it to its own object space), so the output stays a pure function
// of the request.
type scratch struct {
	opt  *flowgraph.Optimizer
	asm  *assemble.Assembler
	bufs instr.Buffers
	// final holds a unit's final instructions from the CFG optimizer to
	// the assembler (flowgraph.Optimizer.OptimizeUnitFinal).
	final []instr.Instr
	w     marshal.Writer
}

var scratchPool sync.Pool

func getScratch(p *pyobj.Process, cache *pyobj.ConstCache) (*scratch, error) {
	if sc, ok := scratchPool.Get().(*scratch); ok {
		sc.opt.Reset(p)
		sc.asm.Reset(p, cache)
		return sc, nil
	}
	opt, err := flowgraph.New(opcode.V313, p)
	if err != nil {
		return nil, err
	}
	return &scratch{opt: opt, asm: assemble.New(opcode.V313, p, cache)}, nil
}

// maxKeptInstrs bounds the instruction storage a scratch keeps between
// compiles (about 1.5 MB), so that one huge source does not pin its
// buffers for the life of a worker.
const maxKeptInstrs = 1 << 16

// maxKeptOutput bounds marshal's output buffer kept between compiles.
const maxKeptOutput = 4 << 20

func putScratch(sc *scratch) {
	sc.bufs.Trim(maxKeptInstrs)
	if cap(sc.final) > maxKeptInstrs {
		sc.final = nil
	}
	sc.w.Trim(maxKeptOutput)
	sc.opt.Reset(nil)
	sc.asm.Reset(nil, nil)
	scratchPool.Put(sc)
}

// text is the symbol table's and the compiler's TextFunc: the line read
// back from the file, decoded on first use.
func (c *compile) text(n int) (string, bool) {
	if c.req.File == nil {
		return "", false
	}
	if c.src == nil {
		s, err := source.Decode(c.req.File, c.req.Name, c.req.Release)
		if err != nil {
			return "", false
		}
		c.src = s
	}
	return c.src.ProgramText(n)
}

func (c *compile) warn(w parser.Warning) {
	c.res.Warnings = append(c.res.Warnings, Warning{Category: w.Category, Msg: w.Msg, Lineno: w.Lineno})
}

// run runs the stages in compile()'s order.
func (c *compile) run() ([]byte, error) {
	startup, err := pyobj.StartupFor(c.req.Release)
	if err != nil {
		return nil, &UnsupportedError{Stage: "pyobj", Err: err}
	}
	c.p = pyobj.NewProcess(startup)
	mod, err := c.parse()
	if err != nil {
		return nil, err
	}
	fut, fresh, err := c.optimize(mod)
	if err != nil {
		return nil, err
	}
	c.stage = "symtable"
	stop.Poll(c.req.Stop)
	st, err := symtable.Build(mod, symtable.Config{Filename: c.req.Name, Release: c.req.Release, Future: fut, Text: c.text})
	if err != nil {
		return nil, c.stageError(err)
	}
	c.st = st
	top, err := c.generate(mod, st, fresh)
	if err != nil {
		return nil, err
	}
	return c.marshal(top)
}

// parse runs the tokenizer and the parser into the compile's arena.
func (c *compile) parse() (*ast.Module, error) {
	c.stage = "parser"
	c.arena = getArena()
	p := c.p
	mod, serr, err := parser.Parse(c.req.Name, c.req.Source, c.req.Release, parser.Options{
		Arena:         c.arena,
		NotFileBacked: c.req.File == nil,
		OnWarning:     c.warn,
		// The parser interns every identifier it makes, before the
		// compiler runs: whether a str has an interned twin decides how
		// code object creation treats it.
		OnIdentifier: func(id string) { p.Identifier(id) },
		Stop:         c.req.Stop,
		SourceKept:   true,
	})
	if err != nil {
		return nil, &UnsupportedError{Stage: "source", Err: err}
	}
	if serr != nil {
		return nil, serr
	}
	if c.tr != nil && c.tr.parsed != nil {
		c.tr.parsed(mod)
	}
	return mod, nil
}

// optimize reads the future statements and runs the AST optimizer, which
// reports the strs it makes (fresh objects, not the source's constants).
func (c *compile) optimize(mod *ast.Module) (symtable.Future, map[*ast.Constant]bool, error) {
	// The future statements and the symbol table set an error's location
	// as attributes; so do the AST optimizer's and the compiler's
	// RecursionError (no location at all).
	c.shape = argsMessage
	c.stage = "future"
	stop.Poll(c.req.Stop)
	fut, err := symtable.ParseFuture(mod, c.req.Name, c.req.Release, c.text)
	if err != nil {
		return fut, nil, c.stageError(err)
	}

	c.stage = "astopt"
	stop.Poll(c.req.Stop)
	var fresh map[*ast.Constant]bool
	err = astopt.Optimize(mod, astopt.Config{
		Optimize:          c.req.Optimize,
		FutureAnnotations: fut.Features&symtable.FutureAnnotations != 0,
		Release:           c.req.Release,
		Arena:             c.arena,
		OnFreshStr: func(k *ast.Constant) {
			if fresh == nil {
				fresh = map[*ast.Constant]bool{}
			}
			fresh[k] = true
		},
	})
	if err != nil {
		return fut, nil, c.stageError(err)
	}
	if c.tr != nil && c.tr.optimized != nil {
		c.tr.optimized(mod)
	}
	return fut, fresh, nil
}

// generate runs code generation, which hands each finished unit to
// finish, and returns the module's code object.
func (c *compile) generate(mod *ast.Module, st *symtable.Table, fresh map[*ast.Constant]bool) (*pyobj.Object, error) {
	p := c.p
	c.cache = p.NewConstCache()
	sc, err := getScratch(p, c.cache)
	if err != nil {
		return nil, &FaultError{Stage: "flowgraph", Err: err}
	}
	c.scratch = sc
	c.filename = p.NewStr(surrogateEscape(c.req.Name))
	// Each unit's two sequences are dead once it is assembled (unless a
	// tracer keeps them): their storage serves the next units.
	var bufs *instr.Buffers
	if c.tr == nil {
		bufs = &sc.bufs
		sc.opt.Buffers = bufs
	}

	c.stage = "codegen"
	c.shape = argsLocated // compiler_error
	gen, err := codegen.Generate(mod, st, codegen.Config{
		Filename:  c.req.Name,
		Release:   c.req.Release,
		Optimize:  c.req.Optimize,
		Process:   p,
		Cache:     c.cache,
		Finish:    c.finish,
		Text:      c.text,
		FreshStrs: fresh,
		Buffers:   bufs,
		Stop:      c.req.Stop,
	})
	if gen != nil {
		c.gen = gen
		c.codegenWarnings(gen.Warnings)
	}
	if err != nil {
		return nil, c.stageError(err)
	}
	return gen.Top.Code, nil
}

// finish turns a unit code generation finished into its code object: the
// CFG optimizer, then the assembler.
func (c *compile) finish(u *codegen.Unit) (*pyobj.Object, error) {
	sc := c.scratch
	if c.tr != nil && c.tr.generated != nil {
		c.tr.generated(u)
	}
	c.stage = "flowgraph"
	stop.Poll(c.req.Stop)
	if c.tr == nil {
		// The optimizer hands its final instructions to the assembler
		// without making a sequence of them.
		final, err := sc.opt.OptimizeUnitFinal(&u.Unit, c.cache, u.NParams, sc.final)
		sc.final = final[:0]
		if err != nil {
			return nil, flowgraphError(err)
		}
		c.stage = "assemble"
		stop.Poll(c.req.Stop)
		code, err := sc.asm.AssembleFinal(&u.Unit, final, c.filename)
		if err != nil {
			return nil, &FaultError{Stage: "assemble", Err: err}
		}
		sc.bufs.Release(&u.Seq)
		c.stage = "codegen"
		return code, nil
	}
	// Traced: the optimized sequence is kept for the tracer, and the
	// sequences' storage is not reused.
	if err := sc.opt.OptimizeUnit(&u.Unit, c.cache, u.NParams); err != nil {
		return nil, flowgraphError(err)
	}
	if c.tr.optimizedUnit != nil {
		c.tr.optimizedUnit(u)
	}
	c.stage = "assemble"
	code, err := sc.asm.Assemble(&u.Unit, c.filename)
	if err != nil {
		return nil, &FaultError{Stage: "assemble", Err: err}
	}
	c.stage = "codegen"
	return code, nil
}

// codegenWarnings adds the compiler's warnings to the result.
func (c *compile) codegenWarnings(ws []codegen.Warning) {
	// 3.13.4 and 3.13.5 emit the compiler's warnings with the calling
	// module's __warningregistry__ (compiler_warn calls
	// _PyErr_WarnExplicitObjectWithContext, gh-131927), where the
	// "default" action shows a message once per line; 3.13.10 went back
	// to no registry (every warning shown) and compiles a finally body's
	// exceptional copy without warnings instead (gh-139640, listed under
	// 3.13.10 in 3.13.18's changelog, Misc/NEWS).
	rel := c.req.Release
	once := rel.AtLeast(release.Release{Major: 3, Minor: 13, Micro: 4}) &&
		rel.Less(release.Release{Major: 3, Minor: 13, Micro: 10})
	shown := map[codegen.Warning]bool{}
	for _, w := range ws {
		if once {
			if shown[w] {
				continue
			}
			shown[w] = true
		}
		c.res.Warnings = append(c.res.Warnings, Warning{Category: "SyntaxWarning", Msg: w.Msg, Lineno: w.Lineno})
	}
}

// marshal writes the module's code object as marshal.dumps does.
func (c *compile) marshal(top *pyobj.Object) ([]byte, error) {
	c.stage = "marshal"
	stop.Poll(c.req.Stop)
	var out []byte
	var err error
	if c.req.Out != nil {
		out, err = c.scratch.w.DumpTo(c.req.Out, c.req.Prefix, top)
	} else {
		out, err = c.scratch.w.DumpAfter(c.req.Prefix, top)
	}
	if errors.Is(err, marshal.ErrTooDeep) {
		// py_compile lets marshal's ValueError through: compileall stops
		// on it with a traceback; the CPython backend reports it as the
		// file's error, and so does this one.
		return nil, &syntaxerr.Error{Type: syntaxerr.ValueError, Msg: err.Error(), NoLocation: true}
	}
	if err != nil {
		return nil, &FaultError{Stage: "marshal", Err: err}
	}
	return out, nil
}

// flowgraphError classifies an error of the flow graph's optimizer: a
// source CPython crashes on is unsupported, the rest are faults.
func flowgraphError(err error) error {
	if errors.Is(err, flowgraph.ErrExceptStackOverflow) {
		return &codegen.ErrUnsupported{What: "CPython crashes on this source: its exception stack overflows (" + err.Error() + ")"}
	}
	return &FaultError{Stage: "flowgraph", Err: err}
}

// stageError classifies an error of the current stage: CPython's
// exceptions pass as they are, constructs a stage does not handle yet are
// unsupported, and the rest are faults.
func (c *compile) stageError(err error) error {
	var serr *syntaxerr.Error
	var unsup *codegen.ErrUnsupported
	var fault *FaultError
	switch {
	case errors.As(err, &serr):
		return serr
	case errors.As(err, &unsup):
		return &UnsupportedError{Stage: c.stage, Err: err}
	case errors.As(err, &fault):
		return fault
	}
	return &FaultError{Stage: c.stage, Err: err}
}

// surrogateEscape turns a name whose bytes may not be UTF-8 into the str
// Python's os.fsdecode makes of it (each byte of an invalid sequence a
// surrogate U+DC80..U+DCFF), in ast.Value's encoding of strs.
func surrogateEscape(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			b = ast.AppendCodePoint(b, 0xDC00+rune(s[i]))
			i++
			continue
		}
		b = append(b, s[i:i+n]...)
		i += n
	}
	return string(b)
}
