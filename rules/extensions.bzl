"""Module extensions of rules_pyc, for MODULE.bazel.

```starlark
pyc = use_extension("@rules_pyc//rules:extensions.bzl", "pyc")
pyc.system_interpreter(name = "python_3_12", path = "/usr/bin/python3.12")
```
"""

load("//rules/private:extension.bzl", _pyc = "pyc")

pyc = _pyc
