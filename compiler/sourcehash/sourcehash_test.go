package sourcehash

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/dchest/siphash"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// inputs are the sources hashed by every interpreter in TestAgainstInterpreters.
func inputs() map[string][]byte {
	seq := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i % 251)
		}
		return b
	}
	return map[string][]byte{
		"empty":        {},
		"short":        []byte("x = 1\n"),
		"1 byte":       {0xff},
		"7 bytes":      []byte("abcdefg"),
		"8 bytes":      []byte("abcdefgh"),
		"9 bytes":      []byte("abcdefghi"),
		"15 bytes":     seq(15),
		"16 bytes":     seq(16),
		"17 bytes":     seq(17),
		"255 bytes":    seq(255),
		"256 bytes":    seq(256),
		"257 bytes":    seq(257),
		"65537 A":      bytes.Repeat([]byte("A"), 65537),
		"70000 seq":    seq(70000),
		"BOM and CRLF": []byte("\xef\xbb\xbf# -*- coding: utf-8 -*-\r\nx = 'caf\xc3\xa9'\r\n"),
		"latin-1":      []byte("# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n"),
		"NUL":          []byte("x = 1\x00\n"),
	}
}

// keys are extra SipHash keys given to _imp.source_hash, to cover key bits
// that no magic number sets.
var keys = []uint64{0, 1, 42, 0x7fffffff, 0x0a0d0d2b}

// pythonHashes asks in for importlib.util.source_hash of each input, then
// _imp.source_hash(key, input) for each key, in the order given.
func pythonHashes(t *testing.T, in pythons.Interpreter, data [][]byte) (magicHashes []string, keyed [][]string) {
	t.Helper()
	const script = `import sys, importlib.util, _imp
keys = [int(k) for k in sys.argv[1:]]
for line in sys.stdin:
    b = bytes.fromhex(line.strip())
    print(" ".join([importlib.util.source_hash(b).hex()] + [_imp.source_hash(k, b).hex() for k in keys]))
`
	args := []string{"-S", "-s", "-c", script}
	for _, k := range keys {
		args = append(args, fmt.Sprint(k))
	}
	cmd := exec.Command(in.Path, args...)
	var stdin strings.Builder
	for _, d := range data {
		stdin.WriteString(hex.EncodeToString(d))
		stdin.WriteByte('\n')
	}
	cmd.Stdin = strings.NewReader(stdin.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", in, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(data) {
		t.Fatalf("%s: %d answers for %d inputs", in, len(lines), len(data))
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 1+len(keys) {
			t.Fatalf("%s: bad answer line %q", in, l)
		}
		magicHashes = append(magicHashes, f[0])
		keyed = append(keyed, f[1:])
	}
	return magicHashes, keyed
}

// TestAgainstInterpreters compares Sum and SumKey with the source hash that
// every interpreter on the machine computes for the same bytes.
func TestAgainstInterpreters(t *testing.T) {
	ins := inputs()
	var names []string
	var data [][]byte
	for name, d := range ins {
		names = append(names, name)
		data = append(data, d)
	}
	for _, in := range pythons.Require(t, 2) {
		t.Run(in.Version+"_"+in.CacheTag, func(t *testing.T) {
			alg := ForVersion(in.Major, in.Minor)
			got, keyed := pythonHashes(t, in, data)
			for i, name := range names {
				sum := Sum(alg, in.Magic, data[i])
				if hex.EncodeToString(sum[:]) != got[i] {
					t.Errorf("%s: Sum(%v, %x, %s) = %x, importlib.util.source_hash = %s", in, alg, in.Magic, name, sum, got[i])
				}
				for j, k := range keys {
					sum := SumKey(alg, k, data[i])
					if hex.EncodeToString(sum[:]) != keyed[i][j] {
						t.Errorf("%s: SumKey(%v, %d, %s) = %x, _imp.source_hash = %s", in, alg, k, name, sum, keyed[i][j])
					}
				}
			}
			// The other algorithm must not match: the test would not notice
			// a wrong ForVersion otherwise.
			other := SipHash13
			if alg == SipHash13 {
				other = SipHash24
			}
			if sum := Sum(other, in.Magic, data[1]); hex.EncodeToString(sum[:]) == got[1] {
				t.Errorf("%s: %v and %v give the same hash for %q", in, alg, other, names[1])
			}
		})
	}
}

