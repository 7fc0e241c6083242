package source

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// A Codec is one of the codecs of Python's encodings package that this
// package reproduces exactly (decoded text and errors).
type Codec struct {
	// Name is the codec's module in the encodings package ("cp1252").
	Name string
	kind codecKind
	// table is a single-byte codec's decoding table (-1: undefined).
	table *[256]rune
	// decode is the decoder of the codecs that produce characters one by
	// one (kindFunc).
	decode func(c *Codec, b []byte, replace bool, out []rune) ([]rune, error)
	// rel is the release the codec was looked up for (unicode_escape's
	// names depend on it).
	rel release.Release
}

type codecKind uint8

const (
	kindUnknown     codecKind = iota // no such codec (LookupError)
	kindUTF8                         // utf_8
	kindUTF8Sig                      // utf_8_sig
	kindASCII                        // ascii
	kindLatin1                       // latin_1, iso8859_1, charmap (no table)
	kindCharmap                      // a single-byte table
	kindFunc                         // a decoder producing characters (decode)
	kindUndefined                    // undefined: every decode fails
	kindNotText                      // bytes-to-bytes codecs (hex, base64, ...)
	kindUnsupported                  // CPython has it; this package cannot reproduce it
)

// LookupError is a codec lookup failure, with the message of the
// LookupError CPython raises.
type LookupError struct{ Msg string }

func (e *LookupError) Error() string { return e.Msg }

// UnsupportedCodecError reports a source whose coding cookie names a codec
// CPython has but this package does not reproduce, or does not reproduce
// for this source (Reason says why). The native front end cannot compile
// such a file.
type UnsupportedCodecError struct {
	// Spec is the cookie's name as CPython keeps it; Module is the codec
	// module it resolves to.
	Spec, Module string
	// Reason is set when the codec is supported but not for this input.
	Reason string
}

func (e *UnsupportedCodecError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("source encoding %q (codec %s) is not supported by the native compiler for this file: %s", e.Spec, e.Module, e.Reason)
	}
	return fmt.Sprintf("source encoding %q (codec %s) is not supported by the native compiler", e.Spec, e.Module)
}

// CodecError is a failure to decode with a codec: str() of CPython's
// exception (a UnicodeDecodeError, the UnicodeEncodeError of a text that
// cannot be UTF-8, or the UnicodeError of "undefined" or idna).
type CodecError struct{ Msg string }

func (e *CodecError) Error() string { return e.Msg }

// decodeError is the CodecError of UnicodeDecodeError(codec, b, start,
// end, reason).
func decodeError(codec string, b []byte, start, end int, reason string) error {
	return &CodecError{Msg: decodeErrorMessage(codec, b, start, end, reason)}
}

// normalizeEncoding is CPython's codec-name normalization
// (_Py_normalize_encoding, encodings.normalize_encoding): ASCII letters
// lower-cased, every run of characters other than ASCII letters, digits
// and '.' between two kept characters becomes one '_', leading and
// trailing runs are dropped.
func normalizeEncoding(name string) string {
	var b strings.Builder
	punct := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isASCIIAlnum(c) || c == '.' {
			if punct && b.Len() > 0 {
				b.WriteByte('_')
			}
			punct = false
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
		} else {
			punct = true
		}
	}
	return b.String()
}

// Lookup finds the codec Python's registry returns for name (as
// encodings.search_function resolves it) for the given release.
func Lookup(name string, rel release.Release) (*Codec, error) {
	norm := normalizeEncoding(name)
	alias, ok := aliases[norm]
	if !ok {
		alias, ok = aliases[strings.ReplaceAll(norm, ".", "_")]
	}
	if !ok && rel.AtLeast(laterAliasesRelease) {
		alias, ok = laterAliases[norm]
		if !ok {
			alias, ok = laterAliases[strings.ReplaceAll(norm, ".", "_")]
		}
	}
	candidates := []string{norm}
	if ok {
		candidates = []string{alias, norm}
	}
	for _, mod := range candidates {
		if mod == "" || strings.Contains(mod, ".") {
			continue
		}
		c, found := codecs[mod]
		if !found {
			continue
		}
		switch c.kind {
		case kindUnknown:
			continue
		case kindNotText:
			return nil, &LookupError{Msg: fmt.Sprintf("'%s' is not a text encoding; use codecs.decode() to handle arbitrary codecs", name)}
		case kindUnsupported:
			return nil, &UnsupportedCodecError{Spec: name, Module: mod}
		}
		cc := *c
		cc.rel = rel
		if cc.kind == kindCharmap {
			cc.table = charmapTable(mod)
		}
		for _, ch := range charmapChanges {
			if ch.codec == mod && rel.AtLeast(ch.since) {
				t := *cc.table
				t[ch.b] = ch.r
				cc.table = &t
			}
		}
		return &cc, nil
	}
	return nil, &LookupError{Msg: "unknown encoding: " + name}
}

