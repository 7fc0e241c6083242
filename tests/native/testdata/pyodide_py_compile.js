// Compiles sources with py_compile in the CPython inside Pyodide and
// compares each .pyc with the native compiler's, for TestPyodideMutants.
//
// usage: node pyodide_py_compile.js PACKAGE_DIR JOBS_JSON
//
// JOBS_JSON holds a list of {source, name, opt, native}: the source's path
// (written at the same path into Pyodide's file system, so that an error's
// or a warning's line is read back from it as on the host), the name to
// record (py_compile's dfile), the optimization level, and the path of the
// native compiler's .pyc ("" when it rejected the source). Each source is
// compiled as py_compile.compile(source, cfile, dfile=name, doraise=True,
// optimize=opt, invalidation_mode=CHECKED_HASH) compiles it. For each job
// it prints a JSON line {pyc, listing, warnings}: pyc is "same" (identical
// bytes), "equal" (the same header and code objects equal in every field,
// nested code included, but other bytes: marshal shared objects
// differently), "libm" (they differ, and the source raises a float or
// complex number to a power: see below), "differ", or "" when either side
// wrote none; listing is
// PyCompileError's message (null when the source compiled); warnings is
// what the warnings module would have printed, in order. The first line
// gives the release and the warning filters in force.
//
// CPython folds a constant power of floats or complex numbers with the C
// library's pow, exp, log, cos and sin, and leaves it unfolded where they
// set errno. The native compiler does as glibc does; Pyodide's C library
// (Emscripten's, from musl) sets no errno and may round otherwise, so there
// the bytes may differ for a reason that is Pyodide's platform, not the
// release: `(2j ** 1e400)` is not folded on glibc (cos(inf) sets EDOM) and
// is folded to (nan+nanj) in Pyodide.
"use strict";
const fs = require("fs");
const path = require("path");

const compile = `
import ast, marshal, py_compile, sys, warnings

def _libm(source):
    try:
        tree = ast.parse(open(source, "rb").read())
    except Exception:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            for side in (node.left, node.right):
                for n in ast.walk(side):
                    if isinstance(n, ast.Constant) and type(n.value) in (float, complex):
                        return True
                    if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div):
                        return True
    return False

def _same(x, y):
    if type(x) is not type(y):
        return False
    if hasattr(x, "co_code"):
        for f in ("co_code", "co_names", "co_varnames", "co_freevars",
                  "co_cellvars", "co_filename", "co_name", "co_qualname",
                  "co_firstlineno", "co_linetable", "co_exceptiontable",
                  "co_flags", "co_stacksize", "co_argcount",
                  "co_posonlyargcount", "co_kwonlyargcount", "co_nlocals"):
            if getattr(x, f) != getattr(y, f):
                return False
        return _same(x.co_consts, y.co_consts)
    if type(x) is tuple:
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y))
    if type(x) in (float, complex):
        return repr(x) == repr(y)
    if type(x) is frozenset:
        return sorted(map(repr, x)) == sorted(map(repr, y))
    return x == y

def _run(source, name, opt, native):
    listing, pyc = None, ""
    with warnings.catch_warnings(record=True) as log:
        try:
            py_compile.compile(source, "/w/out.pyc", dfile=name, doraise=True, optimize=opt,
                               invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
        except py_compile.PyCompileError as e:
            listing = e.msg
    shown = "".join(warnings._formatwarnmsg_impl(w) for w in log)
    if listing is None and native:
        theirs = open("/w/out.pyc", "rb").read()
        mine = open("/w/native.pyc", "rb").read()
        if theirs == mine:
            pyc = "same"
        elif theirs[:16] == mine[:16] and _same(marshal.loads(theirs[16:]), marshal.loads(mine[16:])):
            pyc = "equal"
        elif _libm(source):
            pyc = "libm"
        else:
            pyc = "differ"
    return [pyc, listing, shown]

def _head():
    return ["%d.%d.%d" % sys.version_info[:3], repr(warnings.filters)]
`;

(async () => {
  const [pkg, jobsFile] = process.argv.slice(2);
  const { loadPyodide } = require(path.join(pkg, "pyodide.js"));
  const py = await loadPyodide({ indexURL: pkg + path.sep });
  py.runPython(compile);
  const head = py.globals.get("_head")().toJs();
  process.stdout.write(JSON.stringify({ version: head[0], filters: head[1] }) + "\n");
  const run = py.globals.get("_run");
  py.FS.mkdirTree("/w");
  for (const job of JSON.parse(fs.readFileSync(jobsFile, "utf8"))) {
    py.FS.mkdirTree(path.dirname(job.source));
    py.FS.writeFile(job.source, fs.readFileSync(job.source));
    if (job.native !== "") {
      py.FS.writeFile("/w/native.pyc", fs.readFileSync(job.native));
    }
    const r = run(job.source, job.name, job.opt, job.native !== "");
    const [pyc, listing, warnings] = r.toJs();
    r.destroy();
    py.FS.unlink(job.source);
    process.stdout.write(JSON.stringify({ pyc, listing: listing === undefined ? null : listing, warnings }) + "\n");
  }
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
