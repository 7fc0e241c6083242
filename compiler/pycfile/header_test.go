package pycfile

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/sourcehash"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

const pyCompileScript = `import sys, json, py_compile
out = []
for r in json.load(sys.stdin):
    py_compile.compile(r["src"], cfile=r["pyc"], dfile="x.py", doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode[r["mode"]])
    with open(r["pyc"], "rb") as f:
        out.append({"ok": f.read(16).hex()})
json.dump(out, sys.stdout)
`

type compileReq struct {
	Src  string `json:"src"`
	Pyc  string `json:"pyc"`
	Mode string `json:"mode"`
}

// mtimes are source modification times for the timestamp header: whole
// seconds, a time that st_mtime's float rounds up to the next second, one
// past 2**32 seconds (masked to 32 bits) and one before 1970 (int() rounds
// toward zero, then the mask).
var mtimes = []time.Time{
	time.Unix(1234567890, 0),
	time.Unix(1234567890, 999999999),
	time.Unix(1700000000, 999999000),
	time.Unix(1<<32+12345, 500000000),
	time.Unix(-2, 500000000),
}

// TestHeaderAgainstPyCompile compares Append with the first 16 bytes
// py_compile writes, for every mode and interpreter, and parses them back.
func TestHeaderAgainstPyCompile(t *testing.T) {
	sources := [][]byte{
		[]byte("x = 1\n"),
		[]byte("\xef\xbb\xbf# caf\xc3\xa9\r\ny = [1, 2]\r\n"),
	}
	for _, in := range pythons.Require(t, 2) {
		t.Run(in.Version+"_"+in.CacheTag, func(t *testing.T) {
			dir := t.TempDir()
			type want struct {
				src  string
				mode Invalidation
				head Header
			}
			var reqs []compileReq
			var wants []want
			for i, src := range sources {
				for j, mt := range mtimes {
					path := filepath.Join(dir, fmt.Sprintf("s%d_%d.py", i, j))
					if err := os.WriteFile(path, src, 0o644); err != nil {
						t.Fatal(err)
					}
					if err := os.Chtimes(path, mt, mt); err != nil {
						t.Fatal(err)
					}
					st, err := os.Stat(path)
					if err != nil {
						t.Fatal(err)
					}
					if !st.ModTime().Equal(mt) {
						t.Fatalf("%s: mtime %v after setting %v", path, st.ModTime(), mt)
					}
					mtime, size := Stamp(st.ModTime(), st.Size())
					for _, mode := range []Invalidation{Timestamp, CheckedHash, UncheckedHash} {
						if mode != Timestamp && j > 0 {
							continue // the hash does not depend on the mtime
						}
						h := Header{Magic: in.Magic, Mode: mode}
						if mode == Timestamp {
							h.Mtime, h.Size = mtime, size
						} else {
							h.Hash = sourcehash.Sum(sourcehash.ForVersion(in.Major, in.Minor), in.Magic, src)
						}
						pyc := fmt.Sprintf("%s.%s.pyc", path, mode)
						reqs = append(reqs, compileReq{path, pyc, strings.ToUpper(strings.ReplaceAll(mode.String(), "-", "_"))})
						wants = append(wants, want{path, mode, h})
					}
				}
			}
			var got []result
			in.RunJSON(t, pyCompileScript, reqs, &got)
			if len(got) != len(reqs) {
				t.Fatalf("%d answers for %d requests", len(got), len(reqs))
			}
			for i, w := range wants {
				pyHead, err := hex.DecodeString(*got[i].OK)
				if err != nil {
					t.Fatal(err)
				}
				if ours := w.head.Append(nil); !bytes.Equal(ours, pyHead) {
					t.Errorf("%s %v: Append = %x, py_compile wrote %x", filepath.Base(w.src), w.mode, ours, pyHead)
				}
				parsed, err := ParseHeader(pyHead)
				if err != nil {
					t.Errorf("%s %v: ParseHeader(%x): %v", filepath.Base(w.src), w.mode, pyHead, err)
				} else if parsed != w.head {
					t.Errorf("%s %v: ParseHeader(%x) = %+v, want %+v", filepath.Base(w.src), w.mode, pyHead, parsed, w.head)
				}
			}
		})
	}
}

// TestStampRoundsLikeFloat checks that the test above covers the case where
// int(st_mtime) differs from the whole seconds of the time.
func TestStampRoundsLikeFloat(t *testing.T) {
	mt := time.Unix(1234567890, 999999999)
	if got, _ := Stamp(mt, 0); got != 1234567891 {
		t.Errorf("Stamp(%v) mtime = %d, want 1234567891 (float rounding)", mt, got)
	}
	if got, size := Stamp(time.Unix(1<<32+5, 0), 1<<32+7); got != 5 || size != 7 {
		t.Errorf("Stamp past 2**32 = %d, %d; want 5, 7", got, size)
	}
}

