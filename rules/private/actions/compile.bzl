"""The PycCompile action: every source of one target, in one batch, through pyc."""

# The worker protocol, stated to both sides: Bazel reads the execution
# requirement, pyc its startup flag (so it never has to guess).
_PROTOCOL = "proto"

def worker_execution_requirements(protocol):
    """The keys Bazel reads to run an action in pyc's persistent worker.

    Without a worker strategy (sandboxed, standalone, remote) pyc runs once
    per action, reading the same @paramfile.

    Args:
      protocol: "proto" or "json", the worker protocol pyc is told to speak.

    Returns:
      A dict for `execution_requirements`.
    """
    return {
        "requires-worker-protocol": protocol,
        "supports-multiplex-sandboxing": "1",
        "supports-multiplex-workers": "1",
        "supports-worker-cancellation": "1",
        "supports-workers": "1",
    }

def recorded_name(src):
    """The name written into the .pyc (co_filename): the path in its repository.

    Args:
      src: a source File.

    Returns:
      The path of src relative to the root of its repository, such as
      `pkg/mod.py`: the same on every machine, in every sandbox.
    """
    path = src.short_path
    if path.startswith("../"):
        # ../<repository>/pkg/mod.py for a file of another repository.
        path = path[len("../"):].partition("/")[2]
    return path

def _package_relative(ctx, src):
    """Returns src's path relative to the target's package, or None if it lies outside."""
    if src.owner == None or src.owner.workspace_name != ctx.label.workspace_name:
        return None
    path = recorded_name(src)
    package = ctx.label.package
    if not package:
        return path
    if not path.startswith(package + "/"):
        return None
    return path[len(package) + 1:]

def pyc_output_path(relative_source, cache_tag, optimize, omit_source):
    """Where CPython's import system looks for the compiled module.

    Args:
      relative_source: the source's path relative to its package, `sub/mod.py`.
      cache_tag: sys.implementation.cache_tag, such as `cpython-312`.
      optimize: the optimization level, 0, 1 or 2.
      omit_source: write the source-less layout.

    Returns:
      `sub/__pycache__/mod.<cache_tag>[.opt-N].pyc` (importlib.util.cache_from_source),
      or `sub/mod.pyc` when the source is omitted.
    """
    directory, slash, base = relative_source.rpartition("/")
    stem = base.rpartition(".")[0] if "." in base else base
    if omit_source:
        return directory + slash + stem + ".pyc"
    tag = cache_tag
    if optimize:
        tag += ".opt-%d" % optimize
    return directory + slash + "__pycache__/" + stem + "." + tag + ".pyc"

def compile_pycs(ctx, pyc, srcs, settings):
    """Declares one PycCompile action for the .py files among srcs.

    Sources outside the target's package (where no output can be declared)
    are left uncompiled and returned in `uncompiled`, so they stay in the
    runfiles as sources.

    Args:
      ctx: the rule or aspect context; outputs go into its label's package.
      pyc: PycToolchainInfo.
      srcs: list of File.
      settings: the struct from pyc_context.

    Returns:
      struct(pycs = [File], compiled = [File], uncompiled = [File]).
    """
    pycs = []
    compiled = []
    uncompiled = []
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")

    # Natively for an exact release: `--backend auto --python_version 3.13.N`
    # and no interpreter, neither here nor among the inputs.
    args.add("--backend", pyc.backend)
    if pyc.compile_interpreter != None:
        args.add("--python", pyc.compile_interpreter)
    args.add("--python_version", pyc.python_version)
    args.add("--invalidation_mode", settings.invalidation_mode)
    args.add("--optimize", str(settings.optimize))
    for src in srcs:
        relative = _package_relative(ctx, src) if src.extension == "py" else None
        if relative == None:
            uncompiled.append(src)
            continue
        out = ctx.actions.declare_file(pyc_output_path(
            relative,
            pyc.cache_tag,
            settings.optimize,
            settings.omit_source,
        ))
        args.add("--src", src)
        args.add("--src_name", recorded_name(src))
        args.add("--pyc", out)
        pycs.append(out)
        compiled.append(src)

    if pycs:
        ctx.actions.run(
            executable = pyc.compiler,
            # Startup flags first; Bazel hands the @paramfile's lines to the
            # worker as the request.
            arguments = ["--worker_protocol=" + _PROTOCOL, args],
            inputs = depset(compiled, transitive = [pyc.compile_files]),
            outputs = pycs,
            mnemonic = "PycCompile",
            progress_message = "Compiling %d Python file%s of %%{label} for Python %s" % (
                len(pycs),
                "" if len(pycs) == 1 else "s",
                pyc.python_version,
            ),
            execution_requirements = worker_execution_requirements(_PROTOCOL),
        )
    return struct(pycs = pycs, compiled = compiled, uncompiled = uncompiled)
