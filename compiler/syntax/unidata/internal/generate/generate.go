// Package generate makes the tables of package unidata for one Unicode
// version from the unicodedata module and str methods of a CPython
// interpreter that has that version: it runs dump.py (beside this file) in
// the interpreter and turns what it prints into the Go file
// vMAJOR_MINOR.go, which declares the variable VMAJOR_MINOR and registers
// it for unidata.ForVersion. The file depends only on what the interpreter
// says, so two interpreters with the same Unicode version give the same
// bytes (the package's tests check the committed file that way).
package generate

import (
	"bufio"
	"bytes"
	"compress/flate"
	_ "embed"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"go/format"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

//go:embed dump.py
var dumpScript string

// Flag bits of a property record. They must agree with the flag constants of
// package unidata; the package's tests check every code point against an
// interpreter, so a disagreement fails them.
const (
	flagDecomposes   = 1 << 5 // NFKD of the character alone is not the character
	flagComposesBack = 1 << 6 // may compose with the character before it (set here)
	dumpFlags        = 1<<6 - 1
)

// Hangul jamo that combine with a preceding jamo or syllable.
const (
	vBase, vCount = 0x1161, 21
	tBase, tCount = 0x11A7, 28
	maxRune       = 0x10FFFF
)

// Result is a generated file.
type Result struct {
	// Name is the file's base name, "v15_1.go" for Unicode 15.1.0.
	Name string
	// Source is its content, gofmt-formatted.
	Source []byte
	// Version is the Unicode version, "15.1.0".
	Version string
	// Summary says how large the tables are, for the generator's log.
	Summary string
}

// Run runs dump.py with the interpreter command line python (to which it
// appends `-S -s -c SCRIPT`) and returns the Go file. When aliases is not
// empty it names a NameAliases.txt that dump.py checks the aliases it
// finds against; the file does not change the result. The interpreter's
// standard error goes to stderr.
func Run(python []string, aliases string, stderr io.Writer) (*Result, error) {
	if len(python) == 0 {
		return nil, errors.New("no interpreter command")
	}
	args := append(python[1:len(python):len(python)], "-S", "-s", "-c", dumpScript)
	if aliases != "" {
		abs, err := filepath.Abs(aliases)
		if err != nil {
			return nil, err
		}
		args = append(args, abs)
	}
	cmd := exec.Command(python[0], args...)
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Join(python, " "), err)
	}
	d, err := parse(out)
	if err != nil {
		return nil, fmt.Errorf("reading the output of %s: %w", strings.Join(python, " "), err)
	}
	return d.generate()
}

// data is what dump.py prints.
type data struct {
	version    string // "15.1.0"
	python     string // "3.13"
	flags      []uint8
	ccc        []uint8
	decomp     map[rune][]rune
	composites [][3]rune // composite, first, second
	names      []entry   // character names and aliases
	ideographs [][2]rune
	tangut     [][2]rune
}

type entry struct {
	r     rune
	alias bool
	name  string
}

