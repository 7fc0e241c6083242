# Defines _same(x, y) for the scripts pythons.Pyodide.Run runs: whether two
# code objects (or constants) are equal in every field, nested code
# included, whatever objects marshal shared between them.


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
