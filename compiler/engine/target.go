package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/compiler/native"
	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// Backend names what compiles: a real CPython, the native compiler, or
// whichever suits the target release.
type Backend string

const (
	// CPython compiles in an interpreter's fork server (compiler/interp,
	// compiler/pool): the interpreter named, or python3.
	CPython Backend = "cpython"
	// Native compiles with the native compiler (compiler/native), which
	// starts no interpreter, for the release the job targets (see
	// Engine.Target).
	Native Backend = "native"
	// Auto is Native when the target release is one the native compiler
	// covers, CPython otherwise.
	Auto Backend = "auto"
)

// ParseBackend reads a backend's name.
func ParseBackend(s string) (Backend, error) {
	switch b := Backend(s); b {
	case CPython, Native, Auto:
		return b, nil
	}
	return "", fmt.Errorf("unknown backend %q (cpython, native or auto)", s)
}

// Target is what the .pyc files of a job are for and who writes them.
type Target struct {
	// Backend is CPython or Native: what compiles.
	Backend Backend
	// Release is the CPython release the bytes are those of.
	Release release.Release
	// Magic is the .pyc magic number and CacheTag the __pycache__ tag
	// (cpython-313) of the release.
	Magic    [4]byte
	CacheTag string
	// Interpreter is the interpreter that compiles (CPython) or that named
	// the release (Native, when one was named); nil when none.
	Interpreter *interp.Info
}

// String describes the target for messages.
func (t Target) String() string {
	if t.Backend == Native {
		s := "the native compiler as CPython " + t.Release.String()
		if t.Interpreter != nil {
			s += " (the release of " + t.Interpreter.Path + ")"
		}
		return s
	}
	if t.Interpreter != nil {
		return t.Interpreter.String()
	}
	return "CPython " + t.Release.String()
}

// choice is a job's resolved target and the backend that compiles for it.
type choice struct {
	target  Target
	backend backend
}

// backend compiles one job's source for a choice's target: the CPython
// fork server of an interpreter (*entry) or the native compiler
// (*nativeBackend). It reads the source itself (when it reads is part of
// its scheduling) and returns it, with its file information for the
// header, whether or not the compile succeeded (a failed read returns
// only its error).
type backend interface {
	compile(ctx context.Context, j *Job, name string) (src []byte, st fs.FileInfo, a compiled, err error)
}

// choose resolves what compiles a job that names kind, python and version
// (empty: the engine's defaults), in the order of the release selection:
//
//  1. an interpreter named (python, or the default interpreter when no
//     version is given either): its exact release;
//  2. else a pinned X.Y.Z (version);
//  3. else X.Y: the newest release of X.Y known.
//
// CPython compiles with the interpreter (python3 by default) and checks it
// against version. Native compiles for the release so chosen, and refuses
// one it does not cover (*failure.UnsupportedReleaseError). Auto is Native
// for a covered release and CPython otherwise (an interpreter named, or
// python3 checked against version; when no interpreter will do,
// *failure.FallbackError also says why one was needed).
func (e *Engine) choose(ctx context.Context, kind Backend, python, version string) (*choice, error) {
	if kind == "" {
		kind = e.cfg.Backend
	}
	explicit := python != ""
	if python == "" && version == "" {
		python, version = e.cfg.Python, e.cfg.Version
		explicit = python != ""
	}
	if version != "" {
		// A malformed version is refused before any interpreter is
		// looked for, whatever the backend.
		if _, _, err := release.Parse(version); errors.Is(err, release.ErrSyntax) {
			return nil, err
		}
	}
	switch kind {
	case "", CPython:
		return e.chooseCPython(ctx, python, version)
	case Native, Auto:
	default:
		return nil, fmt.Errorf("unknown backend %q", kind)
	}

	// The release: an interpreter's, or the version's.
	var rel release.Release
	var info *interp.Info
	switch {
	case explicit || (kind == Auto && version == ""):
		var err error
		if info, err = e.identify(ctx, python); err != nil {
			return nil, err
		}
		if err := info.Check(version); err != nil {
			return nil, err
		}
		rel = release.Release{Major: info.Major, Minor: info.Minor, Micro: info.Micro}
	case version != "":
		r, _, err := release.Parse(version)
		if err != nil {
			ur := &failure.UnsupportedReleaseError{Release: version, Covered: native.Covered(), Err: err}
			if kind == Auto {
				return e.fallBack(ctx, python, version, ur)
			}
			return nil, ur
		}
		rel = r
	default:
		// Native with nothing named: the newest release known.
		r, _, err := release.Parse(DefaultNativeVersion)
		if err != nil {
			return nil, err
		}
		rel = r
	}
	if err := native.Check(rel); err != nil {
		ur := &failure.UnsupportedReleaseError{Release: rel.String(), Covered: native.Covered(), Err: err}
		if kind == Auto {
			return e.fallBack(ctx, python, version, ur)
		}
		return nil, ur
	}
	nb, err := e.native(rel)
	if err != nil {
		return nil, err
	}
	t := nb.target
	t.Interpreter = info
	if kind == Auto && info != nil {
		// A source the native compiler cannot reproduce goes to the
		// interpreter of that very release.
		nb = nb.withFallback(info.Path)
	}
	return &choice{target: t, backend: nb}, nil
}

// DefaultNativeVersion is the release the native backend imitates when no
// interpreter and no version is named: the newest 3.13 known.
const DefaultNativeVersion = "3.13"

// chooseCPython is the CPython backend with the interpreter python (empty:
// python3), checked against version.
// fallBack is auto's choice for a release the native compiler does not
// cover (ur): the CPython backend, whose failure to find or use an
// interpreter for it says why one was needed (*failure.FallbackError).
func (e *Engine) fallBack(ctx context.Context, python, version string, ur *failure.UnsupportedReleaseError) (*choice, error) {
	c, err := e.chooseCPython(ctx, python, version)
	var ie *failure.InterpreterError
	var ve *failure.VersionError
	if err != nil && (errors.As(err, &ie) || errors.As(err, &ve)) {
		return nil, &failure.FallbackError{Release: ur, Err: err}
	}
	return c, err
}

func (e *Engine) chooseCPython(ctx context.Context, python, version string) (*choice, error) {
	ent, err := e.entry(ctx, python)
	if err != nil {
		return nil, err
	}
	if err := ent.info.Check(version); err != nil {
		return nil, err
	}
	return &choice{target: cpythonTarget(ent.info), backend: ent}, nil
}

func cpythonTarget(info *interp.Info) Target {
	return Target{
		Backend:     CPython,
		Release:     release.Release{Major: info.Major, Minor: info.Minor, Micro: info.Micro},
		Magic:       info.Magic,
		CacheTag:    info.CacheTag,
		Interpreter: info,
	}
}
