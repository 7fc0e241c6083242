"""Offline stand-in for rules_go's go/deps.bzl (WORKSPACE): the macros a
WORKSPACE calls, doing nothing (the stand-in never builds Go code)."""

def go_rules_dependencies(**_kwargs):
    pass

def go_register_toolchains(**_kwargs):
    pass
