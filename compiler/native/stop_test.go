package native

import (
	"bytes"
	"errors"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/codegen"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/stop"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// TestStop stops compiles at each kind of poll the compile's entrance
// makes (before the parser, between stages, before a unit's CFG
// optimizer) and checks that each returns stop.ErrStopped with nothing
// else, and that the compiles after them, which reuse the pooled memory
// the stopped ones left, give the bytes a compile never stopped gives.
func TestStop(t *testing.T) {
	rel := release.Release{Major: 3, Minor: 13}
	src := []byte("import os\n\ndef f(a, b=2):\n    '''doc'''\n    return [x * a for x in range(b)] + ['\\d']\n\nclass C:\n    def m(self):\n        self.y = {1, 2, 3}\n")
	req := Request{Source: src, Name: "x.py", Release: rel, File: src}
	want, err := Compile(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Warnings) != 1 {
		t.Fatalf("the reference compile gave %d warnings, want 1 (the invalid escape)", len(want.Warnings))
	}
	for _, tc := range []struct {
		name string
		// closer closes ch at a stage of the compile (nil: before it).
		closer func(ch chan struct{}) *tracer
	}{
		{"before", func(ch chan struct{}) *tracer { close(ch); return nil }},
		{"after the parser", func(ch chan struct{}) *tracer {
			return &tracer{parsed: func(ast.ModNode) { close(ch) }}
		}},
		{"after the AST optimizer", func(ch chan struct{}) *tracer {
			return &tracer{optimized: func(ast.ModNode) { close(ch) }}
		}},
		{"after a unit's code generation", func(ch chan struct{}) *tracer {
			return &tracer{generated: func(*codegen.Unit) { close(ch) }}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := make(chan struct{})
			r := req
			r.Stop = ch
			res, err := compileTraced(r, tc.closer(ch))
			if !errors.Is(err, stop.ErrStopped) {
				t.Fatalf("got %v, want stop.ErrStopped", err)
			}
			if res.Code != nil || res.Stub != nil || res.Warnings != nil {
				t.Errorf("a stopped compile returned code (%d bytes), a stub (%d bytes) or warnings (%v)", len(res.Code), len(res.Stub), res.Warnings)
			}
			again, err := Compile(req)
			if err != nil || !bytes.Equal(again.Code, want.Code) || len(again.Warnings) != len(want.Warnings) {
				t.Errorf("the compile after a stopped one: %v, %d bytes (want %d), %d warnings", err, len(again.Code), len(want.Code), len(again.Warnings))
			}
		})
	}
}
