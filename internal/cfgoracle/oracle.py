# The CFG optimizer's oracle. Reads a JSON request on stdin and writes one
# JSON line per item.
#
# {"files": [[path, name], ...], "optimize": N}: for each source, every
# code unit CPython 3.13's compiler makes: its instruction sequence as code
# generation writes it (_testinternalcapi.compiler_codegen) with the unit's
# metadata, CPython's own CFG optimizer run on it
# (_testinternalcapi.optimize_cfg), and the code object compile() makes
# from it.
#
# {"raw": [{"instrs": [...], "consts": [...], "nlocals": N}, ...]}: the
# answer of optimize_cfg for instruction sequences written by hand.
#
# compiler_codegen gives the module's metadata, but for nested units only
# their instructions. Their constant lists are recovered: a constant that a
# LOAD_CONST takes from a Constant node of the optimized AST gets that
# node's value (matched by source position), and the others are found by
# running optimize_cfg with a unique stand-in object for each and reading
# where the stand-ins end up in the real code object's co_consts. A
# recovered list is "validated" when optimize_cfg, given it, produces the
# real co_consts.
import _testinternalcapi as T
import ast, dis, json, opcode, sys, types

CodeType = types.CodeType
HASCONST = set(opcode.hasconst)
HASARG = set(opcode.hasarg)
RESUME = opcode.opmap["RESUME"]
EXTENDED_ARG = opcode.opmap["EXTENDED_ARG"]
CACHES = opcode._inline_cache_entries
BACKWARD = {opcode.opmap[n] for n in ("JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT")}
JUMPS = set(opcode.hasjump)
CO_VARARGS, CO_VARKEYWORDS, CO_OPTIMIZED = 0x4, 0x8, 0x1


hexs = wire_hexs
dec = wire_dec


def enc(v, codes):
    """Encodes a constant; codes maps id(code object) to a child index."""
    def other(v):
        if type(v) is CodeType:
            return ["code", codes.get(id(v), -1)]
        if type(v) is Probe:
            return ["?", v.k]
        raise TypeError("constant of type %s" % type(v).__name__)
    return wire_enc(v, other)


class Probe:
    """A stand-in for a constant whose value is looked for."""
    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k


def same(a, b):
    """Equality as the constant cache sees it (type and value)."""
    if type(a) is not type(b):
        return False
    if type(a) is tuple:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) in (float, complex):
        return repr(a) == repr(b)
    if type(a) is CodeType:
        return a is b
    return a == b


def seq_rows(insts):
    return [[op, 0 if arg is None else arg, l, el, c, ec] for op, arg, l, el, c, ec in insts]


def final_rows(co):
    """co's instructions: opcode, oparg (EXTENDED_ARGs folded in),
    position, jump target index (-1: none), handler [target index, depth,
    lasti] or None."""
    raw = co.co_code
    pos = list(co.co_positions())
    starts = {}
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
        size = 2 + 2 * CACHES.get(opcode.opname[op], 0)
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
    offsets = sorted(starts)
    for row in out:
        if row[6] >= 0:
            row[6] = starts.get(row[6], -2)
    for e in dis._parse_exception_table(co):
        h = [starts.get(e.target, -2), e.depth, bool(e.lasti)]
        for off in offsets:
            if e.start <= off < e.end:
                out[starts[off]][7] = h
    return out


def nlocalsplus(co):
    cells = [c for c in co.co_cellvars if c not in co.co_varnames]
    return len(co.co_varnames) + len(cells) + len(co.co_freevars)


def nparams(co):
    n = co.co_argcount + co.co_kwonlyargcount
    if co.co_flags & CO_VARARGS:
        n += 1
    if co.co_flags & CO_VARKEYWORDS:
        n += 1
    return n


def cell_order(co, is_class):
    """The compiler's cell order: the symbol table's cells sorted by name,
    then a class body's implicit __class__ and __classdict__."""
    names = sorted(co.co_cellvars)
    if is_class:
        extra = [n for n in ("__class__", "__classdict__") if n in names]
        names = [n for n in names if n not in extra] + extra
    return names


