"""pyc_context: the toolchain and the effective precompile settings of a target."""

load("@bazel_skylib//rules:common_settings.bzl", "BuildSettingInfo")
load(
    ":attributes.bzl",
    "INHERIT",
    "INVALIDATION_MODE",
    "OPTIMIZE_INHERIT",
    "PRECOMPILE",
    "SOURCE_RETENTION",
)
load(":toolchain.bzl", "find_pyc_toolchain")

def _effective(value, flag):
    if value == INHERIT:
        return flag[BuildSettingInfo].value
    return value

def pyc_context(ctx, require_toolchain = False):
    """Gathers what every rule and the aspect need to compile, in one place.

    The attribute values `inherit` (and -1 for the optimize level) are replaced
    with the build settings' values, and `auto` with the mode for the
    compilation mode (`unchecked_hash` under `-c opt`, else `checked_hash`).

    Args:
      ctx: a rule or aspect context whose attributes include PRECOMPILE_ATTRS
        (an aspect may leave out precompile_source_retention: it keeps sources).
      require_toolchain: fail when no pyc toolchain is registered even if
        precompile is disabled (binaries need its interpreter to run).

    Returns:
      A struct with fields enabled (bool), invalidation_mode (str),
      optimize (int), omit_source (bool) and toolchain (PycToolchainInfo or None).
    """
    attrs = ctx.attr
    enabled = _effective(attrs.precompile, attrs._precompile_flag) == PRECOMPILE.ENABLED

    mode = _effective(attrs.precompile_invalidation_mode, attrs._invalidation_mode_flag)
    if mode == INVALIDATION_MODE.AUTO:
        if ctx.var["COMPILATION_MODE"] == "opt":
            mode = INVALIDATION_MODE.UNCHECKED_HASH
        else:
            mode = INVALIDATION_MODE.CHECKED_HASH

    optimize = attrs.precompile_optimize_level
    if optimize == OPTIMIZE_INHERIT:
        optimize = int(attrs._optimize_level_flag[BuildSettingInfo].value)

    retention = getattr(attrs, "precompile_source_retention", SOURCE_RETENTION.KEEP_SOURCE)
    retention = _effective(retention, attrs._source_retention_flag)

    return struct(
        enabled = enabled,
        invalidation_mode = mode,
        optimize = optimize,
        omit_source = retention == SOURCE_RETENTION.OMIT_SOURCE,
        toolchain = find_pyc_toolchain(ctx, required = enabled or require_toolchain),
    )
