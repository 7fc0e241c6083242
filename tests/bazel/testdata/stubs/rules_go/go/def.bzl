"""Offline stand-in for rules_go's go/def.bzl.

rules_go cannot be fetched without network. With this stand-in, a go_binary
is the executable of the same name at the root of the repository that
declares it: for rules_pyc's //tool/pyc, the `pyc` that
`go build -o pyc ./tool/pyc` writes there. go_library and go_test declare
nothing.
"""

def go_binary(name, visibility = None, **_kwargs):
    # A string label in a macro resolves in the repository of the BUILD file
    # that calls it.
    native.alias(
        name = name,
        actual = "//:" + name,
        visibility = visibility,
    )

def go_library(name, **_kwargs):
    _ = name  # buildifier: disable=unused-variable

def go_test(name, **_kwargs):
    _ = name  # buildifier: disable=unused-variable
