"""The pyc toolchain: the target release, the runtime interpreter, how to compile."""

load(":providers.bzl", "PycToolchainInfo")

TOOLCHAIN_TYPE = Label("//rules:toolchain_type")

# The releases pyc's native compiler reproduces byte for byte (compiler/native:
# Check and Covered): 3.13.0 to 3.13.3 and 3.13.5 to 3.13.18. 3.13.4 is left
# out: its generator expressions differ from every other 3.13 release's.
# "3.13" alone means the newest of them. tests/bazel (TestNativeReleases)
# holds this list to what pyc accepts.
NATIVE_MINOR = "3.13"
NATIVE_MICROS = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]

BACKENDS = ["auto", "cpython"]

def parse_version(python_version):
    """Splits X.Y or X.Y.Z into a list of ints; fails on anything else.

    Args:
      python_version: the string to read.

    Returns:
      [X, Y] or [X, Y, Z].
    """
    parts = python_version.split(".")
    if len(parts) not in (2, 3) or not all([p.isdigit() for p in parts]):
        fail("python_version must look like X.Y or X.Y.Z (for example 3.13 or 3.13.5), got " +
             repr(python_version))
    return [int(p) for p in parts]

def native_covers(python_version):
    """Whether the native compiler reproduces python_version (X.Y or X.Y.Z).

    Args:
      python_version: a version as parse_version reads it.

    Returns:
      bool.
    """
    parts = parse_version(python_version)
    if "%d.%d" % (parts[0], parts[1]) != NATIVE_MINOR:
        return False
    return len(parts) == 2 or parts[2] in NATIVE_MICROS

def _cache_tag(python_version):
    parts = parse_version(python_version)
    return "cpython-%d%d" % (parts[0], parts[1])

# Run by the runtime check: the interpreter must be the target release (to
# the precision stated) and use the cache tag the .pyc files are named with.
_RUNTIME_CHECK = """\
import sys
want, tag, out = sys.argv[1:4]
got = "%d.%d.%d" % sys.version_info[:3]
if got.split(".")[:want.count(".") + 1] != want.split(".") or sys.implementation.cache_tag != tag:
    sys.exit("pyc toolchain %s: its interpreter %s is CPython %s (cache tag %s), but the .pyc "
             "files are compiled for Python %s (cache tag %s): a binary run by it would ignore "
             "them or run bytecode of another release. Point the toolchain at an interpreter "
             "of that release, or state the interpreter's release in python_version."
             % (sys.argv[4], sys.executable, got, sys.implementation.cache_tag, want, tag))
with open(out, "w") as f:
    f.write(got + "\\n")
"""

def _pyc_toolchain_impl(ctx):
    version = ctx.attr.python_version
    cache_tag = ctx.attr.cache_tag or _cache_tag(version)
    interpreter = ctx.file.interpreter
    files = depset(
        [interpreter] if interpreter else [],
        transitive = [target[DefaultInfo].files for target in ctx.attr.interpreter_files],
    )
    backend = ctx.attr.backend
    exact = len(parse_version(version)) == 3
    native = backend == "auto" and native_covers(version)

    # What compiles. Natively, with an exact release (or no interpreter to
    # ask, when "3.13" means the newest known): no interpreter at all, so
    # the actions' inputs and cache keys do not depend on one. Natively with
    # only X.Y: the interpreter, which pyc only asks its exact release.
    # Otherwise the interpreter compiles (pyc's cpython backend).
    if native and (exact or interpreter == None):
        compile_interpreter = None
    elif interpreter == None:
        fail(("{label}: python_version {version} with backend {backend} compiles with an " +
              "interpreter, and the toolchain has none. Give it `interpreter`; without one " +
              "pyc compiles natively only for CPython {minor}.N with N in {micros}.").format(
            label = ctx.label,
            version = repr(version),
            backend = repr(backend),
            minor = NATIVE_MINOR,
            micros = NATIVE_MICROS,
        ))
    else:
        compile_interpreter = interpreter

    # Binaries run with the interpreter: check once per toolchain that it is
    # the release the .pyc files are compiled for (rules_pyc's py_binary and
    # py_test request this file as a validation).
    runtime_check = None
    if interpreter != None:
        runtime_check = ctx.actions.declare_file(ctx.label.name + ".runtime_release")
        ctx.actions.run(
            executable = interpreter,
            arguments = ["-S", "-s", "-c", _RUNTIME_CHECK, version, cache_tag, runtime_check.path, str(ctx.label)],
            inputs = files,
            outputs = [runtime_check],
            mnemonic = "PycRuntimeCheck",
            progress_message = "Checking that %{label}'s interpreter is Python " + version,
        )

    return [platform_common.ToolchainInfo(
        pyc = PycToolchainInfo(
            backend = backend,
            cache_tag = cache_tag,
            compile_files = depset() if compile_interpreter == None else files,
            compile_interpreter = compile_interpreter,
            compiler = ctx.attr.compiler[DefaultInfo].files_to_run,
            interpreter = interpreter,
            interpreter_files = files,
            label = ctx.label,
            native = native,
            python_version = version,
            runtime_check = runtime_check,
        ),
    )]

