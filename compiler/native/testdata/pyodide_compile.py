# The script TestPyodideRelease runs in Pyodide (see pythons.Pyodide.Run):
# for each job {name, src, opt, native, files} it compiles the source at
# src with compile() as py_compile calls it, recording name, and compares
# marshal.dumps of the code with the native compiler's marshalled code at
# native ("" when the native compiler refused the source). The answer's
# status: "same" (identical bytes), "equal" (code objects equal in every
# field, nested code included, but other bytes: marshal shared objects
# differently), "differ", or "error" (either side refused the source).
# _head() gives the release and the modules the process had loaded.
import marshal
import sys


def _head():
    return {
        "version": "%d.%d.%d" % sys.version_info[:3],
        "loaded": sorted(n for n, m in sys.modules.items() if getattr(m, "__file__", None)),
    }


def _run(job):
    src = open(job["src"], "rb").read()
    try:
        code = compile(src, job["name"], "exec", dont_inherit=True, optimize=job["opt"])
    except Exception as e:
        return {"status": "error", "detail": "CPython: %s: %s" % (type(e).__name__, e)}
    if not job["native"]:
        return {"status": "error", "detail": "CPython compiled it, the native compiler did not"}
    mine = open(job["native"], "rb").read()
    if marshal.dumps(code) == mine:
        return {"status": "same"}
    if _same(code, marshal.loads(mine)):
        return {"status": "equal"}
    return {"status": "differ"}
