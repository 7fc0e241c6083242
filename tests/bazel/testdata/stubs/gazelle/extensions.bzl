"""Test stand-in for gazelle's go_deps extension: empty repositories."""

def _empty_repository_impl(rctx):
    rctx.file("BUILD.bazel", "")

_empty_repository = repository_rule(implementation = _empty_repository_impl)

def _repository_name(module_path):
    """gazelle's name for a Go module: google.golang.org/protobuf -> org_golang_google_protobuf."""
    host, _, rest = module_path.partition("/")
    parts = reversed(host.split(".")) + ([rest] if rest else [])
    name = "_".join(parts)
    for c in [".", "/", "-", "~"]:
        name = name.replace(c, "_")
    return name.lower()

def _go_deps_impl(mctx):
    names = {}
    for mod in mctx.modules:
        for tag in mod.tags.from_file:
            in_require = False
            for line in mctx.read(tag.go_mod).splitlines():
                line = line.strip()
                if line.startswith("require ("):
                    in_require = True
                    continue
                if in_require and line == ")":
                    in_require = False
                    continue
                if line.startswith("require "):
                    line = line[len("require "):]
                elif not in_require:
                    continue
                fields = line.split(" ")
                if fields and fields[0]:
                    names[_repository_name(fields[0])] = True
    for name in names:
        _empty_repository(name = name)

go_deps = module_extension(
    implementation = _go_deps_impl,
    tag_classes = {"from_file": tag_class(attrs = {"go_mod": attr.label(mandatory = True)})},
)
