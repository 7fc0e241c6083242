package scanner_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/scanner"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
)

// fragments are the pieces random sources are made of: string and
// f-string openings and closings, replacement-field syntax, escapes,
// brackets, operators, numbers, names, comments and line breaks.
var fragments = []string{
	"f'", "f\"", "f'''", "f\"\"\"", "rf'", "Fr\"", "'", "\"", "'''", "\"\"\"", "b'", "rb\"",
	"{", "}", "{{", "}}", "{x}", "{x=}", "{x!r}", "{x:>10}", "{x=!s:{w}}", "{ x = }",
	"=", "!", "!r", "!=", "==", ":", ":=", ">", "<>", "<", "<<=", "**", "->", "...", ".",
	"\\", "\\N{DASH}", "\\N", "\\{", "\\'", "\\\"", "\\n",
	"(", ")", "[", "]", "x", "é", "print", "if", "else", "lambda y: y",
	"0", "1", "0x1f", "1_0", "1e5", "1j", "0o7", "07", "1if", "1else", ".5",
	" ", " ", " ", "\t", "#c", "# {x}", "\n", "\n", "\r\n", "\\\n", "\f",
}

// randomSource joins n random fragments.
func randomSource(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(fragments[r.Intn(len(fragments))])
	}
	return b.String()
}

// errorsScript tokenizes each file with TokenizerIter and prints its tokens
// (as tokensScript does) and, when it fails, the exception's attributes.
const errorsScript = `
import sys, json, io, _tokenize, zlib
for path in json.load(sys.stdin):
    with open(path, 'rb') as f:
        text = f.read().decode('utf-8')
    text = text.replace('\r\n', '\n').replace('\r', '\n')
    toks = []
    err = None
    try:
        for typ, s, (l, c), (el, ec), line in _tokenize.TokenizerIter(io.StringIO(text).readline, extra_tokens=False):
            b = s.encode('utf-8', 'surrogatepass')
            toks.append([typ, l, c, el, ec, len(b), zlib.crc32(b)])
    except SyntaxError as e:
        err = [type(e).__name__, e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset, e.text]
    print(json.dumps({"toks": toks, "err": err}))
`

// TestRandomSources compares the tokens, and the errors the tokenizer
// raises itself, of random sources made of f-string, string and operator
// fragments with TokenizerIter's (2,000 sources from a fixed seed, 300 with
// -short). Errors that CPython's tokenizer only signals with a code are
// reported by TokenizerIter in its own words: for those only the line is
// compared. SCANNER_RANDOM_N, SCANNER_RANDOM_SEED and SCANNER_RANDOM_LEN
// (the most fragments in a source) make other sweeps.
func TestRandomSources(t *testing.T) {
	n := 2000
	if s := os.Getenv("SCANNER_RANDOM_N"); s != "" {
		fmt.Sscan(s, &n)
	}
	if testing.Short() {
		n = 300
	}
	seed := int64(1)
	maxFragments := 12
	if s := os.Getenv("SCANNER_RANDOM_LEN"); s != "" {
		fmt.Sscan(s, &maxFragments)
	}
	if s := os.Getenv("SCANNER_RANDOM_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	r := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	srcs := make([]string, n)
	paths := make([]string, n)
	for i := range srcs {
		srcs[i] = randomSource(r, 1+r.Intn(maxFragments)) + "\n"
		paths[i] = filepath.Join(dir, fmt.Sprintf("r%04d.py", i))
		if err := os.WriteFile(paths[i], []byte(srcs[i]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range oracles(t) {
		t.Run(in.Version, func(t *testing.T) {
			rel := in.Release()
			i := 0
			failures := 0
			in.RunLines(t, errorsScript, paths, func(line []byte) {
				raw := srcs[i]
				i++
				var want struct {
					Toks [][7]int64 `json:"toks"`
					Err  []any      `json:"err"`
				}
				if err := json.Unmarshal(line, &want); err != nil {
					t.Fatal(err)
				}
				src, err := source.Decode([]byte(raw), "x.py", rel)
				if err != nil {
					t.Fatalf("%q: %v", raw, err)
				}
				toks, serr, s := scanAll(src, scanner.Options{Filename: "<string>"})
				if d := compareTokenList(src, toks, want.Toks); d != "" {
					failures++
					if failures < 15 {
						t.Errorf("%q: %s (error %v, TokenizerIter's %v)", raw, d, serr, want.Err)
					}
					return
				}
				if (serr == nil) != (want.Err == nil) {
					failures++
					if failures < 15 {
						t.Errorf("%q: error %v, TokenizerIter's %v", raw, serr, want.Err)
					}
					return
				}
				if serr == nil {
					return
				}
				if raised := s.Raised(); raised != nil && raised.Type.IsSyntaxError() {
					if g, w := describe(raised), describeOracle(want.Err); g != w {
						failures++
						if failures < 15 {
							t.Errorf("%q:\n got %s\nwant %s", raw, g, w)
						}
					}
				} else if pyInt(want.Err[2]) != s.Lineno() {
					failures++
					if failures < 15 {
						t.Errorf("%q: error at line %d (%v), TokenizerIter's %v", raw, s.Lineno(), s.Code(), want.Err)
					}
				}
			})
			if i != n {
				t.Fatalf("oracle answered %d of %d", i, n)
			}
			if failures > 0 {
				t.Errorf("%d of %d sources differ", failures, n)
			}
		})
	}
}
