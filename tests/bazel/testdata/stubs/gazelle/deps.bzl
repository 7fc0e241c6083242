"""Offline stand-in for gazelle's deps.bzl (WORKSPACE): go_repository and
gazelle_dependencies do nothing, since the rules_go stand-in never builds Go
code."""

def gazelle_dependencies(**_kwargs):
    pass

def go_repository(name, **_kwargs):
    _ = name  # buildifier: disable=unused-variable
