# The script TestPyodideMutants runs in Pyodide (see pythons.Pyodide.Run):
# for each job {source, name, opt, native, files} it compiles the source as
# py_compile.compile(source, cfile, dfile=name, doraise=True, optimize=opt,
# invalidation_mode=CHECKED_HASH) does and compares the .pyc with the
# native compiler's at native ("" when the native compiler rejected the
# source). The answer: pyc is "same" (identical bytes), "equal" (the same
# header and code objects equal in every field, nested code included, but
# other bytes: marshal shared objects differently), "libm" (they differ,
# and the source raises a float or complex number to a power: see below),
# "differ", or "" when either side wrote none; listing is PyCompileError's
# message (None when the source compiled); warnings is what the warnings
# module would have printed, in order. _head() gives the release and the
# warning filters in force.
#
# CPython folds a constant power of floats or complex numbers with the C
# library's pow, exp, log, cos and sin, and leaves it unfolded where they
# set errno. The native compiler does as glibc does; Pyodide's C library
# (Emscripten's, from musl) sets no errno and may round otherwise, so there
# the bytes may differ for a reason that is Pyodide's platform, not the
# release: `(2j ** 1e400)` is not folded on glibc (cos(inf) sets EDOM) and
# is folded to (nan+nanj) in Pyodide.
import ast
import marshal
import py_compile
import sys
import warnings


def _head():
    return {"version": "%d.%d.%d" % sys.version_info[:3], "filters": repr(warnings.filters)}


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


def _run(job):
    source = job["source"]
    listing, pyc = None, ""
    with warnings.catch_warnings(record=True) as log:
        try:
            py_compile.compile(source, "/w/out.pyc", dfile=job["name"], doraise=True,
                               optimize=job["opt"],
                               invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
        except py_compile.PyCompileError as e:
            listing = e.msg
    shown = "".join(warnings._formatwarnmsg_impl(w) for w in log)
    if listing is None and job["native"]:
        theirs = open("/w/out.pyc", "rb").read()
        mine = open(job["native"], "rb").read()
        if theirs == mine:
            pyc = "same"
        elif theirs[:16] == mine[:16] and _same(marshal.loads(theirs[16:]), marshal.loads(mine[16:])):
            pyc = "equal"
        elif _libm(source):
            pyc = "libm"
        else:
            pyc = "differ"
    return {"pyc": pyc, "listing": listing, "warnings": shown}