// vectors are the hashes recorded in the project's notes. Each row is
// checked against Sum, and, when an interpreter of that X.Y is on the
// machine, its magic number and its own hashes are checked against the row.
var vectors = []struct {
	minor  int
	magic  string
	hashes [5]string // b"", b"x = 1\n", b"abcdefghi", bytes(i % 251 for i in range(70000)), b"A" * 65537
}{
	{8, "550d0d0a", [5]string{"81e4881b3643e8e9", "1506f08f32bf3ff3", "b6578d250b37c656", "7ac81fc590149a9f", "23d4f851dbc67384"}},
	{9, "610d0d0a", [5]string{"ac0bb7c83e5b1c5f", "f1d665a9e50fdffa", "9146a7e4ceab9f7b", "5ecf36c06de743fb", "99069046292fdeca"}},
	{10, "6f0d0d0a", [5]string{"8cc0cd2525e7fd27", "d94aade28c8cbebf", "b8b2b03f109dc4e8", "29d68126bc2ec974", "75fea86c683846d5"}},
	{11, "a70d0d0a", [5]string{"738d9cd5d5e87f73", "4c0372aa93f75252", "e428a4f8cd79259b", "58680b937fd6ef74", "0c684ecd088d8adf"}},
	{12, "cb0d0d0a", [5]string{"baf18eedc9387a25", "1522561917f5df08", "b7ac9f47e285a5ee", "ef70c21e58e36462", "e5c53f0b0ab5ddc4"}},
	{13, "f30d0d0a", [5]string{"27ec6d312f93b814", "e786e2893651120e", "af7a8a21f813eb3a", "d55582f52ef0ad45", "0f4028d463de5595"}},
	{14, "2b0e0d0a", [5]string{"61f5b7cb653a6aa4", "1db2b6325ca282a7", "5c63413fa479832f", "fddd99cdbd8d6d22", "868b94482f058c31"}},
}

func TestVectors(t *testing.T) {
	ins := inputs()
	data := [5][]byte{ins["empty"], ins["short"], ins["9 bytes"], ins["70000 seq"], ins["65537 A"]}
	byMinor := map[int][]pythons.Interpreter{}
	for _, in := range pythons.Find(t) {
		byMinor[in.Minor] = append(byMinor[in.Minor], in)
	}
	checked := 0
	for _, v := range vectors {
		mb, err := hex.DecodeString(v.magic)
		if err != nil {
			t.Fatal(err)
		}
		magic := [4]byte(mb)
		alg := ForVersion(3, v.minor)
		for i, want := range v.hashes {
			if got := Sum(alg, magic, data[i]); hex.EncodeToString(got[:]) != want {
				t.Errorf("3.%d: Sum(%v, %s, input %d) = %x, want %s", v.minor, alg, v.magic, i, got, want)
			}
		}
		for _, in := range byMinor[v.minor] {
			if in.Magic != magic {
				t.Errorf("%s: magic %x, the table says %s", in, in.Magic, v.magic)
				continue
			}
			got, _ := pythonHashes(t, in, data[:])
			for i, want := range v.hashes {
				if got[i] != want {
					t.Errorf("%s: source_hash(input %d) = %s, the table says %s", in, i, got[i], want)
				}
			}
			checked++
		}
	}
	t.Logf("vectors cross-checked against %d interpreters", checked)
}

