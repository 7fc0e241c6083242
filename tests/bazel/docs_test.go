package bazel

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestRulesReferenceIsComplete asks Bazel for rules_pyc's public API (the
// ModuleInfo that starlark_doc_extract makes of defs.bzl, extensions.bzl and
// repositories.bzl, and the build settings in //rules) and checks that
// docs/rules.md documents every name in it, in code.
func TestRulesReferenceIsComplete(t *testing.T) {
	c := corpus(t, bzlmod, pickPython(t))
	targets := []string{
		"@rules_pyc//rules:defs_doc.textproto",
		"@rules_pyc//rules:extensions_doc.textproto",
		"@rules_pyc//rules:repositories_doc.textproto",
	}
	c.mustBazel("build", targets...)
	execroot := c.info("execution_root")
	files := strings.Fields(c.mustBazel("cquery", "--output=files", strings.Join(targets, " + ")).stdout)
	if len(files) != len(targets) {
		t.Fatalf("cquery --output=files: %q, want %d files", files, len(targets))
	}

	public := map[string]bool{}
	field := regexp.MustCompile(`(?m)^\s*(rule_name|provider_name|function_name|extension_name|tag_name|name): "([^"]+)"`)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(execroot, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range field.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasPrefix(m[2], "_") {
				public[m[2]] = true
			}
		}
	}
	var settings []string
	for _, s := range strings.Fields(c.mustBazel("cquery", `kind("string_flag|label_flag|toolchain_type", @rules_pyc//rules:all)`).stdout) {
		// "@rules_pyc//rules:precompile (config)" -> @rules_pyc//rules:precompile
		if i := strings.LastIndex(s, "//rules:"); i >= 0 {
			settings = append(settings, s[i:])
			public["@rules_pyc"+s[i:]] = true
		}
	}
	if len(public) < 20 || len(settings) < 6 {
		t.Fatalf("found only %d public names and %d settings: %v %v", len(public), len(settings), sortedKeys(public), settings)
	}

	doc, err := os.ReadFile(filepath.Join(env.repo, "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	code := codeSpans(string(doc))
	var missing []string
	for name := range public {
		word := regexp.MustCompile(`(^|[^\w])` + regexp.QuoteMeta(name) + `($|[^\w])`)
		if !word.MatchString(code) {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/rules.md does not document (in code) %q", missing)
	}
}

// codeSpans returns the text of every code span and fenced block of a
// Markdown document, one per line.
func codeSpans(doc string) string {
	var out []string
	fenced := regexp.MustCompile("(?s)```[a-z]*\n(.*?)```")
	for _, m := range fenced.FindAllStringSubmatch(doc, -1) {
		out = append(out, m[1])
	}
	doc = fenced.ReplaceAllString(doc, "")
	for _, m := range regexp.MustCompile("`([^`\n]+)`").FindAllStringSubmatch(doc, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, "\n")
}
