"""Providers of rules_pyc."""

PycInfo = provider(
    doc = "The .pyc files a target and its dependencies compiled.",
    fields = {
        "direct_pyc_files": "(depset[File]) the .pyc files compiled from this target's own sources",
        "transitive_pyc_files": "(depset[File]) the .pyc files of this target and all its dependencies",
    },
)

PycToolchainInfo = provider(
    doc = "What the compile action needs to know about the compiler and the interpreter.",
    fields = {
        "compiler": "(FilesToRunProvider) the pyc executable",
        "interpreter": "(File) the Python interpreter that compiles, and runs binaries",
        "interpreter_files": "(depset[File]) the interpreter and its runtime files",
        "python_version": "(str) the interpreter's version as X.Y, passed to pyc as --python_version",
        "cache_tag": "(str) sys.implementation.cache_tag of the interpreter, e.g. cpython-312",
    },
)
