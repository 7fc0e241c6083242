# dump.py - prints the Unicode facts that package unidata needs, as the running
# CPython's unicodedata module and str methods state them. Package generate
# (generate.go beside this file) runs it with `python -S -s -c` and turns the
# lines into one Go file per Unicode version.
#
# Usage: python dump.py [NameAliases.txt]
#
# Output, one fact per line, fields separated by one space, code points in
# upper-case hexadecimal:
#
#   unidata VERSION              unicodedata.unidata_version
#   python X.Y                   the interpreter's version (major.minor)
#   P FIRST LAST FLAGS CCC       a run of code points with the same properties:
#                                FLAGS bit 1 XID_Start (str.isidentifier() of
#                                the character, except U+005F LOW LINE, which
#                                isidentifier accepts first but is not
#                                XID_Start), 2 XID_Continue ('a'+c is an
#                                identifier), 4 str.isprintable(), 8
#                                str.isspace(), 16 NFKC(c) != c, 32 NFKD(c) != c;
#                                CCC is unicodedata.combining(c)
#   D CP X...                    NFKD(c) when it differs from c (Hangul
#                                syllables, decomposed by rule, are left out)
#   C CP A B                     a primary composite: c's canonical
#                                decomposition is A B and NFC(c) == c
#                                (Hangul syllables, composed by rule, are
#                                left out)
#   N CP NAME                    unicodedata.name(c), except the names made by
#                                rule (Hangul syllables, CJK unified ideographs)
#   I FIRST LAST                 a run of CJK unified ideographs (the code
#                                points named "CJK UNIFIED IDEOGRAPH-%X")
#   G FIRST LAST                 a run of Tangut ideographs: the code points
#                                named "TANGUT IDEOGRAPH-%X" (3.15), or
#                                letters (Lo) without a name (3.13, 3.14,
#                                whose name() has none for them although
#                                "\N{TANGUT IDEOGRAPH-17000}" works in
#                                3.13.13 and later, 3.14.4 and later); checked
#                                against that escape when it works
#   A CP NAME                    a name alias that a "\N{NAME}" escape accepts
#   end                          the last line
#
# Name aliases are not listed by the unicodedata API. CPython keeps them (and
# the named sequences) as names of code points in plane 15's private use area,
# and the "namereplace" error handler of str.encode names those code points by
# them; so every alias is found by encoding each code point of plane 15. An
# alias is one that the unicode_escape decoder (which string literals use)
# resolves; a named sequence is rejected there. Given the path of a
# NameAliases.txt (of this Unicode version or a newer one: aliases are never
# removed), the script also checks that the aliases it found are exactly the
# file's aliases that the decoder accepts, and exits with status 1 if not.
import codecs
import sys
import unicodedata as ud

out = []
w = out.append
w("unidata " + ud.unidata_version)
w("python %d.%d" % sys.version_info[:2])

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
CJK_PREFIX = "CJK UNIFIED IDEOGRAPH-"
TANGUT_PREFIX = "TANGUT IDEOGRAPH-"


def fail(msg):
    sys.stderr.write("dump.py: " + msg + "\n")
    sys.exit(1)


def add_run(runs, c):
    if runs and runs[-1][1] == c - 1:
        runs[-1][1] = c
    else:
        runs.append([c, c])


def hexes(s):
    return " ".join("%X" % ord(x) for x in s)


