"""What py_library, py_binary and py_test share: compile, then assemble providers."""

load("//rules/private:providers.bzl", "PycInfo")
load("//rules/private/actions:compile.bzl", "compile_pycs")

def _import_paths(ctx):
    """The runfiles-relative directories of the `imports` attribute."""
    root = ctx.label.workspace_name or ctx.workspace_name
    paths = []
    for imp in ctx.attr.imports:
        parts = [root] + [p for p in ctx.label.package.split("/") if p]
        for part in imp.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if len(parts) == 1:
                    fail("imports entry %s goes above the repository root" % repr(imp))
                parts.pop()
            else:
                parts.append(part)
        paths.append("/".join(parts))
    return paths

def build_py_target(ctx, settings, srcs):
    """Compiles srcs (when enabled) and returns what the target provides.

    Args:
      ctx: rule context with PY_ATTRS.
      settings: the struct from pyc_context.
      srcs: list of File: the target's sources.

    Returns:
      struct(
        files: list of File, the sources kept and the .pyc files,
        runfiles: runfiles of the target and its dependencies,
        py_info: PyInfo,
        pyc_info: PycInfo,
        sources_kept: list of File,
      ).
    """
    pycs = []
    kept = srcs
    if settings.enabled:
        result = compile_pycs(ctx, settings.toolchain, srcs, settings)
        pycs = result.pycs
        if settings.omit_source:
            kept = result.uncompiled

    deps = ctx.attr.deps
    data = ctx.attr.data
    runfiles = ctx.runfiles(files = kept + pycs + ctx.files.data)
    runfiles = runfiles.merge_all(
        [dep[DefaultInfo].default_runfiles for dep in deps] +
        [target[DefaultInfo].default_runfiles for target in data],
    )

    py_deps = [dep[PyInfo] for dep in deps if PyInfo in dep]
    py_info = PyInfo(
        transitive_sources = depset(
            [f for f in kept if f.extension == "py"],
            transitive = [info.transitive_sources for info in py_deps],
        ),
        imports = depset(
            _import_paths(ctx),
            transitive = [info.imports for info in py_deps],
        ),
        uses_shared_libraries = any([info.uses_shared_libraries for info in py_deps]),
        has_py2_only_sources = False,
        has_py3_only_sources = True,
    )
    pyc_info = PycInfo(
        direct_pyc_files = depset(pycs),
        transitive_pyc_files = depset(
            pycs,
            transitive = [dep[PycInfo].transitive_pyc_files for dep in deps if PycInfo in dep],
        ),
    )
    return struct(
        files = kept + pycs,
        runfiles = runfiles,
        py_info = py_info,
        pyc_info = pyc_info,
    )
