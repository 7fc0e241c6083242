package native

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/fixtures"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// thirdPartyArchives are the fixtures whose Python sources
// TestThirdPartyAgainstPyCompile compares: rules_python's tools, tests and
// examples, Please's python-rules and its own Python, rules_go's.
var thirdPartyArchives = []string{
	"rules_python-1.9.2.tar.gz",
	"rules_python-2.3.2.tar.gz",
	"python-rules-2.0.2.tar.gz",
	"please-17.31.2.tar.gz",
	"rules_go-0.50.1.tar.gz",
}

// TestThirdPartyAgainstPyCompile compiles code that is no standard
// library, as sources for the first 3.13 interpreter found (in the chroot,
// its own), and compares with that interpreter's py_compile exactly as
// TestStdlibAgainstPyCompile does (bytes, messages, warnings). Projects
// are written otherwise than the standard library: more annotations,
// f-strings, dataclasses, vendored packages, generated code. The corpora:
//
//   - the packages installed beside every interpreter found (its
//     site-packages, and Debian's dist-packages): pip and setuptools with
//     the packages they vendor, and whatever else is installed there;
//   - the Python sources of the real clients' archives (see
//     thirdPartyArchives), unpacked at test time.
//
// By default a fixed-seed sample of each corpus is compared at -O0, as
// TestOtherReleasesAgainstPyCompile samples; RULES_PYC_FULL_SWEEP=1
// compares every file at -O0, -O1 and -O2.
func TestThirdPartyAgainstPyCompile(t *testing.T) {
	py, rel := firstTarget(t)
	type corpus struct {
		name string
		lib  pythons.Stdlib
	}
	var corpora []corpus
	seen := map[string]bool{}
	for _, p := range pythons.Find(t) {
		if p.Chroot != "" {
			continue
		}
		stdlib := p.Stdlib(t).Root
		for _, dir := range []string{
			filepath.Join(stdlib, "site-packages"),
			filepath.Join(filepath.Dir(stdlib), fmt.Sprintf("python%d", p.Major), "dist-packages"),
		} {
			real, err := filepath.EvalSymlinks(dir)
			if err != nil || seen[real] {
				continue
			}
			seen[real] = true
			lib, err := pythons.Tree(real)
			if err != nil {
				t.Fatalf("%s: %v", real, err)
			}
			if len(lib.Files) > 0 {
				corpora = append(corpora, corpus{p.Version + "/" + filepath.Base(dir), lib})
			}
		}
	}
	unpacked := t.TempDir()
	for _, name := range thirdPartyArchives {
		dir := filepath.Join(unpacked, strings.TrimSuffix(name, ".tar.gz"))
		fixtures.Untar(t, fixtures.Archive(t, name), dir, func(rel string) bool { return strings.HasSuffix(rel, ".py") })
		lib, err := pythons.Tree(dir)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(lib.Files) == 0 {
			t.Fatalf("%s: no .py file in it", name)
		}
		corpora = append(corpora, corpus{strings.TrimSuffix(name, ".tar.gz"), lib})
	}
	sort.Slice(corpora, func(i, j int) bool { return corpora[i].name < corpora[j].name })
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) { sweepCorpus(t, py, rel, c.lib.Root, c.lib) })
	}
}
