package native

import (
	"errors"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/native/assemble"
	"github.com/rules-pyc/rules_pyc/compiler/native/flowgraph"
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// TestStageErrorMessages pins the messages of a fault in each stage, made
// from an error of the stage's own package where one is easy to provoke:
// the stages' errors carry no stage name, and the message names the stage
// once. It also pins the refusal of a source CPython crashes on in the
// flow graph's optimizer.
func TestStageErrorMessages(t *testing.T) {
	rel := release.Release{Major: 3, Minor: 13, Micro: 0}
	p := pyobj.NewProcess(nil)
	cache := p.NewConstCache()
	_, symErr := symtable.Build(&ast.FunctionType{}, symtable.Config{Filename: "m.py", Release: rel})
	opt, err := flowgraph.New(opcode.V313, p)
	if err != nil {
		t.Fatal(err)
	}
	flowErr := opt.OptimizeUnit(&instr.Unit{Meta: instr.Metadata{Name: p.NewStr("f"), FirstLineNo: 1}}, cache, 0)
	var u instr.Unit
	u.Meta.Name = p.NewStr("f")
	u.Seq.Add(opcode.V313.MustLookup("JUMP"), 7, instr.NoLocation)
	_, asmErr := assemble.New(opcode.V313, p, cache).Assemble(&u, p.NewStr("m.py"))
	for _, c := range []struct {
		stage string
		err   error
		want  string // after "internal error of the native compiler "
	}{
		{"symtable", symErr, "symtable: cannot build the table of a FunctionType"},
		{"flowgraph", flowErr, "flowgraph: empty code unit"},
		{"assemble", asmErr, "assemble: jump 0 (JUMP): instr: label 7 is not placed"},
		{"codegen", errors.New("no symbol table block for f"), "codegen: no symbol table block for f"},
		{"marshal", errors.New("can't write a Ellipsis"), "marshal: can't write a Ellipsis"},
	} {
		if c.err == nil {
			t.Errorf("%s: no error", c.stage)
			continue
		}
		stage, detail, _ := strings.Cut(c.want, ": ")
		if got, want := (&FaultError{Stage: c.stage, Err: c.err}).Error(), "internal error of the native compiler in "+c.want; got != want {
			t.Errorf("FaultError: got %q, want %q", got, want)
		}
		if got, want := (&failure.NativeFaultError{Stage: c.stage, Err: c.err}).Error(), "internal error of the native compiler ("+stage+"): "+detail; got != want {
			t.Errorf("NativeFaultError: got %q, want %q", got, want)
		}
	}
	// The refusal names its stage once.
	refusal := (&UnsupportedError{Stage: "flowgraph", Err: flowgraphError(flowgraph.ErrExceptStackOverflow)}).Error()
	if want := "the native compiler cannot compile this source as CPython does (flowgraph): CPython crashes on this source: " +
		"its exception stack overflows (too many nested exception blocks)"; refusal != want {
		t.Errorf("refusal: got %q, want %q", refusal, want)
	}
}
