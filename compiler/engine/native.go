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
	"github.com/rules-pyc/rules_pyc/compiler/release"
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

// compile compiles one source. Warnings go to the engine's Stderr, as
// CPython's warnings module prints them.
func (nb *nativeBackend) compile(ctx context.Context, j *Job, name string, src []byte, st fs.FileInfo) ([]byte, error) {
	e := nb.e
	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	req := native.Request{
		Source:   src,
		Name:     name,
		Release:  nb.target.Release,
		Optimize: j.Optimize,
		File:     readBack(name, j.Source, src, st),
		Stub:     j.Stub,
	}
	res, err := native.Compile(req)
	<-e.slots
	if len(res.Warnings) > 0 {
		var b strings.Builder
		for _, w := range res.Warnings {
			b.WriteString(native.FormatWarning(name, w, native.SourceLine(name, w.Lineno, req.Release)))
		}
		e.stderrMu.Lock()
		e.cfg.Stderr.Write([]byte(b.String()))
		e.stderrMu.Unlock()
	}
	var serr *syntaxerr.Error
	var unsup *native.UnsupportedError
	var fault *native.FaultError
	switch {
	case err == nil:
		return res.Code, nil
	case errors.As(err, &serr):
		return nil, &failure.CompileError{Msg: strings.TrimSuffix(syntaxerr.Format(serr), "\n"), Stub: res.Stub}
	case errors.As(err, &unsup):
		if nb.fallback != "" {
			ent, ferr := e.entry(ctx, nb.fallback)
			if ferr != nil {
				return nil, ferr
			}
			return ent.pool.Compile(ctx, interp.Request{Name: name, Source: src, Optimize: j.Optimize, Stub: j.Stub})
		}
		return nil, &failure.UnsupportedError{Err: unsup}
	case errors.As(err, &fault):
		return nil, &failure.NativeFaultError{Stage: fault.Stage, Err: fault.Err, Stack: fault.Stack}
	}
	return nil, err
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
