package main

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// cjkScript explores each multi-byte codec's decoder from the outside: the
// first step it takes on every byte string that can start a character,
// found by extending, one byte at a time, the strings it calls incomplete
// ("more"), down to three bytes. A step either decodes the string ("o":
// bytes consumed, text) or fails ("e": end of the error, reason). Strings
// of four bytes are not explored ("u"): they are gb18030's four-byte form,
// whose characters below U+10000 it lists ("four", by linear index; the
// others are U+10000 on, in order). It prints one JSON line per codec: the
// codec name the exceptions carry and the nodes in breadth-first order,
// each [prefix hex, 256 entries], where a "more" entry gives its child's
// index.
const cjkScript = `
import codecs, json, sys
rec = []
def handler(exc):
    rec.append((exc.start, exc.end, exc.reason, exc.encoding))
    return ("", exc.end)
codecs.register_error("cjkprobe", handler)
names = sys.argv[1:]
for name in names:
    encoding = None
    def step(q):
        global encoding
        rec.clear()
        out = q.decode(name, "cjkprobe")
        if rec:
            encoding = rec[0][3]
        if rec and rec[0][0] == 0:
            s, e, r, _ = rec[0]
            if r == "incomplete multibyte sequence" and e == len(q):
                return ["m"]
            return ["e", e, r]
        if not rec:
            return ["o", len(q), out]
        sys.exit("%s: %s decodes a prefix, then fails: %r" % (name, q.hex(), rec))
    nodes = [[b"", None]]
    i = 0
    while i < len(nodes):
        prefix = nodes[i][0]
        entries = []
        for b in range(256):
            q = prefix + bytes([b])
            st = step(q)
            if st[0] == "m":
                if len(q) >= 3 or (len(q) == 2 and name == "gb18030"):
                    st = ["u"]
                else:
                    st = ["m", len(nodes)]
                    nodes.append([q, None])
            entries.append(st)
        nodes[i][1] = entries
        i += 1
    four = []
    if name == "gb18030":
        # The four-byte form below U+10000: linear index i of the bytes
        # 81 30 81 30 + i (each byte in its range), 0 to 39419.
        for i in range(39420):
            c4 = i % 10; c3 = i // 10 % 126; c2 = i // 1260 % 10; c1 = i // 12600
            q = bytes([0x81 + c1, 0x30 + c2, 0x81 + c3, 0x30 + c4])
            try:
                s = q.decode(name)
                four.append(ord(s) if len(s) == 1 else -1)
            except UnicodeDecodeError:
                four.append(-1)
    print(json.dumps({"name": name, "encoding": encoding, "four": four, "nodes": [[p.hex(), e] for p, e in nodes]}))
`

// cjkCodecs are the stateless multi-byte codecs of the encodings package.
var cjkCodecs = []string{
	"big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213", "euc_jp",
	"euc_kr", "gb18030", "gb2312", "gbk", "johab", "shift_jis", "shift_jis_2004", "shift_jisx0213",
}

// Entry kinds of the binary tables (see compiler/syntax/source/cjk.go).
const (
	entryMore        = 0
	entryOK          = 1
	entryError       = 2
	entryUnsupported = 3
)