// laterAliasesRelease is the first release with laterAliases: 3.13.14,
// whose changelog lists gh-149801 (see docs/native.md).
var laterAliasesRelease = release.Release{Major: 3, Minor: 13, Micro: 14}

// Decode decodes b strictly, returning UTF-8, or the error CPython
// raises: the codec's, or the UnicodeEncodeError of a decoded text that
// holds surrogates (CPython converts the text to UTF-8).
func (c *Codec) Decode(b []byte) ([]byte, error) {
	if len(b) == 0 {
		// PyUnicode_Decode returns "" without calling the codec.
		return b, nil
	}
	switch c.kind {
	case kindUTF8:
		if e := CheckUTF8(b); e != nil {
			return nil, &CodecError{Msg: e.Error()}
		}
		return b, nil
	case kindUTF8Sig:
		if len(b) >= 3 && string(b[:3]) == "\xEF\xBB\xBF" {
			b = b[3:]
		}
		if e := CheckUTF8(b); e != nil {
			return nil, &CodecError{Msg: e.Error()}
		}
		return b, nil
	case kindASCII:
		for i, x := range b {
			if x >= 0x80 {
				return nil, decodeError("ascii", b, i, i+1, "ordinal not in range(128)")
			}
		}
		return b, nil
	case kindLatin1:
		out := make([]byte, 0, len(b)+len(b)/4)
		for _, x := range b {
			out = utf8.AppendRune(out, rune(x))
		}
		return out, nil
	case kindCharmap:
		t := c.table
		out := make([]byte, 0, len(b)+len(b)/2)
		for i, x := range b {
			r := t[x]
			if r < 0 {
				return nil, decodeError("charmap", b, i, i+1, "character maps to <undefined>")
			}
			out = utf8.AppendRune(out, r)
		}
		return out, nil
	case kindFunc:
		runes, err := c.decode(c, b, false, make([]rune, 0, len(b)))
		if err != nil {
			return nil, err
		}
		return encodeUTF8(runes)
	case kindUndefined:
		return nil, &CodecError{Msg: "undefined encoding"}
	}
	return nil, &CodecError{Msg: "codec " + c.Name + " cannot decode"}
}

