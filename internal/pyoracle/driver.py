# The oracle's driver: runs in the interpreter under test, one process for a
# batch of files (see oracle.go for the protocol and its reader).
#
# Input (stdin): for each file, its path's length in bytes, a newline, the
# path's bytes (decoded as os.fsdecode decodes a command-line argument).
#
# Output (stdout): {"k": "hello", "n": []} once started, then for each file,
# in order, one record: a JSON header line,
# then the payloads whose byte lengths the header's "n" lists.
#   {"k": "dump", "n": [len]}: ast.parse succeeded; the payload is the
#       line print(ast.dump(tree, include_attributes=True)) writes, without
#       its newline.
#   {"k": "exc", "type": ..., "attrs": [lineno, offset, end_lineno,
#       end_offset] or null, "filename": bool, "text": bool,
#       "pyc": "raised" | "compiled" | "other", "n": [msg, filename, text,
#       pyc]}: compile(src, path, "exec", PyCF_ONLY_AST) raised; payloads are
#       the exception's msg (str(e) for a type that is not a SyntaxError),
#       filename and text (empty when None; UTF-8, surrogateescape), and
#       what py_compile.compile(path) writes to stderr for the file ("raised":
#       PyCompileError.msg and a newline, as sys.stderr encodes it), or the
#       exception it raised instead ("other"), or nothing ("compiled").
#   {"k": "fail", "n": [len]}: the oracle could not answer (ast.dump
#       raised, the file could not be read, ...); the payload says why.
import ast
import json
import os
import py_compile
import shutil
import sys
import tempfile
import warnings

DEFAULT_RECURSION_LIMIT = sys.getrecursionlimit()


def raw(s):
    """The bytes a str stands for: UTF-8, with surrogateescape'd bytes back."""
    if s is None:
        return b""
    if not isinstance(s, str):
        s = str(s)
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return s.encode("utf-8", "backslashreplace")


def emit(out, header, *payloads):
    header = dict(header, n=[len(p) for p in payloads])
    out.write(json.dumps(header).encode("ascii") + b"\n")
    for p in payloads:
        out.write(p)
    out.flush()


def depth():
    """The number of Python frames below the caller's."""
    n, f = 0, sys._getframe(1)
    while f is not None:
        n, f = n + 1, f.f_back
    return n


def dump(tree):
    # `python -c 'print(ast.dump(...))'` calls ast.dump from the module's
    # frame, at depth 1; raise the limit by the frames this call adds, so
    # that a tree too deep for that command is too deep here too.
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT + depth() - 1)
    try:
        return ast.dump(tree, include_attributes=True)
    finally:
        sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)


def attr(e, name):
    v = getattr(e, name, None)
    if v is None or type(v) is int:
        return v
    raise TypeError("%s.%s is %r" % (type(e).__name__, name, v))


def rejected(out, path, e, cfile):
    header = {"k": "exc", "type": type(e).__name__, "attrs": None, "filename": False, "text": False}
    if isinstance(e, SyntaxError):
        header["attrs"] = [attr(e, "lineno"), attr(e, "offset"), attr(e, "end_lineno"), attr(e, "end_offset")]
        header["filename"] = e.filename is not None
        header["text"] = e.text is not None
        msg, filename, text = raw(e.msg), raw(e.filename), raw(e.text)
    else:
        msg, filename, text = raw(str(e)), b"", b""
    try:
        py_compile.compile(path, cfile=cfile, doraise=True)
        header["pyc"], pyc = "compiled", b""
    except py_compile.PyCompileError as pe:
        header["pyc"], pyc = "raised", (pe.msg + "\n").encode("utf-8", "backslashreplace")
    except BaseException as pe:
        header["pyc"], pyc = "other", raw("%s: %s" % (type(pe).__name__, pe))
    emit(out, header, msg, filename, text, pyc)


def one(out, path, cfile):
    try:
        with open(path, "rb") as f:
            src = f.read()
    except OSError as e:
        emit(out, {"k": "fail"}, raw("cannot read the file: %s" % e))
        return
    try:
        tree = ast.parse(src, path)
    except Exception as e:
        try:
            rejected(out, path, e, cfile)
        except TypeError as te:
            emit(out, {"k": "fail"}, raw("unexpected exception attributes: %s" % te))
        return
    try:
        line = dump(tree)
    except Exception as e:
        emit(out, {"k": "fail"}, raw("ast.dump raised %s: %s" % (type(e).__name__, e)))
        return
    try:
        data = line.encode("utf-8")
    except UnicodeEncodeError as e:
        emit(out, {"k": "fail"}, raw("print(ast.dump(...)) would raise %s" % e))
        return
    emit(out, {"k": "dump"}, data)


def main():
    warnings.simplefilter("ignore")
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    tmp = tempfile.mkdtemp(prefix="pyoracle-")
    try:
        cfile = os.path.join(tmp, "out.pyc")
        emit(out, {"k": "hello"})
        while True:
            n = inp.readline()
            if not n:
                return
            path = os.fsdecode(inp.read(int(n)))
            one(out, path, cfile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
