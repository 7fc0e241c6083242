package native

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/stop"
)

// fuzzReleases are the codegen variants a fuzzed input is compiled for: the
// first release, the one that changed comprehensions, and the newest.
var fuzzReleases = []release.Release{
	{Major: 3, Minor: 13, Micro: 0},
	{Major: 3, Minor: 13, Micro: 5},
	{Major: 3, Minor: 13, Micro: 18},
}

// fuzzLimit is how long one fuzzed compile may take: the largest input the
// fuzzer makes compiles in milliseconds, so only a hang reaches it.
const fuzzLimit = 20 * time.Second

// FuzzCompile feeds any bytes to the whole native pipeline, for each
// codegen variant and optimization level. Whatever the input, Compile must
// finish, must not fault (a panic or a stack overflow of a stage, which
// Compile turns into a *FaultError) and must give the same result twice
// (no map order or shared state leaks into the output). That the result is
// CPython's is the oracle tests' and the mutation fuzzer's job; this one
// explores, guided by coverage, the inputs they would not make. The seed
// corpus (the cases, crashSources and a few fragments) runs in every `go
// test`; `go test -run XXX -fuzz FuzzCompile ./compiler/native` runs a
// campaign (docs/testing.md).
func FuzzCompile(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c.src), uint8(0))
	}
	for i, src := range crashSources {
		f.Add([]byte(src), uint8(i))
	}
	for _, src := range []string{
		"",
		"\xef\xbb\xbf# coding: latin-1\nx = 1\n",
		"def f(a, /, b=2, *c, d, **e):\n    return lambda: (yield)\n",
		"async def f():\n    async with a as b, c:\n        await [x async for x in y]\n",
		"match p:\n    case {'k': [1, *r], **kw} if r: pass\n    case C(a=1) | D(): pass\n",
		"try:\n    pass\nexcept* (E, F) as e:\n    raise\nfinally:\n    del x\n",
		"type A[T: int, *Ts, **P] = dict[T, P]\nclass C[T](B, metaclass=M): x: T\n",
		"f'{x!r:>{w}} {y=} {\"a\" \"b\"}'\nassert x, 'm'\n'doc'\n",
		"x = ((((((((((((((((((((((1))))))))))))))))))))))\n",
		"if a:\n\tb\n        c\n",
		"from __future__ import barry_as_FLUFL\n1 <> 2\n",
		"global x\nnonlocal y\n",
	} {
		f.Add([]byte(src), uint8(len(src)))
	}
	f.Fuzz(func(t *testing.T, src []byte, pick uint8) {
		req := Request{
			Source:   src,
			Name:     "fuzz.py",
			Release:  fuzzReleases[int(pick)%len(fuzzReleases)],
			Optimize: int(pick/8) % 3,
			File:     src,
			Stub:     pick&4 != 0,
		}
		first, err1 := fuzzCompile(t, req)
		second, err2 := fuzzCompile(t, req)
		if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Fatalf("%s -O%d: two compiles of %q failed differently: %v, then %v", req.Release, req.Optimize, src, err1, err2)
		}
		if !bytes.Equal(first.Code, second.Code) || !bytes.Equal(first.Stub, second.Stub) {
			t.Fatalf("%s -O%d: two compiles of %q gave different bytes", req.Release, req.Optimize, src)
		}
		if len(first.Warnings) != len(second.Warnings) {
			t.Fatalf("%s -O%d: two compiles of %q warned %d and %d times", req.Release, req.Optimize, src, len(first.Warnings), len(second.Warnings))
		}
		if err1 == nil && first.Code == nil {
			t.Fatalf("%s -O%d: %q compiled to no code and no error", req.Release, req.Optimize, src)
		}
	})
}

// fuzzCompile compiles req and fails the test on a fault or a hang.
func fuzzCompile(t *testing.T, req Request) (*Result, error) {
	t.Helper()
	halt := make(chan struct{})
	timer := time.AfterFunc(fuzzLimit, func() { close(halt) })
	defer timer.Stop()
	req.Stop = halt
	res, err := Compile(req)
	var fault *FaultError
	switch {
	case errors.As(err, &fault):
		t.Fatalf("%s -O%d: %q: %v\n%s", req.Release, req.Optimize, req.Source, err, fault.Stack)
	case errors.Is(err, stop.ErrStopped):
		t.Fatalf("%s -O%d: %q: no result after %s", req.Release, req.Optimize, req.Source, fuzzLimit)
	}
	if res == nil {
		res = &Result{}
	}
	return res, err
}
