package source_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// randomScript decodes each [codec, hex] of its input strictly and with
// errors="replace", printing for each the UTF-8 of the text (strict: as
// str.encode("utf-8"), whose UnicodeEncodeError CPython's tokenizer reports
// for surrogates; replace: surrogates passed) or str() of the exception.
const randomScript = `
import sys, json
for name, h in json.load(sys.stdin):
    b = bytes.fromhex(h)
    try:
        r = ["ok", b.decode(name).encode("utf-8").hex()]
    except ValueError as e:
        r = ["err", str(e)]
    except Exception as e:
        r = ["exc", type(e).__name__ + ": " + str(e)]
    try:
        rr = ["ok", b.decode(name, "replace").encode("utf-8", "surrogatepass").hex()]
    except Exception as e:
        rr = ["fail", ""]
    print(json.dumps([r, rr]))
`

// fragments are the pieces the random inputs of each codec are joined
// from: what its decoder treats specially, and some bytes it does not.
var fragments = map[string][]string{
	"utf_16":             {"\x00", "\xd8", "\xdc", "\xdb", "\xdf", "\xff", "\xfe", "a", "\n", "\x80", "\xd7", "\xe0"},
	"utf_32":             {"\x00", "\x00\x00", "\x01\x00", "\x10\x00", "\x11\x00", "\xd8", "\xff\xfe\x00\x00", "\x00\x00\xfe\xff", "a", "\xdc"},
	"utf_7":              {"+", "-", "A", "B", "/", "2", "9", "z", "+2D", "+2D3", "+AGE", "+AGE-", "+2D3YAA", "+2D3cAA-", "+Z", " ", "\n", "~", "\\", "\x80", "\xe9", "!", "+-", "AA", "+AAA"},
	"unicode_escape":     {"\\", "x", "u", "U", "N", "{", "}", "0", "7", "8", "9", "a", "f", "A", "F", "g", "n", "t", "'", "\"", "\n", "\xe9", "\\N{DIGIT ONE}", "\\N{latin small letter a}", "\\N{BOGUS}", "\\N{}", "\\ud800", "\\udc00", "\\U0010ffff", "\\U00110000", "\\777", "\\x4", "\\N{HANGUL SYLLABLE GA}", "\\N{CJK UNIFIED IDEOGRAPH-4E00}", "\\N{cjk unified ideograph-4e00}", "\\N{LINE FEED}", "\\N{NULL}", "\\0"},
	"raw_unicode_escape": {"\\", "u", "U", "0", "9", "a", "F", "g", "\\u", "\\U", "\\ud800", "\\udfff", "\\U00110000", "\\U0010FFFF", "\\\\u1234", "\xe9", "x", "\\u0000"},
	"punycode":           {"-", "a", "b", "z", "A", "0", "9", "x", "é", ".", " ", "\n", "99", "zz", "a-", "ab-9", "\x80", "n", "k"},
	"hz":                 {"~", "{", "}", "~{", "~}", "~~", "~\n", "\n", "a", "\x21", "\x30\x21", "\x52\x3b", "\x7e\x7e", "\xa1\xa1", "\x21\x7f", "\x77\x7e", "\x29\x21", "\x80", "\x7f"},
	"idna":               {"xn--", "XN--", ".", "a", "-", "é", "b", "xn--a", "xn--abc-", "xn--9", "xn--ls8h", "xn--zz", strings.Repeat("a", 70), strings.Repeat("b", 1030), " ", "\n", "\x80", "#"},
}

// codecAliases maps the names whose fragments another codec's serve.
var codecAliases = map[string]string{"utf_16_le": "utf_16", "utf_16_be": "utf_16", "utf_32_le": "utf_32", "utf_32_be": "utf_32"}

