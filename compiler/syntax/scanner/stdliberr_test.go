package scanner_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// TestStdlibErrors compiles every stdlib file CPython rejects (test data
// such as badsyntax_*.py and bad_coding*.py) and compares the error where
// it is the tokenizer's or the decoding's: the scanner must fail on the same
// line or before CPython's parser does, and when CPython reports a
// tokenizer or decoding error, the scanner's must be the same. A file
// CPython compiles must scan without an error. A fixed sample of one file
// in 8 (40 with -short), every file with RULES_PYC_FULL_SWEEP=1.
func TestStdlibErrors(t *testing.T) {
	for _, in := range oracles(t) {
		t.Run(in.Version, func(t *testing.T) {
			files := hostCopies(t, in, sample(stdlibFiles(t, in), 8))
			var inputs [][2]string
			for _, f := range files {
				inputs = append(inputs, [2]string{f, f})
			}
			i := 0
			rejected, same := 0, 0
			in.RunLines(t, compileScript, map[string]any{"files": inputs, "werror": false}, func(line []byte) {
				path := files[i]
				i++
				var r compileResult
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatal(err)
				}
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := tokenizerErrorOf(raw, path, in, true, false)
				if r.Err == nil {
					if got != nil {
						t.Errorf("%s: %s; CPython compiles it", filepath.Base(path), describe(got))
					}
					return
				}
				rejected++
				want := describeOracle(r.Err)
				if got != nil && describe(got) == want {
					same++
					return
				}
				// CPython's parser failed first, or the scanner did not
				// fail: the scanner must not have failed on an earlier
				// line, and a decoding error must be the same.
				wantLine := -1
				if len(r.Err) > 2 {
					wantLine = pyInt(r.Err[2])
				}
				switch {
				case wantLine == 0:
					t.Errorf("%s: %s, want %s", filepath.Base(path), describe(got), want)
				case got != nil && got.Type != syntaxerr.UnicodeDecodeError && got.Lineno < wantLine:
					t.Errorf("%s: %s on an earlier line than CPython's %s", filepath.Base(path), describe(got), want)
				default:
					t.Logf("%s: parser error %s (scanner: %s)", filepath.Base(path), want, describe(got))
				}
			})
			t.Logf("%d files rejected, %d of them with the scanner's error", rejected, same)
		})
	}
}