func parse(out []byte) (*data, error) {
	d := &data{
		flags:  make([]uint8, maxRune+1),
		ccc:    make([]uint8, maxRune+1),
		decomp: map[rune][]rune{},
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	covered := rune(0)
	ended := false
	for line := 1; sc.Scan(); line++ {
		f := strings.SplitN(sc.Text(), " ", 3)
		bad := func(err error) error { return fmt.Errorf("line %d %q: %w", line, sc.Text(), err) }
		if ended {
			return nil, bad(errors.New("after end"))
		}
		switch f[0] {
		case "unidata":
			d.version = f[1]
		case "python":
			d.python = f[1]
		case "P":
			fs := strings.Fields(sc.Text())
			if len(fs) != 5 {
				return nil, bad(errors.New("want 4 fields"))
			}
			lo, hi, err := runePair(fs[1], fs[2])
			if err != nil {
				return nil, bad(err)
			}
			flags, err1 := strconv.ParseUint(fs[3], 10, 8)
			ccc, err2 := strconv.ParseUint(fs[4], 10, 8)
			if err := errors.Join(err1, err2); err != nil {
				return nil, bad(err)
			}
			if lo != covered || hi < lo || flags&^dumpFlags != 0 {
				return nil, bad(fmt.Errorf("run does not continue at U+%04X or has bad flags", covered))
			}
			for r := lo; r <= hi; r++ {
				d.flags[r], d.ccc[r] = uint8(flags), uint8(ccc)
			}
			covered = hi + 1
		case "D", "C":
			rs, err := runes(strings.Fields(sc.Text())[1:])
			if err != nil {
				return nil, bad(err)
			}
			if f[0] == "D" {
				if len(rs) < 2 {
					return nil, bad(errors.New("empty decomposition"))
				}
				d.decomp[rs[0]] = rs[1:]
			} else {
				if len(rs) != 3 {
					return nil, bad(errors.New("want 3 code points"))
				}
				d.composites = append(d.composites, [3]rune{rs[0], rs[1], rs[2]})
			}
		case "N", "A":
			if len(f) != 3 {
				return nil, bad(errors.New("want a code point and a name"))
			}
			r, err := runeOf(f[1])
			if err != nil {
				return nil, bad(err)
			}
			d.names = append(d.names, entry{r, f[0] == "A", f[2]})
		case "I", "G":
			fs := strings.Fields(sc.Text())
			if len(fs) != 3 {
				return nil, bad(errors.New("want 2 fields"))
			}
			lo, hi, err := runePair(fs[1], fs[2])
			if err != nil {
				return nil, bad(err)
			}
			if f[0] == "I" {
				d.ideographs = append(d.ideographs, [2]rune{lo, hi})
			} else {
				d.tangut = append(d.tangut, [2]rune{lo, hi})
			}
		case "end":
			ended = true
		default:
			return nil, bad(errors.New("unknown line"))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	switch {
	case !ended:
		return nil, errors.New("output ends before its end line")
	case covered != maxRune+1:
		return nil, fmt.Errorf("properties stop at U+%04X", covered)
	case d.version == "" || d.python == "":
		return nil, errors.New("no version line")
	}
	return d, d.check()
}

// check verifies what the lookup code relies on.
func (d *data) check() error {
	for _, c := range d.composites {
		if d.ccc[c[1]] != 0 {
			return fmt.Errorf("composite U+%04X starts with a non-starter", c[0])
		}
	}
	for r, rs := range d.decomp {
		if d.flags[r]&flagDecomposes == 0 {
			return fmt.Errorf("U+%04X has a decomposition but no flag", r)
		}
		for _, x := range rs {
			if d.decomp[x] != nil {
				return fmt.Errorf("the decomposition of U+%04X is not full", r)
			}
		}
	}
	seen := map[string]bool{}
	for _, e := range d.names {
		if seen[e.name] {
			return fmt.Errorf("name %q twice", e.name)
		}
		seen[e.name] = true
		for i := 0; i < len(e.name); i++ {
			if c := e.name[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == ' ' || c == '-') {
				return fmt.Errorf("name %q has a byte %q outside [A-Z0-9 -]", e.name, c)
			}
		}
	}
	return nil
}

func runeOf(s string) (rune, error) {
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil || v > maxRune {
		return 0, fmt.Errorf("bad code point %q", s)
	}
	return rune(v), nil
}

func runePair(a, b string) (rune, rune, error) {
	lo, err1 := runeOf(a)
	hi, err2 := runeOf(b)
	return lo, hi, errors.Join(err1, err2)
}

func runes(fs []string) ([]rune, error) {
	rs := make([]rune, len(fs))
	for i, s := range fs {
		r, err := runeOf(s)
		if err != nil {
			return nil, err
		}
		rs[i] = r
	}
	return rs, nil
}

// ident is the version's part of the Go names: "15_1" for 15.1.0, "6_3_1"
// for 6.3.1.
func (d *data) ident() string {
	v := strings.TrimSuffix(d.version, ".0")
	return strings.ReplaceAll(v, ".", "_")
}

// generate returns the Go file for d.
func (d *data) generate() (*Result, error) {
	flags := append([]uint8(nil), d.flags...)
	for _, c := range d.composites {
		flags[c[2]] |= flagComposesBack
	}
	for r := rune(vBase); r < vBase+vCount; r++ {
		flags[r] |= flagComposesBack
	}
	for r := rune(tBase + 1); r < tBase+tCount; r++ {
		flags[r] |= flagComposesBack
	}

	// Property records, numbered in order of first use.
	recIndex := map[[2]uint8]int{}
	var recs [][2]uint8
	perRune := make([]uint8, maxRune+1)
	for r := range perRune {
		k := [2]uint8{flags[r], d.ccc[r]}
		i, ok := recIndex[k]
		if !ok {
			i = len(recs)
			if i >= len(printable) {
				return nil, fmt.Errorf("more than %d property records", len(printable))
			}
			recIndex[k] = i
			recs = append(recs, k)
		}
		perRune[r] = uint8(i)
	}
	shift, index, blocks, err := twoLevel(perRune)
	if err != nil {
		return nil, err
	}
	// A record is named by a byte that a Go string literal holds as
	// itself, the most used first: a quarter of the size of \x escapes.
	uses := make([]int, len(recs))
	for _, b := range blocks {
		uses[b]++
	}
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return uses[order[i]] > uses[order[j]] })
	byteOf := make([]byte, len(recs))
	recBytes := make([]byte, 512)
	for rank, i := range order {
		c := printable[rank]
		byteOf[i] = c
		recBytes[2*int(c)], recBytes[2*int(c)+1] = recs[i][0], recs[i][1]
	}
	for i, b := range blocks {
		blocks[i] = byteOf[b]
	}

	norm, err := d.normalization()
	if err != nil {
		return nil, err
	}

	// Names: lines "DELTA\tNAME\n" in code point order, DELTA the hex
	// distance from the previous line's code point (-1 before the first),
	// left out when it is 1.
	ents := append([]entry(nil), d.names...)
	sort.SliceStable(ents, func(i, j int) bool {
		if ents[i].r != ents[j].r {
			return ents[i].r < ents[j].r
		}
		return !ents[i].alias && ents[j].alias
	})
	var text bytes.Buffer
	prev := rune(-1)
	maxLen := 0
	for _, e := range ents {
		if delta := e.r - prev; delta != 1 {
			fmt.Fprintf(&text, "%X", delta)
		}
		text.WriteByte('\t')
		text.WriteString(e.name)
		text.WriteByte('\n')
		prev = e.r
		maxLen = max(maxLen, len(e.name))
	}
	names := deflate(text.Bytes())

	id := d.ident()
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by compiler/syntax/unidata/gen from the unicodedata module of CPython %s (Unicode %s). DO NOT EDIT.\n\n", d.python, d.version)
	b.WriteString("package unidata\n\n")
	fmt.Fprintf(&b, "// V%s is Unicode %s, the version of CPython %s's unicodedata.\n", id, d.version, d.python)
	fmt.Fprintf(&b, "var V%s = &Tables{\n", id)
	fmt.Fprintf(&b, "version: %q,\n", d.version)
	fmt.Fprintf(&b, "propShift: %d,\n", shift)
	fmt.Fprintf(&b, "propIndex: %s,\n", quote(index))
	fmt.Fprintf(&b, "propBlocks: %s,\n", quote(blocks))
	fmt.Fprintf(&b, "propRecords: %s,\n", quote(recBytes))
	fmt.Fprintf(&b, "normDeflated: %s,\n", base64Literal(norm))
	for _, runs := range []struct {
		field string
		runs  [][2]rune
	}{{"ideographs", d.ideographs}, {"tangut", d.tangut}} {
		fmt.Fprintf(&b, "%s: [][2]int32{", runs.field)
		for i, r := range runs.runs {
			if i%4 == 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "{0x%04X, 0x%04X}, ", r[0], r[1])
		}
		b.WriteString("\n},\n")
	}
	fmt.Fprintf(&b, "maxNameLen: %d,\n", maxLen)
	fmt.Fprintf(&b, "nameCount: %d,\n", len(ents))
	fmt.Fprintf(&b, "namesDeflated: %s,\n}\n\n", base64Literal(names))
	fmt.Fprintf(&b, "func init() { register(V%s) }\n", id)
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the generated file: %w", err)
	}
	return &Result{
		Name:    "v" + id + ".go",
		Source:  src,
		Version: d.version,
		Summary: fmt.Sprintf("Unicode %s: %d property records; blocks of %d: index %d + blocks %d bytes; %d decompositions and %d compositions, deflated %d bytes; %d names and aliases, %d bytes, deflated %d",
			d.version, len(recs), 1<<shift, len(index), len(blocks), len(d.decomp), len(d.composites), len(norm), len(ents), text.Len(), len(names)),
	}, nil
}

