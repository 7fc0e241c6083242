"""pyc_precompiler: pyc as the precompiler of rules_python's py_exec_tools_toolchain."""

load("//rules/private:runfiles.bzl", "runfiles_path")
load("//rules/private/actions:compile.bzl", "worker_execution_requirements")

# rules_python sends its precompiler JSON requests; the wrapper tells pyc the
# same, so neither side guesses.
_PROTOCOL = "json"

def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def _interpreter(ctx):
    """The interpreter: struct(path, runfiles), path a runfiles path or absolute."""
    target = ctx.attr.interpreter
    runtime = None
    if PyRuntimeInfo in target:
        runtime = target[PyRuntimeInfo]
    elif platform_common.ToolchainInfo in target:
        # A py_runtime_pair, or rules_python's current interpreter: its own
        # PyRuntimeInfo provider is not Bazel's, so read the fields it shares.
        runtime = getattr(target[platform_common.ToolchainInfo], "py3_runtime", None)
    if runtime != None:
        if runtime.interpreter != None:
            return struct(
                path = runfiles_path(ctx, runtime.interpreter),
                runfiles = ctx.runfiles(
                    files = [runtime.interpreter],
                    transitive_files = runtime.files,
                ),
            )
        if runtime.interpreter_path:
            return struct(path = runtime.interpreter_path, runfiles = ctx.runfiles())
        fail("%s: the runtime %s has neither interpreter nor interpreter_path" % (ctx.label, target.label))

    info = target[DefaultInfo]
    executable = info.files_to_run.executable
    if executable == None:
        files = info.files.to_list()
        if len(files) != 1:
            fail("%s: interpreter %s must be one file, an executable or a py_runtime; it has %d files" % (
                ctx.label,
                target.label,
                len(files),
            ))
        executable = files[0]
    return struct(
        path = runfiles_path(ctx, executable),
        runfiles = ctx.runfiles(files = [executable]).merge(info.default_runfiles),
    )

def _pyc_precompiler_impl(ctx):
    compiler = ctx.attr.compiler[DefaultInfo]
    pyc = compiler.files_to_run.executable
    interpreter = _interpreter(ctx)

    wrapper = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.expand_template(
        template = ctx.file._template,
        output = wrapper,
        substitutions = {
            "{backend}": _shell_quote(ctx.attr.backend),
            "{compiler}": _shell_quote(runfiles_path(ctx, pyc)),
            "{interpreter}": _shell_quote(interpreter.path),
            "{label}": str(ctx.label),
            "{protocol}": _PROTOCOL,
            "{python_version}": _shell_quote(ctx.attr.python_version),
        },
        is_executable = True,
    )
    runfiles = ctx.runfiles(files = [wrapper, pyc]).merge_all([
        compiler.default_runfiles,
        interpreter.runfiles,
        ctx.runfiles(transitive_files = depset(transitive = [
            target[DefaultInfo].files
            for target in ctx.attr.interpreter_files
        ])),
    ])
    return [
        DefaultInfo(
            executable = wrapper,
            files = depset([wrapper]),
            runfiles = runfiles,
        ),
        # What rules_python's own precompiler asks for: rules_python reads
        # them from here and puts them on every PyCompile action.
        testing.ExecutionInfo(worker_execution_requirements(_PROTOCOL)),
    ]

pyc_precompiler = rule(
    implementation = _pyc_precompiler_impl,
    doc = """pyc as the precompiler of rules_python's `py_exec_tools_toolchain`.

The target is an executable (a small bash script) that runs
`pyc --backend <backend> --python <interpreter> "$@"`, finding both in its runfiles, so rules_python's
`PyCompile` actions compile with rules_pyc's engine: the bytes are CPython's
`py_compile`'s, and one persistent worker with a pool of interpreters serves
every action. It provides `testing.ExecutionInfo` with the execution requirements
of rules_python's own precompiler (a multiplex JSON worker, with sandboxing and
cancellation), which rules_python puts on each `PyCompile` action.

```starlark
load("@rules_pyc//rules:defs.bzl", "pyc_precompiler")
load("@rules_python//python:py_exec_tools_toolchain.bzl", "py_exec_tools_toolchain")

pyc_precompiler(
    name = "precompiler",
    interpreter = "@python_3_12_x86_64-unknown-linux-gnu//:py3_runtime",
)

py_exec_tools_toolchain(
    name = "exec_tools",
    precompiler = ":precompiler",
)

toolchain(
    name = "exec_tools_toolchain",
    toolchain = ":exec_tools",
    toolchain_type = "@rules_python//python:exec_tools_toolchain_type",
)
```

Register the `toolchain()` before rules_python's own (in MODULE.bazel, or in
WORKSPACE before `python_register_toolchains`), and enable precompiling with
`--@rules_python//python/config_settings:precompile=enabled`.
""",
    attrs = {
        "compiler": attr.label(
            default = Label("//rules:compiler"),
            executable = True,
            # The precompiler is built for the exec platform already (rules_python's
            # `precompiler` attribute is cfg = "exec"): its runfiles run there.
            cfg = "target",
            allow_files = True,
            doc = "The pyc executable. Defaults to `@rules_pyc//rules:compiler`, the label flag " +
                  "that also chooses the compiler of rules_pyc's own toolchain.",
        ),
        "backend": attr.string(
            default = "auto",
            values = ["auto", "cpython"],
            doc = "How pyc compiles: `auto` (natively when the interpreter, or the request's " +
                  "`--python_version` X.Y.Z, is a CPython 3.13 release pyc covers; pyc then only " +
                  "asks the interpreter its exact version) or `cpython` (always in the interpreter).",
        ),
        "interpreter": attr.label(
            mandatory = True,
            allow_files = True,
            cfg = "target",
            doc = "The Python interpreter pyc compiles with: an executable file or target, or " +
                  "a `py_runtime` (or `py_runtime_pair`) whose `interpreter` (with its `files`) " +
                  "or `interpreter_path` is used.",
        ),
        "interpreter_files": attr.label_list(
            allow_files = True,
            cfg = "target",
            doc = "The interpreter's runtime files (standard library, shared libraries), " +
                  "added to the runfiles, e.g. rules_python's `@python_X_Y_<platform>//:files`.",
        ),
        "python_version": attr.string(
            doc = "The version (X.Y) the interpreter must be, checked by pyc. rules_python's " +
                  "requests carry their own `--python_version`, which takes precedence.",
        ),
        "_template": attr.label(
            default = Label(":precompiler.sh.tpl"),
            allow_single_file = True,
        ),
    },
    executable = True,
)
