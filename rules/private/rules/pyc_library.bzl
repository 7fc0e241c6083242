"""pyc_library: precompiles existing Python libraries and everything they depend on."""

load("//rules/private:aspect.bzl", "PycAspectInfo", "pyc_aspect")
load("//rules/private:attributes.bzl", "COMPILE_ATTRS")
load("//rules/private:providers.bzl", "PycInfo")
load("//rules/private:py_info.bzl", "PY_INFOS", "PY_INFO_PROVIDERS", "get_py_info", "py_infos")
load("//rules/private:toolchain.bzl", "TOOLCHAINS")

def _pyc_library_impl(ctx):
    deps = ctx.attr.deps
    pycs = depset(transitive = [dep[PycAspectInfo].transitive_pyc_files for dep in deps])
    runfiles = ctx.runfiles(transitive_files = pycs).merge_all(
        [dep[DefaultInfo].default_runfiles for dep in deps],
    )
    infos = [get_py_info(dep) for dep in deps]
    sources = depset(transitive = [info.transitive_sources for info in infos])
    runfiles = runfiles.merge(ctx.runfiles(transitive_files = sources))
    return [
        DefaultInfo(files = pycs, runfiles = runfiles),
        PycInfo(direct_pyc_files = depset(), transitive_pyc_files = pycs),
    ] + py_infos(
        transitive_sources = sources,
        imports = depset(transitive = [info.imports for info in infos]),
        uses_shared_libraries = any([info.uses_shared_libraries for info in infos]),
        direct_pyc_files = depset(),
        transitive_pyc_files = pycs,
    )

pyc_library = rule(
    implementation = _pyc_library_impl,
    doc = """Precompiles existing Python libraries without touching their BUILD files.

Every target along `deps` that provides `PyInfo` (Bazel's and rules_python's
`py_library`, pip-installed third-party packages, ...) gets its `.py` sources
compiled into `__pycache__` beside them. A `pyc_library` behaves like a
`py_library` whose `deps` are the given ones, with the `.pyc` files added to its
runfiles: depend on it from any `py_binary` or `py_test`. Sources are kept.

```starlark
pyc_library(
    name = "app_pyc",
    deps = [":app_lib", "@pypi//requests"],
)
```
""",
    attrs = dict(
        COMPILE_ATTRS,
        deps = attr.label_list(
            aspects = [pyc_aspect],
            providers = PY_INFO_PROVIDERS,
            doc = "The Python libraries to compile, with all their dependencies.",
        ),
    ),
    provides = PY_INFOS + [PycInfo],
    toolchains = TOOLCHAINS,
)