def ast_values(tree, optimize):
    """The value of each Constant node (and MatchSingleton) by its
    position; docstrings as the compiler cleans them."""
    docs = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and n.body:
            b = n.body[0]
            if isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant) and type(b.value.value) is str:
                docs.add(id(b.value))
    m = {}
    ambiguous = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.Constant, ast.MatchSingleton)):
            v = n.value
            if id(n) in docs and optimize < 2:
                v = T.compiler_cleandoc(v)
        else:
            continue
        if n.lineno < 0:
            continue
        key = (n.lineno, n.end_lineno, n.col_offset, n.end_col_offset)
        if key in m and not same(m[key], v):
            ambiguous.add(key)
        m[key] = v
    for k in ambiguous:
        del m[k]
    return m


def run_opt(seq, consts, nlocals):
    cl = list(consts)
    try:
        out = T.optimize_cfg(seq, cl, nlocals)
    except Exception as e:
        return None, None, "%s: %s" % (type(e).__name__, e)
    return out.get_instructions(), cl, None


def consts_match(cl, want):
    return cl is not None and len(cl) == len(want) and all(same(a, b) for a, b in zip(cl, want))


# Opcodes whose number the final stage (prologue, pseudo instructions,
# backward jumps) leaves alone, counted by fingerprint(): each group is
# summed, since normalize_jumps reverses conditional jumps.
GROUPS = [[opcode.opmap[n] for n in g.split()] for g in (
    "IS_OP", "TO_BOOL", "BUILD_TUPLE", "UNPACK_SEQUENCE", "SWAP", "COMPARE_OP",
    "CONTAINS_OP", "UNARY_NOT", "POP_TOP", "COPY", "LOAD_GLOBAL", "PUSH_NULL",
    "POP_JUMP_IF_TRUE POP_JUMP_IF_FALSE", "POP_JUMP_IF_NONE POP_JUMP_IF_NOT_NONE")]


def fingerprint(ops_args, consts):
    """What of a unit's optimized instructions depends on its constants:
    the values its constant loads load, in order, and the number of the
    instructions that constant folding removes or makes."""
    loads = [(op, consts[arg]) for op, arg in ops_args if op in HASCONST]
    counts = [sum(1 for op, _ in ops_args if op in g) for g in GROUPS]
    return loads, counts


PROLOGUE = {opcode.opmap[n] for n in ("COPY_FREE_VARS", "MAKE_CELL")}
RETURN_GENERATOR = opcode.opmap["RETURN_GENERATOR"]


def strip_prologue(rows):
    """rows without the prologue the final stage adds (COPY_FREE_VARS,
    MAKE_CELLs, RETURN_GENERATOR and its POP_TOP)."""
    i = 0
    while i < len(rows) and rows[i][0] in PROLOGUE:
        i += 1
    if i < len(rows) and rows[i][0] == RETURN_GENERATOR:
        i += 2
    return rows[i:]


def score(seq, cand, co, nlocals, rows):
    """How well optimize_cfg makes of cand what compile() made: -1 when it
    is the same (the same constant loads, loading the same values, the same
    folding, the same first constant), else the number of loads that agree.
    Values, not indexes: CPython's optimize_cfg starts from an empty
    constant cache, so a tuple it folds can be appended again where the
    compile's cache finds the equal constant in the list."""
    out, cl, _ = run_opt(seq, cand, nlocals)
    if out is None:
        return 0
    got, gcounts = fingerprint([(i[0], i[1]) for i in out], cl)
    want, wcounts = fingerprint([(r[0], r[1]) for r in strip_prologue(rows)], co.co_consts)
    agree = 0
    for (o1, v1), (o2, v2) in zip(got, want):
        if o1 != o2 or not same(v1, v2):
            break
        agree += 1
    if agree == len(got) == len(want) and gcounts == wcounts and \
            (not co.co_consts or (cl and same(cl[0], co.co_consts[0]))):
        return -1
    return agree