// encodeUTF8 is str.encode("utf-8") of a decoded text: the error names the
// first run of surrogates, with positions in characters.
func encodeUTF8(runes []rune) ([]byte, error) {
	n := 0
	for i, r := range runes {
		if r >= 0xD800 && r <= 0xDFFF {
			j := i + 1
			for j < len(runes) && runes[j] >= 0xD800 && runes[j] <= 0xDFFF {
				j++
			}
			if j == i+1 {
				return nil, &CodecError{Msg: fmt.Sprintf("'utf-8' codec can't encode character '\\u%04x' in position %d: surrogates not allowed", r, i)}
			}
			return nil, &CodecError{Msg: fmt.Sprintf("'utf-8' codec can't encode characters in position %d-%d: surrogates not allowed", i, j-1)}
		}
		n += utf8.RuneLen(r)
	}
	out := make([]byte, 0, n)
	for _, r := range runes {
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// DecodeReplace decodes b with errors="replace", as CPython decodes a line
// it reads back from the file for a SyntaxError. ok is false where Python
// raises (idna takes no other handler than strict). Surrogates, which the
// escape codecs and UTF-7 can produce, are written as three-byte
// sequences (WTF-8), since a Go string cannot hold them as UTF-8.
func (c *Codec) DecodeReplace(b []byte) (string, bool) {
	if len(b) == 0 {
		return "", true
	}
	switch c.kind {
	case kindUTF8:
		return DecodeReplace(b), true
	case kindUTF8Sig:
		if len(b) >= 3 && string(b[:3]) == "\xEF\xBB\xBF" {
			b = b[3:]
		}
		return DecodeReplace(b), true
	case kindASCII, kindCharmap, kindLatin1:
		out := make([]byte, 0, len(b)+len(b)/2)
		for _, x := range b {
			r := rune(x)
			switch {
			case c.kind == kindASCII && x >= 0x80:
				r = utf8.RuneError
			case c.kind == kindCharmap:
				r = c.table[x]
				if r < 0 {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		}
		return string(out), true
	case kindFunc:
		runes, err := c.decode(c, b, true, make([]rune, 0, len(b)))
		if err != nil {
			return "", false
		}
		out := make([]byte, 0, len(runes)+len(runes)/2)
		for _, r := range runes {
			if r >= 0xD800 && r <= 0xDFFF {
				out = append(out, byte(0xE0|r>>12), byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
				continue
			}
			out = utf8.AppendRune(out, r)
		}
		return string(out), true
	}
	return "", false
}

// codecs lists every module of the encodings package of CPython 3.13 and
// what this package does with it.
var codecs = func() map[string]*Codec {
	m := map[string]*Codec{}
	add := func(kind codecKind, names ...string) {
		for _, n := range names {
			m[n] = &Codec{Name: n, kind: kind}
		}
	}
	fn := func(name string, f func(c *Codec, b []byte, replace bool, out []rune) ([]rune, error)) {
		m[name] = &Codec{Name: name, kind: kindFunc, decode: f}
	}
	add(kindUTF8, "utf_8")
	add(kindUTF8Sig, "utf_8_sig")
	add(kindASCII, "ascii")
	add(kindLatin1, "latin_1", "iso8859_1", "charmap")
	add(kindUndefined, "undefined")
	add(kindNotText, "base64_codec", "bz2_codec", "hex_codec", "quopri_codec", "rot_13", "uu_codec", "zlib_codec")
	// Modules that are not codecs here: no getregentry, or Windows only.
	add(kindUnknown, "aliases", "mbcs", "oem")
	// Stateful multi-byte codecs.
	fn("hz", func(_ *Codec, b []byte, replace bool, out []rune) ([]rune, error) {
		return decodeHZ(b, replace, out)
	})
	add(kindUnsupported, "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2",
		"iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext", "iso2022_kr")
	for _, name := range []string{"big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213", "euc_jp",
		"euc_kr", "gb18030", "gb2312", "gbk", "johab", "shift_jis", "shift_jis_2004", "shift_jisx0213"} {
		fn(name, func(_ *Codec, b []byte, replace bool, out []rune) ([]rune, error) {
			return decodeCJK(name, b, replace, out)
		})
	}
	for bo, suffix := range map[int]string{0: "", -1: "_le", 1: "_be"} {
		fn("utf_16"+suffix, func(_ *Codec, b []byte, replace bool, out []rune) ([]rune, error) {
			return decodeUTF16(b, bo, replace, out)
		})
		fn("utf_32"+suffix, func(_ *Codec, b []byte, replace bool, out []rune) ([]rune, error) {
			return decodeUTF32(b, bo, replace, out)
		})
	}
	fn("utf_7", func(_ *Codec, b []byte, replace bool, out []rune) ([]rune, error) {
		return decodeUTF7(b, replace, out)
	})
	fn("unicode_escape", func(c *Codec, b []byte, replace bool, out []rune) ([]rune, error) {
		return decodeUnicodeEscape(b, escapeNames(c), replace, out)
	})
	fn("raw_unicode_escape", func(_ *Codec, b []byte, replace bool, out []rune) ([]rune, error) {
		return decodeRawUnicodeEscape(b, replace, out)
	})
	fn("punycode", func(_ *Codec, b []byte, replace bool, out []rune) ([]rune, error) {
		return decodePunycode(b, replace, out)
	})
	fn("idna", func(_ *Codec, b []byte, replace bool, out []rune) ([]rune, error) {
		return decodeIDNA(b, replace, out)
	})
	// A single-byte codec's table is decoded by Lookup, on first use.
	for name := range charmapData {
		if _, done := m[name]; !done {
			m[name] = &Codec{Name: name, kind: kindCharmap}
		}
	}
	return m
}()

// charmapChanges are the entries of single-byte tables that changed within
// 3.13 (charmapData holds 3.13.0's): from release since, byte b decodes to
// r.
var charmapChanges = []struct {
	codec string
	b     byte
	r     rune
	since release.Release
}{
	// gh-135995 (merged June 2025, after 3.13.5; listed under 3.13.6 in
	// 3.13.18's changelog, Misc/NEWS): palmos 0x9B is U+203A
	// SINGLE RIGHT-POINTING ANGLE QUOTATION MARK, no longer a C1 control.
	{"palmos", 0x9B, 0x203A, release.Release{Major: 3, Minor: 13, Micro: 6}},
}

// charmapTables holds the tables charmapTable has decoded, by codec
// name. Decoding all of them took most of the package's start-up cost (about
// 0.9 million instructions), which a process that compiles only UTF-8
// sources need not pay.
var charmapTables sync.Map // name -> *[256]rune

// charmapTable is the table of charmapData[name], decoded once.
func charmapTable(name string) *[256]rune {
	if t, ok := charmapTables.Load(name); ok {
		return t.(*[256]rune)
	}
	data := charmapData[name]
	t := new([256]rune)
	i := 0
	for _, r := range data {
		if i < 256 {
			if r == 0xFFFE {
				r = -1
			}
			t[i] = r
		}
		i++
	}
	if i != 256 {
		panic("source: damaged table of " + name)
	}
	v, _ := charmapTables.LoadOrStore(name, t)
	return v.(*[256]rune)
}
