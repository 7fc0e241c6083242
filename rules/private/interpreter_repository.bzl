"""Repository rules that point pyc toolchains at interpreters installed on the machine."""

load(":toolchain.bzl", "BACKENDS", "native_covers", "parse_version")

_DEFS = str(Label("//rules:defs.bzl"))
_TOOLCHAIN_TYPE = str(Label("//rules:toolchain_type"))

_PROBE = """\
import sys
print(sys.executable)
print("%d.%d.%d" % sys.version_info[:3])
print(sys.implementation.cache_tag)
"""

ENV_PYTHON = "PYC_PYTHON"

def _probe(rctx, path):
    """Runs the interpreter at path: struct(executable, version, cache_tag), or None with the reason."""

    # -S -s: the probe must not depend on site-packages. sys.executable resolves
    # launchers such as pyenv's shims to the real interpreter.
    result = rctx.execute([path, "-S", "-s", "-c", _PROBE])
    lines = result.stdout.strip().split("\n")
    if result.return_code != 0 or len(lines) != 3:
        return None, "%s does not run (exit %d): %s" % (path, result.return_code, result.stderr.strip()[:300])
    return struct(executable = lines[0], version = lines[1], cache_tag = lines[2]), ""

def _matches(version, wanted):
    """Whether the exact version X.Y.Z is wanted (X.Y or X.Y.Z; empty: any)."""
    if not wanted:
        return True
    return version.split(".")[:len(wanted.split("."))] == wanted.split(".")

def _named(rctx):
    """The interpreter the user named (path, else PYC_PYTHON): (path, how), or (None, "")."""
    path = rctx.attr.path or rctx.os.environ.get(ENV_PYTHON, "")
    if not path:
        return None, ""
    how = "path = %s" % repr(path) if rctx.attr.path else "%s=%s" % (ENV_PYTHON, path)
    if "/" not in path:
        found = rctx.which(path)
        if found == None:
            fail("pyc: interpreter %s (%s) is not on PATH. Give its absolute path." % (repr(path), how))
        return found, how
    found = rctx.path(path)
    if not found.exists:
        fail(("pyc: interpreter {path} ({how}) does not exist. Point it at an installed " +
              "python3: the `path` of pyc.system_interpreter (MODULE.bazel), the `python` " +
              "of rules_pyc_register_toolchains (WORKSPACE), or --repo_env={env}=/path/to/python3.")
            .format(path = path, how = how, env = ENV_PYTHON))
    return found, how

def _pyenv_candidates(rctx, wanted):
    """pyenv's installed CPythons of the wanted release, newest first."""
    root = rctx.os.environ.get("PYENV_ROOT", "")
    if not root:
        pyenv = rctx.which("pyenv")
        if pyenv != None:
            result = rctx.execute([pyenv, "root"])
            if result.return_code == 0:
                root = result.stdout.strip()
    if not root and rctx.os.environ.get("HOME", ""):
        root = rctx.os.environ["HOME"] + "/.pyenv"
    if not root:
        return []
    versions = rctx.path(root + "/versions")
    if not versions.exists:
        return []
    found = []
    for entry in versions.readdir():
        parts = entry.basename.split(".")
        if len(parts) != 3 or not all([p.isdigit() for p in parts]):
            continue  # 3.13.0t, pypy3.10-7.3.12, virtualenvs ...
        if _matches(entry.basename, wanted):
            found.append((int(parts[0]), int(parts[1]), int(parts[2]), entry))
    return [
        str(entry) + "/bin/python" + ".".join(wanted.split(".")[:2])
        for _, _, _, entry in sorted(found, reverse = True)
    ]

def _discover(rctx, wanted):
    """Finds an interpreter of the wanted release: (probe result or None, what was tried)."""
    tried = []
    candidates = []
    if wanted:
        minor = ".".join(wanted.split(".")[:2])
        for name in ["python" + minor, "python3"]:
            found = rctx.which(name)
            if found != None:
                candidates.append((found, "%s on PATH" % name))
        candidates.extend([(path, "pyenv") for path in _pyenv_candidates(rctx, wanted)])
    else:
        found = rctx.which("python3")
        if found != None:
            candidates.append((found, "python3 on PATH"))
    for path, how in candidates:
        if how == "pyenv" and not rctx.path(path).exists:
            continue
        info, why = _probe(rctx, path)
        if info == None:
            tried.append("%s (%s): %s" % (path, how, why))
        elif not _matches(info.version, wanted):
            tried.append("%s (%s) is CPython %s" % (path, how, info.version))
        else:
            return info, tried
    return None, tried

