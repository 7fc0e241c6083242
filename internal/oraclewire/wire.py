# What the oracle drivers share (the Go side is package oraclewire): the
# JSON form of a Python constant, a list with a tag first. A driver's text
# follows this one in the script the interpreter runs.
#
#   ["N"] None, ["T"] True, ["F"] False, ["E"] Ellipsis
#   ["i", decimal digits]
#   ["f", hex of the little-endian binary64]
#   ["c", real as for "f", imaginary as for "f"]
#   ["s", hex of the UTF-8 (surrogatepass)], ["S", the same] for a str of at
#     most one code point below U+0100 that is not CPython's cached
#     singleton (only when asked for)
#   ["b", hex of the bytes]
#   ["t", [items]], ["fs", [items]]
#   anything else: the driver's own tags
import struct as _wire_struct


def wire_hexs(s):
    return s.encode("utf-8", "surrogatepass").hex()


def wire_unhexs(h):
    return bytes.fromhex(h).decode("utf-8", "surrogatepass")


def _wire_f64(x):
    return _wire_struct.pack("<d", x).hex()


def _wire_unf64(h):
    return _wire_struct.unpack("<d", bytes.fromhex(h))[0]


def wire_enc(v, other, fresh=False):
    """v's form; other(v) gives the form of a value of any other type.
    With fresh set, a one-character str that is not the cached singleton
    is tagged "S"."""
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
        return ["i", str(v)]
    if t is float:
        return ["f", _wire_f64(v)]
    if t is complex:
        return ["c", _wire_f64(v.real), _wire_f64(v.imag)]
    if t is str:
        if fresh and len(v) < 2 and v is not (chr(ord(v)) if v else ""):
            return ["S", wire_hexs(v)]
        return ["s", wire_hexs(v)]
    if t is bytes:
        return ["b", v.hex()]
    if t is tuple:
        return ["t", [wire_enc(x, other, fresh) for x in v]]
    if t is frozenset:
        return ["fs", [wire_enc(x, other, fresh) for x in v]]
    return other(v)


def wire_dec(c):
    """The constant of form c (no driver-specific tags)."""
    tag = c[0]
    if tag == "N":
        return None
    if tag == "T":
        return True
    if tag == "F":
        return False
    if tag == "E":
        return Ellipsis
    if tag == "i":
        return int(c[1])
    if tag == "f":
        return _wire_unf64(c[1])
    if tag == "c":
        return complex(_wire_unf64(c[1]), _wire_unf64(c[2]))
    if tag in ("s", "S"):
        return wire_unhexs(c[1])
    if tag == "b":
        return bytes.fromhex(c[1])
    if tag == "t":
        return tuple(wire_dec(x) for x in c[1])
    if tag == "fs":
        return frozenset(wire_dec(x) for x in c[1])
    raise ValueError("constant tag %r" % (tag,))
