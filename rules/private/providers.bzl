"""Providers of rules_pyc."""

PycInfo = provider(
    doc = "The .pyc files a target and its dependencies compiled.",
    fields = {
        "direct_pyc_files": "(depset[File]) the .pyc files compiled from this target's own sources",
        "transitive_pyc_files": "(depset[File]) the .pyc files of this target and all its dependencies",
    },
)

PycToolchainInfo = provider(
    doc = "What the rules need to know to compile (the target release) and to run (the runtime).",
    fields = {
        "backend": "(str) `auto` or `cpython`, passed to pyc as --backend",
        "cache_tag": "(str) sys.implementation.cache_tag of the target release, e.g. cpython-313",
        "compile_files": "(depset[File]) what compiling needs of the interpreter: empty when pyc compiles natively for an exact release",
        "compile_interpreter": "(File or None) the interpreter passed to pyc as --python; None when pyc compiles natively for an exact release",
        "compiler": "(FilesToRunProvider) the pyc executable",
        "interpreter": "(File or None) the runtime interpreter that runs binaries and tests; None for a compile-only toolchain",
        "interpreter_files": "(depset[File]) the runtime interpreter and its runtime files",
        "label": "(Label) the pyc_toolchain target, for messages",
        "native": "(bool) pyc compiles natively (no interpreter runs for compiling)",
        "python_version": "(str) the target release, X.Y or X.Y.Z, passed to pyc as --python_version",
        "runtime_check": "(File or None) the output of the action that checks the runtime interpreter is the target release",
    },
)
