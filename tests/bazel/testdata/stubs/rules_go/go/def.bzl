"""Offline stand-in for rules_go's go/def.bzl.

rules_go cannot be fetched without network. With this stand-in, a go_binary
is a copy of the executable of the same name at the root of the repository
that declares it: for rules_pyc's //tool/pyc, the `pyc` that
`CGO_ENABLED=0 go build -trimpath -o pyc ./tool/pyc` writes there. Other go_binary targets
(rules_pyc's code generators, say) have no such executable: they are tagged
manual, so that `bazel build //...` skips them, and building one by name fails
with a message. go_library and go_test declare nothing.
"""

def _prebuilt_binary_impl(ctx):
    if ctx.file.src == None:
        fail("%s: the rules_go stand-in has no prebuilt binary for it" % ctx.label)
    out = ctx.actions.declare_file(ctx.label.name + "_/" + ctx.label.name)

    # The copy lands in bazel-out, where every action sees it: Bazel 7's
    # sandboxes hide /tmp, and with it the prebuilt file of a checkout there
    # (its path in the execroot is a symlink into the checkout). So the copy
    # itself runs outside any sandbox.
    ctx.actions.run_shell(
        inputs = [ctx.file.src],
        outputs = [out],
        command = 'cp -- "$1" "$2"',
        arguments = [ctx.file.src.path, out.path],
        mnemonic = "CopyPrebuiltBinary",
        progress_message = "Copying the prebuilt %{input}",
        execution_requirements = {"no-remote-exec": "1", "no-sandbox": "1"},
    )
    return [DefaultInfo(executable = out, files = depset([out]))]

_prebuilt_binary = rule(
    implementation = _prebuilt_binary_impl,
    attrs = {"src": attr.label(allow_single_file = True)},
    executable = True,
)

# The binaries built with `go build` before Bazel runs.
_PREBUILT = ["pyc"]

def go_binary(name, visibility = None, **_kwargs):
    # A string label in a macro resolves in the repository of the BUILD file
    # that calls it.
    _prebuilt_binary(
        name = name,
        src = "//:" + name if name in _PREBUILT else None,
        visibility = visibility,
        tags = [] if name in _PREBUILT else ["manual"],
    )

def go_library(name, **_kwargs):
    _ = name  # buildifier: disable=unused-variable

def go_test(name, **_kwargs):
    _ = name  # buildifier: disable=unused-variable