// TestRandomDecode compares Decode and DecodeReplace of the codecs whose
// decoders are written here (not tables) with Python's on random inputs
// joined from each codec's fragments: the text, or str() of the exception
// (the codec's, or the UTF-8 encoder's for surrogates). CODECS_RANDOM_N
// sets the number of inputs per codec (400; 100 with -short).
func TestRandomDecode(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 100
	}
	if s := os.Getenv("CODECS_RANDOM_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		n = v
	}
	names := []string{"utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be", "utf_7", "unicode_escape", "raw_unicode_escape", "punycode", "idna", "hz"}
	rng := rand.New(rand.NewPCG(1, 2))
	type input struct {
		name string
		raw  []byte
	}
	var inputs []input
	var cases [][2]string
	for _, name := range names {
		fr := fragments[name]
		if a, ok := codecAliases[name]; ok {
			fr = fragments[a]
		}
		for i := 0; i < n; i++ {
			var b strings.Builder
			k := rng.IntN(12)
			for j := 0; j < k; j++ {
				if rng.IntN(8) == 0 {
					b.WriteByte(byte(rng.IntN(256)))
				} else {
					b.WriteString(fr[rng.IntN(len(fr))])
				}
			}
			inputs = append(inputs, input{name, []byte(b.String())})
			cases = append(cases, [2]string{name, hex.EncodeToString([]byte(b.String()))})
		}
	}
	for _, in := range pythons.Minor(t, 3, 13) {
		t.Run(in.Version, func(t *testing.T) {
			rel := in.Release()
			i, bad := 0, 0
			in.RunLines(t, randomScript, cases, func(line []byte) {
				c := inputs[i]
				i++
				var r [2][2]string
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatal(err)
				}
				codec, err := source.Lookup(c.name, rel)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				var got [2][2]string
				out, err := codec.Decode(c.raw)
				switch e := err.(type) {
				case nil:
					got[0] = [2]string{"ok", hex.EncodeToString(out)}
				case *source.CodecError:
					got[0] = [2]string{"err", e.Msg}
				case *source.UnsupportedCodecError:
					return // refused, and so not wrong
				default:
					got[0] = [2]string{"go", err.Error()}
				}
				if text, ok := codec.DecodeReplace(c.raw); ok {
					got[1] = [2]string{"ok", hex.EncodeToString([]byte(text))}
				} else {
					got[1] = [2]string{"fail", ""}
				}
				if got != r {
					bad++
					if bad <= 20 {
						t.Errorf("%s of %q:\n got %q\nwant %q", c.name, c.raw, got, r)
					}
				}
			})
			if i != len(inputs) {
				t.Fatalf("oracle answered %d of %d", i, len(inputs))
			}
			if bad > 0 {
				t.Errorf("%d of %d inputs differ", bad, len(inputs))
			}
		})
	}
}

var _ = fmt.Sprint

// cjkNames are the multi-byte codecs decoded from tables.
var cjkNames = []string{"big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213", "euc_jp",
	"euc_kr", "gb18030", "gb2312", "gbk", "johab", "shift_jis", "shift_jis_2004", "shift_jisx0213"}

// cjkScript prints, for each codec and each input of its list, the strict
// decoding (text or str() of the exception) and the decoding with
// errors="replace", compactly: one JSON line per codec.
const cjkScript = `
import sys, json
for name, inputs in json.load(sys.stdin):
    res = []
    for h in inputs:
        b = bytes.fromhex(h)
        try:
            s = b.decode(name)
        except UnicodeDecodeError as e:
            s = "!" + str(e)
        res.append([s, b.decode(name, "replace")])
    print(json.dumps(res))
`