// printable are the bytes that a Go string literal holds as themselves.
var printable = func() []byte {
	var p []byte
	for c := byte(0x20); c < 0x7F; c++ {
		if c != '"' && c != '\\' {
			p = append(p, c)
		}
	}
	return p
}()

// normalization returns the data of the NFKC slow path, deflated: unsigned
// varints,
//
//	the number of decompositions, then for each (by code point): the code
//	point minus the previous one, the number of runes, the runes;
//	the number of compositions, then for each (by first, then second
//	rune): the first rune minus the previous first, the second, the
//	composite.
func (d *data) normalization() ([]byte, error) {
	keys := make([]rune, 0, len(d.decomp))
	for r := range d.decomp {
		keys = append(keys, r)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	p := binary.AppendUvarint(nil, uint64(len(keys)))
	prev := rune(0)
	for _, r := range keys {
		p = binary.AppendUvarint(p, uint64(r-prev))
		prev = r
		p = binary.AppendUvarint(p, uint64(len(d.decomp[r])))
		for _, x := range d.decomp[r] {
			p = binary.AppendUvarint(p, uint64(x))
		}
	}
	comps := append([][3]rune(nil), d.composites...)
	sort.Slice(comps, func(i, j int) bool {
		if comps[i][1] != comps[j][1] {
			return comps[i][1] < comps[j][1]
		}
		return comps[i][2] < comps[j][2]
	})
	p = binary.AppendUvarint(p, uint64(len(comps)))
	prev = 0
	for i, c := range comps {
		if i > 0 && comps[i-1][1] == c[1] && comps[i-1][2] == c[2] {
			return nil, fmt.Errorf("U+%04X and U+%04X compose from the same pair", comps[i-1][0], c[0])
		}
		p = binary.AppendUvarint(p, uint64(c[1]-prev))
		prev = c[1]
		p = binary.AppendUvarint(p, uint64(c[2]))
		p = binary.AppendUvarint(p, uint64(c[0]))
	}
	return deflate(p), nil
}

// deflate compresses p at the best level.
func deflate(p []byte) []byte {
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.BestCompression) // fails only for a bad level
	zw.Write(p)
	zw.Close()
	return z.Bytes()
}

