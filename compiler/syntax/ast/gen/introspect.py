"""Print the AST classes of the running interpreter's ast module as JSON.

The output is the schema that gen/main.go turns into Go: every type of
Python.asdl in definition order, with its constructors, their fields (type
and name, from each class's ASDL signature in __doc__, checked against
_fields) and attributes. Deprecated compatibility classes (Num, Str, ...)
are not AST types of the grammar and are left out.
"""
import ast
import json
import re
import sys

SIG = re.compile(r"^(\w+)(?:\((.*)\))?$")
DEPRECATED = {"slice", "Index", "ExtSlice", "Suite", "Param", "AugLoad",
              "AugStore", "Num", "Str", "Bytes", "NameConstant", "Ellipsis"}


def signature(cls):
    doc = (cls.__doc__ or "").strip()
    if " = " in doc:  # a sum type's doc lists its constructors
        doc = doc.split(" = ", 1)[1]
        doc = doc.split("\n")[0].strip()
    m = SIG.match(doc)
    if not m or m.group(1) != cls.__name__:
        raise SystemExit("unexpected signature for %s: %r" % (cls.__name__, cls.__doc__))
    fields = []
    if m.group(2):
        for part in m.group(2).split(","):
            typ, name = part.split()
            fields.append([typ, name])
    if [f[1] for f in fields] != list(cls._fields):
        raise SystemExit("%s: signature %r vs _fields %r" % (cls.__name__, fields, cls._fields))
    return fields


def main():
    types = []
    for base in ast.AST.__subclasses__():
        if base.__module__ != "ast" or base.__name__ in DEPRECATED:
            continue
        subs = [c for c in base.__subclasses__()
                if c.__module__ == "ast" and c.__name__ not in DEPRECATED]
        entry = {"name": base.__name__, "attributes": list(base._attributes)}
        if subs:
            entry["constructors"] = [
                {"name": c.__name__, "fields": signature(c)} for c in subs]
            if all(not c["fields"] for c in entry["constructors"]) and not base._attributes:
                entry["kind"] = "enum"
            else:
                entry["kind"] = "sum"
        else:
            entry["kind"] = "product"
            entry["fields"] = signature(base)
        types.append(entry)
    v = sys.version_info
    # One type per line, so that two versions' schemas diff readably.
    out = sys.stdout
    out.write('{"version": %s, "types": [\n' % json.dumps("%d.%d.%d" % (v.major, v.minor, v.micro)))
    out.write(",\n".join(json.dumps(t) for t in types))
    out.write("\n]}\n")


main()