func TestForVersion(t *testing.T) {
	tests := []struct {
		major, minor int
		want         Algorithm
	}{
		{3, 8, SipHash24}, {3, 9, SipHash24}, {3, 10, SipHash24},
		{3, 11, SipHash13}, {3, 12, SipHash13}, {3, 13, SipHash13}, {3, 14, SipHash13}, {4, 0, SipHash13},
	}
	for _, tt := range tests {
		if got := ForVersion(tt.major, tt.minor); got != tt.want {
			t.Errorf("ForVersion(%d, %d) = %v, want %v", tt.major, tt.minor, got, tt.want)
		}
	}
	if SipHash13.String() != "SipHash-1-3" || SipHash24.String() != "SipHash-2-4" {
		t.Errorf("String() = %q, %q", SipHash13, SipHash24)
	}
}

// paperSip is SipHash-c-d written as the paper describes it, in a
// different shape from sip: the message is padded into whole blocks first.
func paperSip(c, d int, k0, k1 uint64, msg []byte) uint64 {
	padded := append([]byte(nil), msg...)
	for len(padded)%8 != 7 {
		padded = append(padded, 0)
	}
	padded = append(padded, byte(len(msg)))
	v := [4]uint64{k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573}
	rotl := func(x uint64, b uint) uint64 { return x<<b | x>>(64-b) }
	sipRound := func() {
		v[0] += v[1]
		v[2] += v[3]
		v[1] = rotl(v[1], 13)
		v[3] = rotl(v[3], 16)
		v[1] ^= v[0]
		v[3] ^= v[2]
		v[0] = rotl(v[0], 32)
		v[2] += v[1]
		v[0] += v[3]
		v[1] = rotl(v[1], 17)
		v[3] = rotl(v[3], 21)
		v[1] ^= v[2]
		v[3] ^= v[0]
		v[2] = rotl(v[2], 32)
	}
	for i := 0; i < len(padded); i += 8 {
		m := binary.LittleEndian.Uint64(padded[i:])
		v[3] ^= m
		for j := 0; j < c; j++ {
			sipRound()
		}
		v[0] ^= m
	}
	v[2] ^= 0xff
	for j := 0; j < d; j++ {
		sipRound()
	}
	return v[0] ^ v[1] ^ v[2] ^ v[3]
}

func FuzzSumKey(f *testing.F) {
	for _, d := range inputs() {
		if len(d) < 1000 {
			f.Add(uint64(0x0a0d0d55), d)
		}
	}
	f.Fuzz(func(t *testing.T, key uint64, data []byte) {
		h24 := SumKey(SipHash24, key, data)
		if want := siphash.Hash(key, 0, data); binary.LittleEndian.Uint64(h24[:]) != want {
			t.Fatalf("SipHash-2-4 %x: ours %x, github.com/dchest/siphash %x", data, h24, want)
		}
		if want := paperSip(2, 4, key, 0, data); binary.LittleEndian.Uint64(h24[:]) != want {
			t.Fatalf("SipHash-2-4 %x: ours %x, paper-shaped %x", data, h24, want)
		}
		h13 := SumKey(SipHash13, key, data)
		if want := paperSip(1, 3, key, 0, data); binary.LittleEndian.Uint64(h13[:]) != want {
			t.Fatalf("SipHash-1-3 %x: ours %x, paper-shaped %x", data, h13, want)
		}
	})
}

func BenchmarkSum(b *testing.B) {
	magic := [4]byte{0xcb, 0x0d, 0x0d, 0x0a}
	for _, size := range []int{64, 4 << 10, 64 << 10} {
		data := bytes.Repeat([]byte("x = 1\n"), size/6+1)[:size]
		for _, alg := range []Algorithm{SipHash13, SipHash24} {
			b.Run(fmt.Sprintf("%v/%d", alg, size), func(b *testing.B) {
				b.SetBytes(int64(size))
				for b.Loop() {
					Sum(alg, magic, data)
				}
			})
		}
	}
}
