"""Offline stand-in for rules_go's go/def.bzl.

rules_go cannot be fetched without network, so a build with this stand-in
takes the pyc compiler from `--@rules_pyc//rules:compiler` (for example
`@rules_pyc//:pyc`, built with `go build -o pyc ./tool/pyc`). Building a
go_binary fails with a message that says so; go_library and go_test declare
nothing.
"""

def _go_binary_impl(ctx):
    fail(("{label} needs rules_go, which this offline stand-in replaces. Build pyc with " +
          "`go build -o pyc ./tool/pyc` at the root of rules_pyc and pass " +
          "--@rules_pyc//rules:compiler=@rules_pyc//:pyc").format(label = ctx.label))

_go_binary = rule(implementation = _go_binary_impl, executable = True)

def go_binary(name, visibility = None, **_kwargs):
    _go_binary(name = name, visibility = visibility)

def go_library(name, **_kwargs):
    _ = name  # buildifier: disable=unused-variable

def go_test(name, **_kwargs):
    _ = name  # buildifier: disable=unused-variable
