package failure

import (
	"errors"
	"testing"
)

// TestNativeFaultNamesTheStageOnce: a stage's own errors carry no stage
// name; the message names the stage once, before the error.
func TestNativeFaultNamesTheStageOnce(t *testing.T) {
	for _, c := range []struct {
		stage, err, want string
	}{
		{"parser", "panic: runtime error: index out of range [3] with length 3",
			"internal error of the native compiler (parser): panic: runtime error: index out of range [3] with length 3"},
		{"symtable", "cannot build the table of a FunctionType",
			"internal error of the native compiler (symtable): cannot build the table of a FunctionType"},
		{"astopt", "unexpected statement *ast.Pass",
			"internal error of the native compiler (astopt): unexpected statement *ast.Pass"},
		{"codegen", "no symbol table block for f",
			"internal error of the native compiler (codegen): no symbol table block for f"},
		{"flowgraph", "invalid CFG, stack underflow",
			"internal error of the native compiler (flowgraph): invalid CFG, stack underflow"},
		{"assemble", "jump 0 (JUMP): instr: label 7 is not placed",
			"internal error of the native compiler (assemble): jump 0 (JUMP): instr: label 7 is not placed"},
		{"marshal", "can't write a Ellipsis",
			"internal error of the native compiler (marshal): can't write a Ellipsis"},
	} {
		err := &NativeFaultError{Stage: c.stage, Err: errors.New(c.err)}
		if got := err.Error(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.stage, got, c.want)
		}
	}
}