def recover(seq, insts, co, astv, nlocals):
    """The unit's constant list: see the file comment. Returns the list and
    whether it is validated."""
    n = 0
    for ins in insts:
        if ins[0] in HASCONST:
            n = max(n, ins[1] + 1)
    if co is not None or n == 0:
        n = max(n, 1)
    fromast = {}
    for ins in insts:
        if ins[0] in HASCONST:
            key = tuple(ins[2:6])
            if key in astv and ins[1] not in fromast:
                fromast[ins[1]] = astv[key]
    if co is None:
        return [fromast.get(k) for k in range(n)], False
    rows = final_rows(co)
    cloads = [co.co_consts[r[1]] for r in rows if r[0] in HASCONST]

    def fill(use_ast):
        vals = [fromast[k] if k in use_ast and k in fromast else Probe(k) for k in range(n)]
        out, cl, _ = run_opt(seq, vals, nlocals)
        found = {}

        def scan(x, y):
            if type(x) is Probe:
                found.setdefault(x.k, y)
            elif type(x) is tuple and type(y) is tuple and len(x) == len(y):
                for a, b in zip(x, y):
                    scan(a, b)
        if out is not None:
            loads = [cl[i[1]] for i in out if i[0] in HASCONST]
            if len(loads) == len(cloads):
                # The i-th constant load of each is the same.
                for x, y in zip(loads, cloads):
                    scan(x, y)
            else:
                # Align the lists, skipping entries of cl that CPython's
                # fresh cache left as duplicates of earlier ones.
                j = 0
                for x in cl:
                    if j >= len(co.co_consts):
                        break
                    y = co.co_consts[j]
                    if type(x) is Probe or same(x, y) or (type(x) is tuple and type(y) is tuple and len(x) == len(y)):
                        scan(x, y)
                        j += 1
        out = []
        for k in range(n):
            if type(vals[k]) is not Probe:
                out.append(vals[k])
            elif k in found:
                out.append(found[k])
            elif k in fromast:
                out.append(fromast[k])
            elif k == 0 and co.co_consts:
                out.append(co.co_consts[0])
            else:
                out.append(None)
        return out

    best, best_score = None, -2
    for use in (set(), set(fromast)):
        cand = fill(use)
        sc = score(seq, cand, co, nlocals, rows)
        if sc == -1:
            return cand, True
        if sc > best_score:
            best, best_score = cand, sc
    return best, False


def first_line(insts):
    for ins in insts:
        if ins[0] == RESUME:
            return ins[2]
    return -1


def unit(seq, consts, kind, co, astv, nlocals, is_class, child_codes=None):
    """The record of one code unit and, recursively, of its children.
    consts is the unit's constant list: CPython's (kind "exact"), or
    recovered (kind True when validated, False if not); co the
    code object compile() made of it (None: none found); child_codes, when
    given, the code objects of the children in order."""
    insts = seq.get_instructions()
    children = seq.get_nested()
    # Match children with their code objects.
    if child_codes is None:
        pool = [c for c in (co.co_consts if co is not None else ()) if type(c) is CodeType]
        child_codes = []
        j = 0
        for ch in children:
            line = first_line(ch.get_instructions())
            match = None
            for k in range(j, len(pool)):
                if pool[k].co_firstlineno == line:
                    match = pool[k]
                    j = k + 1
                    break
            child_codes.append(match)
    codes = {}
    for i, c in enumerate(child_codes):
        if c is not None:
            codes[id(c)] = i
    rec = dict(seq=seq_rows(insts), consts=[enc(v, codes) for v in consts],
               input="exact" if kind == "exact" else "validated" if kind else "recovered",
               nlocals=nlocals)
    out, cl, err = run_opt(seq, consts, nlocals)
    if err is not None:
        rec["opt"] = dict(error=err)
    else:
        rec["opt"] = dict(seq=seq_rows(out), consts=[enc(v, codes) for v in cl])
    if co is not None:
        rec.update(nparams=nparams(co), firstlineno=co.co_firstlineno, flags=co.co_flags,
                   varnames=[hexs(x) for x in co.co_varnames],
                   cellvars=[hexs(x) for x in cell_order(co, is_class)],
                   freevars=[hexs(x) for x in co.co_freevars])
        rec["final"] = dict(instrs=final_rows(co), consts=[enc(v, codes) for v in co.co_consts],
                            stacksize=co.co_stacksize, nlocalsplus=nlocalsplus(co))
    kids = []
    for ch, cc in zip(children, child_codes):
        chi = ch.get_instructions()
        nl = len(cc.co_varnames) if cc is not None else 0
        cons, ok = recover(ch, chi, cc, astv, nl)
        kid_class = cc is not None and not (cc.co_flags & CO_OPTIMIZED)
        kids.append(unit(ch, cons, ok, cc, astv, nl, kid_class))
    rec["children"] = kids
    return rec


