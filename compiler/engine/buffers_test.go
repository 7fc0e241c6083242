package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
)

// TestNoDataReusesMemory: jobs with NoData, many at once and in rounds, so
// that each reads its source into and builds its .pyc in arrays earlier
// jobs used (of other sizes), write exactly the bytes a job without NoData
// returns for the same source, and the same errors and warnings; their
// Result.Data is nil.
func TestNoDataReusesMemory(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for name, src := range nativeSources {
		names = append(names, name)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Sources of many sizes, long and short in turn.
	for i := range 40 {
		var b strings.Builder
		for j := range (i%5)*300 + i {
			fmt.Fprintf(&b, "def f%d(a, b=%d):\n    return [x * a + %d for x in range(b)], 'w%d'\n", j, j, i, j)
		}
		name := fmt.Sprintf("sized%02d.py", i)
		names = append(names, name)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := engine.New(engine.Config{Backend: engine.Native, Version: "3.13.0", Jobs: 4})
	defer e.Close()
	ctx := context.Background()
	type outcome struct {
		data           []byte
		errMsg, warned string
	}
	errMsg := func(err error) string {
		var ce *failure.CompileError
		if errors.As(err, &ce) {
			return ce.Msg
		}
		if err != nil {
			t.Fatalf("%v", err)
		}
		return ""
	}
	want := map[string]outcome{}
	for _, name := range names {
		res, err := e.Compile(ctx, engine.Job{Source: filepath.Join(dir, name), Mode: pycfile.CheckedHash})
		want[name] = outcome{res.Data, errMsg(err), res.Warnings}
	}
	if o := want["plain.py"]; len(o.data) == 0 || o.errMsg != "" {
		t.Fatalf("plain.py: %d bytes, error %q", len(o.data), o.errMsg)
	}
	for round := range 3 {
		out := t.TempDir()
		got := make([]outcome, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := e.Compile(ctx, engine.Job{
					Source: filepath.Join(dir, name), Output: filepath.Join(out, name+"c"),
					Mode: pycfile.CheckedHash, NoData: true,
				})
				got[i] = outcome{res.Data, "", res.Warnings}
				var ce *failure.CompileError
				if errors.As(err, &ce) {
					got[i].errMsg = ce.Msg
				} else if err != nil {
					got[i].errMsg = "unexpected: " + err.Error()
				}
			}()
		}
		wg.Wait()
		for i, name := range names {
			g, w := got[i], want[name]
			if g.errMsg != w.errMsg || g.warned != w.warned {
				t.Errorf("round %d, %s: error %q, warnings %q; want %q, %q", round, name, g.errMsg, g.warned, w.errMsg, w.warned)
			}
			if w.errMsg != "" {
				continue
			}
			if g.data != nil {
				t.Errorf("round %d, %s: Result.Data has %d bytes, want none", round, name, len(g.data))
			}
			file, err := os.ReadFile(filepath.Join(out, name+"c"))
			if err != nil || !bytes.Equal(file, w.data) {
				t.Errorf("round %d, %s: wrote %d bytes (%v), want the %d of a job without NoData", round, name, len(file), err, len(w.data))
			}
		}
	}
}
