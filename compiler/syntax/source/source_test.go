package source_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// codecScript decodes, with each codec name of its input, every single
// byte (1..255) and a few multi-byte sequences, printing for each the
// decoded text or str() of the exception, and "lookup" errors for names
// the registry refuses.
const codecScript = `
import sys, json, codecs
names, probes = json.load(sys.stdin)
for name in names:
    out = {"name": name}
    try:
        codecs.lookup(name)
        b"a".decode(name)
    except LookupError as e:
        out["lookup"] = str(e)
        print(json.dumps(out))
        continue
    except Exception:
        pass
    res = []
    for p in probes:
        try:
            res.append(["ok", bytes.fromhex(p).decode(name)])
        except UnicodeDecodeError as e:
            res.append(["err", str(e)])
        except Exception as e:
            res.append([type(e).__name__, str(e)])
    out["res"] = res
    print(json.dumps(out))
`

// codecNames are the names the lookup test tries: every alias and module
// the interpreter knows (it reports them), spelled in several ways.
func codecNames(t *testing.T, in pythons.Interpreter) []string {
	t.Helper()
	var names []string
	in.RunLines(t, `
import sys, json, pkgutil, encodings, encodings.aliases
json.load(sys.stdin)
names = set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values())
names |= {m.name for m in pkgutil.iter_modules(encodings.__path__)}
print(json.dumps(sorted(names)))
`, nil, func(line []byte) {
		if err := json.Unmarshal(line, &names); err != nil {
			t.Fatal(err)
		}
	})
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
		set[strings.ToUpper(n)] = true
		set[strings.ReplaceAll(n, "_", "-")] = true
		set[strings.ReplaceAll(n, "_", ".")] = true
		set["-"+n+"_"] = true
		set[strings.ReplaceAll(n, "_", "--")] = true
	}
	for _, n := range []string{"utf8", "UTF8", "utf-8", "u8", "latin", "L1", "8859", "cp65001", "utf8-sig",
		"utf_8_sig", "x", "-", ".", "a.b", "utf.8", "iso8859.1", "ISO-8859-1", "iso_8859_15", "KOI8-U", "mac-roman",
		"macintosh", "windows-1252", "cp-1252", "cp1252.", "ascii.", "..ascii", "us-ascii", "646", "ebcdic-cp-us"} {
		set[n] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// probes are the byte strings each codec decodes: every single byte
// (1..255) and some sequences for the multi-byte rules.
func probes() []string {
	var p []string
	for b := 1; b < 256; b++ {
		p = append(p, fmt.Sprintf("%02x", b))
	}
	p = append(p, "41e9e8", "c3a9", "e282ac", "e282", "ff41", "efbbbf41", "efbbbfc3", "eda080", "f0908080", "f4908080", "c0af", "410a42")
	return p
}

// TestCodecs checks, for every codec name Python's registry knows (and
// variants), that Lookup finds what Python finds (or refuses it the same
// way, or reports it unsupported), and that a supported codec decodes every
// probe as Python does: text, or the exact error message.
func TestCodecs(t *testing.T) {
	for _, in := range pythons.Minor(t, 3, 13) {
		t.Run(in.Version, func(t *testing.T) {
			rel := in.Release()
			names := codecNames(t, in)
			ps := probes()
			supported, unsupported := 0, 0
			in.RunLines(t, codecScript, []any{names, ps}, func(line []byte) {
				var r struct {
					Name   string     `json:"name"`
					Lookup string     `json:"lookup"`
					Res    [][]string `json:"res"`
				}
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatal(err)
				}
				c, err := source.Lookup(r.Name, rel)
				if r.Lookup != "" {
					if err == nil {
						t.Errorf("%q: found codec %s, Python: %s", r.Name, c.Name, r.Lookup)
					} else if le, ok := err.(*source.LookupError); !ok || le.Msg != r.Lookup {
						t.Errorf("%q: %v, Python: %s", r.Name, err, r.Lookup)
					}
					return
				}
				if err != nil {
					if _, ok := err.(*source.UnsupportedCodecError); ok {
						unsupported++
						return
					}
					t.Errorf("%q: %v, Python decodes with it", r.Name, err)
					return
				}
				supported++
				for i, p := range ps {
					raw := hexBytes(p)
					out, derr := c.Decode(raw)
					var got []string
					if derr != nil {
						got = []string{"err", derr.Error()}
						if r.Res[i][0] != "err" {
							got[0] = r.Res[i][0]
						}
					} else {
						got = []string{"ok", string(out)}
					}
					if got[0] != r.Res[i][0] || got[1] != r.Res[i][1] {
						t.Errorf("%q (%s) of %s: got %q, Python %q", r.Name, c.Name, p, got, r.Res[i])
					}
				}
			})
			t.Logf("%d names decoded exactly, %d names of unsupported codecs", supported, unsupported)
			if supported < 300 {
				t.Errorf("only %d supported names", supported)
			}
		})
	}
}

