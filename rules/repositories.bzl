"""WORKSPACE support for rules_pyc.

```starlark
local_repository(
    name = "rules_pyc",
    path = "...",
    repo_mapping = {"@rules_go": "@io_bazel_rules_go"},
)

load("@rules_pyc//rules:repositories.bzl", "rules_pyc_dependencies", "rules_pyc_register_toolchains")

rules_pyc_dependencies()

rules_pyc_register_toolchains(python = "/usr/bin/python3.12")
```
"""

load(
    "//rules/private:workspace.bzl",
    _rules_pyc_dependencies = "rules_pyc_dependencies",
    _rules_pyc_register_toolchains = "rules_pyc_register_toolchains",
)

rules_pyc_dependencies = _rules_pyc_dependencies
rules_pyc_register_toolchains = _rules_pyc_register_toolchains
