package source

import (
	"bytes"
	"compress/flate"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// The stateless multi-byte codecs (CPython's Modules/cjkcodecs) are
// reproduced from tables that gen made by exploring each decoder from the
// outside: for every byte string that can start a character, the first
// step the decoder takes on it (decode so many bytes to so many characters,
// or fail with an error of so many bytes and a reason), and which strings
// it calls incomplete and needs more bytes for. Decoding walks those steps:
// an incomplete string at the end of the input is the error "incomplete
// multibyte sequence" covering the rest of the input, as CPython's
// multibytecodec reports it. Strings of four bytes, gb18030's four-byte
// form, were not explored: they are read as the form defines them (a
// linear index into the characters below U+10000, kept as runs, or from
// U+10000 on), anything else in them being an error of one byte.

//go:embed cjk/*.bin
var cjkFiles embed.FS

// cjkTable is a codec's steps: nodes[0] is the first byte's.
type cjkTable struct {
	encoding string // the codec name in exceptions
	reasons  []string
	nodes    [][256]uint32
	multi    [][]rune // the texts of steps that give several characters
	// four holds the runs of gb18030's four-byte form below U+10000:
	// from linear index base, characters first, first+1, ... (first 0:
	// undefined).
	four []cjkRun
}

type cjkRun struct{ base, first int32 }

// An entry packs a step: kind in bits 30-31; more: child node; ok: bytes
// consumed in bits 24-26, and either the character (bits 0-20) or, with
// bit 27, an index into multi; error: end in bits 8-15, reason index in
// bits 0-7.
const (
	cjkMore        = 0
	cjkOK          = 1
	cjkError       = 2
	cjkUnsupported = 3
	cjkMultiFlag   = 1 << 27
)

type cjkLoad struct {
	once  sync.Once
	table *cjkTable
	err   error
}

var cjkTables sync.Map // codec name -> *cjkLoad

// loadCJK returns a codec's table, read and inflated on first use.
func loadCJK(name string) (*cjkTable, error) {
	v, _ := cjkTables.LoadOrStore(name, &cjkLoad{})
	l := v.(*cjkLoad)
	l.once.Do(func() {
		data, err := cjkFiles.ReadFile("cjk/" + name + ".bin")
		if err == nil {
			l.table, err = parseCJK(data)
		}
		if err != nil {
			l.err = fmt.Errorf("table of codec %s: %w", name, err)
		}
	})
	return l.table, l.err
}

var errCJKFormat = errors.New("damaged table")

func parseCJK(data []byte) (*cjkTable, error) {
	if !bytes.HasPrefix(data, []byte("CJK1")) {
		return nil, errCJKFormat
	}
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(data[4:])))
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(raw)
	uv := func() uint64 {
		v, e := binary.ReadUvarint(r)
		if e != nil && err == nil {
			err = errCJKFormat
		}
		return v
	}
	byt := func() byte {
		b, e := r.ReadByte()
		if e != nil && err == nil {
			err = errCJKFormat
		}
		return b
	}
	str := func() string {
		n := uv()
		if n > uint64(r.Len()) {
			err = errCJKFormat
			return ""
		}
		b := make([]byte, n)
		_, _ = io.ReadFull(r, b)
		return string(b)
	}
	t := &cjkTable{encoding: str()}
	nr := uv()
	for i := uint64(0); i < nr && err == nil; i++ {
		t.reasons = append(t.reasons, str())
	}
	nn := uv()
	if err != nil || nn > 1<<16 {
		return nil, errCJKFormat
	}
	t.nodes = make([][256]uint32, nn)
	var prev int64
	for i := range t.nodes {
		for b := 0; b < 256 && err == nil; b++ {
			var e uint32
			switch kind := byt(); kind {
			case cjkMore:
				child := uv()
				if child >= nn {
					return nil, errCJKFormat
				}
				e = cjkMore<<30 | uint32(child)
			case cjkOK:
				n := uint32(byt())
				count := uv()
				if count > 16 {
					return nil, errCJKFormat
				}
				runes := make([]rune, count)
				for k := range runes {
					d, e2 := binary.ReadVarint(r)
					if e2 != nil {
						return nil, errCJKFormat
					}
					prev += d
					runes[k] = rune(prev)
				}
				if len(runes) == 1 {
					e = cjkOK<<30 | n<<24 | uint32(runes[0])&0x1FFFFF
				} else {
					e = cjkOK<<30 | n<<24 | cjkMultiFlag | uint32(len(t.multi))
					t.multi = append(t.multi, runes)
				}
			case cjkError:
				end := uint32(byt())
				rsn := uv()
				if rsn >= uint64(len(t.reasons)) {
					return nil, errCJKFormat
				}
				e = cjkError<<30 | end<<8 | uint32(rsn)
			case cjkUnsupported:
				e = cjkUnsupported << 30
			default:
				return nil, errCJKFormat
			}
			t.nodes[i][b] = e
		}
	}
	nf := uv()
	if err != nil || nf > 1<<16 {
		return nil, errCJKFormat
	}
	for i := uint64(0); i < nf; i++ {
		base, first := uv(), uv()
		t.four = append(t.four, cjkRun{int32(base), int32(first)})
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// fourByte is gb18030's step on the four-byte form at b[0:] (b[0] a lead
// byte, b[1] a digit): the character and true, or an error's end and
// reason, or unsupported for a codec without the form.
func (t *cjkTable) fourByte(b []byte) (r rune, end int, reason string) {
	if len(b) < 4 {
		return 0, len(b), "incomplete multibyte sequence"
	}
	c1, c2, c3, c4 := int32(b[0])-0x81, int32(b[1])-0x30, int32(b[2])-0x81, int32(b[3])-0x30
	const illegal = "illegal multibyte sequence"
	if c1 < 0 || c1 > 0x7D || c2 < 0 || c2 > 9 || c3 < 0 || c3 > 0x7D || c4 < 0 || c4 > 9 {
		return 0, 1, illegal
	}
	lin := ((c1*10+c2)*126+c3)*10 + c4
	switch {
	case c1 < 4 && lin < 39420:
		// The last run starting at or before lin.
		lo, hi := 0, len(t.four)
		for lo+1 < hi {
			mid := (lo + hi) / 2
			if t.four[mid].base <= lin {
				lo = mid
			} else {
				hi = mid
			}
		}
		if lo < len(t.four) && t.four[lo].base <= lin && t.four[lo].first != 0 {
			return t.four[lo].first + (lin - t.four[lo].base), 0, ""
		}
	case c1 >= 15:
		if cp := 0x10000 + lin - 15*12600; cp <= 0x10FFFF {
			return cp, 0, ""
		}
	}
	return 0, 1, illegal
}

// decodeCJK decodes b with the table of codec name.
func decodeCJK(name string, b []byte, replace bool, out []rune) ([]rune, error) {
	t, err := loadCJK(name)
	if err != nil {
		return nil, err
	}
	for pos := 0; pos < len(b); {
		node := &t.nodes[0]
		d := 0
		for {
			e := node[b[pos+d]]
			var end int
			var reason string
			switch e >> 30 {
			case cjkMore:
				d++
				if pos+d < len(b) {
					node = &t.nodes[e&0xFFFF]
					continue
				}
				end, reason = len(b), "incomplete multibyte sequence"
			case cjkOK:
				if e&cjkMultiFlag != 0 {
					out = append(out, t.multi[e&0xFFFFFF&^cjkMultiFlag]...)
				} else {
					out = append(out, rune(e&0x1FFFFF))
				}
				pos += int(e>>24) & 7
			case cjkError:
				end, reason = pos+int(e>>8&0xFF), t.reasons[e&0xFF]
			default:
				if len(t.four) == 0 {
					return nil, &UnsupportedCodecError{Spec: name, Module: name, Reason: "a four-byte sequence at position " + fmt.Sprint(pos)}
				}
				r, n, why := t.fourByte(b[pos:])
				if why == "" {
					out = append(out, r)
					pos += 4
					break
				}
				end, reason = pos+n, why
			}
			if reason != "" {
				if !replace {
					return nil, decodeError(t.encoding, b, pos, end, reason)
				}
				out = append(out, 0xFFFD)
				pos = end
			}
			break
		}
	}
	return out, nil
}

// decodeHZ is the hz codec (RFC 1843): ASCII until "~{", then pairs of
// seven-bit bytes read as GB 2312 (gb2312's table with the high bits set)
// until "~}"; "~~" is '~' and "~\n" nothing, both in ASCII mode only. Any
// other '~' pair, a byte with the high bit set, and a pair that GB 2312
// lacks are errors of one byte; the mode survives an error.
func decodeHZ(b []byte, replace bool, out []rune) ([]rune, error) {
	gb, err := loadCJK("gb2312")
	if err != nil {
		return nil, err
	}
	const name = "hz"
	gbMode := false
	for pos := 0; pos < len(b); {
		c := b[pos]
		n, reason := 0, ""
		switch {
		case c == '~':
			if pos+1 >= len(b) {
				reason = "incomplete multibyte sequence"
				break
			}
			switch c2 := b[pos+1]; {
			case c2 == '~' && !gbMode:
				out = append(out, '~')
			case c2 == '{' && !gbMode:
				gbMode = true
			case c2 == '\n' && !gbMode:
			case c2 == '}' && gbMode:
				gbMode = false
			default:
				n, reason = 1, "illegal multibyte sequence"
			}
			if reason == "" {
				pos += 2
				continue
			}
		case c >= 0x80:
			n, reason = 1, "illegal multibyte sequence"
		case !gbMode:
			out = append(out, rune(c))
			pos++
			continue
		case pos+1 >= len(b):
			reason = "incomplete multibyte sequence"
		default:
			n, reason = 1, "illegal multibyte sequence"
			if c2 := b[pos+1]; c2 < 0x80 {
				if e := gb.nodes[0][c|0x80]; e>>30 == cjkMore {
					if e2 := gb.nodes[e&0xFFFF][c2|0x80]; e2>>30 == cjkOK && e2&cjkMultiFlag == 0 && (e2>>24)&7 == 2 {
						out = append(out, rune(e2&0x1FFFFF))
						pos += 2
						continue
					}
				}
			}
		}
		end := pos + n
		if n == 0 {
			end = len(b)
		}
		if !replace {
			return nil, decodeError(name, b, pos, end, reason)
		}
		out = append(out, 0xFFFD)
		pos = end
	}
	return out, nil
}
