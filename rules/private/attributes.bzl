"""The precompile attributes shared by every rule, with their allowed values.

Names and values follow rules_python's, so a BUILD file written for
rules_python's precompile works unchanged. Each value is spelled once, here.
"""

load("@bazel_skylib//rules:common_settings.bzl", "BuildSettingInfo")

INHERIT = "inherit"

PRECOMPILE = struct(
    INHERIT = INHERIT,
    ENABLED = "enabled",
    DISABLED = "disabled",
)

INVALIDATION_MODE = struct(
    INHERIT = INHERIT,
    AUTO = "auto",
    CHECKED_HASH = "checked_hash",
    UNCHECKED_HASH = "unchecked_hash",
)

SOURCE_RETENTION = struct(
    INHERIT = INHERIT,
    KEEP_SOURCE = "keep_source",
    OMIT_SOURCE = "omit_source",
)

# -1 stands for "inherit": the value of //rules:optimize_level.
OPTIMIZE_INHERIT = -1
OPTIMIZE_LEVELS = [0, 1, 2]

# The values each build setting accepts (no "inherit": a setting is the
# default). The attributes accept the same values and "inherit" (-1 for the
# level).
SETTING_VALUES = struct(
    precompile = [PRECOMPILE.ENABLED, PRECOMPILE.DISABLED],
    invalidation_mode = [INVALIDATION_MODE.AUTO, INVALIDATION_MODE.CHECKED_HASH, INVALIDATION_MODE.UNCHECKED_HASH],
    optimize_level = [str(level) for level in OPTIMIZE_LEVELS],
    source_retention = [SOURCE_RETENTION.KEEP_SOURCE, SOURCE_RETENTION.OMIT_SOURCE],
)

# Private attributes that carry the build settings into every rule and the aspect.
SETTING_ATTRS = {
    "_invalidation_mode_flag": attr.label(
        default = Label("//rules:invalidation_mode"),
        providers = [BuildSettingInfo],
    ),
    "_optimize_level_flag": attr.label(
        default = Label("//rules:optimize_level"),
        providers = [BuildSettingInfo],
    ),
    "_precompile_flag": attr.label(
        default = Label("//rules:precompile"),
        providers = [BuildSettingInfo],
    ),
    "_source_retention_flag": attr.label(
        default = Label("//rules:source_retention"),
        providers = [BuildSettingInfo],
    ),
}

_PRECOMPILE_ATTR = attr.string(
    default = PRECOMPILE.INHERIT,
    values = [INHERIT] + SETTING_VALUES.precompile,
    doc = "Whether to compile this target's sources to .pyc files. `inherit` takes " +
          "the value of `--@rules_pyc//rules:precompile` (default `enabled`).",
)

_INVALIDATION_MODE_ATTR = attr.string(
    default = INVALIDATION_MODE.INHERIT,
    values = [INHERIT] + SETTING_VALUES.invalidation_mode,
    doc = "How the interpreter decides whether a .pyc is up to date (PEP 552). " +
          "`checked_hash`: it hashes the source and compares; `unchecked_hash`: it trusts " +
          "the .pyc; `auto`: `unchecked_hash` under `-c opt`, else `checked_hash`; " +
          "`inherit`: `--@rules_pyc//rules:invalidation_mode` (default `auto`).",
)

_OPTIMIZE_LEVEL_ATTR = attr.int(
    default = OPTIMIZE_INHERIT,
    values = [OPTIMIZE_INHERIT] + OPTIMIZE_LEVELS,
    doc = "The optimization level of `python -O`: 0, 1 or 2. Level N > 0 writes " +
          "`mod.<tag>.opt-N.pyc`, as CPython does. -1 takes " +
          "`--@rules_pyc//rules:optimize_level` (default 0).",
)

_SOURCE_RETENTION_ATTR = attr.string(
    default = SOURCE_RETENTION.INHERIT,
    values = [INHERIT] + SETTING_VALUES.source_retention,
    doc = "`keep_source`: runfiles hold `pkg/mod.py` and `pkg/__pycache__/mod.<tag>.pyc`; " +
          "`omit_source`: they hold only `pkg/mod.pyc`, which CPython imports with no " +
          "source; `inherit`: `--@rules_pyc//rules:source_retention` (default `keep_source`).",
)

# What compiling needs: the aspect and pyc_library (which always keep sources).
COMPILE_ATTRS = dict(
    SETTING_ATTRS,
    precompile = _PRECOMPILE_ATTR,
    precompile_invalidation_mode = _INVALIDATION_MODE_ATTR,
    precompile_optimize_level = _OPTIMIZE_LEVEL_ATTR,
)

# The precompile attributes of py_library, py_binary and py_test.
PRECOMPILE_ATTRS = dict(
    COMPILE_ATTRS,
    precompile_source_retention = _SOURCE_RETENTION_ATTR,
)

# The attributes of a Python target, as Bazel's own py_library has them.
PY_ATTRS = {
    "data": attr.label_list(
        allow_files = True,
        doc = "Files needed at run time, added to the runfiles.",
    ),
    "deps": attr.label_list(
        doc = "Other Python libraries (any rule that provides PyInfo) this target imports, " +
              "and other targets whose runfiles it needs (C++ extensions, for example).",
    ),
    "imports": attr.string_list(
        doc = "Directories, relative to the package, added to the import path of binaries " +
              "that depend on this target.",
    ),
    "srcs": attr.label_list(
        allow_files = [".py", ".pyi", ".so"],
        doc = "The Python source files. Each `.py` file of this package is compiled.",
    ),
    "srcs_version": attr.string(
        default = "PY3",
        doc = "Accepted for compatibility with Bazel's py_library; ignored.",
    ),
}

# The attributes a binary or test has in addition.
PY_EXECUTABLE_ATTRS = {
    "env": attr.string_dict(
        doc = "Environment variables set when the binary runs under `bazel run` or `bazel test`.",
    ),
    "main": attr.label(
        allow_single_file = [".py"],
        doc = "The source whose module runs as `__main__`. Defaults to `<name>.py` among `srcs`.",
    ),
    "python_version": attr.string(
        default = "PY3",
        doc = "Accepted for compatibility with Bazel's py_binary; ignored: the interpreter " +
              "is the pyc toolchain's.",
    ),
}
