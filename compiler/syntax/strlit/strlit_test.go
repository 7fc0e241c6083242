package strlit

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// oracleScript parses each source (one literal, or one f-string) and says
// what CPython made of it: the constant (str as code points, bytes in hex)
// or the f-string's literal part, the warnings (message, category, line),
// or the exception; and, with warnings turned into errors, the SyntaxError
// a warning becomes.
const oracleScript = `
import ast, json, sys, warnings

def const(v):
    if isinstance(v, str):
        return {"str": [ord(c) for c in v]}
    return {"bytes": v.hex()}

def parse(src):
    tree = ast.parse(src)
    v = tree.body[0].value
    if isinstance(v, ast.Constant):
        return {"value": const(v.value), "kind": v.kind}
    # f'...' or f'{x:...}': the literal part, or none when it decoded to ''
    if v.values and isinstance(v.values[0], ast.FormattedValue):
        v = v.values[0].format_spec
    if not v.values:
        return {"value": const("")}
    return {"value": const(v.values[0].value)}

out = []
for src in json.load(sys.stdin):
    r = {}
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r.update(parse(src))
        except SyntaxError as e:
            r["error"] = {"type": type(e).__name__, "msg": e.msg}
        except Exception as e:
            r["error"] = {"type": type(e).__name__, "msg": str(e)}
    r["warnings"] = [[str(w.message), w.category.__name__, w.lineno] for w in ws]
    if ws:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                ast.parse(src)
            except SyntaxError as e:
                r["werror"] = [e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset]
    out.append(r)
json.dump(out, sys.stdout)
`

type oracleResult struct {
	Value *struct {
		Str   []rune `json:"str"`
		Bytes string `json:"bytes"`
	} `json:"value"`
	Kind  *string `json:"kind"`
	Error *struct {
		Type string `json:"type"`
		Msg  string `json:"msg"`
	} `json:"error"`
	Warnings [][]any `json:"warnings"`
	Werror   []any   `json:"werror"`
}

// literals returns STRING tokens covering every escape form, prefix and
// quote, and the error cases.
func literals() []string {
	var ls []string
	bodies := []string{"", "a", "é€😀", "a'b", "\\'", "\\\"", "\\\\", "\\\n", "\\é", "a\\\\é", "\\\\\\é", "\\", "é\\"}
	for c := 1; c < 0x80; c++ {
		if c == '\n' || c == '\r' {
			continue
		}
		bodies = append(bodies, "\\"+string(rune(c)), "é\\"+string(rune(c)), "\\"+string(rune(c))+"x")
	}
	for n := 0; n < 0o1000; n++ {
		bodies = append(bodies, fmt.Sprintf("\\%o", n), fmt.Sprintf("\\%03o", n))
		if n < 0o100 {
			bodies = append(bodies, fmt.Sprintf("\\%02o", n), fmt.Sprintf("\\%o8", n))
		}
	}
	bodies = append(bodies, "\\1é", "\\400é", "é\\777", "\\8\\400", "\\400\\8")
	for _, h := range []string{"00", "7f", "80", "ff", "Ab", "fF", "4", "", "g0", "4g", "4é", "é"} {
		bodies = append(bodies, "\\x"+h, "é\\x"+h, "\\x"+h+"z")
	}
	for _, h := range []string{"0000", "00e9", "d800", "DC00", "ffff", "123", "12", "", "12g4", "12é"} {
		bodies = append(bodies, "\\u"+h, "€\\u"+h)
	}
	for _, h := range []string{"00000000", "0001F600", "0010ffff", "00110000", "FFFFFFFF", "0000d800", "1234567", "0000", "", "0001F60é"} {
		bodies = append(bodies, "\\U"+h, "😀\\U"+h)
	}
	for _, n := range []string{"{EM DASH}", "{em dash}", "{LATIN SMALL LETTER A}", "{BEL}", "{NULL}", "{BYTE ORDER MARK}",
		"{HANGUL SYLLABLE GAG}", "{hangul syllable gag}", "{CJK UNIFIED IDEOGRAPH-4E00}", "{cjk unified ideograph-4e00}",
		"{CJK UNIFIED IDEOGRAPH-04E00}", "{TANGUT IDEOGRAPH-17000}", "{LATIN CAPITAL LETTER GHA}", "{", "{}", "{x", "", "x", "{é}",
		"{a\\é}", "{EM DASH", "{DASH WING}", "{EM  DASH}", "{ EM DASH}", "{EM-DASH}"} {
		bodies = append(bodies, "\\N"+n, "é\\N"+n, "\\N"+n+"\\d")
	}
	bodies = append(bodies, "\\d\\q", "\\q\\777", "é\\dé\\q", "a\\\nb\\d", "\\\\\\\\\\d")
	for _, b := range bodies {
		for _, q := range []string{"'", "\""} {
			if strings.Contains(b, q) && !strings.Contains(b, "\\"+q) {
				continue
			}
			if strings.HasSuffix(b, "\\") && !strings.HasSuffix(b, "\\\\") {
				continue
			}
			if strings.Contains(b, "\n") {
				continue
			}
			ls = append(ls, q+b+q, "b"+q+b+q)
		}
	}
	// Triple quotes, lines, prefixes.
	for _, b := range []string{"", "a", "\n\\d", "x\n\ny\\q\\d", "é\n€\\d", "\\\n\\d", "a\nb\\x4", "\\\né\\N{x}", "\n\\777"} {
		ls = append(ls, "'''"+b+"'''", `"""`+b+`"""`, "b'''"+b+"'''")
	}
	for _, p := range []string{"r", "R", "u", "U", "b", "B", "br", "Br", "bR", "BR", "rb", "rB", "Rb", "RB"} {
		for _, b := range []string{"", "\\d", "\\x4", "\\\\", "\\'", "é"} {
			ls = append(ls, p+"'"+b+"'", p+`"""`+b+`"""`)
		}
	}
	return ls
}

