# The code generation oracle, run as astjson's Extra function: for each
# source and each optimization level, CPython's optimized tree (which the
# Go side compiles), and what CPython's code generation makes of the same
# source: _testinternalcapi.compiler_codegen's instruction sequences (the
# module's with its metadata, the nested ones with the code objects
# compile() made of them), or the error and the SyntaxWarnings compile()
# gives for the parsed tree (so that only the compiler's own warnings are
# seen). The oracle wire's prelude (internal/oraclewire) comes first, which
# encodes constants.
import ast, opcode, types, warnings
import __main__
import _testinternalcapi as T

CodeType = types.CodeType
RESUME = 149
HASCONST = set(opcode.hasconst)
EXTENDED_ARG = opcode.opmap["EXTENDED_ARG"]
CACHES = opcode._inline_cache_entries


hexs = wire_hexs  # the prelude's (internal/oraclewire)


def enc(v):
    return wire_enc(v, enc_other)


def enc_other(v):
    if type(v) is CodeType:
        return ["code", hexs(v.co_qualname)]
    return ["?", type(v).__name__]


def rows(seq):
    return [[op, 0 if arg is None else arg, l, el, c, ec] for op, arg, l, el, c, ec in seq.get_instructions()]


def first_line(insts):
    for ins in insts:
        if ins[0] == RESUME:
            return ins[2]
    return -1


def const_loads(co):
    """The constants co's constant-loading instructions load, in order."""
    raw, out, ext, i = co.co_code, [], 0, 0
    while i < len(raw):
        op, arg = raw[i], raw[i + 1] | ext
        i += 2
        if op == EXTENDED_ARG:
            ext = arg << 8
            continue
        ext = 0
        if op in HASCONST:
            out.append([op, enc(co.co_consts[arg])])
        i += 2 * CACHES.get(opcode.opname[op], 0)
    return out


def code_info(co):
    return dict(qualname=hexs(co.co_qualname), names=[hexs(x) for x in co.co_names], loads=const_loads(co),
                varnames=[hexs(x) for x in co.co_varnames],
                cellvars=[hexs(x) for x in co.co_cellvars],
                freevars=[hexs(x) for x in co.co_freevars],
                consts=[enc(x) for x in co.co_consts],
                argcount=co.co_argcount, posonly=co.co_posonlyargcount,
                kwonly=co.co_kwonlyargcount, firstlineno=co.co_firstlineno, flags=co.co_flags)


def children(seq, co):
    pool = [c for c in (co.co_consts if co is not None else ()) if type(c) is CodeType]
    out = []
    j = 0
    for ch in seq.get_nested():
        r = rows(ch)
        line = first_line(ch.get_instructions())
        match = None
        for k in range(j, len(pool)):
            if pool[k].co_firstlineno == line:
                match = pool[k]
                j = k + 1
                break
        u = dict(seq=r, children=children(ch, match))
        if match is not None:
            u["code"] = code_info(match)
        out.append(u)
    return out


def keyval(k):
    return k[1] if type(k) is tuple else k


def err(e):
    d = dict(type=type(e).__name__, msg=str(e))
    if isinstance(e, SyntaxError):
        d.update(msg=e.msg, lineno=e.lineno, offset=e.offset, end_lineno=e.end_lineno,
                 end_offset=e.end_offset, text=e.text)
    return d


def level(name, src, optimize):
    try:
        tree = compile(src, name, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        otree = compile(src, name, "exec", ast.PyCF_OPTIMIZED_AST, dont_inherit=True, optimize=optimize)
    except Exception as e:
        return dict(parse_error=err(e))
    out = dict(tree=__main__.node(otree))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            co = compile(tree, name, "exec", dont_inherit=True, optimize=optimize)
        except Exception as e:
            out["error"] = err(e)
            co = None
    out["warnings"] = [[str(x.message), x.lineno] for x in w if x.category is SyntaxWarning]
    if co is None:
        return out
    seq, md = T.compiler_codegen(tree, name, optimize)
    consts = md["consts"]
    if type(consts) is dict:
        consts = [keyval(k) for k in consts]
    top = dict(seq=rows(seq), consts=[enc(x) for x in consts],
               names=[hexs(x) for x in md["names"]], varnames=[hexs(x) for x in md["varnames"]],
               cellvars=[hexs(x) for x in md["cellvars"]], freevars=[hexs(x) for x in md["freevars"]])
    top["children"] = children(seq, co)
    out["top"] = top
    return out


LEVELS = (0, 1, 2)


def extra(name, src):
    return [level(name, src, o) for o in LEVELS]
