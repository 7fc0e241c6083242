package marshal_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/marshal"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// TestConcurrentSingletons dumps frozensets holding None, True, False and
// Ellipsis from several goroutines at once, each with its own Process: the
// singletons are the package's, shared by every compile, so a dump must
// never write to them. Under `go test -race` a write is reported; without
// it the test still checks that every dump gives the same bytes.
func TestConcurrentSingletons(t *testing.T) {
	v := ast.TupleValue([]ast.Value{
		ast.FrozenSetValue([]ast.Value{ast.NoneValue(), ast.IntValue(1), ast.BoolValue(true)}),
		ast.FrozenSetValue([]ast.Value{ast.BoolValue(false), ast.EllipsisValue(), ast.StrValue("x")}),
	})
	want, err := marshal.Dump(pyobj.NewProcess(nil).FromValue(v))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				got, err := marshal.Dump(pyobj.NewProcess(nil).FromValue(v))
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, want) {
					errs <- errors.New("a concurrent dump gave other bytes")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
