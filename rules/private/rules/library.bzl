"""py_library: Bazel's py_library, with its sources compiled to .pyc files."""

load("//rules/private:attributes.bzl", "PRECOMPILE_ATTRS", "PY_ATTRS")
load("//rules/private:context.bzl", "pyc_context")
load("//rules/private:providers.bzl", "PycInfo")
load("//rules/private:py_info.bzl", "PY_INFOS")
load("//rules/private:toolchain.bzl", "TOOLCHAINS")
load(":common.bzl", "build_py_target")

def _py_library_impl(ctx):
    settings = pyc_context(ctx)
    target = build_py_target(ctx, settings, ctx.files.srcs)
    return [
        DefaultInfo(files = depset(target.files), runfiles = target.runfiles),
        target.pyc_info,
    ] + target.py_infos

py_library = rule(
    implementation = _py_library_impl,
    doc = """A Python library whose `.py` sources are compiled to `.pyc` files byte-identical
to CPython's `py_compile`, in one `PycCompile` action per target.

A drop-in for Bazel's and rules_python's `py_library`: it provides `PyInfo` (Bazel's
and, with rules_python 1.0 or later, rules_python's), and its
runfiles hold the `.pyc` files where CPython's import system finds them, so any
`py_binary` or `py_test` that depends on it imports the compiled modules.
""",
    attrs = dict(PY_ATTRS, **PRECOMPILE_ATTRS),
    provides = PY_INFOS + [PycInfo],
    toolchains = TOOLCHAINS,
)