def keyval(k):
    """A constant from its key in the compiler's u_consts."""
    return k[1] if type(k) is tuple else k


def do_file(path, name, optimize):
    with open(path, "rb") as f:
        src = f.read()
    try:
        co = compile(src, name, "exec", dont_inherit=True, optimize=optimize)
        tree = compile(src, name, "exec", ast.PyCF_ONLY_AST, dont_inherit=True, optimize=optimize)
        seq, md = T.compiler_codegen(tree, name, optimize)
        otree = compile(src, name, "exec", ast.PyCF_OPTIMIZED_AST, dont_inherit=True, optimize=optimize)
    except Exception as e:
        return dict(error="%s: %s" % (type(e).__name__, e))
    consts = md["consts"]
    if type(consts) is dict:
        # 3.13.0 gives u_consts itself (keys in index order); later
        # releases the list of values.
        consts = [keyval(k) for k in consts]
    # The code objects of the module's children, made by the same
    # compiler_codegen run, in the order the children were compiled.
    kid_codes = [c for c in consts if type(c) is CodeType]
    top = unit(seq, consts, "exact", co, ast_values(otree, optimize), len(md["varnames"]), False, kid_codes)
    # The module's own metadata, exactly.
    top["varnames"] = [hexs(x) for x in md["varnames"]]
    top["cellvars"] = [hexs(x) for x in md["cellvars"]]
    top["freevars"] = [hexs(x) for x in md["freevars"]]
    top["nparams"] = 0
    # compile()'s co_consts hold its own code objects: name them by the
    # children compiled in the same order.
    codes = {}
    j = 0
    for c in co.co_consts:
        if type(c) is not CodeType:
            continue
        while j < len(kid_codes):
            k = kid_codes[j]
            j += 1
            if k.co_qualname == c.co_qualname and k.co_firstlineno == c.co_firstlineno:
                codes[id(c)] = j - 1
                break
    top["final"]["consts"] = [enc(v, codes) for v in co.co_consts]
    return dict(top=top)


def do_raw(item):
    seq = T.new_instruction_sequence()
    labels = {}
    for ins in item["instrs"]:
        if ins[0] == "label":
            seq.use_label(ins[1])
        else:
            op, arg, l, el, c, ec = ins
            seq.addop(op, arg, l, el, c, ec)
    consts = [dec(c) for c in item["consts"]]
    out, cl, err = run_opt(seq, consts, item["nlocals"])
    if err is not None:
        return dict(error=err)
    return dict(seq=seq_rows(out), consts=[enc(v, {}) for v in cl])


def main():
    req = json.load(sys.stdin)
    if "raw" in req:
        items = [do_raw(it) for it in req["raw"]]
        sys.stdout.write(json.dumps(items))
        sys.stdout.write("\n")
        return
    for path, name in req["files"]:
        sys.stdout.write(json.dumps(do_file(path, name, req["optimize"])))
        sys.stdout.write("\n")
        sys.stdout.flush()


main()