const classifyScript = `import sys, json, importlib._bootstrap_external as be
out = []
for h in json.load(sys.stdin):
    try:
        flags = be._classify_pyc(bytes.fromhex(h), "x", {})
        out.append({"ok": str(flags)})
    except (ImportError, EOFError) as e:
        out.append({"err": "%s: %s" % (type(e).__name__, e)})
json.dump(out, sys.stdout)
`

// TestParseHeaderAgainstLoader gives the same headers to ParseHeader and to
// the import system's own check (importlib's _classify_pyc): both must accept
// or reject each, and agree on hash-based or not.
func TestParseHeaderAgainstLoader(t *testing.T) {
	for _, in := range pythons.Require(t, 2) {
		t.Run(in.Version+"_"+in.CacheTag, func(t *testing.T) {
			var heads []string
			for _, flags := range []uint32{0, 1, 2, 3, 4, 5, 7, 8, 0x100, 0x80000000, 0xffffffff} {
				b := append(in.Magic[:0:0], in.Magic[:]...)
				b = append(b, byte(flags), byte(flags>>8), byte(flags>>16), byte(flags>>24))
				b = append(b, "\x01\x02\x03\x04\x05\x06\x07\x08"...)
				heads = append(heads, hex.EncodeToString(b))
			}
			heads = append(heads, hex.EncodeToString(append(in.Magic[:], 3, 0, 0, 0, 1, 2, 3)))
			var got []result
			in.RunJSON(t, classifyScript, heads, &got)
			for i, hx := range heads {
				b, _ := hex.DecodeString(hx)
				h, err := ParseHeader(b)
				if (err != nil) != (got[i].OK == nil) {
					t.Errorf("%s: ParseHeader error %v, loader %s", hx, err, got[i])
					continue
				}
				if err != nil {
					continue
				}
				hashBased := *got[i].OK != "0" && *got[i].OK != "2"
				if h.Mode.HashBased() != hashBased {
					t.Errorf("%s: ParseHeader mode %v, loader flags %s", hx, h.Mode, *got[i].OK)
				}
			}
		})
	}
}

func TestParseHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want string
	}{
		{"empty", "", "fewer than 16 bytes"},
		{"15 bytes", "cb0d0d0a030000000102030405060708"[:30], "fewer than 16 bytes"},
		{"magic without CRLF", "cb0d0a0d030000000102030405060708", "does not end in"},
		{"flag bit 2", "cb0d0d0a040000000102030405060708", "invalid flags 0x4"},
		{"high flag bit", "cb0d0d0a000000800102030405060708", "invalid flags 0x80000000"},
	}
	for _, tt := range tests {
		b, err := hex.DecodeString(tt.hex)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseHeader(b); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseHeader error = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := ParseHeader(nil); !errors.Is(err, ErrShortHeader) {
		t.Errorf("ParseHeader(nil) error %v is not ErrShortHeader", err)
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	magic := [4]byte{0xf3, 0x0d, 0x0d, 0x0a}
	for _, h := range []Header{
		{Magic: magic, Mode: Timestamp, Mtime: 0xdeadbeef, Size: 42},
		{Magic: magic, Mode: CheckedHash, Hash: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}},
		{Magic: magic, Mode: UncheckedHash, Hash: [8]byte{8, 7, 6, 5, 4, 3, 2, 1}},
	} {
		b := h.Append([]byte("prefix"))
		if len(b) != len("prefix")+HeaderSize {
			t.Fatalf("Append wrote %d bytes", len(b)-len("prefix"))
		}
		got, err := ParseHeader(b[len("prefix"):])
		if err != nil || got != h {
			t.Errorf("ParseHeader(Append(%+v)) = %+v, %v", h, got, err)
		}
	}
}

func TestParseInvalidation(t *testing.T) {
	tests := map[string]Invalidation{
		"timestamp": Timestamp, "TIMESTAMP": Timestamp,
		"checked-hash": CheckedHash, "checked_hash": CheckedHash, "CHECKED_HASH": CheckedHash,
		"unchecked-hash": UncheckedHash, "unchecked_hash": UncheckedHash, "UNCHECKED_HASH": UncheckedHash,
	}
	for s, want := range tests {
		got, err := ParseInvalidation(s)
		if err != nil || got != want {
			t.Errorf("ParseInvalidation(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, bad := range []string{"", "Checked-Hash", "hash", "checked", " timestamp"} {
		_, err := ParseInvalidation(bad)
		if err == nil || !strings.Contains(err.Error(), "checked-hash, unchecked-hash or timestamp") {
			t.Errorf("ParseInvalidation(%q) error = %v, want one listing the valid values", bad, err)
		}
	}
	for m, want := range map[Invalidation]string{Timestamp: "timestamp", CheckedHash: "checked-hash", UncheckedHash: "unchecked-hash", 7: "Invalidation(7)"} {
		if got := m.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
