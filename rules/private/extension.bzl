"""The `pyc` module extension: pyc toolchains for interpreters installed on the machine."""

load(":interpreter_repository.bzl", "system_interpreter", "toolchains_hub")

HUB = "pyc_toolchains"

_system_interpreter_tag = tag_class(
    doc = """A pyc toolchain for a Python release, with an interpreter installed on the machine.

```starlark
pyc.system_interpreter(name = "python_3_13", python_version = "3.13")
```

The toolchain's target release is `python_version`; its runtime interpreter (which runs
`py_binary` and `py_test`) is found as follows, the first that applies:

1. `path`, when set;
2. PYC_PYTHON, from `--repo_env=PYC_PYTHON=...` or the environment;
3. with `python_version`: the first of `pythonX.Y` on PATH, `python3` on PATH and pyenv's
   installed `X.Y.Z` versions (newest first) that runs and is that release;
4. without `python_version`: `python3` on PATH.

A named interpreter (1, 2) of another release than `python_version` is an error. The
interpreter is probed once, at repository time, for its exact version: for 3.13 the
toolchain records it (`3.13.0`) and pyc compiles natively for that release, starting no
interpreter; other releases compile with the interpreter. If no interpreter of a 3.13
`python_version` is found, the toolchain only compiles: libraries build, and binaries
and tests fail with a message that says what was tried.

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
                  "Empty: found as described above.",
        ),
        "backend": attr.string(
            default = "auto",
            values = ["auto", "cpython"],
            doc = "How pyc compiles: `auto` (natively for CPython 3.13.0 to 3.13.3 and " +
                  "3.13.5 to 3.13.18, with the interpreter otherwise) or `cpython` (always " +
                  "with the interpreter, which must then be found).",
        ),
        "exec_compatible_with": attr.label_list(
            doc = "Constraints an execution platform must have to run the compile actions " +
                  "with this interpreter (it exists on machines like this one). Empty: " +
                  "this machine's OS and CPU, such as `@platforms//os:linux` and " +
                  "`@platforms//cpu:x86_64`.",
        ),
        "python_version": attr.string(
            doc = "The target release: X.Y (`3.13`: the interpreter found tells the exact " +
                  "release) or X.Y.Z (`3.13.5`: exactly that one). Empty: whatever the " +
                  "interpreter is.",
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
            system_interpreter(
                name = tag.name,
                backend = tag.backend,
                path = tag.path,
                python_version = tag.python_version,
            )
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
pyc.system_interpreter(name = "python_3_13", python_version = "3.13")
```
""",
    tag_classes = {"system_interpreter": _system_interpreter_tag},
)
