// Command pgo writes the CPU profile that Go's profile-guided optimization
// builds pyc with (tool/pyc/default.pgo, which `go build ./tool/pyc` reads
// by itself and the go_binary names as its pgoprofile): the native
// compiler compiling every .py file of a standard library (site-packages
// left out), read into memory once, on one core, at -O0 (the default of
// the command line, the worker and the rules), -n times over.
//
//	go run -trimpath ./bench/pgo --python "$(pyenv root)/versions/3.13.0/bin/python3"
//
// The profile names the functions that run and their source files, which
// -trimpath keeps relative to the module; every absolute path left in it
// (the profiling binary's own, from the process's memory map) is cut to
// its base name, so the file says nothing about the machine that wrote it.
// Regenerate it after a change that moves the compiler's hot code; an old
// profile only optimizes less (Go matches it to the source by function
// and line offset, and ignores what no longer matches). See
// docs/benchmarks.md.
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"runtime/pprof"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/rules-pyc/rules_pyc/bench/internal/corpus"
	"github.com/rules-pyc/rules_pyc/compiler/native"
)

func main() {
	python := flag.String("python", "python3", "the CPython 3.13 whose stdlib is compiled")
	dir := flag.String("dir", "", "compile the .py files under this directory instead of the interpreter's stdlib")
	version := flag.String("python-version", "", "the release the native compiler imitates (default: the interpreter's)")
	out := flag.String("o", "tool/pyc/default.pgo", "the profile to write")
	passes := flag.Int("n", 20, "passes over the sources")
	flag.Parse()
	if err := run(*python, *dir, *version, *out, *passes); err != nil {
		fmt.Fprintf(os.Stderr, "bench/pgo: %v\n", err)
		os.Exit(1)
	}
}

func run(python, dir, version, out string, passes int) error {
	if passes < 1 {
		return fmt.Errorf("-n %d: at least one pass", passes)
	}
	c, rel, err := corpus.Prepare(python, dir, version, native.Check, "native compiler")
	if err != nil {
		return err
	}
	runtime.GOMAXPROCS(1)
	var prof bytes.Buffer
	if err := pprof.StartCPUProfile(&prof); err != nil {
		return fmt.Errorf("start the CPU profile: %w", err)
	}
	for range passes {
		for k, src := range c.Srcs {
			// Errors are part of the workload (a few test files of a
			// standard library are meant not to compile).
			_, _ = native.Compile(native.Request{Source: src, Name: c.Names[k], Release: rel, File: src})
		}
	}
	pprof.StopCPUProfile()
	scrubbed, err := relativePaths(prof.Bytes())
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, scrubbed, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes): %d passes over %d files\n", out, len(scrubbed), passes, len(c.Names))
	return nil
}

// Field numbers of perftools.profiles.Profile (profile.proto, the format
// runtime/pprof writes).
const stringTableField = 6

// relativePaths returns the gzipped profile prof with every entry of its
// string table that is an absolute path cut to its base name. The other
// fields are copied as they are.
func relativePaths(prof []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(prof))
	if err != nil {
		return nil, fmt.Errorf("read the profile: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read the profile: %w", err)
	}
	var msg []byte
	for len(raw) > 0 {
		num, typ, n := protowire.ConsumeTag(raw)
		if n < 0 {
			return nil, fmt.Errorf("read the profile: %w", protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(num, typ, raw[n:])
		if m < 0 {
			return nil, fmt.Errorf("read the profile: field %d: %w", num, protowire.ParseError(m))
		}
		field := raw[:n+m]
		raw = raw[n+m:]
		if num == stringTableField && typ == protowire.BytesType {
			s, _ := protowire.ConsumeString(field[n:])
			if path.IsAbs(s) {
				msg = protowire.AppendTag(msg, num, typ)
				msg = protowire.AppendString(msg, path.Base(s))
				continue
			}
		}
		msg = append(msg, field...)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(msg); err != nil {
		return nil, errors.Join(fmt.Errorf("write the profile: %w", err), zw.Close())
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("write the profile: %w", err)
	}
	return buf.Bytes(), nil
}
