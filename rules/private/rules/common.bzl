"""What py_library, py_binary and py_test share: compile, then assemble providers."""

load("//rules/private:providers.bzl", "PycInfo")
load("//rules/private:py_info.bzl", "get_py_info", "py_infos", "rules_python_pyc_files")
load("//rules/private:runfiles.bzl", "repository_runfiles_root")
load("//rules/private/actions:compile.bzl", "compile_pycs")

def _import_paths(ctx):
    """The runfiles-relative directories of the `imports` attribute."""
    root = repository_runfiles_root(ctx, ctx.label)
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
        imports: depset of the import path entries of the target and its deps,
        py_infos: list of the PyInfo providers (Bazel's, and rules_python's
          when it has its own),
        pyc_info: PycInfo,
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
    py_deps = [info for info in [get_py_info(dep) for dep in deps] if info != None]

    # rules_python 1.x keeps the .pyc files of its libraries out of their
    # runfiles (its binaries collect them from its PyInfo): collect them too.
    foreign_pycs = [files for dep in deps for files in rules_python_pyc_files(dep)]
    own_pycs = depset(pycs)
    transitive_pycs = depset(
        pycs,
        transitive = [dep[PycInfo].transitive_pyc_files for dep in deps if PycInfo in dep] + foreign_pycs,
    )

    runfiles = ctx.runfiles(
        files = kept + pycs + ctx.files.data,
        # The sources of the deps too: rules_python can leave them out of its
        # libraries' runfiles, for its binaries to add.
        transitive_files = depset(transitive = [info.transitive_sources for info in py_deps] + foreign_pycs),
    )
    runfiles = runfiles.merge_all(
        [dep[DefaultInfo].default_runfiles for dep in deps] +
        [target[DefaultInfo].default_runfiles for target in data],
    )

    imports = depset(
        _import_paths(ctx),
        transitive = [info.imports for info in py_deps],
    )
    return struct(
        files = kept + pycs,
        runfiles = runfiles,
        imports = imports,
        py_infos = py_infos(
            transitive_sources = depset(
                [f for f in kept if f.extension == "py"],
                transitive = [info.transitive_sources for info in py_deps],
            ),
            imports = imports,
            uses_shared_libraries = any([info.uses_shared_libraries for info in py_deps]),
            direct_pyc_files = own_pycs,
            transitive_pyc_files = transitive_pycs,
        ),
        pyc_info = PycInfo(
            direct_pyc_files = own_pycs,
            transitive_pyc_files = transitive_pycs,
        ),
    )
