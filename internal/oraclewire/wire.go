// Package oraclewire is what the oracle packages' Python drivers
// (internal/cfgoracle, internal/codeoracle) and their Go sides share: the
// JSON form of a Python constant, and the way a driver runs.
//
// A driver is a Python script that reads one JSON request on stdin and
// writes one JSON line per item asked about. Its text is Prelude followed by
// its own: Prelude's wire_enc and wire_dec write and read constants in the
// form Scalar decodes here (a list, tag first; see wire.py). Containers and
// code objects are each package's own: a tuple's or frozenset's items are
// constants of the same form, decoded by the caller's type.
package oraclewire

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"

	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// Prelude is the Python text every driver starts with.
//
//go:embed wire.py
var Prelude string

// Scalar is a constant that is not a container or a code object.
type Scalar struct {
	Kind  pyobj.Kind
	Value ast.Value
	// Fresh marks a str tagged "S": at most one code point below U+0100,
	// and not CPython's cached singleton (the AST optimizer makes such strs).
	Fresh bool
}

// Split reads a constant's form: its tag and all its parts (the tag first).
func Split(b []byte) (string, []json.RawMessage, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil {
		return "", nil, err
	}
	if len(parts) == 0 {
		return "", nil, fmt.Errorf("empty constant")
	}
	var tag string
	if err := json.Unmarshal(parts[0], &tag); err != nil {
		return "", nil, fmt.Errorf("constant %s: %v", b, err)
	}
	return tag, parts, nil
}

// DecodeScalar decodes the scalar of tag from parts (as Split returns them).
// It reports false, with no error, for a tag that is not a scalar's.
func DecodeScalar(tag string, parts []json.RawMessage) (Scalar, bool, error) {
	arg := func(i int) (string, error) {
		if i >= len(parts) {
			return "", fmt.Errorf("constant %q: missing part %d", tag, i)
		}
		var s string
		err := json.Unmarshal(parts[i], &s)
		return s, err
	}
	hexArg := func(i int) (string, error) {
		s, err := arg(i)
		if err != nil {
			return "", err
		}
		d, err := hex.DecodeString(s)
		return string(d), err
	}
	float := func(i int) (float64, error) {
		s, err := hexArg(i)
		if err != nil || len(s) != 8 {
			return 0, fmt.Errorf("constant %q: bad float in part %d", tag, i)
		}
		return math.Float64frombits(binary.LittleEndian.Uint64([]byte(s))), nil
	}
	var s Scalar
	switch tag {
	case "N":
		s.Kind, s.Value = pyobj.None, ast.NoneValue()
	case "T", "F":
		s.Kind, s.Value = pyobj.Bool, ast.BoolValue(tag == "T")
	case "E":
		s.Kind, s.Value = pyobj.Ellipsis, ast.EllipsisValue()
	case "i":
		d, err := arg(1)
		if err != nil {
			return s, true, err
		}
		n, ok := new(big.Int).SetString(d, 10)
		if !ok {
			return s, true, fmt.Errorf("bad int %q", d)
		}
		s.Kind, s.Value = pyobj.Int, ast.BigIntValue(n)
	case "f":
		f, err := float(1)
		if err != nil {
			return s, true, err
		}
		s.Kind, s.Value = pyobj.Float, ast.FloatValue(f)
	case "c":
		re, err := float(1)
		if err != nil {
			return s, true, err
		}
		im, err := float(2)
		if err != nil {
			return s, true, err
		}
		s.Kind, s.Value = pyobj.Complex, ast.ComplexValue(re, im)
	case "s", "S", "b":
		d, err := hexArg(1)
		if err != nil {
			return s, true, err
		}
		if tag == "b" {
			s.Kind, s.Value = pyobj.Bytes, ast.BytesValue(d)
		} else {
			s.Kind, s.Value, s.Fresh = pyobj.Str, ast.StrValue(d), tag == "S"
		}
	default:
		return s, false, nil
	}
	return s, true, nil
}

// EncodeScalar returns the form of the scalar v of kind k, and false for a
// kind that is not a scalar's.
func EncodeScalar(k pyobj.Kind, v ast.Value) ([]any, bool) {
	f64 := func(f float64) string {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
		return hex.EncodeToString(b[:])
	}
	switch k {
	case pyobj.None:
		return []any{"N"}, true
	case pyobj.Bool:
		if v.Bool() {
			return []any{"T"}, true
		}
		return []any{"F"}, true
	case pyobj.Ellipsis:
		return []any{"E"}, true
	case pyobj.Int:
		return []any{"i", v.BigInt().String()}, true
	case pyobj.Float:
		return []any{"f", f64(v.Float())}, true
	case pyobj.Complex:
		re, im := v.Complex()
		return []any{"c", f64(re), f64(im)}, true
	case pyobj.Str:
		return []any{"s", hex.EncodeToString([]byte(v.Str()))}, true
	case pyobj.Bytes:
		return []any{"b", hex.EncodeToString([]byte(v.Bytes()))}, true
	}
	return nil, false
}

// Run runs the driver script (its own text; Prelude goes first) with py,
// sends it the request, and calls each with the i-th of n answer lines, in
// order. It stops at the first error each returns. name is the caller's
// name, for its errors.
func Run(ctx context.Context, name string, py pythons.Interpreter, script string, request any, n int, each func(i int, line []byte) error) error {
	req, err := json.Marshal(request)
	if err != nil {
		return fmt.Errorf("%s: the request: %w", name, err)
	}
	cmd := py.Command(ctx, "-S", "-s", "-c", Prelude+script)
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %s: %w", name, py, err)
	}
	r := bufio.NewReaderSize(out, 1<<20)
	i := 0
	var cbErr error
	for ; i < n; i++ {
		line, err := r.ReadBytes('\n')
		if err != nil {
			break
		}
		if cbErr = each(i, line); cbErr != nil {
			break
		}
	}
	if cbErr != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return cbErr
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("%s: %s: %v: %s", name, py, err, stderr.String())
	}
	if i != n {
		return fmt.Errorf("%s: %s: %d answers for %d items: %s", name, py, i, n, stderr.String())
	}
	return nil
}

// Source is one file a driver compiles: its path as the interpreter sees
// it and the name to record.
type Source struct {
	Path, Name string
}

// RunFiles runs a driver that compiles files (its request: "files", a
// list of [path, name] pairs, and "optimize", the optimization level) and
// calls each with the answer for sources[i] decoded as an F, in order.
func RunFiles[F any](ctx context.Context, name string, py pythons.Interpreter, script string, sources []Source, optimize int, each func(i int, f *F) error) error {
	files := make([][2]string, len(sources))
	for i, s := range sources {
		files[i] = [2]string{s.Path, s.Name}
	}
	req := map[string]any{"files": files, "optimize": optimize}
	return Run(ctx, name, py, script, req, len(sources), func(i int, line []byte) error {
		f := new(F)
		if err := json.Unmarshal(line, f); err != nil {
			return fmt.Errorf("%s: %s: decode the answer: %v", name, sources[i].Path, err)
		}
		return each(i, f)
	})
}

// HexStr is a string sent as hex (a str as its surrogatepass UTF-8, as
// wire_hexs writes it).
type HexStr string

// UnmarshalJSON decodes the hex.
func (h *HexStr) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	if err != nil {
		return err
	}
	*h = HexStr(d)
	return nil
}
