# The second oracle of the code generation test, a long-running process:
# each line on stdin is a JSON list of code units as native code generation
# made them (instructions with jump targets as instruction indexes,
# constants, number of locals); for each unit, CPython's own CFG optimizer
# (_testinternalcapi.optimize_cfg, which ends where the code object's
# instructions are final but for pseudo instructions and jump directions)
# runs on the unit with those constants, and the answer line lists, per
# unit, the constants its constant-loading instructions load, in order,
# or the error; "rebuilt" lists them again with every frozenset in the order
# PyFrozenSet_New gives when it rebuilds the set from the unit's order (a
# frozenset made here from that order iterates so), as _PyCode_New's
# interning of str constants does when it replaces one of its strs by an
# equal interned earlier. The test compares them with the loads of the code object
# compile() made: equal loads mean the unit's constants were CPython's, for
# every constant that reaches the code object. The oracle wire's prelude
# (internal/oraclewire) comes first, which encodes scalar constants.
import json, opcode, sys, types
import _testinternalcapi as T

HASCONST = set(opcode.hasconst)
ORDER = {}  # id of a frozenset made here -> its items in the unit's order
KEEP = []   # keeps those frozensets (and their ids) alive
CODES = []


def dec(c):
    """The constant of form c (the oracle wire's, internal/oraclewire): a
    frozenset remembers the order the unit gave its items, a code object is
    a new empty one."""
    t = c[0]
    if t == "t":
        return tuple(dec(x) for x in c[1])
    if t == "fs":
        items = [dec(x) for x in c[1]]
        fs = frozenset(items)
        ORDER[id(fs)] = items
        KEEP.append(fs)
        return fs
    if t == "code":
        # A distinct code object per constant (optimize_cfg only moves them).
        co = compile("", "<code %d>" % len(CODES), "exec")
        CODES.append(co)
        return co
    return wire_dec(c)


def enc(v, real=False):
    """v's form; a frozenset made by dec in the order the unit gave, or
    with real set, in its own iteration order."""
    t = type(v)
    if t is tuple:
        return ["t", [enc(x, real) for x in v]]
    if t is frozenset:
        return ["fs", [enc(x, real) for x in (v if real else ORDER.get(id(v), v))]]
    if t is types.CodeType:
        return ["code"]
    return wire_enc(v, lambda x: ["?", type(x).__name__])


def unit(u):
    rows = u["rows"]
    targets = {r[1] for r in rows if r[6]}
    seq = T.new_instruction_sequence()
    for i, r in enumerate(rows):
        if i in targets:
            seq.use_label(i)
        seq.addop(r[0], r[1], r[2], r[3], r[4], r[5])
    if len(rows) in targets:
        seq.use_label(len(rows))
    consts = [dec(c) for c in u["consts"]]
    out = T.optimize_cfg(seq, consts, u["nlocals"])
    loads = [(op, consts[arg]) for op, arg, *_ in out.get_instructions() if op in HASCONST]
    return {"loads": [[op, enc(c)] for op, c in loads],
            "rebuilt": [[op, enc(c, True)] for op, c in loads]}


def main():
    for line in sys.stdin:
        answers = []
        for u in json.loads(line):
            try:
                answers.append(unit(u))
            except Exception as e:
                answers.append({"error": "%s: %s" % (type(e).__name__, e)})
        ORDER.clear()
        KEEP.clear()
        CODES.clear()
        sys.stdout.write(json.dumps(answers) + "\n")
        sys.stdout.flush()


main()
