"""pyc_aspect: compiles the sources of existing Python targets without touching them."""

load("//rules/private/actions:compile.bzl", "compile_pycs")
load(":attributes.bzl", "COMPILE_ATTRS")
load(":context.bzl", "pyc_context")
load(":providers.bzl", "PycInfo")
load(":toolchain.bzl", "TOOLCHAINS")

PycAspectInfo = provider(
    doc = "What pyc_aspect compiled for a target and its dependencies.",
    fields = {
        "transitive_pyc_files": "(depset[File]) .pyc files of the target and its dependencies",
    },
)

def _pyc_aspect_impl(target, ctx):
    transitive = [
        dep[PycAspectInfo].transitive_pyc_files
        for dep in getattr(ctx.rule.attr, "deps", [])
        if PycAspectInfo in dep
    ]
    if PycInfo in target:
        # A rules_pyc target compiled its own sources already.
        transitive.append(target[PycInfo].transitive_pyc_files)
        return [PycAspectInfo(transitive_pyc_files = depset(transitive = transitive))]

    pycs = []
    srcs = getattr(ctx.rule.files, "srcs", [])
    if PyInfo in target and srcs:
        settings = pyc_context(ctx)
        if settings.enabled:
            pycs = compile_pycs(ctx, settings.toolchain, srcs, settings).pycs
    return [PycAspectInfo(transitive_pyc_files = depset(pycs, transitive = transitive))]

pyc_aspect = aspect(
    implementation = _pyc_aspect_impl,
    doc = "Compiles the `.py` sources of every target providing PyInfo along `deps`, " +
          "first-party and third-party alike, into `__pycache__` beside them.",
    attr_aspects = ["deps"],
    attrs = COMPILE_ATTRS,
    toolchains = TOOLCHAINS,
)
