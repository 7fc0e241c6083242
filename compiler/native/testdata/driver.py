# The oracle driver of the native compiler's end-to-end tests.
#
# Run as `python3.13 -S -s driver_test.py` in the directory the names are
# relative to. It reads requests, one JSON object a line, and answers each
# with one JSON line:
#
#   {"op": "warnings", "path": P, "name": N, "opt": O}
#       compile(open(P, 'rb').read(), N, 'exec', optimize=O) as py_compile
#       calls it (through importlib's source_to_code, so that a warning
#       raised from C without a location of its own, such as the
#       DeprecationWarning of folding `~True`, is attributed to importlib's
#       frame and filtered as py_compile's are, not to this __main__
#       module's), with the warnings it emits recorded: the text the warnings
#       module prints for each (formatwarning, with linecache reading N),
#       in order, also those emitted before an exception.
#       -> {"warnings": [...], "error": "Type: str(e)" or null}
#   {"op": "dumps", "path": P, "name": N, "opt": O}
#       ast.dump(..., include_attributes=True) of ast.parse's tree and of the
#       tree compile(..., PyCF_OPTIMIZED_AST, optimize=O) makes.
#       -> {"parsed": str or null, "optimized": str or null, "error": ...}
#
# Strings are sent as JSON (surrogates escaped), so any text comes through.
import ast
import importlib._bootstrap
import json
import sys
import warnings


def answer(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def describe(e):
    return "%s: %s" % (type(e).__name__, e)


def main():
    for line in sys.stdin:
        req = json.loads(line)
        with open(req["path"], "rb") as f:
            src = f.read()
        name, opt = req["name"], req["opt"]
        if req["op"] == "warnings":
            out = {"warnings": [], "error": None}
            with warnings.catch_warnings(record=True) as log:
                try:
                    importlib._bootstrap._call_with_frames_removed(
                        compile, src, name, "exec", dont_inherit=True, optimize=opt)
                except Exception as e:
                    out["error"] = describe(e)
            for w in log:
                out["warnings"].append(warnings._formatwarnmsg_impl(w))
            answer(out)
        elif req["op"] == "dumps":
            out = {"parsed": None, "optimized": None, "error": None}
            try:
                out["parsed"] = ast.dump(ast.parse(src, name), include_attributes=True)
                tree = compile(src, name, "exec", ast.PyCF_OPTIMIZED_AST,
                               dont_inherit=True, optimize=opt)
                out["optimized"] = ast.dump(tree, include_attributes=True)
            except Exception as e:
                out["error"] = describe(e)
            answer(out)
        else:
            answer({"error": "unknown op %r" % req["op"]})


main()
