package source

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"golang.org/x/text/encoding/charmap"
)

// A Codec is one of the codecs of Python's encodings package that this
// package reproduces exactly (decoded text and errors).
type Codec struct {
	// Name is the codec's module in the encodings package ("cp1252").
	Name string
	kind codecKind
	// cm and fixes give a charmap codec's table: x/text's table with the
	// entries where Python's codec differs replaced.
	cm    *charmap.Charmap
	fixes map[byte]rune
	c1    bool // ISO 8859: bytes 0x80-0x9F are the C1 controls

	once  sync.Once
	table [256]rune // -1: undefined
}

type codecKind uint8

const (
	kindUnknown     codecKind = iota // no such codec (LookupError)
	kindUTF8                         // utf_8
	kindUTF8Sig                      // utf_8_sig
	kindASCII                        // ascii
	kindLatin1                       // latin_1, iso8859_1, charmap (no table)
	kindCharmap                      // a single-byte table
	kindUndefined                    // undefined: every decode fails
	kindNotText                      // bytes-to-bytes codecs (hex, base64, ...)
	kindUnsupported                  // CPython has it; this package cannot reproduce it
)

// LookupError is a codec lookup failure, with the message of the
// LookupError CPython raises.
type LookupError struct{ Msg string }

func (e *LookupError) Error() string { return e.Msg }

// UnsupportedCodecError reports a source whose coding cookie names a codec
// CPython has but this package does not reproduce. The native front end
// cannot compile such a file.
type UnsupportedCodecError struct {
	// Spec is the cookie's name as CPython keeps it; Module is the codec
	// module it resolves to.
	Spec, Module string
}

func (e *UnsupportedCodecError) Error() string {
	return fmt.Sprintf("source encoding %q (codec %s) is not supported by the native compiler", e.Spec, e.Module)
}

// CodecError is a failure to decode with a codec: str() of CPython's
// exception (a UnicodeDecodeError, or the UnicodeError of "undefined").
type CodecError struct{ Msg string }

func (e *CodecError) Error() string { return e.Msg }

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
		return c, nil
	}
	return nil, &LookupError{Msg: "unknown encoding: " + name}
}

// laterAliasesRelease is the first release with laterAliases (estimated;
// see docs/native.md).
var laterAliasesRelease = release.Release{Major: 3, Minor: 13, Micro: 16}

// Decode decodes b strictly, returning UTF-8, or the error CPython raises.
func (c *Codec) Decode(b []byte) ([]byte, error) {
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
				return nil, &CodecError{Msg: decodeErrorMessage("ascii", b, i, i+1, "ordinal not in range(128)")}
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
		t := c.decodeTable()
		out := make([]byte, 0, len(b)+len(b)/2)
		for i, x := range b {
			r := t[x]
			if r < 0 {
				return nil, &CodecError{Msg: decodeErrorMessage("charmap", b, i, i+1, "character maps to <undefined>")}
			}
			out = utf8.AppendRune(out, r)
		}
		return out, nil
	case kindUndefined:
		return nil, &CodecError{Msg: "undefined encoding"}
	}
	return nil, &CodecError{Msg: "codec " + c.Name + " cannot decode"}
}

