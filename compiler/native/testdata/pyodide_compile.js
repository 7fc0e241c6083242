// Compiles sources with the CPython inside Pyodide and compares each result
// with the native compiler's, for TestPyodideRelease.
//
// usage: node pyodide_compile.js PACKAGE_DIR JOBS_JSON
//
// JOBS_JSON holds a list of {name, src, opt, native}: the name to record,
// the source's path, the optimization level, and the path of the native
// compiler's marshalled code ("" when it refused the source). For each job
// it prints a JSON line {name, opt, status, detail}, status being "same"
// (identical bytes), "equal" (code objects equal in every field, nested
// code included, but the bytes differ: marshal shared objects differently),
// "differ", or "error" (either side refused the source). The first line
// lists the modules the Pyodide process had loaded before compiling.
"use strict";
const fs = require("fs");
const path = require("path");

const compare = `
import marshal

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

def _run(name, opt, has_native):
    src = open("/w/src.py", "rb").read()
    try:
        code = compile(src, name, "exec", dont_inherit=True, optimize=opt)
    except Exception as e:
        return ["error", "CPython: %s: %s" % (type(e).__name__, e)]
    if not has_native:
        return ["error", "CPython compiled it, the native compiler did not"]
    mine = open("/w/native.bin", "rb").read()
    if marshal.dumps(code) == mine:
        return ["same", ""]
    if _same(code, marshal.loads(mine)):
        return ["equal", ""]
    return ["differ", ""]
`;

(async () => {
  const [pkg, jobsFile] = process.argv.slice(2);
  const { loadPyodide } = require(path.join(pkg, "pyodide.js"));
  const py = await loadPyodide({ indexURL: pkg + path.sep });
  const loaded = py.runPython(
    "import sys\nsorted(n for n, m in sys.modules.items() if getattr(m, '__file__', None))",
  ).toJs();
  process.stdout.write(JSON.stringify({ loaded, version: py.runPython("import sys; '%d.%d.%d' % sys.version_info[:3]") }) + "\n");
  py.runPython(compare);
  const run = py.globals.get("_run");
  py.FS.mkdirTree("/w");
  for (const job of JSON.parse(fs.readFileSync(jobsFile, "utf8"))) {
    py.FS.writeFile("/w/src.py", fs.readFileSync(job.src));
    if (job.native !== "") {
      py.FS.writeFile("/w/native.bin", fs.readFileSync(job.native));
    }
    const r = run(job.name, job.opt, job.native !== "");
    const [status, detail] = r.toJs();
    r.destroy();
    process.stdout.write(JSON.stringify({ name: job.name, opt: job.opt, status, detail }) + "\n");
  }
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
