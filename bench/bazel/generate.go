package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// generate writes the benchmark workspace at dir: packages pkgNNN, each with
// a py_library of `modules` modules and a py_binary that uses it and the
// previous package's library.
func generate(dir, rulesPyc string, packages, modules int) error {
	files := map[string]string{
		"MODULE.bazel": fmt.Sprintf(`module(name = "bench")

bazel_dep(name = "rules_pyc")
local_path_override(
    module_name = "rules_pyc",
    path = %q,
)
`, rulesPyc),
		"BUILD.bazel": "",
	}
	for p := 0; p < packages; p++ {
		pkg := fmt.Sprintf("pkg%03d", p)
		var srcs []string
		for m := 0; m < modules; m++ {
			name := fmt.Sprintf("mod%02d.py", m)
			srcs = append(srcs, fmt.Sprintf("%q", name))
			files[filepath.Join(pkg, name)] = module(p, m)
		}
		files[filepath.Join(pkg, "__init__.py")] = ""
		files[filepath.Join(pkg, "main.py")] = fmt.Sprintf("from %s import mod00\n\nprint(mod00.Record%d_0(1).describe())\n", pkg, p)
		deps := `":lib"`
		if p > 0 {
			deps += fmt.Sprintf(`, "//pkg%03d:lib"`, p-1)
		}
		files[filepath.Join(pkg, "BUILD.bazel")] = fmt.Sprintf(`load("@rules_pyc//rules:defs.bzl", "py_binary", "py_library")

py_library(
    name = "lib",
    srcs = ["__init__.py", %s],
    visibility = ["//visibility:public"],
)

py_binary(
    name = "main",
    srcs = ["main.py"],
    deps = [%s],
)
`, strings.Join(srcs, ", "), deps)
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return fmt.Errorf("generate %s: %w", name, err)
		}
	}
	return nil
}

// module returns the source of module m of package p: about 6 KB of
// ordinary code (a dataclass-like class, functions, comprehensions, strings),
// different in every module.
func module(p, m int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `"""Module %d of package %d, generated for the rules_pyc benchmark."""

import collections
import itertools
import re

LIMIT = %d
NAMES = ("alpha", "beta", "gamma", "delta", "epsilon")
PATTERN = re.compile(r"^(?P<key>[a-z]+)_(?P<value>\d+)$")
`, m, p, 100+p*m)
	for c := 0; c < 3; c++ {
		fmt.Fprintf(&b, `

class Record%[1]d_%[2]d:
    """A record with a value and a few derived properties."""

    __slots__ = ("value", "tags")

    def __init__(self, value, tags=()):
        self.value = value
        self.tags = tuple(tags)

    def __repr__(self):
        return f"Record%[1]d_%[2]d(value={self.value!r}, tags={self.tags!r})"

    def describe(self):
        parts = [f"{name}={self.value * i}" for i, name in enumerate(NAMES)]
        return ", ".join(parts) + (" [" + ",".join(self.tags) + "]" if self.tags else "")

    def scaled(self, factor):
        if factor < 0:
            raise ValueError(f"negative factor {factor} for {self!r}")
        return Record%[1]d_%[2]d(self.value * factor, self.tags + (str(factor),))
`, p, c)
	}
	for f := 0; f < 6; f++ {
		fmt.Fprintf(&b, `

def transform_%[1]d(items, limit=LIMIT):
    """Groups, filters and counts items (variant %[1]d of module %[2]d)."""
    counts = collections.Counter()
    groups = collections.defaultdict(list)
    for index, item in enumerate(items):
        match = PATTERN.match(str(item))
        if match is None:
            continue
        key, value = match.group("key"), int(match.group("value"))
        if value > limit:
            break
        counts[key] += value * %[1]d
        groups[key].append(index)
    pairs = itertools.islice(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), %[3]d)
    return {key: (total, groups[key]) for key, total in pairs}
`, f, m, f+2)
	}
	return b.String()
}
