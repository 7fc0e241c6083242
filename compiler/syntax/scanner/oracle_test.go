package scanner_test

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/scanner"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// oracles returns the CPython 3.13 interpreters of the machine (failing
// the test when there is none).
func oracles(t *testing.T) []pythons.Interpreter {
	t.Helper()
	ins := pythons.Minor(t, 3, 13)
	for _, in := range ins {
		t.Logf("oracle: %s", in)
	}
	return ins
}

// tokensScript prints, for each file named in its JSON input, the tokens
// CPython's tokenizer gives its text (decoded as the tokenizer decodes it,
// newlines translated as compile() translates them), through
// _tokenize.TokenizerIter without extra tokens: the tokens the parser
// sees. Each token is [type, line, col, end_line, end_col, length, crc32]
// with character columns and the length and CRC-32 of its UTF-8 text.
const tokensScript = `
import sys, json, io, tokenize, _tokenize, zlib
out = sys.stdout
for path in json.load(sys.stdin):
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        enc, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(enc)
    except (SyntaxError, LookupError, UnicodeDecodeError) as e:
        out.write(json.dumps({"skip": repr(e)}) + "\n")
        continue
    text = text.replace('\r\n', '\n').replace('\r', '\n')
    toks = []
    err = None
    try:
        for typ, s, (l, c), (el, ec), line in _tokenize.TokenizerIter(io.StringIO(text).readline, extra_tokens=False):
            b = s.encode('utf-8', 'surrogatepass')
            toks.append([typ, l, c, el, ec, len(b), zlib.crc32(b)])
    except SyntaxError as e:
        err = [type(e).__name__, e.msg, e.lineno]
    out.write(json.dumps({"toks": toks, "err": err}) + "\n")
    out.flush()
`

type pyTokens struct {
	Skip string     `json:"skip"`
	Toks [][7]int64 `json:"toks"`
	Err  []any      `json:"err"`
}