prev = None
first = 0
decomps = []
composites = []
names = []
ideographs = []
tangut = []
for c in range(0x110000):
    ch = chr(c)
    flags = 0
    if ch.isidentifier() and c != 0x5F:
        flags |= 1
    if ("a" + ch).isidentifier():
        flags |= 2
    if ch.isprintable():
        flags |= 4
    if ch.isspace():
        flags |= 8
    nfkc = ud.normalize("NFKC", ch)
    nfkd = ud.normalize("NFKD", ch)
    if nfkc != ch:
        flags |= 16
    if nfkd != ch:
        flags |= 32
    key = (flags, ud.combining(ch))
    if key != prev:
        if prev is not None:
            w("P %X %X %d %d" % (first, c - 1, prev[0], prev[1]))
        prev, first = key, c
    if nfkd != ch and not HANGUL_FIRST <= c <= HANGUL_LAST:
        decomps.append("D %X %s" % (c, hexes(nfkd)))
    # (3.13.0 gives no decomposition() for Hangul syllables, later 3.13
    # releases do; both compose them by rule.)
    dec = "" if HANGUL_FIRST <= c <= HANGUL_LAST else ud.decomposition(ch)
    if dec and not dec.startswith("<"):
        parts = dec.split()
        if len(parts) == 2 and ud.normalize("NFC", ch) == ch:
            composites.append("C %X %s %s" % (c, parts[0], parts[1]))
    name = ud.name(ch, None)
    if name is None:
        if ud.category(ch) == "Lo" and not HANGUL_FIRST <= c <= HANGUL_LAST:
            add_run(tangut, c)
        continue
    if HANGUL_FIRST <= c <= HANGUL_LAST:
        if not name.startswith("HANGUL SYLLABLE "):
            fail("U+%X is named %r" % (c, name))
        continue
    if name.startswith(CJK_PREFIX):
        if name != CJK_PREFIX + "%X" % c:
            fail("U+%X is named %r" % (c, name))
        add_run(ideographs, c)
        continue
    if name.startswith(TANGUT_PREFIX):
        if name != TANGUT_PREFIX + "%X" % c:
            fail("U+%X is named %r" % (c, name))
        add_run(tangut, c)
        continue
    if name.startswith("HANGUL SYLLABLE "):
        fail("U+%X outside the Hangul syllables is named %r" % (c, name))
    names.append("N %X %s" % (c, name))
w("P %X %X %d %d" % (first, 0x10FFFF, prev[0], prev[1]))
out += decomps
out += composites
out += names
out += ["I %X %X" % (a, b) for a, b in ideographs]
out += ["G %X %X" % (a, b) for a, b in tangut]


def escape_lookup(name):
    """The character a "\\N{name}" escape gives, or None."""
    try:
        s = codecs.decode(b"\\N{" + name.encode("ascii") + b"}", "unicode_escape")
    except UnicodeDecodeError:
        return None
    if len(s) != 1:
        fail("\\N{%s} gave %r" % (name, s))
    return s


if tangut and escape_lookup(TANGUT_PREFIX + "%X" % tangut[0][0]) is not None:
    accepted = []
    for c in range(0x110000):
        if escape_lookup(TANGUT_PREFIX + "%X" % c) == chr(c):
            add_run(accepted, c)
    if accepted != tangut:
        fail("Tangut ideographs: derived %r, \\N{} accepts %r" % (tangut, accepted))

aliases = set()
for c in range(0xF0000, 0x100000):
    b = chr(c).encode("ascii", "namereplace")
    if not b.startswith(b"\\N{"):
        continue
    name = b[3:-1].decode("ascii")
    s = escape_lookup(name)
    if s is None:
        # A named sequence: unicodedata.lookup gives several characters.
        if len(ud.lookup(name)) < 2:
            fail("%r names U+%X but neither \\N{} nor lookup() resolves it" % (name, c))
        continue
    aliases.add((ord(s), name))
out += ["A %X %s" % a for a in sorted(aliases)]

if len(sys.argv) > 1:
    listed = set()
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            cp, name, _kind = line.split(";")
            cp = int(cp, 16)
            if escape_lookup(name) == chr(cp):
                listed.add((cp, name))
    if listed != aliases:
        fail(
            "aliases found in plane 15 and the accepted aliases of %s differ: only found %s; only listed %s"
            % (sys.argv[1], sorted(aliases - listed), sorted(listed - aliases))
        )
    sys.stderr.write(
        "dump.py: the %d aliases found are the %s aliases that \\N{} accepts\n" % (len(aliases), sys.argv[1])
    )

w("end")
sys.stdout.write("\n".join(out) + "\n")