pyc_toolchain = rule(
    implementation = _pyc_toolchain_impl,
    doc = """Declares how rules_pyc compiles and runs: the `pyc` compiler, the TARGET release
(what the .pyc files are for) and the RUNTIME interpreter (what runs binaries and tests).

For CPython 3.13 (3.13.0 to 3.13.3 and 3.13.5 to 3.13.18) pyc compiles natively, in Go,
with no interpreter: with `python_version = "3.13.N"` the compile actions have no
interpreter among their inputs and pass `--backend auto --python_version 3.13.N`, so
their cache keys do not depend on where an interpreter lives. Other releases (3.12,
3.14, ...), and `backend = "cpython"`, compile with the interpreter.

The interpreter, when given, runs `py_binary` and `py_test` targets. It must be the
target release: a build of a binary or test checks it once per toolchain (the
validation action `PycRuntimeCheck`), and the binary's launcher checks it again at
run time, since a 3.13.0 interpreter would import 3.13.18's .pyc files (same magic
number) and run bytecode of another release. Without an interpreter the toolchain
only compiles: binaries and tests then fail to build with a message saying so.

```starlark
# Compiles natively for 3.13.5, runs binaries with that interpreter.
pyc_toolchain(
    name = "pyc_313",
    interpreter = "@python_3_13_x86_64-unknown-linux-gnu//:python3",
    interpreter_files = ["@python_3_13_x86_64-unknown-linux-gnu//:files"],
    python_version = "3.13.5",
)

# Compiles with the 3.12 interpreter.
pyc_toolchain(
    name = "pyc_312",
    interpreter = "@python_3_12_x86_64-unknown-linux-gnu//:python3",
    interpreter_files = ["@python_3_12_x86_64-unknown-linux-gnu//:files"],
    python_version = "3.12",
)

toolchain(
    name = "pyc_313_toolchain",
    toolchain = ":pyc_313",
    toolchain_type = "@rules_pyc//rules:toolchain_type",
)
```
""",
    attrs = {
        "backend": attr.string(
            default = "auto",
            values = BACKENDS,
            doc = "`auto`: pyc's native compiler for the releases it covers (CPython 3.13.0 " +
                  "to 3.13.3 and 3.13.5 to 3.13.18), the interpreter otherwise. `cpython`: " +
                  "always the interpreter (pyc's `--backend cpython`), which `interpreter` " +
                  "must then be.",
        ),
        "cache_tag": attr.string(
            doc = "`sys.implementation.cache_tag` of the target release, which names the " +
                  "files in `__pycache__`. Defaults to `cpython-XY` from `python_version`.",
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
            allow_single_file = True,
            cfg = "exec",
            doc = "The runtime: the Python interpreter executable that runs binaries and " +
                  "tests, and compiles when pyc does not compile natively (see `backend`). " +
                  "Optional for a 3.13 `python_version`: the toolchain then only compiles.",
        ),
        "interpreter_files": attr.label_list(
            allow_files = True,
            cfg = "exec",
            doc = "The interpreter's runtime files (standard library, shared libraries), " +
                  "when Bazel knows them, e.g. rules_python's `@python_X_Y_<platform>//:files`.",
        ),
        "python_version": attr.string(
            mandatory = True,
            doc = "The target release, X.Y.Z or X.Y: the .pyc files are CPython's for it. " +
                  "Pin X.Y.Z for 3.13: CPython changed its bytecode within 3.13 (3.13.0's " +
                  "files differ from 3.13.5's), and only an exact release compiles with no " +
                  "interpreter; `3.13` with an interpreter compiles natively for that " +
                  "interpreter's release, and with none for the newest 3.13 pyc knows. The " +
                  "interpreter, if any, must be this release.",
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
                  "pyc.system_interpreter(name = ..., python_version = \"3.13\"); WORKSPACE: " +
                  "rules_pyc_register_toolchains() from @rules_pyc//rules:repositories.bzl; " +
                  "or a toolchain() of type @rules_pyc//rules:toolchain_type.").format(label = ctx.label))
        return None
    return toolchain.pyc

TOOLCHAINS = [config_common.toolchain_type(TOOLCHAIN_TYPE, mandatory = False)]
