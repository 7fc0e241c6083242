"""WORKSPACE macros: rules_pyc_dependencies and rules_pyc_register_toolchains."""

load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")
load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")
load(":interpreter_repository.bzl", "system_interpreter", "toolchains_hub")

def rules_pyc_dependencies():
    """Declares the repositories rules_pyc needs, unless already declared.

    Only `@rules_pyc//tool/pyc` (the compiler built from source) needs them:
    rules_go (as `io_bazel_rules_go`: declare rules_pyc with
    `repo_mapping = {"@rules_go": "@io_bazel_rules_go"}`) and gazelle. Nothing is
    downloaded until that target is built, so a build that sets
    `--@rules_pyc//rules:compiler` to a prebuilt `pyc` needs no network.
    """
    maybe(
        http_archive,
        name = "io_bazel_rules_go",
        sha256 = "f4a9314518ca6acfa16cc4ab43b0b8ce1e4ea64b81c38d8a3772883f153346b8",
        urls = ["https://github.com/bazelbuild/rules_go/releases/download/v0.50.1/rules_go-v0.50.1.zip"],
    )
    maybe(
        http_archive,
        name = "bazel_gazelle",
        sha256 = "8ad77552825b078a10ad960bec6ef77d2ff8ec70faef2fd038db713f410f5d87",
        urls = ["https://github.com/bazelbuild/bazel-gazelle/releases/download/v0.38.0/bazel-gazelle-v0.38.0.tar.gz"],
    )

def rules_pyc_register_toolchains(
        name = "pyc_toolchains",
        python = "",
        python_version = "",
        backend = "auto",
        exec_compatible_with = [],
        target_compatible_with = []):
    """Declares a pyc toolchain for an installed interpreter and registers it.

    Args:
      name: the repository of the `toolchain()` targets; the interpreter's
        repository is `<name>_python`.
      python: the interpreter, an absolute path or a name on PATH. Empty:
        PYC_PYTHON from `--repo_env` or the environment, else found as
        `pyc.system_interpreter` finds it (with python_version: `pythonX.Y` or
        `python3` on PATH, or pyenv's versions, that are that release; without:
        `python3` on PATH).
      python_version: the target release, X.Y or X.Y.Z (the interpreter must
        be it); empty: the interpreter's. For 3.13, pyc compiles natively for
        the interpreter's exact release, and with no interpreter of it found
        the toolchain only compiles (binaries and tests fail to build).
      backend: `auto` (native for 3.13) or `cpython` (always the interpreter).
      exec_compatible_with: constraint labels an execution platform must have
        to compile with this interpreter. Empty: this machine's OS and CPU.
      target_compatible_with: constraint labels a target platform must have
        for this toolchain (binaries run with the interpreter). Empty: this
        machine's OS and CPU.
    """
    interpreter = name + "_python"
    system_interpreter(
        name = interpreter,
        backend = backend,
        path = python,
        python_version = python_version,
    )
    toolchains_hub(
        name = name,
        interpreters = [interpreter],
        exec_compatible_with = {interpreter: exec_compatible_with},
        target_compatible_with = {interpreter: target_compatible_with},
    )
    native.register_toolchains("@%s//:all" % name)
