# Names the first difference between two .pyc files of one source: the
# first code object (depth first, in co_consts order) whose fields differ,
# and the field; or, when every code object is equal by value, the first
# differing byte of the marshal stream (an object marshalled by reference
# on one side only: interning or sharing).
import marshal, struct, sys

FIELDS = ("co_argcount", "co_posonlyargcount", "co_kwonlyargcount", "co_nlocals",
          "co_stacksize", "co_flags", "co_firstlineno", "co_name", "co_qualname",
          "co_filename", "co_names", "co_varnames", "co_cellvars", "co_freevars",
          "co_code", "co_linetable", "co_exceptiontable")


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def key(x):
    # A constant as marshal tells it apart: floats by their bits (NaNs
    # differ in sign and payload), containers item by item in order.
    if type(x) is float:
        return ("float", struct.pack("<d", x).hex())
    if type(x) is complex:
        return ("complex", struct.pack("<dd", x.real, x.imag).hex())
    if type(x) in (tuple, frozenset):
        return (type(x).__name__, tuple(key(i) for i in x))
    if hasattr(x, "co_code"):
        return ("code", x.co_qualname)
    return (type(x).__name__, repr(x))


def walk(a, b, path):
    for f in FIELDS:
        x, y = getattr(a, f), getattr(b, f)
        if x != y or type(x) is not type(y):
            if isinstance(x, bytes):
                k = first_diff(x, y)
                return "%s: %s differs at byte %d: native %s... CPython %s..." % (
                    path, f, k, x[k:k + 12].hex(), y[k:k + 12].hex())
            return "%s: %s: native %r, CPython %r" % (path, f, x, y)
    ca, cb = a.co_consts, b.co_consts
    if len(ca) != len(cb):
        return "%s: co_consts: native %r, CPython %r" % (path, ca, cb)
    for k, (x, y) in enumerate(zip(ca, cb)):
        if hasattr(x, "co_code") and hasattr(y, "co_code"):
            d = walk(x, y, path + "/" + y.co_qualname)
            if d:
                return d
        elif key(x) != key(y):
            return "%s: co_consts[%d]: native %r, CPython %r" % (path, k, key(x), key(y))
    return None


def main():
    a = open(sys.argv[1], "rb").read()
    b = open(sys.argv[2], "rb").read()
    if a[:16] != b[:16]:
        print("the headers differ: native %s, CPython %s" % (a[:16].hex(), b[:16].hex()))
        return
    d = walk(marshal.loads(a[16:]), marshal.loads(b[16:]), "<module>")
    if d:
        print(d)
        return
    k = first_diff(a, b)
    print("every code object is equal by value; the streams part at byte %d (lengths %d, %d):"
          " native %s... CPython %s... (an object marshalled by reference on one side only)"
          % (k, len(a), len(b), a[k:k + 16].hex(), b[k:k + 16].hex()))


main()
