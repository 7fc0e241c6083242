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
        "exec_compatible_with": attr.label_list(
            doc = "Constraints an execution platform must have to run the compile actions " +
                  "with this interpreter (it exists on machines like this one). Empty: " +
                  "this machine's OS and CPU, such as `@platforms//os:linux` and " +
                  "`@platforms//cpu:x86_64`.",
        ),
        "python_version": attr.string(
            doc = "The version (X.Y) the interpreter must be. Defaults to what it reports.",
        ),
        "target_compatible_with": attr.label_list(
            doc = "Constraints a target platform must have for this toolchain (binaries " +
                  "run with the interpreter). Empty: this machine's OS and CPU.",
        ),
    },
)

def _pyc_impl(mctx):
    names = []
    exec_constraints = {}
    target_constraints = {}
    for mod in mctx.modules:
        for tag in mod.tags.system_interpreter:
            if tag.name in names:
                # The first module to ask for a name (the root) wins.
                continue
            names.append(tag.name)
            system_interpreter(name = tag.name, path = tag.path, python_version = tag.python_version)
            exec_constraints[tag.name] = [str(label) for label in tag.exec_compatible_with]
            target_constraints[tag.name] = [str(label) for label in tag.target_compatible_with]
    toolchains_hub(
        name = HUB,
        interpreters = names,
        exec_compatible_with = exec_constraints,
        target_compatible_with = target_constraints,
    )

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
