package source

import (
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// The punycode and idna codecs of Python's encodings package (punycode.py,
// idna.py), whose decoders are written in Python: the numbers of a
// punycode string are Python ints (unbounded), so they are big.Int here,
// and the exceptions are the ones those modules raise.

// pyDecodeError is a UnicodeDecodeError whose positions may exceed any int
// (punycode reports positions computed from its decoded numbers).
func pyDecodeError(codec string, obj []byte, start, end *big.Int, reason string) error {
	one := big.NewInt(1)
	n := big.NewInt(int64(len(obj)))
	if start.Cmp(n) < 0 && start.Sign() >= 0 && new(big.Int).Sub(end, start).Cmp(one) == 0 {
		return &CodecError{Msg: fmt.Sprintf("'%s' codec can't decode byte 0x%02x in position %s: %s", codec, obj[start.Int64()], start, reason)}
	}
	return &CodecError{Msg: fmt.Sprintf("'%s' codec can't decode bytes in position %s-%s: %s", codec, start, new(big.Int).Sub(end, one), reason)}
}

func punyT(j int, bias int64) int64 {
	res := 36*int64(j+1) - bias
	if res < 1 {
		return 1
	}
	if res > 26 {
		return 26
	}
	return res
}

// punyAdapt is RFC 3492's bias adaptation with Python's integers.
func punyAdapt(delta *big.Int, first bool, numchars int) int64 {
	d := new(big.Int).Set(delta)
	if first {
		d.Quo(d, big.NewInt(700))
	} else {
		d.Quo(d, big.NewInt(2))
	}
	d.Add(d, new(big.Int).Quo(d, big.NewInt(int64(numchars))))
	var divisions int64
	lim := big.NewInt(455)
	for d.Cmp(lim) > 0 {
		d.Quo(d, big.NewInt(35))
		divisions += 36
	}
	v := d.Int64()
	return divisions + 36*v/(v+38)
}

// punyError is an error of the extended part, positioned in it (the
// caller moves it to the whole input).
type punyError struct {
	codec      string
	start, end *big.Int
	reason     string
}

// punyNumber is decode_generalized_number: the number at extended[pos:],
// and the position after it; ok false where errors other than strict stop
// the decoding.
func punyNumber(extended []byte, pos int, bias int64, strict bool) (int, *big.Int, bool, *punyError) {
	result := new(big.Int)
	w := big.NewInt(1)
	for j := 0; ; j++ {
		if pos >= len(extended) {
			if strict {
				return 0, nil, false, &punyError{"punycode", big.NewInt(int64(pos)), big.NewInt(int64(pos + 1)), "incomplete punycode string"}
			}
			return pos + 1, nil, false, nil
		}
		c := extended[pos]
		pos++
		var digit int64
		switch {
		case c >= 'A' && c <= 'Z':
			digit = int64(c - 'A')
		case c >= '0' && c <= '9':
			digit = int64(c) - 22
		default:
			if strict {
				return 0, nil, false, &punyError{"punycode", big.NewInt(int64(pos - 1)), big.NewInt(int64(pos)), "Invalid extended code point '" + strconv.Itoa(int(c)) + "'"}
			}
			return pos, nil, false, nil
		}
		t := punyT(j, bias)
		result.Add(result, new(big.Int).Mul(big.NewInt(digit), w))
		if digit < t {
			return pos, result, true, nil
		}
		w.Mul(w, big.NewInt(36-t))
	}
}

// decodePunycode is punycode_decode(text, errors) for errors "strict"
// (replace false) or "replace".
func decodePunycode(text []byte, replace bool, out []rune) ([]rune, error) {
	if !replace {
		r, perr := punycodeRunes(text)
		if perr != nil {
			return nil, pyDecodeError(perr.codec, text, perr.start, perr.end, perr.reason)
		}
		return append(out, r...), nil
	}
	r, _ := punycode(text, false)
	return append(out, r...), nil
}

// punycodeRunes decodes text strictly; the error is positioned in text.
func punycodeRunes(text []byte) ([]rune, *punyError) {
	return punycode(text, true)
}

// punycode is punycode_decode; errors only when strict.
func punycode(text []byte, strict bool) ([]rune, *punyError) {
	dash := bytes.LastIndexByte(text, '-')
	var base []rune
	var extended []byte
	if dash < 0 {
		extended = asciiUpper(text)
	} else {
		for i, c := range text[:dash] {
			if c >= 0x80 {
				if strict {
					return nil, &punyError{"ascii", big.NewInt(int64(i)), big.NewInt(int64(i + 1)), "ordinal not in range(128)"}
				}
				base = append(base, 0xFFFD)
				continue
			}
			base = append(base, rune(c))
		}
		extended = asciiUpper(text[dash+1:])
	}
	offset := big.NewInt(int64(dash + 1))
	char := big.NewInt(0x80)
	pos := big.NewInt(-1)
	var bias int64 = 72
	extpos := 0
	maxChar := big.NewInt(0x10FFFF)
	for extpos < len(extended) {
		newpos, delta, ok, perr := punyNumber(extended, extpos, bias, strict)
		if perr != nil {
			perr.start.Add(perr.start, offset)
			perr.end.Add(perr.end, offset)
			return nil, perr
		}
		if !ok {
			break
		}
		pos.Add(pos, delta)
		pos.Add(pos, big.NewInt(1))
		n := big.NewInt(int64(len(base) + 1))
		char.Add(char, new(big.Int).Quo(pos, n))
		if char.Cmp(maxChar) > 0 {
			if strict {
				start := new(big.Int).Sub(pos, big.NewInt(1))
				reason := "Invalid character U+" + char.Text(16)
				return nil, &punyError{"punycode", start.Add(start, offset), new(big.Int).Add(pos, offset), reason}
			}
			char.SetInt64('?')
		}
		pos.Rem(pos, n)
		p := int(pos.Int64())
		base = append(base, 0)
		copy(base[p+1:], base[p:])
		base[p] = rune(char.Int64())
		bias = punyAdapt(delta, extpos == 0, len(base))
		extpos = newpos
	}
	return base, nil
}

// errNameprep is the unsupported case of idna: a label whose punycode is
// not ASCII, which Python then runs through nameprep (RFC 3491, with the
// Unicode 3.2 tables of the stringprep module), not reproduced here.
var errNameprep = "an idna label whose punycode decodes to non-ASCII text needs nameprep"

// decodeIDNA is idna.Codec.decode (errors "strict" only: Python refuses
// any other handler, so replace fails). A label's error becomes a
// UnicodeDecodeError of the whole input, moved by the label's offset.
func decodeIDNA(input []byte, replace bool, out []rune) ([]rune, error) {
	if replace {
		return nil, &CodecError{Msg: "Unsupported error handling: replace"}
	}
	if len(input) == 0 {
		return out, nil
	}
	if !bytes.Contains(asciiLower(input), []byte("xn--")) && isASCII(input) {
		for _, c := range input {
			out = append(out, rune(c))
		}
		return out, nil
	}
	labels := bytes.Split(input, []byte("."))
	trailing := false
	if len(labels) > 0 && len(labels[len(labels)-1]) == 0 {
		trailing = true
		labels = labels[:len(labels)-1]
	}
	offset := 0
	for i, label := range labels {
		if i > 0 {
			out = append(out, '.')
		}
		var lerr *labelError
		out, lerr = idnaToUnicode(label, out)
		if lerr != nil {
			if lerr.unsupported {
				return nil, &UnsupportedCodecError{Spec: "idna", Module: "idna", Reason: errNameprep}
			}
			return nil, decodeError("idna", input, offset+lerr.start, offset+lerr.end, lerr.reason)
		}
		offset += len(label) + 1
	}
	if trailing {
		out = append(out, '.')
	}
	return out, nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// labelError is the exception idna.ToUnicode raises for a label, positioned
// in it; unsupported marks the labels that need nameprep.
type labelError struct {
	start, end  int
	reason      string
	unsupported bool
}

// idnaToUnicode is idna.ToUnicode of a bytes label.
func idnaToUnicode(label []byte, out []rune) ([]rune, *labelError) {
	if len(label) > 1024 {
		return nil, &labelError{start: 0, end: len(label), reason: "label way too long"}
	}
	if len(label) < 4 || string(asciiLower(label[:4])) != "xn--" {
		for i, c := range label {
			if c >= 0x80 {
				return nil, &labelError{start: i, end: i + 1, reason: "ordinal not in range(128)"}
			}
			out = append(out, rune(c))
		}
		return out, nil
	}
	result, perr := punycodeRunes(label[4:])
	if perr != nil {
		if perr.start.IsInt64() && perr.end.IsInt64() && perr.end.Int64() < 1<<40 {
			return nil, &labelError{start: 4 + int(perr.start.Int64()), end: 4 + int(perr.end.Int64()), reason: perr.reason}
		}
		return nil, &labelError{unsupported: true}
	}
	// ToASCII(result): an ASCII result is returned as it is, within the
	// length limits; any other goes through nameprep.
	for _, r := range result {
		if r >= 0x80 {
			return nil, &labelError{unsupported: true}
		}
	}
	switch {
	case len(result) == 0:
		return nil, &labelError{start: 0, end: 1, reason: "label empty"}
	case len(result) >= 64:
		return nil, &labelError{start: 0, end: len(result), reason: "label too long"}
	}
	label2 := make([]byte, len(result))
	for i, r := range result {
		label2[i] = byte(r)
	}
	if !bytes.Equal(asciiLower(label), label2) {
		return nil, &labelError{start: 0, end: len(label), reason: "IDNA does not round-trip, '" + pyBytesRepr(label) + "' != '" + pyBytesRepr(label2) + "'"}
	}
	return append(out, result...), nil
}

// pyBytesRepr is Python's repr() of a bytes object.
func pyBytesRepr(b []byte) string {
	quote := byte('\'')
	if bytes.IndexByte(b, '\'') >= 0 && bytes.IndexByte(b, '"') < 0 {
		quote = '"'
	}
	var sb strings.Builder
	sb.WriteString("b")
	sb.WriteByte(quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c < 0x20 || c >= 0x7F:
			fmt.Fprintf(&sb, `\x%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(quote)
	return sb.String()
}

// asciiUpper and asciiLower change the case of ASCII letters only, as
// Python's bytes.upper and bytes.lower do.
func asciiUpper(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
