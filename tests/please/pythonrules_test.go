package please

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/fixtures"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// pythonRulesArchive is Please's python-rules plugin, a fixture.
const pythonRulesArchive = "python-rules-2.0.2.tar.gz"

// zipEntries reads every file of a zip archive.
func zipEntries(t *testing.T, archive string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = data
	}
	return files
}

// TestPythonRulesCompileall puts pyc under Please's own python-rules 2.0.2
// as their compileall: with DefaultInterpreter set to the plugin's
// ///pyc//build_defs/python:python, a python_library compiles its sources
// with `$TOOLS_INT -S -m compileall -b -f $SRCS` as always, pyc does the
// compiling, and arcat (built from its fixture) zips the result. Every pyc
// in the library's zip must then be what a fresh py_compile writes. pyc
// writes checked-hash pycs (its default, where compileall's is timestamp);
// arcat clears their check_source flag while zipping, so the reference is
// py_compile's unchecked-hash pyc. The same library built with the plain
// interpreter is logged for comparison.
func TestPythonRulesCompileall(t *testing.T) {
	requirePlease(t)
	archive := fixtures.Archive(t, pythonRulesArchive)
	py := pickPython(t)
	corpus := corpusFiles(t, py)
	// The library's modules in this order: compileall compiles them in one
	// process as given, nntplib before ftplib (see stdlibNames).
	var srcs []string
	for _, name := range stdlibNames {
		if _, ok := corpus["std/"+name]; ok {
			srcs = append(srcs, "std/"+name)
		}
	}
	var rest []string
	for name := range corpus {
		if !strings.HasPrefix(name, "std/") {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	srcs = append(srcs, rest...)
	files := map[string]string{
		"plugins/BUILD.plz": fmt.Sprintf("plugin_repo(\n    name = \"pyc\",\n    owner = \"rules-pyc\",\n    plugin = \"rules_pyc\",\n    revision = %q,\n)\n\n", pluginRevision) +
			"subrepo(\n    name = \"python\",\n    path = \"plugins/python-rules\",\n    plugin = True,\n)\n",
	}
	for _, pkg := range []string{"lib", "stock"} {
		interpreter := ""
		if pkg == "stock" {
			interpreter = fmt.Sprintf("\n    interpreter = %q,", py.Path)
		}
		files[pkg+"/BUILD.plz"] = fmt.Sprintf("subinclude(\"///python//build_defs:python\")\n\npython_library(\n    name = %q,\n    srcs = [%s],%s\n)\n", pkg, quoteList(srcs), interpreter)
		for name, text := range corpus {
			files[pkg+"/"+name] = text
		}
	}
	r := newHostRepo(t, py, "\n[Plugin \"python\"]\nTarget = //plugins:python\nDefaultInterpreter = ///pyc//build_defs/python:python\n\n[parse]\npreloadsubincludes = ///python//build_defs:python\n", files)
	fixtures.Untar(t, archive, filepath.Join(r.dir, "plugins", "python-rules"), nil)
	r.mustPlz("build", "//lib", "//stock")

	// The references: lib's in unchecked-hash mode, stock's (whose header
	// arcat rewrites) for their code only.
	var specs []pyref.Spec
	for _, pkg := range []string{"lib", "stock"} {
		for _, src := range srcs {
			specs = append(specs, pyref.Spec{Source: filepath.Join(r.dir, pkg, filepath.FromSlash(src)), DFile: pkg + "/" + src, Mode: pyref.UncheckedHash})
		}
	}
	refs := references(t, py, specs)
	lib := zipEntries(t, r.gen("lib/.lib.pex.zip"))
	stock := zipEntries(t, r.gen("stock/.stock.pex.zip"))
	bad, stockBad := 0, 0
	for i, src := range srcs {
		name := "lib/" + strings.TrimSuffix(src, ".py") + ".pyc"
		got, ok := lib[name]
		if !ok {
			bad++
			t.Errorf("the library's zip has no %s: %v", name, sortedNames(lib))
			continue
		}
		if !bytes.Equal(got, refs[i].Data) {
			bad++
			t.Errorf("%s in the zip differs from py_compile's: %s", name, firstDiff(got, refs[i].Data))
		}
		if string(lib["lib/"+src]) != corpus[src] {
			t.Errorf("the zip's lib/%s is not the source", src)
		}
		stockPyc, want := stock["stock/"+strings.TrimSuffix(src, ".py")+".pyc"], refs[len(srcs)+i].Data
		if len(stockPyc) < 16 || !bytes.Equal(stockPyc[16:], want[16:]) {
			stockBad++
			t.Logf("with the plain interpreter's compileall, stock/%sc's code differs from py_compile's (%d vs %d bytes)", src, len(stockPyc), len(want))
		}
	}
	if bad == 0 {
		t.Logf("%s: %d pycs in the python_library's zip identical to py_compile's; with the plain interpreter %d of them had other code", py, len(srcs), stockBad)
	}
}

func sortedNames(m map[string][]byte) []string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