// fstringParts returns f-string literal parts (no braces) to try as the
// body of f'...', rf'...', f'{x:...}' and rf'{x:...}'.
func fstringParts() []string {
	// A \N{...} escape ends a part of a format spec: it is last here.
	return []string{"a", "\\d", "\\n", "\\x41", "\\x4", "é\\x4", "\\N{BULLET}", "\\N{NO SUCH}", "\\777", "\\\\", "\\é", "\\u00e9", "\\U0010ffff\\d", "a\\q\\N{EM DASH}"}
}

func TestAgainstInterpreter(t *testing.T) {
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			testAgainst(t, in)
		})
	}
}

func testAgainst(t *testing.T, in astjson.Interp) {
	d, err := NewDecoder(in.Release)
	if err != nil {
		t.Fatal(err)
	}
	lits := literals()
	var srcs []string
	srcs = append(srcs, lits...)
	type fcase struct {
		part      string
		raw, spec bool
	}
	var fcases []fcase
	for _, p := range fstringParts() {
		for _, raw := range []bool{false, true} {
			if strings.Contains(p, "\\N{") && raw {
				continue // {...} is a replacement field there
			}
			prefix := "f"
			if raw {
				prefix = "rf"
			}
			fcases = append(fcases, fcase{p, raw, false}, fcase{p, raw, true})
			srcs = append(srcs, prefix+"'"+p+"'", prefix+"'{x:"+p+"}'")
		}
	}
	var results []oracleResult
	in.RunJSON(t, oracleScript, srcs, &results)
	if len(results) != len(srcs) {
		t.Fatalf("%d results for %d sources", len(results), len(srcs))
	}
	bad := 0
	fail := func(format string, args ...any) {
		if bad++; bad <= 30 {
			t.Errorf(format, args...)
		}
	}
	var nErrors, nWarnings, nWerror int
	newLines := in.Release.AtLeast(release.Release{Major: 3, Minor: 13, Micro: 3})
	check := func(src string, r oracleResult, value ast.Value, kindU bool, w *Warning, err *Error, fstr bool, spec bool) {
		if r.Error != nil {
			nErrors++
			switch {
			case err == nil:
				fail("%q: CPython raises %s: %s; decoded without error", src, r.Error.Type, r.Error.Msg)
			case spec && r.Error.Type != "SyntaxError":
				if r.Error.Type != err.ExceptionType() || r.Error.Msg != err.Msg {
					fail("%q: CPython raises %s: %s; got %s", src, r.Error.Type, r.Error.Msg, err)
				}
			case r.Error.Type != "SyntaxError" || r.Error.Msg != err.SyntaxMsg():
				fail("%q: CPython raises %s: %s; got SyntaxError: %s", src, r.Error.Type, r.Error.Msg, err.SyntaxMsg())
			}
			return
		}
		if err != nil {
			fail("%q: CPython decodes it; got %v", src, err)
			return
		}
		var want ast.Value
		if r.Value.Str != nil || r.Value.Bytes == "" && value.Kind() == ast.StrKind {
			var b []byte
			for _, c := range r.Value.Str {
				b = ast.AppendCodePoint(b, c)
			}
			want = ast.StrValue(string(b))
		} else {
			b, _ := hex.DecodeString(r.Value.Bytes)
			want = ast.BytesValue(string(b))
		}
		if !want.Equal(value) {
			fail("%q: value %s, want %s", src, astjson.DescribeValue(value), astjson.DescribeValue(want))
		}
		if !fstr && (r.Kind != nil && *r.Kind == "u") != kindU {
			fail("%q: kind u = %v, CPython's kind %v", src, kindU, r.Kind)
		}
		var gotW []string
		if w != nil {
			line := 1
			if newLines {
				line += w.Line
			}
			gotW = append(gotW, fmt.Sprintf("%s SyntaxWarning %d", w.Msg, line))
		}
		var wantW []string
		for _, x := range r.Warnings {
			if len(x) == 3 {
				wantW = append(wantW, fmt.Sprintf("%v %v %v", x[0], x[1], x[2]))
			}
		}
		nWarnings += len(wantW)
		if strings.Join(gotW, "|") != strings.Join(wantW, "|") {
			fail("%q: warnings %q, want %q", src, gotW, wantW)
		}
		// -W error: from 3.13.3 the SyntaxError spans the escape, at
		// column Col (plus the quotes when on the first line).
		if w != nil && newLines && len(r.Werror) == 5 && !fstr && isASCII(src) {
			quotes := 0
			for quotes < len(src) && (src[quotes] == '\'' || src[quotes] == '"') && src[quotes] == src[0] {
				quotes++
			}
			col := w.Col
			if w.Line == 0 {
				col += quotes
			}
			nWerror++
			want := fmt.Sprint([]any{w.Msg, float64(1 + w.Line), float64(col), float64(1 + w.Line), float64(col + 2)})
			if got := fmt.Sprint(r.Werror); got != want {
				fail("%q: -W error gives %s; Warning %+v predicts %s", src, got, *w, want)
			}
		}
	}
	for i, src := range lits {
		lit, err := d.Parse(src)
		check(src, results[i], lit.Value, lit.KindU, lit.Warning, err, false, false)
		if isASCII(src) && !strings.Contains(src, "\\") {
			// What the tokenizer marks plain decodes the same way.
			lit, err = d.ParseToken(src, true)
			check(src, results[i], lit.Value, lit.KindU, lit.Warning, err, false, false)
		}
	}
	for j, fc := range fcases {
		src := srcs[len(lits)+j]
		raw := fc.raw
		if fc.spec && !in.Release.AtLeast(release.Release{Major: 3, Minor: 13, Micro: 15}) {
			raw = false // see DecodeFStringPart
		}
		s, w, err := d.DecodeFStringPart(fc.part, raw)
		check(src, results[len(lits)+j], ast.StrValue(s), false, w, err, true, fc.spec)
	}
	t.Logf("%s: %d literals, %d f-string parts: %d errors, %d warnings, %d warning positions under -W error compared",
		in, len(lits), len(fcases), nErrors, nWarnings, nWerror)
	if bad > 0 {
		t.Errorf("%d differences", bad)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
