"""Build settings that choose the repository-wide precompile defaults.

A string-valued flag restricted to a fixed set of values, so that
`--@rules_pyc//rules:precompile=disabled` switches a whole repository with one
flag. Kept here (instead of loading bazel_skylib's string_flag) so rules_pyc
loads nothing but itself in WORKSPACE mode.
"""

SettingInfo = provider(
    doc = "The value of a rules_pyc build setting.",
    fields = {"value": "(str) the value chosen on the command line or the default"},
)

def _string_setting_impl(ctx):
    value = ctx.build_setting_value
    if value not in ctx.attr.values:
        fail("invalid value {v} for {label}: expected one of {values}".format(
            v = repr(value),
            label = ctx.label,
            values = ", ".join(ctx.attr.values),
        ))
    return [SettingInfo(value = value)]

string_setting = rule(
    implementation = _string_setting_impl,
    build_setting = config.string(flag = True),
    doc = "A command-line build setting whose value is one of `values`.",
    attrs = {
        "values": attr.string_list(
            mandatory = True,
            doc = "The values the setting accepts.",
        ),
    },
)