// TestCJK compares the multi-byte codecs with Python's: every sequence of
// two bytes with a lead byte 0x80-0xFF (with -short every seventh lead
// byte), every byte alone, and random strings of characters, ASCII, stray
// and truncated sequences (400 a codec, 100 with -short), and for gb18030
// every four-byte sequence below U+10000 (every seventh with -short) and
// the first and last of each lead byte: the text or the exact error, strict
// and with errors="replace".
func TestCJK(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	nRandom, leadStep := 400, 1
	if testing.Short() {
		nRandom, leadStep = 100, 7
	}
	type batch struct {
		name   string
		inputs [][]byte
	}
	var batches []batch
	var payload []any
	for _, name := range cjkNames {
		var inputs [][]byte
		for l := 1; l < 256; l++ {
			inputs = append(inputs, []byte{byte(l)})
		}
		for l := 0x80; l < 256; l += leadStep {
			for b := 0; b < 256; b++ {
				inputs = append(inputs, []byte{byte(l), byte(b)})
			}
		}
		if name == "gb18030" {
			// The four-byte form: every sequence below U+10000 and a
			// little past it, and the start of the rest.
			for i := 0; i < 12600*5; i += leadStep {
				c4, c3, c2, c1 := i%10, i/10%126, i/1260%10, i/12600
				inputs = append(inputs, []byte{byte(0x81 + c1), byte(0x30 + c2), byte(0x81 + c3), byte(0x30 + c4)})
			}
			for c1 := 0x81; c1 <= 0xFE; c1++ {
				inputs = append(inputs, []byte{byte(c1), 0x30, 0x81, 0x30}, []byte{byte(c1), 0x39, 0xFE, 0x39})
			}
		}
		for i := 0; i < nRandom; i++ {
			var s []byte
			for k := rng.IntN(10); k > 0; k-- {
				switch rng.IntN(6) {
				case 0:
					s = append(s, byte(0x20+rng.IntN(0x5F)))
				case 1:
					s = append(s, byte(0x80+rng.IntN(0x80)))
				case 2:
					s = append(s, 0x8F, byte(0xA1+rng.IntN(0x5E)), byte(0xA1+rng.IntN(0x5E)))
				case 3:
					s = append(s, byte(0x81+rng.IntN(0x7E)), byte(0x30+rng.IntN(10)), byte(0x7F+rng.IntN(0x82)), byte(0x2F+rng.IntN(12)))
				default:
					s = append(s, byte(0x81+rng.IntN(0x7E)), byte(0x40+rng.IntN(0xBF)))
				}
			}
			if rng.IntN(3) == 0 && len(s) > 0 {
				s = s[:len(s)-1]
			}
			inputs = append(inputs, s)
		}
		hexes := make([]string, len(inputs))
		for i, in := range inputs {
			hexes[i] = hex.EncodeToString(in)
		}
		batches = append(batches, batch{name, inputs})
		payload = append(payload, []any{name, hexes})
	}
	for _, in := range pythons.Minor(t, 3, 13) {
		t.Run(in.Version, func(t *testing.T) {
			rel := in.Release()
			k, bad, refused, compared := 0, 0, 0, 0
			in.RunLines(t, cjkScript, payload, func(line []byte) {
				bt := batches[k]
				k++
				var res [][2]string
				if err := json.Unmarshal(line, &res); err != nil {
					t.Fatal(err)
				}
				codec, err := source.Lookup(bt.name, rel)
				if err != nil {
					t.Fatalf("%s: %v", bt.name, err)
				}
				for i, raw := range bt.inputs {
					var got [2]string
					out, err := codec.Decode(raw)
					switch e := err.(type) {
					case nil:
						got[0] = string(out)
					case *source.CodecError:
						got[0] = "!" + e.Msg
					case *source.UnsupportedCodecError:
						refused++
						continue
					default:
						got[0] = "?" + err.Error()
					}
					text, ok := codec.DecodeReplace(raw)
					if !ok {
						text = "(failed)"
					}
					got[1] = text
					compared++
					if got != res[i] {
						bad++
						if bad <= 20 {
							t.Errorf("%s of %x:\n got %q\nwant %q", bt.name, raw, got, res[i])
						}
					}
				}
			})
			if k != len(batches) {
				t.Fatalf("oracle answered %d of %d codecs", k, len(batches))
			}
			t.Logf("%d inputs compared, %d refused", compared, refused)
			if refused > 0 {
				t.Errorf("%d inputs refused", refused)
			}
			if bad > 0 {
				t.Errorf("%d inputs differ", bad)
			}
		})
	}
}