def _system_interpreter_impl(rctx):
    wanted = rctx.attr.python_version
    if wanted:
        parse_version(wanted)
    named, how = _named(rctx)
    if named != None:
        info, why = _probe(rctx, named)
        if info == None:
            fail("pyc: interpreter %s (%s): %s" % (named, how, why))
        if not _matches(info.version, wanted):
            fail(("pyc: the toolchain {name} wants CPython {wanted} (python_version), but its " +
                  "interpreter {path} ({how}) is CPython {version}. Name an interpreter of " +
                  "that release, or change python_version.").format(
                name = rctx.attr.name,
                wanted = wanted,
                path = named,
                how = how,
                version = info.version,
            ))
        tried = []
    else:
        info, tried = _discover(rctx, wanted)

    if info == None and not (wanted and native_covers(wanted)):
        fail(("pyc: no interpreter{of} for the pyc toolchain {name}. Tried:\n  {tried}\n" +
              "Install one, or name it: pyc.system_interpreter(name = \"{name}\", path = " +
              "\"/usr/bin/python3.12\") in MODULE.bazel (rules_pyc_register_toolchains(python = " +
              "...) in WORKSPACE), or --repo_env={env}=/path/to/python3.").format(
            of = " of CPython " + wanted if wanted else "",
            name = rctx.attr.name,
            tried = "\n  ".join(tried) or "python3 on PATH: not found",
            env = ENV_PYTHON,
        ))

    if info == None:
        # pyc compiles this release natively: a toolchain that only compiles.
        # Binaries and tests fail to build with a message that says why.
        version = wanted
        header = "# Generated by rules_pyc: no interpreter of CPython %s was found, so this\n" % wanted
        header += "# toolchain only compiles (natively). Tried:\n#   " + "\n#   ".join(tried or ["nothing"]) + "\n"
        interpreter = ""
        cache_tag = ""
    else:
        # The exact release where pyc compiles natively (3.13.0's .pyc files
        # differ from 3.13.5's), else X.Y as before: there the interpreter
        # compiles, and checks itself.
        version = info.version
        if not native_covers(version) or rctx.attr.backend == "cpython":
            version = wanted or ".".join(version.split(".")[:2])
        rctx.symlink(info.executable, "bin/python3")
        header = "# Generated by rules_pyc for the interpreter %s (CPython %s).\n" % (info.executable, info.version)
        interpreter = "    interpreter = \"bin/python3\",\n"
        cache_tag = info.cache_tag
    rctx.file("BUILD.bazel", """\
{header}
load("{defs}", "pyc_toolchain")
{exports}
pyc_toolchain(
    name = "pyc_toolchain",
    backend = "{backend}",
    cache_tag = "{cache_tag}",
{interpreter}    python_version = "{version}",
    visibility = ["//visibility:public"],
)
""".format(
        backend = rctx.attr.backend,
        cache_tag = cache_tag,
        defs = _DEFS,
        exports = "\nexports_files([\"bin/python3\"])\n" if interpreter else "",
        header = header,
        interpreter = interpreter,
        version = version,
    ))

