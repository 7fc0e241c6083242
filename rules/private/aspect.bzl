"""pyc_aspect: compiles the sources of existing Python targets without touching them."""

load("//rules/private/actions:compile.bzl", "compile_pycs", "pyc_output_path", "recorded_name")
load(":attributes.bzl", "COMPILE_ATTRS")
load(":context.bzl", "pyc_context")
load(":providers.bzl", "PycInfo")
load(":py_info.bzl", "get_py_info", "rules_python_pyc_files")
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
    if get_py_info(target) != None and srcs:
        settings = pyc_context(ctx)
        if settings.enabled:
            declared, srcs = _declared_by_rules_python(target, srcs, settings)
            pycs = declared + compile_pycs(ctx, settings.toolchain, srcs, settings).pycs
    return [PycAspectInfo(transitive_pyc_files = depset(pycs, transitive = transitive))]

def _declared_by_rules_python(target, srcs, settings):
    """Splits srcs into those whose .pyc rules_python declares already, and the rest.

    rules_python 1.x declares a PyCompile action for every source of a
    library unless its precompiling is disabled (as an implicit output when
    nothing asks for it), at the very path this aspect would declare: two
    actions for one output are an error. Where rules_python has one, its .pyc
    is used instead (its bytes are pyc's when its precompiler is a
    pyc_precompiler).

    Returns:
      (list of rules_python's .pyc files, list of the sources left to compile).
    """
    foreign = rules_python_pyc_files(target)
    if not foreign:
        return [], srcs
    wanted = {}
    for src in srcs:
        if src.extension != "py" or src.owner == None or src.owner.workspace_name != target.label.workspace_name:
            continue
        name = recorded_name(src)
        package = target.label.package
        if package and not name.startswith(package + "/"):
            continue
        directory = src.short_path.rpartition("/")[0]
        pyc = pyc_output_path(src.basename, settings.toolchain.cache_tag, settings.optimize, False)
        wanted[directory + "/" + pyc if directory else pyc] = src
    found = {}
    for files in foreign:
        for f in files.to_list():
            src = wanted.get(f.short_path)
            if src != None:
                found[src] = f
    return found.values(), [src for src in srcs if src not in found]

pyc_aspect = aspect(
    implementation = _pyc_aspect_impl,
    doc = "Compiles the `.py` sources of every target providing PyInfo (Bazel's or " +
          "rules_python's) along `deps`, first-party and third-party alike, into " +
          "`__pycache__` beside them. Where rules_python declares a source's .pyc " +
          "already, that one is used.",
    attr_aspects = ["deps"],
    attrs = COMPILE_ATTRS,
    toolchains = TOOLCHAINS,
)