// base64Literal writes p in base64 as a raw string literal in lines of 100
// columns (the decoder skips line breaks).
func base64Literal(p []byte) string {
	enc := base64.StdEncoding.EncodeToString(p)
	var b strings.Builder
	b.WriteString("`")
	for len(enc) > 0 {
		n := min(len(enc), 100)
		b.WriteString("\n" + enc[:n])
		enc = enc[n:]
	}
	b.WriteString("\n`")
	return b.String()
}

// twoLevel splits v into blocks of 1<<shift entries, shares equal blocks, and
// returns the shift with the smallest total, the block number of each block
// (one byte each) and the distinct blocks.
func twoLevel(v []uint8) (shift uint, index, blocks []byte, err error) {
	best := -1
	for s := uint(4); s <= 10; s++ {
		size := 1 << s
		seen := map[string]int{}
		var idx, blk []byte
		ok := true
		for i := 0; i < len(v); i += size {
			key := string(v[i : i+size])
			n, found := seen[key]
			if !found {
				n = len(seen)
				if n > 255 {
					ok = false
					break
				}
				seen[key] = n
				blk = append(blk, key...)
			}
			idx = append(idx, byte(n))
		}
		if ok && (best < 0 || len(idx)+len(blk) < best) {
			best, shift, index, blocks = len(idx)+len(blk), s, idx, blk
		}
	}
	if best < 0 {
		return 0, nil, nil, errors.New("no block size gives at most 256 distinct blocks")
	}
	return shift, index, blocks, nil
}

// quote writes p as a Go string literal, split into lines of about 100
// columns joined by +.
func quote(p []byte) string {
	var b strings.Builder
	b.WriteString("\"")
	col := 0
	for _, c := range p {
		if col >= 100 {
			b.WriteString("\" +\n\"")
			col = 0
		}
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
			col += 2
		case 0x20 <= c && c < 0x7F:
			b.WriteByte(c)
			col++
		default:
			fmt.Fprintf(&b, "\\x%02x", c)
			col += 4
		}
	}
	b.WriteString("\"")
	return b.String()
}
