"""Offline stand-in for rules_go's go/def.bzl.

rules_go cannot be fetched without network. With this stand-in, a go_binary
is the executable of the same name at the root of the repository that
declares it: for rules_pyc's //tool/pyc, the `pyc` that
`go build -o pyc ./tool/pyc` writes there. Other go_binary targets
(rules_pyc's code generators, say) have no such executable: they are tagged
manual, so that `bazel build //...` skips them. go_library and go_test
declare nothing.
"""

# The binaries built with `go build` before Bazel runs.
_PREBUILT = ["pyc"]

def go_binary(name, visibility = None, **_kwargs):
    # A string label in a macro resolves in the repository of the BUILD file
    # that calls it.
    native.alias(
        name = name,
        actual = "//:" + name,
        visibility = visibility,
        tags = [] if name in _PREBUILT else ["manual"],
    )

def go_library(name, **_kwargs):
    _ = name  # buildifier: disable=unused-variable

def go_test(name, **_kwargs):
    _ = name  # buildifier: disable=unused-variable
