"""A stand-in for rules_python 1.x's precompile, for tests only.

rules_python 1.x cannot be fetched offline and Debian's rules_python (0.22.1)
predates precompile, so this rule declares the PyCompile action exactly as
rules_python's python/private/precompile.bzl and actions_run() in
python/private/common.bzl do:

- one action per `.py` source of the target's own package;
- the output `__pycache__/<stem>.<pyc_tag>.pyc` beside the source, or
  `<stem>.pyc` when the source is omitted;
- the arguments, always in a multiline @paramfile, in rules_python's order:
  --invalidation_mode, --src, --src_name (the source's short_path), --pyc,
  --optimize, --python_version;
- the executable is the precompiler target's files_to_run, the execution
  requirements are its testing.ExecutionInfo, and the environment is
  rules_python's.
"""

def _py_compile_library_impl(ctx):
    precompiler = ctx.attr.precompiler
    execution_requirements = {}
    if testing.ExecutionInfo in precompiler:
        execution_requirements.update(precompiler[testing.ExecutionInfo].requirements)

    pycs = []
    for src in ctx.files.srcs:
        if ctx.label.package != src.owner.package or src.extension != "py":
            continue
        stem = src.basename[:-(len(src.extension) + 1)]
        if ctx.attr.omit_source:
            pyc_path = "{}.pyc".format(stem)
        else:
            pyc_path = "__pycache__/{stem}.{tag}.pyc".format(stem = stem, tag = ctx.attr.pyc_tag)
        pyc = ctx.actions.declare_file(pyc_path, sibling = src)

        args = ctx.actions.args()
        args.use_param_file("@%s", use_always = True)
        args.set_param_file_format("multiline")
        args.add("--invalidation_mode", ctx.attr.invalidation_mode)
        args.add("--src", src)
        args.add("--src_name", src.short_path)
        args.add("--pyc", pyc)
        args.add("--optimize", str(ctx.attr.optimize))
        args.add("--python_version", ctx.attr.python_version)

        ctx.actions.run(
            executable = precompiler[DefaultInfo].files_to_run,
            arguments = [args],
            inputs = [src],
            outputs = [pyc],
            env = {
                "PYTHONHASHSEED": "0",
                "PYTHONNOUSERSITE": "1",
                "PYTHONSAFEPATH": "1",
            },
            execution_requirements = execution_requirements,
            toolchain = None,
            mnemonic = "PyCompile",
            progress_message = "Python precompiling %{input} into %{output}",
        )
        pycs.append(pyc)
    return [DefaultInfo(files = depset(pycs))]

py_compile_library = rule(
    implementation = _py_compile_library_impl,
    doc = "Compiles srcs with `precompiler` as rules_python 1.x's precompile does.",
    attrs = {
        "invalidation_mode": attr.string(
            default = "checked_hash",
            values = ["checked_hash", "unchecked_hash"],
            doc = "The mode rules_python resolved from precompile_invalidation_mode.",
        ),
        "omit_source": attr.bool(
            doc = "precompile_source_retention = omit_source: `<stem>.pyc` beside the source.",
        ),
        "optimize": attr.int(doc = "precompile_optimize_level."),
        "precompiler": attr.label(
            mandatory = True,
            allow_files = True,
            cfg = "exec",
            doc = "As py_exec_tools_toolchain's `precompiler`.",
        ),
        "pyc_tag": attr.string(
            mandatory = True,
            doc = "The target runtime's pyc_tag, e.g. cpython-312.",
        ),
        "python_version": attr.string(
            mandatory = True,
            doc = "The target runtime's interpreter_version_info as X.Y.",
        ),
        "srcs": attr.label_list(allow_files = [".py"], doc = "The sources."),
    },
)
