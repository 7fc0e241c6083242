package failure

import (
	"errors"
	"testing"
)

// TestNativeFaultNamesTheStageOnce: a stage's own error starts with the
// stage's name, which the message names already.
func TestNativeFaultNamesTheStageOnce(t *testing.T) {
	for _, c := range []struct {
		err  *NativeFaultError
		want string
	}{
		{&NativeFaultError{Stage: "codegen", Err: errors.New("codegen: no symbol table block for f")},
			"internal error of the native compiler (codegen): no symbol table block for f"},
		{&NativeFaultError{Stage: "flowgraph", Err: errors.New("stack depth below zero")},
			"internal error of the native compiler (flowgraph): stack depth below zero"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}
