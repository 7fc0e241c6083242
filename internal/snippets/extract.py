# Lists the source snippets held by Python files: run by an interpreter,
# reads a JSON list of paths on stdin and prints a JSON list of base64
# strings, one per distinct snippet, in the order first met.
#
# A snippet is every str and bytes constant of a file's tree (implicit
# concatenations already joined), that constant dedented as
# textwrap.dedent dedents it when that changes it, and the source of every
# doctest example found in a str constant (test_syntax.py keeps its cases
# as doctests). A str is written as UTF-8 with lone surrogates passed
# through (so a constant holding "\ud800" gives invalid UTF-8 bytes, which
# is an input too); bytes as they are.
import ast
import base64
import doctest
import json
import sys
import textwrap

parser = doctest.DocTestParser()
seen = set()
out = []


def add(b):
    if b not in seen:
        seen.add(b)
        out.append(base64.b64encode(b).decode("ascii"))


def text(s):
    return s.encode("utf-8", "surrogatepass")


for path in json.load(sys.stdin):
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)
    except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
        continue
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant):
            continue
        v = node.value
        if isinstance(v, bytes):
            add(v)
            continue
        if not isinstance(v, str):
            continue
        add(text(v))
        d = textwrap.dedent(v)
        if d != v:
            add(text(d))
        if ">>>" in v:
            try:
                examples = parser.get_examples(v)
            except ValueError:
                continue
            for ex in examples:
                add(text(ex.source))
json.dump(out, sys.stdout)
