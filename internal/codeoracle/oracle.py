# Reads {"files": [[path, name], ...], "optimize": N} as JSON on stdin and
# writes one JSON line per file: the tree of code objects that
# compile(source, name, "exec", dont_inherit=True, optimize=N) makes, as the
# assembler's input (instructions decoded from co_code with their positions,
# jump targets and exception handlers) and metadata, plus the identifiers of
# the source (the strings the parser interns). A file that does not compile
# gives {"error": message}.
import ast, dis, json, opcode, sys

CACHES = opcode._inline_cache_entries
EXTENDED_ARG = opcode.opmap["EXTENDED_ARG"]
BACKWARD = {opcode.opmap[n] for n in ("JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT")}
JUMPS = set(opcode.hasjump)
NAMES = opcode.opname


def const(v, codes):
    def other(v):
        if type(v) is type(const.__code__):
            return ["code", unit(v, codes)]
        raise TypeError("constant of type %s" % type(v).__name__)
    # "S": a str made by str.replace in the AST optimizer's rewrite of
    # '%'-formatting, not the cached singleton.
    return wire_enc(v, other, fresh=True)


def instructions(co):
    raw = co.co_code
    pos = list(co.co_positions())
    starts = {}  # byte offset of an instruction's first unit -> index
    out = []
    i = 0
    arg = 0
    first = None
    while i < len(raw):
        op, a = raw[i], raw[i + 1]
        if first is None:
            first = i
        arg = arg << 8 | a
        if op == EXTENDED_ARG:
            i += 2
            continue
        name = NAMES[op]
        size = 2 + 2 * CACHES.get(name, 0)
        nxt = i + size
        target = -1
        if op in JUMPS:
            target = nxt - 2 * arg if op in BACKWARD else nxt + 2 * arg
        p = pos[i // 2]
        starts[first] = len(out)
        out.append([op, arg, *[-1 if x is None else x for x in p], target, None])
        i = nxt
        arg = 0
        first = None
    ins_offsets = sorted(starts)
    for ins in out:
        if ins[6] >= 0:
            ins[6] = starts[ins[6]]
    for e in dis._parse_exception_table(co):
        h = [starts[e.target], e.depth, bool(e.lasti)]
        for off in ins_offsets:
            if e.start <= off < e.end:
                out[starts[off]][7] = h
    return out


def unit(co, codes):
    u = dict(
        argcount=co.co_argcount, posonlyargcount=co.co_posonlyargcount,
        kwonlyargcount=co.co_kwonlyargcount, stacksize=co.co_stacksize,
        flags=co.co_flags, firstlineno=co.co_firstlineno,
        name=wire_hexs(co.co_name), qualname=wire_hexs(co.co_qualname),
        names=[wire_hexs(x) for x in co.co_names],
        varnames=[wire_hexs(x) for x in co.co_varnames],
        cellvars=[wire_hexs(x) for x in co.co_cellvars],
        freevars=[wire_hexs(x) for x in co.co_freevars],
        code=co.co_code.hex(), linetable=co.co_linetable.hex(),
        exceptiontable=co.co_exceptiontable.hex(),
        instrs=instructions(co),
    )
    u["consts"] = [const(c, codes) for c in co.co_consts]
    return u


def identifiers(tree):
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            continue
        for field, val in ast.iter_fields(node):
            if field in ("type_comment", "kind"):
                continue
            if isinstance(val, str):
                out.add(val)
            elif isinstance(val, list):
                out.update(x for x in val if isinstance(x, str))
    return sorted(wire_hexs(x) for x in out)


def main():
    req = json.load(sys.stdin)
    opt = req["optimize"]
    for path, name in req["files"]:
        with open(path, "rb") as f:
            src = f.read()
        try:
            co = compile(src, name, "exec", dont_inherit=True, optimize=opt)
            tree = compile(src, name, "exec", ast.PyCF_ONLY_AST, dont_inherit=True, optimize=opt)
            rec = dict(top=unit(co, None), identifiers=identifiers(tree))
        except Exception as e:
            rec = dict(error="%s: %s" % (type(e).__name__, e))
        sys.stdout.write(json.dumps(rec))
        sys.stdout.write("\n")
        sys.stdout.flush()


main()
