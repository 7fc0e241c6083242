# Serializes CPython's ASTs for the Go tests (package astjson).
#
# Request (JSON on stdin):
#   {"roots": [dir, ...],        every .py file under each dir (sorted walk,
#                                site-packages left out), or
#    "files": [path, ...],       these files, and/or
#    "sources": [text, ...],     these sources (named "<source N>"), given as
#                                lists of byte values;
#    "every": N, "offset": K,    of the files found, only every Nth from K
#    "dump": true,               also ast.dump(tree, include_attributes=True)
#    "extra": code}              Python source defining extra(name, src):
#                                what it returns (JSON-able) is the record's
#                                "extra", for every readable input; an
#                                exception it raises is "extra_error"
#
# Answer: one JSON object per line, per input:
#   {"name": ..., "tree": NODE, "dump": text}          parsed (and dumped)
#   {"name": ..., "tree": NODE, "dump_error": text}    ast.dump raised
#   {"name": ..., "parse_error": text}                 ast.parse raised
#   {"name": ..., "read_error": text}
# (with "extra" or "extra_error" when asked for),
# then {"done": count}.
#
# NODE is {"_": class name, field: value, ..., attribute: int, ...}. A list
# is a JSON list, None is null, an identifier or other str field a JSON
# string. The value of Constant and MatchSingleton is exact:
#   {"t": "None"} {"t": "bool", "v": true} {"t": "Ellipsis"}
#   {"t": "int", "v": hex(v)}      (hex is exempt from the int->str limit)
#   {"t": "float", "v": v.hex()}   {"t": "complex", "re": ..., "im": ...}
#   {"t": "str", "v": [code points]}   {"t": "bytes", "v": v.hex()}
#   {"t": "tuple"|"frozenset", "v": [values]}
import ast
import json
import os
import sys


def const(v):
    if v is None:
        return {"t": "None"}
    if v is Ellipsis:
        return {"t": "Ellipsis"}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, int):
        return {"t": "int", "v": hex(v)}
    if isinstance(v, float):
        return {"t": "float", "v": v.hex()}
    if isinstance(v, complex):
        return {"t": "complex", "re": v.real.hex(), "im": v.imag.hex()}
    if isinstance(v, str):
        return {"t": "str", "v": [ord(c) for c in v]}
    if isinstance(v, bytes):
        return {"t": "bytes", "v": v.hex()}
    if isinstance(v, tuple):
        return {"t": "tuple", "v": [const(x) for x in v]}
    if isinstance(v, frozenset):
        return {"t": "frozenset", "v": [const(x) for x in v]}
    raise TypeError("constant of type %s" % type(v).__name__)


CONSTANT_HOLDERS = (ast.Constant, ast.MatchSingleton)


def node(n):
    # An explicit stack: trees can be deeper than Python's recursion limit.
    root = {}
    stack = [(n, root)]
    while stack:
        n, out = stack.pop()
        out["_"] = type(n).__name__
        for name in n._fields:
            v = getattr(n, name, None)
            if name == "value" and isinstance(n, CONSTANT_HOLDERS):
                out[name] = const(v)
            elif isinstance(v, ast.AST):
                d = out[name] = {}
                stack.append((v, d))
            elif isinstance(v, list):
                lst = out[name] = []
                for x in v:
                    if isinstance(x, ast.AST):
                        d = {}
                        lst.append(d)
                        stack.append((x, d))
                    else:
                        lst.append(x)
            else:
                out[name] = v
        for name in n._attributes:
            out[name] = getattr(n, name, None)
    return root


def inputs(req):
    found = []
    for root in req.get("roots", []):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            if "site-packages" in dirnames:
                dirnames.remove("site-packages")
            for f in sorted(filenames):
                if f.endswith(".py"):
                    found.append(os.path.join(dirpath, f))
    found.extend(req.get("files", []))
    every = req.get("every", 1)
    offset = req.get("offset", 0)
    for i, path in enumerate(found):
        if i % every == offset % every:
            yield path, None
    for i, src in enumerate(req.get("sources", [])):
        yield "<source %d>" % i, bytes(src)


def main():
    req = json.load(sys.stdin)
    want_dump = req.get("dump", False)
    extra = None
    if req.get("extra"):
        scope = {}
        exec(req["extra"], scope)
        extra = scope["extra"]
    out = sys.stdout
    count = 0
    for name, src in inputs(req):
        count += 1
        rec = {"name": name}
        try:
            if src is None:
                with open(name, "rb") as f:
                    src = f.read()
        except OSError as e:
            rec["read_error"] = str(e)
        else:
            try:
                tree = ast.parse(src, name)
            except Exception as e:
                rec["parse_error"] = "%s: %s" % (type(e).__name__, e)
            else:
                rec["tree"] = node(tree)
                if want_dump:
                    try:
                        rec["dump"] = ast.dump(tree, include_attributes=True)
                    except Exception as e:
                        rec["dump_error"] = "%s: %s" % (type(e).__name__, e)
            if extra is not None:
                try:
                    rec["extra"] = extra(name, src)
                except Exception as e:
                    rec["extra_error"] = "%s: %s" % (type(e).__name__, e)
        out.write(json.dumps(rec, ensure_ascii=False))
        out.write("\n")
    out.write(json.dumps({"done": count}))
    out.write("\n")


main()
