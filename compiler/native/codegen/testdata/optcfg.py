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
# every constant that reaches the code object.
import json, opcode, struct, sys, types
import _testinternalcapi as T

HASCONST = set(opcode.hasconst)
ORDER = {}  # id of a frozenset made here -> its items in the unit's order
KEEP = []   # keeps those frozensets (and their ids) alive
CODES = []


def hexs(s):
    return s.encode("utf-8", "surrogatepass").hex()


def f64(h):
    if h == "nan":
        return float("nan")
    return struct.unpack("<d", bytes.fromhex(h))[0]


def dec(c):
    t = c[0]
    if t == "N":
        return None
    if t == "T":
        return True
    if t == "F":
        return False
    if t == "E":
        return Ellipsis
    if t == "i":
        return int(c[1], 16)
    if t == "f":
        return f64(c[1])
    if t == "c":
        return complex(f64(c[1]), f64(c[2]))
    if t == "s":
        return bytes.fromhex(c[1]).decode("utf-8", "surrogatepass")
    if t == "b":
        return bytes.fromhex(c[1])
    if t == "t":
        return tuple(dec(x) for x in c[1:])
    if t == "fs":
        items = [dec(x) for x in c[1:]]
        fs = frozenset(items)
        ORDER[id(fs)] = items
        KEEP.append(fs)
        return fs
    if t == "code":
        # A distinct code object per constant (optimize_cfg only moves them).
        co = compile("", "<code %d>" % len(CODES), "exec")
        CODES.append(co)
        return co
    raise ValueError("constant tag %r" % (t,))


def enc(v, real=False):
    """v's encoding; a frozenset made by dec in the order the unit gave, or
    with real set, in its own iteration order."""
    if v is None:
        return ["N"]
    if v is True:
        return ["T"]
    if v is False:
        return ["F"]
    if v is Ellipsis:
        return ["E"]
    t = type(v)
    if t is int:
        return ["i", hex(v)]
    if t is float:
        return ["f", struct.pack("<d", v).hex()]
    if t is complex:
        return ["c", struct.pack("<d", v.real).hex(), struct.pack("<d", v.imag).hex()]
    if t is str:
        return ["s", hexs(v)]
    if t is bytes:
        return ["b", v.hex()]
    if t is tuple:
        return ["t"] + [enc(x, real) for x in v]
    if t is frozenset:
        return ["fs"] + [enc(x, real) for x in (v if real else ORDER.get(id(v), v))]
    if t is types.CodeType:
        return ["code"]
    return ["?", t.__name__]


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