// writeCJK writes dir/NAME.bin for each codec: the decoder's steps as a
// compressed table.
func writeCJK(python []string, dir string) error {
	cmd := exec.Command(python[0], append(append(python[1:], "-S", "-c", cjkScript), cjkCodecs...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("running %s: %w", strings.Join(python, " "), err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	if len(lines) != len(cjkCodecs) {
		return fmt.Errorf("the interpreter described %d codecs of %d", len(lines), len(cjkCodecs))
	}
	total := 0
	for _, line := range lines {
		var c struct {
			Name     string               `json:"name"`
			Encoding string               `json:"encoding"`
			Four     []int                `json:"four"`
			Nodes    [][2]json.RawMessage `json:"nodes"`
		}
		if err := json.Unmarshal(line, &c); err != nil {
			return err
		}
		data, err := encodeCJK(c.Encoding, c.Nodes, c.Four)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		file := filepath.Join(dir, c.Name+".bin")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			return err
		}
		total += len(data)
		fmt.Fprintf(os.Stderr, "gen: %s: %d nodes, %d bytes\n", c.Name, len(c.Nodes), len(data))
	}
	fmt.Fprintf(os.Stderr, "gen: %d multi-byte codecs, %d bytes in %s\n", len(lines), total, dir)
	return nil
}

// encodeCJK writes a codec's table: "CJK1", the exception's codec name, the
// reasons, the node count, then each node's 256 entries (a kind byte; more:
// child index; ok: bytes consumed, character count, each character as the
// zigzag difference from the previous one; error: end, reason index),
// then the four-byte form's runs (count; each: first linear index, first
// character or 0 for undefined), flate-compressed after the magic.
func encodeCJK(encoding string, nodes [][2]json.RawMessage, four []int) ([]byte, error) {
	var body bytes.Buffer
	var tmp [binary.MaxVarintLen64]byte
	uv := func(v uint64) { body.Write(tmp[:binary.PutUvarint(tmp[:], v)]) }
	str := func(s string) { uv(uint64(len(s))); body.WriteString(s) }
	reasons := []string{}
	reasonIndex := map[string]int{}
	type entry struct {
		kind  byte
		n     int
		text  string
		child int
		rsn   int
	}
	all := make([][]entry, len(nodes))
	for i, nd := range nodes {
		var raw [][]json.RawMessage
		if err := json.Unmarshal(nd[1], &raw); err != nil {
			return nil, err
		}
		if len(raw) != 256 {
			return nil, fmt.Errorf("node %d has %d entries", i, len(raw))
		}
		for _, r := range raw {
			var kind string
			if err := json.Unmarshal(r[0], &kind); err != nil {
				return nil, err
			}
			var e entry
			switch kind {
			case "m":
				e.kind = entryMore
				if err := json.Unmarshal(r[1], &e.child); err != nil {
					return nil, err
				}
			case "o":
				e.kind = entryOK
				if err := json.Unmarshal(r[1], &e.n); err != nil {
					return nil, err
				}
				if err := json.Unmarshal(r[2], &e.text); err != nil {
					return nil, err
				}
			case "e":
				e.kind = entryError
				var reason string
				if err := json.Unmarshal(r[1], &e.n); err != nil {
					return nil, err
				}
				if err := json.Unmarshal(r[2], &reason); err != nil {
					return nil, err
				}
				idx, ok := reasonIndex[reason]
				if !ok {
					idx = len(reasons)
					reasons = append(reasons, reason)
					reasonIndex[reason] = idx
				}
				e.rsn = idx
			case "u":
				e.kind = entryUnsupported
			default:
				return nil, fmt.Errorf("unknown entry kind %q", kind)
			}
			all[i] = append(all[i], e)
		}
	}
	str(encoding)
	uv(uint64(len(reasons)))
	for _, r := range reasons {
		str(r)
	}
	uv(uint64(len(all)))
	var prev int64
	for _, es := range all {
		for _, e := range es {
			body.WriteByte(e.kind)
			switch e.kind {
			case entryMore:
				uv(uint64(e.child))
			case entryOK:
				runes := []rune(e.text)
				body.WriteByte(byte(e.n))
				uv(uint64(len(runes)))
				for _, r := range runes {
					d := int64(r) - prev
					body.Write(tmp[:binary.PutVarint(tmp[:], d)])
					prev = int64(r)
				}
			case entryError:
				body.WriteByte(byte(e.n))
				uv(uint64(e.rsn))
			}
		}
	}
	// Runs of the four-byte table: a new run wherever the character is not
	// the previous one plus one.
	type run struct{ base, first int }
	var runs []run
	for i, r := range four {
		if r < 0 {
			r = 0
		}
		if len(runs) > 0 {
			last := runs[len(runs)-1]
			if last.first != 0 && r != 0 && r == last.first+(i-last.base) || last.first == 0 && r == 0 {
				continue
			}
		}
		runs = append(runs, run{i, r})
	}
	uv(uint64(len(runs)))
	for _, r := range runs {
		uv(uint64(r.base))
		uv(uint64(r.first))
	}
	var out bytes.Buffer
	out.WriteString("CJK1")
	w, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(body.Bytes()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