// lineStarts returns the offset of each line's start in text (index 0 is
// line 1).
func lineStarts(text []byte) []int {
	starts := []int{0}
	for i, c := range text {
		if c == '\n' && i+1 < len(text) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// oracleView is a token as TokenizerIter reports it: character columns
// of the token's bytes, -1 where it has none.
func oracleView(text []byte, starts []int, tok *token.Token) [7]int64 {
	v := [7]int64{int64(tok.Kind), int64(tok.Start.Line), -1, int64(tok.End.Line), -1, 0, 0}
	if tok.Start.Col >= 0 {
		ls := starts[tok.Start.Line-1]
		v[2] = int64(source.CharCount(text[ls:tok.Off]))
		le := lineStartOf(starts, int(tok.EndOff))
		v[4] = int64(source.CharCount(text[le:tok.EndOff]))
		b := text[tok.Off:tok.EndOff]
		v[5] = int64(len(b))
		v[6] = int64(crc32.ChecksumIEEE(b))
	}
	return v
}

// lineStartOf is the start of the line holding offset off.
func lineStartOf(starts []int, off int) int {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return starts[lo]
}

// scanAll scans src to its end or first error.
func scanAll(src *source.Source, opts scanner.Options) ([]token.Token, *syntaxerr.Error, *scanner.Scanner) {
	s := scanner.New(src, opts)
	var toks []token.Token
	for {
		var tok token.Token
		err := s.Next(&tok)
		if err != nil {
			return toks, err, s
		}
		toks = append(toks, tok)
		if tok.Kind == token.ENDMARKER {
			return toks, nil, s
		}
	}
}

// compareTokens compares the scanner's tokens for one decoded file with
// the oracle's and returns the first difference, or "".
func compareTokens(src *source.Source, want pyTokens) string {
	toks, err, _ := scanAll(src, scanner.Options{Filename: "x.py"})
	if len(src.Text) == 0 && len(toks) == 1 && len(want.Toks) == 0 && want.Err == nil {
		// TokenizerIter gives nothing at all for an empty source; the
		// parser gets an ENDMARKER.
		return ""
	}
	if d := compareTokenList(src, toks, want.Toks); d != "" {
		return fmt.Sprintf("%s (error %v, the oracle's %v)", d, err, want.Err)
	}
	if (err != nil) != (want.Err != nil) {
		return fmt.Sprintf("error %v, the oracle's %v", err, want.Err)
	}
	if err != nil {
		if line, _ := want.Err[2].(float64); int(line) != err.Lineno {
			return fmt.Sprintf("error %v, the oracle's %v", err, want.Err)
		}
	}
	return ""
}

// compareTokenList compares tokens with the oracle's and returns the first
// difference, or "".
func compareTokenList(src *source.Source, toks []token.Token, want [][7]int64) string {
	starts := lineStarts(src.Text)
	for i, tok := range toks {
		if i >= len(want) {
			return fmt.Sprintf("token %d %v at %d:%d: the oracle has only %d tokens", i, tok.Kind, tok.Start.Line, tok.Start.Col, len(want))
		}
		got := oracleView(src.Text, starts, &tok)
		if got != want[i] {
			return fmt.Sprintf("token %d: got %v %q, want %v", i, got, clip(src.Text[tok.Off:tok.EndOff]), want[i])
		}
	}
	if len(toks) < len(want) {
		return fmt.Sprintf("stopped after %d tokens; the oracle has %d", len(toks), len(want))
	}
	return ""
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

// stdlibFiles lists the .py files under the interpreter's standard library
// (including test/).
func stdlibFiles(t *testing.T, in pythons.Interpreter) []string {
	t.Helper()
	var files []string
	in.RunLines(t, `
import sys, os, sysconfig, json
root = sysconfig.get_paths()['stdlib']
json.load(sys.stdin)
for d, dirs, names in os.walk(root):
    dirs[:] = sorted(x for x in dirs if x not in ('site-packages', '__pycache__'))
    for n in sorted(names):
        if n.endswith('.py'):
            print(os.path.join(d, n))
`, nil, func(line []byte) { files = append(files, string(line)) })
	if len(files) < 500 {
		t.Fatalf("%s: only %d stdlib files", in, len(files))
	}
	return files
}

// hostCopies returns paths the host can read for files of the interpreter:
// the files themselves, or, for an interpreter in the chroot, copies made
// under a temporary directory (which the chroot shares).
func hostCopies(t *testing.T, in pythons.Interpreter, files []string) []string {
	t.Helper()
	if in.Chroot == "" {
		return files
	}
	dir := t.TempDir()
	var copies []string
	in.RunLines(t, `
import sys, json, os, shutil
dest, files = json.load(sys.stdin)
for i, f in enumerate(files):
    d = os.path.join(dest, str(i // 500), os.path.relpath(f, '/'))
    os.makedirs(os.path.dirname(d), exist_ok=True)
    shutil.copyfile(f, d)
    print(d)
`, []any{dir, files}, func(line []byte) { copies = append(copies, string(line)) })
	if len(copies) != len(files) {
		t.Fatalf("%s: copied %d of %d files", in, len(copies), len(files))
	}
	return copies
}

// fullSweepEnv, set to 1, makes the standard-library tests take every file
// instead of a fixed sample (the project's convention).
const fullSweepEnv = "RULES_PYC_FULL_SWEEP"

// sample keeps every n-th file (a fixed sample), every file under
// RULES_PYC_FULL_SWEEP=1, and five times fewer under -short.
func sample(files []string, n int) []string {
	switch {
	case os.Getenv(fullSweepEnv) == "1":
		return files
	case testing.Short():
		n *= 5
	}
	var out []string
	for i := 0; i < len(files); i += n {
		out = append(out, files[i])
	}
	return out
}

// TestStdlibTokens compares the tokens of the .py files of each 3.13
// interpreter's standard library with its own tokenizer's: a fixed sample
// of one file in 4 (in 20 with -short), every file with
// RULES_PYC_FULL_SWEEP=1.
func TestStdlibTokens(t *testing.T) {
	for _, in := range oracles(t) {
		t.Run(in.Version, func(t *testing.T) {
			files := hostCopies(t, in, sample(stdlibFiles(t, in), 4))
			rel := in.Release()
			var results []pyTokens
			in.RunLines(t, tokensScript, files, func(line []byte) {
				var r pyTokens
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatalf("oracle output: %v", err)
				}
				results = append(results, r)
			})
			if len(results) != len(files) {
				t.Fatalf("oracle answered %d of %d files", len(results), len(files))
			}
			compared, failures, skipped := 0, 0, 0
			for i, path := range files {
				if results[i].Skip != "" {
					// Files Python's tokenize module cannot decode (bad
					// cookies and encodings in test data): their
					// decoding is compared with compile() elsewhere.
					skipped++
					t.Logf("skipped %s: %s", filepath.Base(path), results[i].Skip)
					continue
				}
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				src, err := source.Decode(raw, path, rel)
				if err != nil {
					t.Errorf("%s: %v (the oracle decoded it)", path, err)
					continue
				}
				compared++
				if d := compareTokens(src, results[i]); d != "" {
					failures++
					if failures <= 20 {
						t.Errorf("%s: %s", strings.TrimPrefix(path, filepath.Dir(filepath.Dir(path))+"/"), d)
					}
				}
			}
			t.Logf("%s: %d files compared, %d differ, %d not decodable by tokenize", in, compared, failures, skipped)
		})
	}
}
