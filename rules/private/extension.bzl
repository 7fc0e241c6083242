"""The `pyc` module extension: pyc toolchains for interpreters installed on the machine."""

load(":interpreter_repository.bzl", "system_interpreter", "toolchains_hub")

HUB = "pyc_toolchains"

_system_interpreter_tag = tag_class(
    doc = """A pyc toolchain for an interpreter installed on the machine.

Toolchains of the root module come first, then those of other modules in the
order Bazel visits them; rules_pyc's own `python3` on PATH comes last.
""",
    attrs = {
        "name": attr.string(
            mandatory = True,
            doc = "The name of the repository that holds the toolchain.",
        ),
        "path": attr.string(
            doc = "The interpreter: an absolute path, or a name looked up on PATH. " +
                  "Empty: PYC_PYTHON from --repo_env or the environment, else python3 on PATH.",
        ),
        "python_version": attr.string(
            doc = "The version (X.Y) the interpreter must be. Defaults to what it reports.",
        ),
    },
)

def _pyc_impl(mctx):
    names = []
    for mod in mctx.modules:
        for tag in mod.tags.system_interpreter:
            if tag.name in names:
                # The first module to ask for a name (the root) wins.
                continue
            names.append(tag.name)
            system_interpreter(name = tag.name, path = tag.path, python_version = tag.python_version)
    toolchains_hub(name = HUB, interpreters = names)

pyc = module_extension(
    implementation = _pyc_impl,
    doc = """Creates the repository `pyc_toolchains`, whose `:all` targets are the
toolchains of every `pyc.system_interpreter` tag. rules_pyc registers
`@pyc_toolchains//:all` itself.

```starlark
pyc = use_extension("@rules_pyc//rules:extensions.bzl", "pyc")
pyc.system_interpreter(name = "python_3_12", path = "/usr/bin/python3.12")
```
""",
    tag_classes = {"system_interpreter": _system_interpreter_tag},
)