func hexBytes(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		fmt.Sscanf(s[2*i:2*i+2], "%02x", &b[i])
	}
	return b
}

// decodeScript compiles each file's bytes and reports the exception, or the
// value of the single raw triple-quoted string constant the source ends
// with (which shows how the text was decoded).
const decodeScript = `
import sys, json, ast
for path in json.load(sys.stdin):
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        tree = compile(raw, 'x.py', 'exec', ast.PyCF_ONLY_AST)
    except SyntaxError as e:
        print(json.dumps({"err": [type(e).__name__, e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset, e.text]}))
        continue
    except Exception as e:
        print(json.dumps({"err": [type(e).__name__, str(e)]}))
        continue
    v = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and isinstance(tree.body[-1].value, ast.Constant):
        v = tree.body[-1].value.value
    print(json.dumps({"value": v}))
`

// decodeCase is a source and what it is about.
type decodeCase struct {
	name string
	raw  string
}

// probeText is every byte 0x80-0xFF but the given ones.
func probeText(skip string) string {
	var b strings.Builder
	for c := 0x80; c < 0x100; c++ {
		if !strings.ContainsRune(skip, rune(c)) {
			b.WriteByte(byte(c))
		}
	}
	return b.String()
}

var decodeCases = []decodeCase{
	{"utf-8", "x = r'''été 中文 😀'''"},
	{"crlf", "x = 1\r\ny = r'''a\r\nb\rc\n\rd'''\r\n"},
	{"cr", "x = 1\ry = r'''a\rb'''\r"},
	{"no newline", "r'''a'''"},
	{"bom", "\xef\xbb\xbfr'''bom'''\n"},
	{"bom crlf", "\xef\xbb\xbf\r\nr'''x'''\r\n"},
	{"bom and cookie", "\xef\xbb\xbf# coding: utf-8\nr'''é'''\n"},
	{"latin-1", "# coding: latin-1\nr'''" + probeText("") + "'''\n"},
	{"latin-1 crlf", "# coding: latin-1\r\nr'''\xe9\r\n\xe8'''\r\n"},
	{"iso-8859-1 suffix", "# coding: iso-8859-1-unix\nr'''\xe9'''\n"},
	{"cp1252", "# coding: cp1252\nr'''" + probeText("\x81\x8d\x8f\x90\x9d") + "'''\n"},
	{"windows-1252 alias", "# vim: fileencoding=windows-1252\nr'''\x80'''\n"},
	{"cp1255", "# coding: cp1255\nr'''\xe0\xe1\xf0'''\n"},
	{"koi8-r", "# coding: koi8-r\nr'''" + probeText("") + "'''\n"},
	{"koi8-u", "# coding: koi8_u\nr'''" + probeText("") + "'''\n"},
	{"iso8859-2", "# coding: iso8859-2\nr'''" + probeText("") + "'''\n"},
	{"iso8859-7", "# coding: iso-8859-7\nr'''" + probeText("\xae\xd2\xff") + "'''\n"},
	{"iso8859-8", "# coding: iso-8859-8\nr'''\xe0\xfa'''\n"},
	{"iso8859-15", "# coding: latin-9\nr'''\xa4\xa6'''\n"},
	{"mac roman", "# coding: mac-roman\nr'''" + probeText("") + "'''\n"},
	{"cp437", "# coding: cp437\nr'''" + probeText("") + "'''\n"},
	{"cp866", "# coding: cp866\nr'''" + probeText("") + "'''\n"},
	{"cp874", "# coding: cp874\nr'''\x80\xa1'''\n"},
	{"ascii", "# coding: ascii\nr'''abc'''\n"},
	{"ascii error", "# coding: ascii\nr'''\xe9'''\n"},
	{"utf8 strict", "# coding: utf8\nr'''é'''\n"},
	{"utf8 strict error", "# coding: utf8\nr'''\xe9'''\n"},
	{"utf-8-sig module", "# coding: utf8-sig\nr'''é'''\n"},
	{"charmap", "# coding: charmap\nr'''\xe9'''\n"},
	{"line 2", "#!/usr/bin/python\n# -*- coding: latin-1 -*-\nr'''\xe9'''\n"},
	{"line 2 after blank", "\n# coding: latin-1\nr'''\xe9'''\n"},
	{"line 2 after code", "x = 1\n# coding: latin-1\nr'''é'''\n"},
	{"line 3 ignored", "#\n#\n# coding: latin-1\nr'''é'''\n"},
	{"indented cookie", "  \t# coding: latin-1\nr'''\xe9'''\n"},
	{"form feed cookie", "\f# coding: latin-1\nr'''\xe9'''\n"},
	{"cookie equals", "# coding=latin-1\nr'''\xe9'''\n"},
	{"cookie spaces", "# coding:    \tlatin-1\nr'''\xe9'''\n"},
	{"cookie after text", "# this file has coding: latin-1 in it\nr'''\xe9'''\n"},
	{"cookie two on a line", "# coding: latin-1 coding: ascii\nr'''\xe9'''\n"},
	{"cookie empty then real", "# coding: coding=latin-1\nr'''\xe9'''\n"},
	{"cookie no colon", "# coding latin-1\nr'''é'''\n"},
	{"cookie colon space", "# coding : latin-1\nr'''é'''\n"},
	{"cookie short", "#coding:l1\nr'''é'''\n"},
	{"cookie seven", "#coding:x\nr'''é'''\n"},
	{"cookie cr line", "# coding: latin-1\rr'''\xe9'''\r"},
	{"cookie cr then line 2", "\r# coding: latin-1\rr'''\xe9'''\r"},
	{"cookie with dots", "# coding: utf.8\nr'''é'''\n"},
	{"cookie upper", "# coding: LATIN-1\nr'''\xe9'''\n"},
	{"cookie long latin", "# coding: latin-1-bogus-suffix\nr'''\xe9'''\n"},
	{"cookie utf-8 prefix", "# coding: utf-8-whatever\nr'''é'''\n"},
	{"cookie utf_8 twelve", "# coding: UTF_8_extra_long\nr'''é'''\n"},
	{"unknown", "# coding: klingon\nx = 1\n"},
	{"unknown dotted", "# coding: a.b\nx = 1\n"},
	{"not text", "# coding: base64\nx = 1\n"},
	{"not text zlib", "# coding: zip\nx = 1\n"},
	{"undefined", "# coding: undefined\nx = 1\n"},
	{"bom other", "\xef\xbb\xbf# coding: cp1252\nx = 1\n"},
	{"null", "x = 1\n\x00"},
	{"utf-16 truncated", "# coding: utf-16\nx = 1\n"},
	{"utf-16 invalid character", "# coding: utf-16\nx = 12\n"},
	{"utf-16 surrogates", "# coding: utf-16\n\x01\xd8\x01\xdcab\n"},
	{"utf-16 lone surrogate", "# coding: utf-16\n\x01\xdcab\n"},
	{"utf-16-be", "# coding: utf-16-be\nx = 12\n"},
	{"utf-16le alias", "# coding: utf_16le\nx = 1\n"},
	{"utf-32", "# coding: utf-32\nx = 1\n"},
	{"utf-32-be", "# coding: utf-32-be\nx = 1\n"},
	{"utf-7", "# coding: utf-7\nr'''+AOk-+AOgA6Q-'''\n"},
	{"utf-7 error", "# coding: utf-7\nx = 1 +2\n"},
	{"utf-7 surrogate", "# coding: utf-7\nr'''+2D3-'''\n"},
	{"unicode_escape", "# coding: unicode_escape\nr'''\\u00e9\\N{DIGIT ONE}\\x41\\101\\n\\t\\q\\777'''\n"},
	{"unicode_escape surrogate", "# coding: unicode_escape\nx = '\\ud800'\n"},
	{"unicode_escape error", "# coding: unicode_escape\nx = '\\N{BOGUS}'\n"},
	{"unicode_escape nul", "# coding: unicode_escape\nr'''a'''\n\\x00 junk\n"},
	{"unicode_escape latin-1 bytes", "# coding: unicode-escape\nr'''\xe9\xff'''\n"},
	{"raw_unicode_escape", "# coding: raw_unicode_escape\nr'''\\u00e9\\\\u00e9\\x41\xe9'''\n"},
	{"raw_unicode_escape error", "# coding: raw_unicode_escape\nr'''\\U00110000'''\n"},
	{"idna", "# coding: idna\nr'''abc'''\n"},
	{"idna non-ascii", "# coding: idna\nr'''\xe9'''\n"},
	{"idna ace", "# coding: idna\nx = 'xn--abc-'\n"},
	{"idna long label", "# coding: idna\n#" + strings.Repeat("x", 1100) + "\nr'''\xe9'''\n"},
	{"punycode", "# coding: punycode\nx = 1\n"},
	{"punycode dash", "# coding: punycode\nx = 1 - 2\n"},
	{"cp500", "# coding: cp500\n" + "\x7b\x96\x84\x89\x95\x87\x7a\x40\x83\x97\x75\x70\x70\x25"},
	{"hz", "# coding: hz\nr'''~{\x52\x3b\x30\x21~}~~'''\n"},
	{"hz error", "# coding: hz\nx = '~{\x21\x21\x7f~}'\n"},
	{"big5", "# coding: big5\nr'''\xa4\xa4\xa4\xe5'''\n"},
	{"shift_jis error", "# coding: shift_jis\nr'''\x82\xa0\x82'''\n"},
	{"gb18030 four bytes", "# coding: gb18030\nr'''\x81\x30\x81\x30\x90\x30\x81\x30'''\n"},
	{"palmos", "# coding: palmos\nr'''\x9b\x8b\x80'''\n"},
	{"mac-arabic", "# coding: mac-arabic\nr'''" + probeText("") + "'''\n"},
	{"cp864 undefined", "# coding: cp864\nr'''\xa6'''\n"},
	{"null in comment", "# \x00\nx = 1\n"},
}

