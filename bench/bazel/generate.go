package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-pyc/rules_pyc/bench/internal/pysrc"
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
			files[filepath.Join(pkg, name)] = pysrc.Module(p, m)
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
