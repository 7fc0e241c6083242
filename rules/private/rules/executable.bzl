"""py_binary and py_test: run a module from its .pyc files."""

load("//rules/private:attributes.bzl", "PRECOMPILE_ATTRS", "PY_ATTRS", "PY_EXECUTABLE_ATTRS")
load("//rules/private:context.bzl", "pyc_context")
load("//rules/private:runfiles.bzl", "runfiles_path")
load("//rules/private:toolchain.bzl", "TOOLCHAINS")
load("//rules/private/actions:compile.bzl", "recorded_name")
load(":common.bzl", "build_py_target")

def _find_main(ctx):
    if ctx.file.main:
        main = ctx.file.main
        if main not in ctx.files.srcs:
            fail("main %s must also be listed in srcs" % main.short_path)
        return main
    wanted = ctx.label.name + ".py"
    candidates = [f for f in ctx.files.srcs if f.basename == wanted]
    if len(candidates) != 1:
        fail("no main: set main, or list exactly one %s in srcs (found %d)" % (wanted, len(candidates)))
    return candidates[0]

def _module_name(main):
    """`pkg/sub/mod.py` -> `pkg.sub.mod`."""
    return recorded_name(main)[:-len(".py")].replace("/", ".")

def _repository_root(ctx, f):
    """The runfiles-relative directory of f's repository."""
    path = runfiles_path(ctx, f)
    return path[:-len(recorded_name(f))].rstrip("/")

def _release_tuple(python_version):
    """`3.13.5` -> `(3, 13, 5)`, `3.12` -> `(3, 12)`: what sys.version_info starts with."""
    return "(" + ", ".join(python_version.split(".")) + ")"

def _py_executable_impl(ctx):
    settings = pyc_context(ctx, require_toolchain = True)
    pyc = settings.toolchain
    if pyc.interpreter == None:
        fail(("{label}: the pyc toolchain {toolchain} compiles for Python {version} but has no " +
              "interpreter to run binaries and tests. Give it one: `interpreter` of pyc_toolchain, " +
              "or for pyc.system_interpreter an installed CPython {version} (found through " +
              "PYC_PYTHON, python{minor} on PATH or pyenv; see docs/rules.md).").format(
            label = ctx.label,
            toolchain = pyc.label,
            version = pyc.python_version,
            minor = ".".join(pyc.python_version.split(".")[:2]),
        ))
    main = _find_main(ctx)
    target = build_py_target(ctx, settings, ctx.files.srcs)

    python_path = [_repository_root(ctx, main)]
    for imp in target.imports.to_list():
        if imp not in python_path:
            python_path.append(imp)

    launcher = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.expand_template(
        template = ctx.file._launcher,
        output = launcher,
        substitutions = {
            "{interpreter}": runfiles_path(ctx, pyc.interpreter),
            "{label}": str(ctx.label),
            "{module}": _module_name(main),
            "{release}": _release_tuple(pyc.python_version),
            "{python_path}": " ".join(python_path),
        },
        is_executable = True,
    )
    runfiles = ctx.runfiles(
        files = [launcher],
        transitive_files = pyc.interpreter_files,
    ).merge(target.runfiles)
    return [
        DefaultInfo(
            executable = launcher,
            files = depset([launcher] + target.files),
            runfiles = runfiles,
        ),
        RunEnvironmentInfo(environment = ctx.attr.env),
        # Building the binary checks, once per toolchain, that its
        # interpreter is the release the .pyc files are for.
        OutputGroupInfo(_validation = depset([pyc.runtime_check])),
        target.pyc_info,
    ] + target.py_infos

_ATTRS = dict(
    PY_ATTRS,
    _launcher = attr.label(
        default = Label(":launcher.sh.tpl"),
        allow_single_file = True,
    ),
    **dict(PY_EXECUTABLE_ATTRS, **PRECOMPILE_ATTRS)
)

_EXECUTABLE_DOC = """

Its sources are compiled like a `py_library`'s; the main module runs as
`python -B -s -m <module>` under the pyc toolchain's interpreter, so CPython imports it,
and everything it imports, from the `.pyc` files in the runfiles (with
`omit_source`, from `.pyc` files alone). That interpreter must be the toolchain's target
release (`python_version`): building the target runs the toolchain's `PycRuntimeCheck`
validation, and the launcher refuses to run on another release. A toolchain without an
interpreter (compile-only) cannot build it.
"""

py_binary = rule(
    implementation = _py_executable_impl,
    doc = "A Python program: a drop-in for Bazel's `py_binary`." + _EXECUTABLE_DOC,
    attrs = _ATTRS,
    executable = True,
    toolchains = TOOLCHAINS,
)

py_test = rule(
    implementation = _py_executable_impl,
    doc = "A Python test: a drop-in for Bazel's `py_test`. It passes when the main module " +
          "exits with status 0." + _EXECUTABLE_DOC,
    attrs = _ATTRS,
    test = True,
    toolchains = TOOLCHAINS,
)