// TestDecode compiles each decode case with every 3.13 and compares the
// decoded text (through a raw string constant) or the error.
func TestDecode(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, c := range decodeCases {
		p := filepath.Join(dir, fmt.Sprintf("case%02d.py", i))
		if err := os.WriteFile(p, []byte(c.raw), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	for _, in := range pythons.Minor(t, 3, 13) {
		t.Run(in.Version, func(t *testing.T) {
			i := 0
			in.RunLines(t, decodeScript, paths, func(line []byte) {
				c := decodeCases[i]
				i++
				var r struct {
					Err   []any   `json:"err"`
					Value *string `json:"value"`
				}
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatal(err)
				}
				src, err := source.Decode([]byte(c.raw), "x.py", in.Release())
				if r.Err != nil {
					if err == nil {
						// A later error (the parser's): the text must
						// at least have decoded.
						if r.Err[0] == "SyntaxError" && !strings.HasPrefix(r.Err[1].(string), "(unicode error)") && pyInt(r.Err[2]) > 0 {
							return
						}
						t.Errorf("%s: decoded; Python: %v", c.name, r.Err)
						return
					}
					se, ok := err.(*syntaxerr.Error)
					if !ok {
						t.Errorf("%s: %v; Python: %v", c.name, err, r.Err)
						return
					}
					if g, w := describe(se), describeOracle(r.Err); g != w {
						t.Errorf("%s:\n got %s\nwant %s", c.name, g, w)
					}
					return
				}
				if err != nil {
					t.Errorf("%s: %v; Python compiled it", c.name, err)
					return
				}
				if r.Value == nil {
					return
				}
				text := string(src.Text)
				start := strings.LastIndex(text, "r'''")
				end := strings.LastIndex(text, "'''")
				if start < 0 || end < start+4 {
					t.Errorf("%s: no raw string in the decoded text %q", c.name, text)
					return
				}
				if got := text[start+4 : end]; got != *r.Value {
					t.Errorf("%s: decoded %q, Python %q", c.name, got, *r.Value)
				}
			})
			if i != len(decodeCases) {
				t.Fatalf("oracle answered %d of %d", i, len(decodeCases))
			}
		})
	}
}

func pyInt(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return -999
}

func describe(e *syntaxerr.Error) string {
	li, of, el, eo := e.Lineno, e.Offset, e.EndLineno, e.EndOffset
	if e.NoLocation {
		li, of, el, eo = -999, -999, -999, -999
	} else if e.NoEnd {
		el, eo = -999, -999
	}
	text := "None"
	if e.HasText {
		text = fmt.Sprintf("%q", e.Text)
	}
	return fmt.Sprintf("%s %q %d %d %d %d %s", e.Type, e.Msg, li, of, el, eo, text)
}

func describeOracle(r []any) string {
	if len(r) == 2 {
		return fmt.Sprintf("%s: %s", r[0], r[1])
	}
	text := "None"
	if s, ok := r[6].(string); ok {
		text = fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%s %q %d %d %d %d %s", r[0], r[1], pyInt(r[2]), pyInt(r[3]), pyInt(r[4]), pyInt(r[5]), text)
}
