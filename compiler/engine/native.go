package engine

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/compiler/native"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/stop"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// nativeBackend compiles for one release with the native compiler.
type nativeBackend struct {
	e      *Engine
	target Target
	// fallback, when set, is an interpreter of the same release that
	// compiles the sources the native compiler cannot reproduce (Auto).
	fallback string
}

// NativeCovered describes the releases the native backend covers (for
// messages and help texts); a release outside them is compiled by CPython
// (Auto) or refused (Native).
func NativeCovered() string { return native.Covered() }

// NativeDefault is the exact release DefaultNativeVersion stands for: the
// newest of its minor version this build knows ("3.13.18").
func NativeDefault() string {
	r, _, err := release.Parse(DefaultNativeVersion)
	if err != nil {
		// Not reached: the table of known releases holds
		// DefaultNativeVersion's minor version (TestTargetSelection).
		return DefaultNativeVersion
	}
	return r.String()
}

// native returns the native backend of rel.
func (e *Engine) native(rel release.Release) (*nativeBackend, error) {
	magic, tag, err := native.Magic(rel)
	if err != nil {
		return nil, &failure.UnsupportedReleaseError{Release: rel.String(), Covered: native.Covered(), Err: err}
	}
	return &nativeBackend{e: e, target: Target{Backend: Native, Release: rel, Magic: magic, CacheTag: tag}}, nil
}

func (nb *nativeBackend) withFallback(python string) *nativeBackend {
	c := *nb
	c.fallback = python
	return &c
}

// slot is a place in one of the engine's queues (a native compile slot,
// or a place ahead), held until released.
type slot struct{ ch chan struct{} }

// acquire takes a place in ch, or fails when ctx ends first.
func acquire(ctx context.Context, ch chan struct{}) (slot, error) {
	select {
	case ch <- struct{}{}:
		return slot{ch}, nil
	case <-ctx.Done():
		return slot{}, ctx.Err()
	}
}

// release gives the place back; releasing it again does nothing.
func (s *slot) release() {
	if s.ch != nil {
		<-s.ch
		s.ch = nil
	}
}

// readForSlot reads a native job's source and returns it with a compile
// slot. The job reads only once it is among the next Jobs to take a slot
// (a place in ahead), so that a worker sent many requests at once does not
// hold all their sources while they wait, and the next sources are read
// while the running compiles keep the CPUs busy.
func (e *Engine) readForSlot(ctx context.Context, path string) (slot, []byte, fs.FileInfo, error) {
	next, err := acquire(ctx, e.ahead)
	if err != nil {
		return slot{}, nil, nil, err
	}
	defer next.release()
	src, st, err := readSource(path, sources.get())
	if err != nil {
		return slot{}, nil, nil, err
	}
	s, err := acquire(ctx, e.slots)
	if err != nil {
		return slot{}, nil, nil, err
	}
	return s, src, st, nil
}

// compile reads j's source when it is among the next to take a compile
// slot (readForSlot) and compiles it in that slot, which it releases once
// the native compiler is done (before a fallback to CPython).
func (nb *nativeBackend) compile(ctx context.Context, j *Job, name string) ([]byte, fs.FileInfo, compiled, error) {
	s, src, st, err := nb.e.readForSlot(ctx, j.Source)
	if err != nil {
		return nil, nil, compiled{}, err
	}
	defer s.release()
	a, err := nb.compileIn(ctx, &s, j, name, src, st)
	return src, st, a, err
}

// compileIn compiles src in the slot s, which it releases once the native
// compiler is done, and returns its code and its warnings as CPython's
// warnings module prints them on stderr.
func (nb *nativeBackend) compileIn(ctx context.Context, s *slot, j *Job, name string, src []byte, st fs.FileInfo) (compiled, error) {
	e := nb.e
	limit := e.cfg.Timeout
	cctx, cancel := context.WithTimeout(ctx, limit)
	req := native.Request{
		Source:   src,
		Name:     name,
		Release:  nb.target.Release,
		Optimize: j.Optimize,
		File:     readBack(name, j.Source, src, st),
		Stub:     j.Stub,
		Prefix:   header(nb.target, j.Mode, src, st).Append(make([]byte, 0, pycfile.HeaderSize)),
		Stop:     cctx.Done(),
	}
	reusePyc := j.NoData && j.Output != ""
	if reusePyc {
		req.Out = outputs.get()
	}
	res, err := native.Compile(req)
	cancel()
	s.release()
	if errors.Is(err, stop.ErrStopped) {
		if ctx.Err() != nil {
			return compiled{}, ctx.Err()
		}
		return compiled{}, &failure.TimeoutError{Limit: limit, Native: true}
	}
	var warnings []byte
	for _, w := range res.Warnings {
		warnings = append(warnings, native.FormatWarning(name, w, native.SourceLine(name, w.Lineno, req.Release))...)
	}
	var serr *syntaxerr.Error
	var unsup *native.UnsupportedError
	var fault *native.FaultError
	switch {
	case err == nil:
		return compiled{Code: res.Code[len(req.Prefix):], Pyc: res.Code, Warnings: warnings, reuse: true, reusePyc: reusePyc}, nil
	case errors.As(err, &serr):
		return compiled{Warnings: warnings}, &failure.CompileError{Msg: strings.TrimSuffix(syntaxerr.Format(serr), "\n"), Stub: res.Stub}
	case errors.As(err, &unsup):
		if nb.fallback != "" {
			ent, ferr := e.entry(ctx, nb.fallback)
			if ferr != nil {
				return compiled{Warnings: warnings}, ferr
			}
			a, err := ent.pool.Compile(ctx, interp.Request{Name: name, Source: src, Optimize: j.Optimize, Stub: j.Stub})
			return compiled{Code: a.Code, Warnings: a.Warnings, reuse: true}, err
		}
		return compiled{Warnings: warnings}, &failure.UnsupportedError{Err: unsup}
	case errors.As(err, &fault):
		return compiled{Warnings: warnings}, &failure.NativeFaultError{Stage: fault.Stage, Err: fault.Err, Stack: fault.Stack}
	}
	return compiled{Warnings: warnings}, err
}

// readBack returns what CPython finds when it reads the file named name back
// for an error's line (relative to the working directory, as the CPython
// backend's server does): the source itself when name is the source's
// path or the same file, the file's bytes when it is another, nil when
// there is none.
func readBack(name, path string, src []byte, st fs.FileInfo) []byte {
	if name == path {
		return src
	}
	nst, err := os.Stat(name)
	if err != nil || !nst.Mode().IsRegular() {
		return nil
	}
	if st != nil && os.SameFile(st, nst) {
		return src
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	if bytes.Equal(data, src) {
		return src
	}
	return data
}
