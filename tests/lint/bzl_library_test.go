package lint

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// bzlLibrary is one bzl_library target of a BUILD.bazel file.
type bzlLibrary struct {
	label string   // //pkg:name
	srcs  []string // labels of its files
	deps  []string // labels of its deps, as written (resolved to the package)
}

var (
	bzlLibraryCall = regexp.MustCompile(`(?s)\nbzl_library\(\n(.*?)\n\)\n`)
	attrString     = regexp.MustCompile(`(?m)^    name = "([^"]+)",$`)
	attrList       = regexp.MustCompile(`(?s)\n    (srcs|deps) = \[(.*?)\]`)
	quoted         = regexp.MustCompile(`"([^"]+)"`)
	loadStatement  = regexp.MustCompile(`(?m)^load\("([^"]+)"`)
)

// resolve turns a label written in package pkg into //pkg:name form
// (labels of other repositories are returned as written).
func resolve(pkg, label string) string {
	switch {
	case strings.HasPrefix(label, "@"):
		return label
	case strings.HasPrefix(label, ":"):
		return "//" + pkg + label
	case strings.HasPrefix(label, "//"):
		if !strings.Contains(label, ":") {
			return label + ":" + path.Base(label)
		}
		return label
	}
	return "//" + pkg + ":" + label
}

// bzlLibraries parses the bzl_library targets of every package under dir
// (relative to root), keyed by label.
func bzlLibraries(t *testing.T, root, dir string) map[string]bzlLibrary {
	t.Helper()
	libs := map[string]bzlLibrary{}
	err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != "BUILD.bazel" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		for _, call := range bzlLibraryCall.FindAllStringSubmatch("\n"+string(b), -1) {
			name := attrString.FindStringSubmatch(call[1])
			if name == nil {
				t.Errorf("%s: a bzl_library without a name", p)
				continue
			}
			lib := bzlLibrary{label: "//" + pkg + ":" + name[1]}
			for _, attr := range attrList.FindAllStringSubmatch("\n"+call[1], -1) {
				for _, q := range quoted.FindAllStringSubmatch(attr[2], -1) {
					if attr[1] == "srcs" {
						lib.srcs = append(lib.srcs, resolve(pkg, q[1]))
					} else {
						lib.deps = append(lib.deps, resolve(pkg, q[1]))
					}
				}
			}
			libs[lib.label] = lib
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return libs
}

// TestBzlLibraries fails unless every .bzl file under rules/ belongs to one
// bzl_library of its package, and each bzl_library depends directly on the
// bzl_library of every file of rules_pyc its files load (and on something of
// each other repository they load from).
func TestBzlLibraries(t *testing.T) {
	root := repoRoot(t)
	statStarlarkFiles(t, root)
	libs := bzlLibraries(t, root, "rules")
	owner := map[string]string{} // file label -> bzl_library label
	for _, lib := range libs {
		for _, src := range lib.srcs {
			if other, ok := owner[src]; ok {
				t.Errorf("%s is in two bzl_library targets: %s and %s", src, other, lib.label)
			}
			owner[src] = lib.label
		}
	}

	var files []string
	err := filepath.WalkDir(filepath.Join(root, "rules"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(d.Name(), ".bzl") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) < 10 {
		t.Fatalf("found only %d .bzl files under rules/", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		pkg, base := path.Split(filepath.ToSlash(rel))
		pkg = strings.TrimSuffix(pkg, "/")
		label := "//" + pkg + ":" + base
		lib, ok := owner[label]
		if !ok {
			t.Errorf("%s has no bzl_library in //%s", label, pkg)
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		deps := libs[lib].deps
		for _, m := range loadStatement.FindAllStringSubmatch(loadSection(string(b)), -1) {
			loaded := resolve(pkg, m[1])
			if strings.HasPrefix(loaded, "@") {
				repo, _, _ := strings.Cut(loaded, "//")
				if name, ok := moduleNames[repo]; ok {
					repo = name
				}
				if !hasPrefixIn(deps, repo+"//") {
					t.Errorf("%s loads %s, but %s has no dependency in %s", label, loaded, lib, repo)
				}
				continue
			}
			want, ok := owner[loaded]
			if !ok {
				t.Errorf("%s loads %s, which no bzl_library holds", label, loaded)
			} else if want != lib && !contains(deps, want) {
				t.Errorf("%s loads %s: %s must depend on %s", label, loaded, lib, want)
			}
		}
	}
}

// moduleNames maps the WORKSPACE names of repositories to the names
// rules_pyc's MODULE.bazel gives the same modules (a .bzl file for WORKSPACE
// loads the former, a BUILD file names the latter).
var moduleNames = map[string]string{
	"@bazel_gazelle":     "@gazelle",
	"@io_bazel_rules_go": "@rules_go",
}

// loadSection returns the part of a .bzl file where its load statements
// are: after the module docstring, up to the first line that is neither a
// load statement (or the continuation of one), a comment nor blank. Examples
// in docstrings further down are not loads.
func loadSection(src string) string {
	if strings.HasPrefix(src, `"""`) {
		if end := strings.Index(src[3:], `"""`); end >= 0 {
			src = src[3+end+3:]
		}
	}
	var out []string
	inLoad := false
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "load("):
			inLoad = !strings.HasSuffix(trimmed, ")")
		case inLoad:
			inLoad = trimmed != ")"
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		default:
			return strings.Join(out, "\n")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func hasPrefixIn(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