system_interpreter = repository_rule(
    implementation = _system_interpreter_impl,
    doc = """A repository holding a `pyc_toolchain` for an interpreter installed on the machine.

The interpreter is `path` when set (absolute, or a name looked up on PATH), else the
environment variable PYC_PYTHON (`--repo_env=PYC_PYTHON=...`). Otherwise, with a
`python_version`, the first of these that runs and is that release: `pythonX.Y` on PATH,
`python3` on PATH, pyenv's installed `X.Y.Z` versions (newest first; pyenv's root is
PYENV_ROOT, else `pyenv root`, else ~/.pyenv). Without `python_version`: `python3` on PATH.

It is probed once for its exact version and cache tag (launchers such as pyenv's shims
are resolved to the real executable). For 3.13 the toolchain records the exact release
(`3.13.0`), and pyc compiles natively for it with no interpreter; for other releases it
records X.Y and the interpreter compiles. When `python_version` is a 3.13 release and no
interpreter of it is found, the toolchain only compiles (natively); binaries and tests
then fail to build with a message that says so.
""",
    attrs = {
        "backend": attr.string(
            default = "auto",
            values = BACKENDS,
            doc = "pyc_toolchain's `backend`: `auto` (native for 3.13) or `cpython`.",
        ),
        "path": attr.string(doc = "The interpreter: an absolute path or a name on PATH."),
        "python_version": attr.string(
            doc = "The release (X.Y or X.Y.Z) the toolchain is for. Empty: the interpreter's.",
        ),
    },
    environ = [ENV_PYTHON, "PATH", "PYENV_ROOT", "HOME"],
    local = True,
)

# This machine's OS and CPU as @platforms constraints, for the toolchains of
# interpreters found on it. Names rctx.os reports that are not listed add no
# constraint.
_HOST_OS = {
    "freebsd": "@platforms//os:freebsd",
    "linux": "@platforms//os:linux",
    "mac os x": "@platforms//os:osx",
    "openbsd": "@platforms//os:openbsd",
}

_HOST_CPU = {
    "aarch64": "@platforms//cpu:aarch64",
    "amd64": "@platforms//cpu:x86_64",
    "arm64": "@platforms//cpu:aarch64",
    "ppc64le": "@platforms//cpu:ppc64le",
    "s390x": "@platforms//cpu:s390x",
    "x86_64": "@platforms//cpu:x86_64",
}

def host_constraints(rctx):
    """The constraint values of the machine a repository rule runs on.

    Args:
      rctx: a repository_ctx.

    Returns:
      A list of canonical label strings (OS first, then CPU).
    """
    found = []
    for table, key in [(_HOST_OS, rctx.os.name.lower()), (_HOST_CPU, rctx.os.arch.lower())]:
        if key in table:
            found.append(str(Label(table[key])))
    return found

def _toolchains_hub_impl(rctx):
    host = host_constraints(rctx)
    lines = ["# Generated by rules_pyc: the pyc toolchains, in order of preference.", ""]
    for index, repo in enumerate(rctx.attr.interpreters):
        lines.append("""toolchain(
    name = "{index}_{repo}",
    exec_compatible_with = {exec_compatible_with},
    target_compatible_with = {target_compatible_with},
    toolchain = "@{repo}//:pyc_toolchain",
    toolchain_type = "{toolchain_type}",
)
""".format(
            # Targets of `:all` register in lexicographic order of their names.
            index = ("000" + str(index))[-3:],
            repo = repo,
            exec_compatible_with = repr(rctx.attr.exec_compatible_with.get(repo) or host),
            target_compatible_with = repr(rctx.attr.target_compatible_with.get(repo) or host),
            toolchain_type = _TOOLCHAIN_TYPE,
        ))
    rctx.file("BUILD.bazel", "\n".join(lines))

toolchains_hub = repository_rule(
    implementation = _toolchains_hub_impl,
    doc = "A repository of `toolchain()` targets, one per interpreter repository, " +
          "registered with `@<name>//:all`. It loads nothing from the interpreters' " +
          "repositories, so an interpreter is probed only when its toolchain is used. " +
          "An interpreter installed on this machine can compile only on a machine like " +
          "it, and the binaries it runs need one too: unless given, both the exec and " +
          "the target constraints are this machine's OS and CPU.",
    attrs = {
        "exec_compatible_with": attr.string_list_dict(
            doc = "Per interpreter repository: the constraints of the machines that may " +
                  "run its compile actions. Missing or empty: this machine's OS and CPU.",
        ),
        "interpreters": attr.string_list(
            doc = "Names of system_interpreter repositories, most preferred first.",
        ),
        "target_compatible_with": attr.string_list_dict(
            doc = "Per interpreter repository: the constraints of the platforms whose " +
                  "binaries it runs. Missing or empty: this machine's OS and CPU.",
        ),
    },
)
