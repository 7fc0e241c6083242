"""The pyc toolchain: which compiler, which interpreter, which Python version."""

load(":providers.bzl", "PycToolchainInfo")

TOOLCHAIN_TYPE = Label("//rules:toolchain_type")

def _cache_tag(python_version):
    parts = python_version.split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        fail("python_version must look like X.Y (for example 3.12), got " + repr(python_version))
    return "cpython-" + parts[0] + parts[1]

def _pyc_toolchain_impl(ctx):
    cache_tag = ctx.attr.cache_tag or _cache_tag(ctx.attr.python_version)
    interpreter = ctx.file.interpreter
    files = depset(
        [interpreter],
        transitive = [target[DefaultInfo].files for target in ctx.attr.interpreter_files],
    )
    return [platform_common.ToolchainInfo(
        pyc = PycToolchainInfo(
            compiler = ctx.attr.compiler[DefaultInfo].files_to_run,
            interpreter = interpreter,
            interpreter_files = files,
            python_version = ctx.attr.python_version,
            cache_tag = cache_tag,
        ),
    )]

pyc_toolchain = rule(
    implementation = _pyc_toolchain_impl,
    doc = """Declares how rules_pyc compiles: the `pyc` compiler, the interpreter it drives and
the Python version that interpreter must be.

Wrap it in a `toolchain()` of type `@rules_pyc//rules:toolchain_type` and register that.
The interpreter and `interpreter_files` are inputs of every compile action, and binaries
run with the same interpreter, so the .pyc files they import were written by it.

```starlark
pyc_toolchain(
    name = "pyc_312",
    interpreter = "@python_3_12_x86_64-unknown-linux-gnu//:python3",
    interpreter_files = ["@python_3_12_x86_64-unknown-linux-gnu//:files"],
    python_version = "3.12",
)

toolchain(
    name = "pyc_312_toolchain",
    toolchain = ":pyc_312",
    toolchain_type = "@rules_pyc//rules:toolchain_type",
)
```
""",
    attrs = {
        "cache_tag": attr.string(
            doc = "`sys.implementation.cache_tag` of the interpreter, which names the files " +
                  "in `__pycache__`. Defaults to `cpython-XY` from `python_version`.",
        ),
        "compiler": attr.label(
            default = Label("//rules:compiler"),
            executable = True,
            cfg = "exec",
            allow_files = True,
            doc = "The pyc executable. Defaults to `@rules_pyc//rules:compiler`, a label_flag " +
                  "that points at `@rules_pyc//tool/pyc` (built with rules_go) unless set.",
        ),
        "interpreter": attr.label(
            mandatory = True,
            allow_single_file = True,
            cfg = "exec",
            doc = "The Python interpreter executable that compiles the sources and runs binaries.",
        ),
        "interpreter_files": attr.label_list(
            allow_files = True,
            cfg = "exec",
            doc = "The interpreter's runtime files (standard library, shared libraries), " +
                  "when Bazel knows them, e.g. rules_python's `@python_X_Y_<platform>//:files`.",
        ),
        "python_version": attr.string(
            mandatory = True,
            doc = "The version of `interpreter` as X.Y. The compile action fails with a message " +
                  "naming both when the interpreter turns out to be another version.",
        ),
    },
)

def find_pyc_toolchain(ctx, required):
    """Returns the resolved PycToolchainInfo, or None when none is registered.

    Args:
      ctx: the rule or aspect context.
      required: fail with a message that says what to register when there is none.

    Returns:
      PycToolchainInfo or None.
    """
    toolchain = ctx.toolchains[TOOLCHAIN_TYPE]
    if toolchain == None:
        if required:
            fail(("{label}: no pyc toolchain is registered for this platform. Register one: " +
                  "bzlmod: pyc = use_extension(\"@rules_pyc//rules:extensions.bzl\", \"pyc\"), " +
                  "pyc.system_interpreter(name = ..., path = ...); WORKSPACE: " +
                  "rules_pyc_register_toolchains() from @rules_pyc//rules:repositories.bzl; " +
                  "or a toolchain() of type @rules_pyc//rules:toolchain_type.").format(label = ctx.label))
        return None
    return toolchain.pyc

TOOLCHAINS = [config_common.toolchain_type(TOOLCHAIN_TYPE, mandatory = False)]