// DecodeReplace decodes b with errors="replace", as CPython decodes a line
// it reads back from the file for a SyntaxError.
func (c *Codec) DecodeReplace(b []byte) string {
	switch c.kind {
	case kindUTF8:
		return DecodeReplace(b)
	case kindUTF8Sig:
		if len(b) >= 3 && string(b[:3]) == "\xEF\xBB\xBF" {
			b = b[3:]
		}
		return DecodeReplace(b)
	case kindASCII, kindCharmap, kindLatin1:
		out := make([]byte, 0, len(b)+len(b)/2)
		var t *[256]rune
		if c.kind == kindCharmap {
			t = c.decodeTable()
		}
		for _, x := range b {
			r := rune(x)
			switch {
			case c.kind == kindASCII && x >= 0x80:
				r = utf8.RuneError
			case t != nil:
				r = t[x]
				if r < 0 {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		}
		return string(out)
	}
	return DecodeReplace(b)
}

// decodeTable builds a charmap codec's table once.
func (c *Codec) decodeTable() *[256]rune {
	c.once.Do(func() {
		for i := 0; i < 256; i++ {
			r := c.cm.DecodeByte(byte(i))
			if r == utf8.RuneError {
				r = -1
			}
			if c.c1 && i >= 0x80 && i <= 0x9F {
				r = rune(i)
			}
			if f, ok := c.fixes[byte(i)]; ok {
				r = f
			}
			c.table[i] = r
		}
	})
	return &c.table
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
	add(kindUTF8, "utf_8")
	add(kindUTF8Sig, "utf_8_sig")
	add(kindASCII, "ascii")
	add(kindLatin1, "latin_1", "iso8859_1", "charmap")
	add(kindUndefined, "undefined")
	add(kindNotText, "base64_codec", "bz2_codec", "hex_codec", "quopri_codec", "rot_13", "uu_codec", "zlib_codec")
	// Modules that are not codecs here: no getregentry, or Windows only.
	add(kindUnknown, "aliases", "mbcs", "oem")
	add(kindUnsupported,
		// Multi-byte codecs.
		"big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213", "euc_jp",
		"euc_kr", "gb18030", "gb2312", "gbk", "hz", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2",
		"iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext", "iso2022_kr", "johab", "shift_jis",
		"shift_jis_2004", "shift_jisx0213",
		// Unicode transformation formats and escapes.
		"utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le", "utf_7",
		"idna", "punycode", "raw_unicode_escape", "unicode_escape",
		// Single-byte codecs x/text does not have.
		"cp1006", "cp1026", "cp1125", "cp273", "cp424", "cp500", "cp720", "cp737", "cp775", "cp856",
		"cp857", "cp861", "cp864", "cp869", "cp875", "hp_roman8", "iso8859_11", "koi8_t", "kz1048",
		"mac_arabic", "mac_croatian", "mac_farsi", "mac_greek", "mac_iceland", "mac_latin2",
		"mac_romanian", "mac_turkish", "palmos", "ptcp154", "tis_620")
	cm := func(name string, t *charmap.Charmap, c1 bool, fixes map[byte]rune) {
		m[name] = &Codec{Name: name, kind: kindCharmap, cm: t, c1: c1, fixes: fixes}
	}
	cm("cp037", charmap.CodePage037, false, nil)
	cm("cp437", charmap.CodePage437, false, nil)
	cm("cp850", charmap.CodePage850, false, nil)
	cm("cp852", charmap.CodePage852, false, nil)
	cm("cp855", charmap.CodePage855, false, nil)
	cm("cp858", charmap.CodePage858, false, nil)
	cm("cp860", charmap.CodePage860, false, nil)
	cm("cp862", charmap.CodePage862, false, nil)
	cm("cp863", charmap.CodePage863, false, nil)
	cm("cp865", charmap.CodePage865, false, nil)
	cm("cp866", charmap.CodePage866, false, nil)
	cm("cp1140", charmap.CodePage1140, false, nil)
	cm("iso8859_2", charmap.ISO8859_2, true, nil)
	cm("iso8859_3", charmap.ISO8859_3, true, nil)
	cm("iso8859_4", charmap.ISO8859_4, true, nil)
	cm("iso8859_5", charmap.ISO8859_5, true, nil)
	cm("iso8859_6", charmap.ISO8859_6, true, nil)
	cm("iso8859_7", charmap.ISO8859_7, true, nil)
	cm("iso8859_8", charmap.ISO8859_8, true, nil)
	cm("iso8859_9", charmap.ISO8859_9, false, nil)
	cm("iso8859_10", charmap.ISO8859_10, true, nil)
	cm("iso8859_13", charmap.ISO8859_13, true, nil)
	cm("iso8859_14", charmap.ISO8859_14, true, nil)
	cm("iso8859_15", charmap.ISO8859_15, true, nil)
	cm("iso8859_16", charmap.ISO8859_16, true, nil)
	cm("koi8_r", charmap.KOI8R, false, nil)
	// x/text's KOI8-U has the Belarusian letters of KOI8-RU at 0xAE and
	// 0xBE; Python's koi8_u has box-drawing characters there (RFC 2319).
	cm("koi8_u", charmap.KOI8U, false, map[byte]rune{0xAE: 0x255D, 0xBE: 0x256C})
	cm("mac_roman", charmap.Macintosh, false, nil)
	cm("mac_cyrillic", charmap.MacintoshCyrillic, false, nil)
	cm("cp874", charmap.Windows874, false, nil)
	cm("cp1250", charmap.Windows1250, false, nil)
	cm("cp1251", charmap.Windows1251, false, nil)
	cm("cp1252", charmap.Windows1252, false, nil)
	cm("cp1253", charmap.Windows1253, false, nil)
	cm("cp1254", charmap.Windows1254, false, nil)
	// x/text maps 0xCA to U+05BA (HEBREW POINT HOLAM HASER FOR VAV, as
	// WHATWG does); Python's cp1255 leaves it undefined.
	cm("cp1255", charmap.Windows1255, false, map[byte]rune{0xCA: -1})
	cm("cp1256", charmap.Windows1256, false, nil)
	cm("cp1257", charmap.Windows1257, false, nil)
	cm("cp1258", charmap.Windows1258, false, nil)
	return m
}()
