"""PyInfo, both of them: Bazel's built-in provider and rules_python's.

Bazel 7 has a built-in `PyInfo`; rules_python 1.x defines its own in Starlark,
a different provider with more fields (`direct_pyc_files`,
`transitive_pyc_files`, ...). rules_python's rules accept either from their
deps and return both, and so do rules_pyc's: a target of either rule set can
depend on a target of the other. rules_python before 1.0 re-exports the
built-in provider from the same file; then there is only one.
"""

load("@rules_python//python:py_info.bzl", _RulesPythonPyInfo = "PyInfo")

# The built-in provider, under a name that loads cannot shadow.
BuiltinPyInfo = PyInfo

RulesPythonPyInfo = _RulesPythonPyInfo

# Whether rules_python's PyInfo is a provider of its own (rules_python 1.0+).
_DISTINCT = _RulesPythonPyInfo != PyInfo

# The providers a rule returns: `provides = PY_INFOS`.
PY_INFOS = [PyInfo, _RulesPythonPyInfo] if _DISTINCT else [PyInfo]

# For `attr.label_list(providers = ...)`: a dep must have one of them.
PY_INFO_PROVIDERS = [[provider] for provider in PY_INFOS]

def get_py_info(target):
    """The PyInfo of a target: rules_python's if it has one, else Bazel's.

    Args:
      target: a Target.

    Returns:
      The provider instance, or None when the target has neither.
    """
    if _DISTINCT and _RulesPythonPyInfo in target:
        return target[_RulesPythonPyInfo]
    if PyInfo in target:
        return target[PyInfo]
    return None

def rules_python_pyc_files(target):
    """The .pyc files rules_python declared for a target and its deps.

    Both kinds: those it must ship (`transitive_pyc_files`) and those it
    declares for binaries that collect them (`transitive_implicit_pyc_files`,
    built only when something asks for them).

    Args:
      target: a Target.

    Returns:
      A list of depsets of File, empty unless the target has rules_python's
      own PyInfo.
    """
    if not _DISTINCT or _RulesPythonPyInfo not in target:
        return []
    info = target[_RulesPythonPyInfo]
    return [
        getattr(info, "transitive_pyc_files", None) or depset(),
        getattr(info, "transitive_implicit_pyc_files", None) or depset(),
    ]

def py_infos(transitive_sources, imports, uses_shared_libraries, direct_pyc_files, transitive_pyc_files):
    """Both PyInfo providers of a target, with the same contents.

    Args:
      transitive_sources: depset of the `.py` files of the target and its deps.
      imports: depset of import path entries, runfiles-relative.
      uses_shared_libraries: whether the target or a dep has a C extension.
      direct_pyc_files: depset of the target's own .pyc files.
      transitive_pyc_files: depset of the .pyc files of the target and its deps.

    Returns:
      A list of one provider (Bazel's) or two (and rules_python's, which
      also carries the .pyc files, so that rules_python's binaries include them).
    """
    infos = [PyInfo(
        transitive_sources = transitive_sources,
        imports = imports,
        uses_shared_libraries = uses_shared_libraries,
        has_py2_only_sources = False,
        has_py3_only_sources = True,
    )]
    if _DISTINCT:
        infos.append(_RulesPythonPyInfo(
            transitive_sources = transitive_sources,
            imports = imports,
            uses_shared_libraries = uses_shared_libraries,
            has_py2_only_sources = False,
            has_py3_only_sources = True,
            direct_pyc_files = direct_pyc_files,
            transitive_pyc_files = transitive_pyc_files,
        ))
    return infos
