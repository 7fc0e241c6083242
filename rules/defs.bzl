"""Public API of rules_pyc: Python rules that ship byte-exact, cache-friendly .pyc files.

Load everything from this file. Anything under `//rules/private` may change
without notice.

```starlark
load("@rules_pyc//rules:defs.bzl", "py_binary", "py_library", "py_test")
```
"""

load("//rules/private:providers.bzl", _PycInfo = "PycInfo", _PycToolchainInfo = "PycToolchainInfo")
load("//rules/private:toolchain.bzl", _pyc_toolchain = "pyc_toolchain")
load("//rules/private/rules:executable.bzl", _py_binary = "py_binary", _py_test = "py_test")
load("//rules/private/rules:library.bzl", _py_library = "py_library")
load("//rules/private/rules:precompiler.bzl", _pyc_precompiler = "pyc_precompiler")
load("//rules/private/rules:pyc_library.bzl", _pyc_library = "pyc_library")

py_binary = _py_binary
py_library = _py_library
py_test = _py_test
pyc_library = _pyc_library
pyc_precompiler = _pyc_precompiler
pyc_toolchain = _pyc_toolchain
PycInfo = _PycInfo
PycToolchainInfo = _PycToolchainInfo
