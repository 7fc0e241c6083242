// Package pyoracle asks a real CPython what it makes of source files, for
// tests that compare the native front end with it: the line
//
//	print(ast.dump(ast.parse(open(FILE, 'rb').read(), FILE), include_attributes=True))
//
// prints, or the exception compile(src, FILE, 'exec', ast.PyCF_ONLY_AST)
// raises together with what py_compile.compile(FILE) writes to stderr.
//
// One interpreter process answers a whole batch (driver.py, run with -S -s
// in the caller's working directory; paths are passed as given). The
// answers are exact bytes: the dump as print writes it with a UTF-8 stdout,
// py_compile's message as sys.stderr writes it. When the interpreter cannot
// answer for a file (ast.dump raises RecursionError on a very deep tree,
// the process crashes or hangs on it), the file's Result says so with Kind
// Failed, and the batch goes on in a new process: a failure is never
// reported as an answer.
package pyoracle

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

//go:embed driver.py
var driver string

// Kind says what the interpreter made of a file.
type Kind uint8

const (
	// Parsed: ast.parse accepted the file; Result.Dump holds the dump.
	Parsed Kind = iota
	// Rejected: ast.parse raised; Result.Exc and Result.PyCompile hold
	// what CPython reported.
	Rejected
	// Failed: the interpreter gave no answer; Result.Failure says why.
	Failed
)

func (k Kind) String() string {
	switch k {
	case Parsed:
		return "parsed"
	case Rejected:
		return "rejected"
	case Failed:
		return "oracle failed"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Exception is the exception ast.parse raised, attribute by attribute.
type Exception struct {
	// Type is the class name: SyntaxError, IndentationError, TabError,
	// MemoryError, RecursionError, ...
	Type string
	// Msg is the msg attribute of a SyntaxError, str() of anything else.
	Msg string
	// The other attributes of a SyntaxError; nil stands for None (and for
	// every one of them on an exception that is not a SyntaxError).
	// Strings are UTF-8 with surrogateescape'd bytes back as raw bytes.
	Filename, Text                       *string
	Lineno, Offset, EndLineno, EndOffset *int
}

// SyntaxErr returns the exception as a syntaxerr.Error compiled under
// filename, and false when Error can't hold it (an exception type it does
// not know, or a combination of None attributes it can't express).
func (x *Exception) SyntaxErr(filename string) (*syntaxerr.Error, bool) {
	e := &syntaxerr.Error{Msg: x.Msg, Filename: filename}
	switch x.Type {
	case "SyntaxError":
		e.Type = syntaxerr.SyntaxError
	case "IndentationError":
		e.Type = syntaxerr.IndentationError
	case "TabError":
		e.Type = syntaxerr.TabError
	case "MemoryError":
		e.Type = syntaxerr.MemoryError
	case "RecursionError":
		e.Type = syntaxerr.RecursionError
	case "UnicodeDecodeError":
		e.Type = syntaxerr.UnicodeDecodeError
	case "ValueError":
		e.Type = syntaxerr.ValueError
	case "SystemError":
		e.Type = syntaxerr.SystemError
	default:
		return nil, false
	}
	if x.Lineno == nil {
		e.NoLocation = true
		ok := x.Filename == nil && x.Text == nil && x.Offset == nil && x.EndLineno == nil && x.EndOffset == nil
		return e, ok
	}
	if !e.Type.IsSyntaxError() || x.Filename == nil || *x.Filename != filename || x.Offset == nil {
		return e, false
	}
	e.Lineno, e.Offset = *x.Lineno, *x.Offset
	switch {
	case x.EndLineno == nil && x.EndOffset == nil:
		e.NoEnd = true
	case x.EndLineno != nil && x.EndOffset != nil:
		e.EndLineno, e.EndOffset = *x.EndLineno, *x.EndOffset
	case x.EndLineno != nil:
		e.EndLineno, e.NoEndOffset = *x.EndLineno, true
	default:
		return e, false
	}
	if x.Text != nil {
		e.Text, e.HasText = *x.Text, true
	}
	return e, true
}

// String describes the exception with all its attributes.
func (x *Exception) String() string {
	if x == nil {
		return "<no exception>"
	}
	str := func(p *string) string {
		if p == nil {
			return "None"
		}
		return strconv.Quote(*p)
	}
	num := func(p *int) string {
		if p == nil {
			return "None"
		}
		return strconv.Itoa(*p)
	}
	return fmt.Sprintf("%s(msg=%q, filename=%s, lineno=%s, offset=%s, end_lineno=%s, end_offset=%s, text=%s)",
		x.Type, x.Msg, str(x.Filename), num(x.Lineno), num(x.Offset), num(x.EndLineno), num(x.EndOffset), str(x.Text))
}

// Result is what the interpreter made of one file.
type Result struct {
	// File is the path as it was given.
	File string
	Kind Kind
	// Dump (Parsed) is the line ast.dump gives, without print's newline.
	Dump string
	// Exc (Rejected) is the exception ast.parse raised.
	Exc *Exception
	// PyCompile (Rejected) is what py_compile.compile(File) writes to
	// stderr: PyCompileError.msg and a newline.
	PyCompile string
	// Failure (Failed) says why there is no answer. A file that ast.parse
	// rejects but py_compile compiles, or on which py_compile raises
	// something other than PyCompileError, is Failed too.
	Failure string
}

// Options tune a Run. The zero value is ready to use.
type Options struct {
	// Procs is the number of interpreter processes run at once (default
	// 1). Files are dealt to them in turn; results still come in order.
	Procs int
	// FileTimeout is how long one file may take (default 2 minutes): past
	// it the process is killed and the file is Failed.
	FileTimeout time.Duration
}

// Run asks the interpreter about each file and calls each with the
// results, in the order of files, one at a time. It returns each's first
// error, or an error when the interpreter can't be started at all (a
// process that dies on a file is a Failed result, not an error).
func Run(ctx context.Context, py pythons.Interpreter, files []string, opts Options, each func(i int, r Result) error) error {
	procs := max(opts.Procs, 1)
	if opts.FileTimeout <= 0 {
		opts.FileTimeout = 2 * time.Minute
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Each process answers every procs-th file; a slot per file carries the
	// result to the caller's goroutine, which delivers them in order.
	slots := make([]chan Result, len(files))
	for i := range slots {
		slots[i] = make(chan Result, 1)
	}
	errc := make(chan error, procs)
	var wg sync.WaitGroup
	for p := range procs {
		var idx []int
		for i := p; i < len(files); i += procs {
			idx = append(idx, i)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- runShare(ctx, py, files, idx, opts.FileTimeout, slots)
		}()
	}
	var firstErr error
	running := procs
deliver:
	for i := range files {
		var r Result
	wait:
		for {
			select {
			case r = <-slots[i]:
				break wait
			case err := <-errc:
				running--
				if err != nil {
					cancel()
					wg.Wait()
					return err
				}
				if running == 0 {
					// Every share is done, so every slot is filled.
					r = <-slots[i]
					break wait
				}
			case <-ctx.Done():
				wg.Wait()
				return ctx.Err()
			}
		}
		if err := each(i, r); err != nil {
			firstErr = err
			break deliver
		}
	}
	cancel()
	wg.Wait()
	return firstErr
}

// runShare answers files[idx...], restarting the interpreter after a file
// it died on.
func runShare(ctx context.Context, py pythons.Interpreter, files []string, idx []int, timeout time.Duration, slots []chan Result) error {
	for len(idx) > 0 {
		done, err := runProcess(ctx, py, files, idx, timeout, slots)
		if err != nil {
			return err
		}
		idx = idx[done:]
	}
	return nil
}

// runProcess starts one interpreter for files[idx...] and returns how many
// of them got a result (the last one Failed if the process died on it).
// Its error is for a process that could not start its driver, or a
// protocol error.
func runProcess(ctx context.Context, py pythons.Interpreter, files []string, idx []int, timeout time.Duration, slots []chan Result) (int, error) {
	pctx, kill := context.WithCancel(ctx)
	defer kill()
	cmd := py.Command(pctx, "-S", "-s", "-c", driver)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("pyoracle: start %s: %w", py, err)
	}
	go func() {
		w := bufio.NewWriter(stdin)
		for _, i := range idx {
			fmt.Fprintf(w, "%d\n%s", len(files[i]), files[i])
		}
		w.Flush()
		stdin.Close()
	}()

	// A watchdog kills the process when a file takes too long.
	var timedOut bool
	var mu sync.Mutex
	progress := make(chan struct{}, 1)
	go func() {
		t := time.NewTimer(timeout)
		defer t.Stop()
		for {
			select {
			case <-pctx.Done():
				return
			case <-progress:
				if !t.Stop() {
					<-t.C
				}
				t.Reset(timeout)
			case <-t.C:
				mu.Lock()
				timedOut = true
				mu.Unlock()
				kill()
				return
			}
		}
	}()

	r := bufio.NewReaderSize(stdout, 1<<20)
	err = readHello(r)
	select {
	case progress <- struct{}{}:
	default:
	}
	if err != nil {
		kill()
		io.Copy(io.Discard, r)
		cmd.Wait()
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("pyoracle: %s did not start its driver: %v; stderr: %s", py, err, strings.TrimSpace(stderr.String()))
	}
	n := 0
	var readErr error
	for n < len(idx) {
		res, err := readRecord(r)
		if err != nil {
			readErr = err
			break
		}
		res.File = files[idx[n]]
		slots[idx[n]] <- res
		n++
		select {
		case progress <- struct{}{}:
		default:
		}
	}
	if readErr != nil {
		kill()
	}
	io.Copy(io.Discard, r)
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return n, ctx.Err()
	}
	if n == len(idx) {
		return n, nil
	}
	if readErr != nil && !errors.Is(readErr, io.EOF) && !errors.Is(readErr, io.ErrUnexpectedEOF) {
		return n, fmt.Errorf("pyoracle: %s: reading its answer about %s: %w (stderr: %s)", py, files[idx[n]], readErr, stderr)
	}
	// The process died (or was killed) on files[idx[n]].
	mu.Lock()
	why := fmt.Sprintf("the interpreter died on the file (%v)", waitErr)
	if timedOut {
		why = fmt.Sprintf("the interpreter took more than %s on the file and was killed", timeout)
	}
	mu.Unlock()
	if s := strings.TrimSpace(stderr.String()); s != "" {
		why += "; stderr: " + s
	}
	slots[idx[n]] <- Result{File: files[idx[n]], Kind: Failed, Failure: why}
	return n + 1, nil
}

// header is a record's first line.
type header struct {
	K        string `json:"k"`
	N        []int  `json:"n"`
	Type     string `json:"type"`
	Attrs    []*int `json:"attrs"`
	Filename bool   `json:"filename"`
	Text     bool   `json:"text"`
	Pyc      string `json:"pyc"`
}

// readHello reads the line driver.py writes once it has started.
func readHello(r *bufio.Reader) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil || h.K != "hello" {
		return fmt.Errorf("unexpected first line %q", line)
	}
	return nil
}

// readRecord reads one record of driver.py.
func readRecord(r *bufio.Reader) (Result, error) {
	line, err := r.ReadBytes('\n')
	if err != nil {
		if len(line) > 0 && errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Result{}, err
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil {
		return Result{}, fmt.Errorf("bad record header %q: %w", line, err)
	}
	payloads := make([]string, len(h.N))
	for i, n := range h.N {
		if n < 0 {
			return Result{}, fmt.Errorf("bad record header %q", line)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return Result{}, err
		}
		payloads[i] = string(buf)
	}
	want := map[string]int{"dump": 1, "exc": 4, "fail": 1}[h.K]
	if want == 0 || len(payloads) != want {
		return Result{}, fmt.Errorf("bad record header %q", line)
	}
	switch h.K {
	case "dump":
		return Result{Kind: Parsed, Dump: payloads[0]}, nil
	case "fail":
		return Result{Kind: Failed, Failure: payloads[0]}, nil
	}
	x := &Exception{Type: h.Type, Msg: payloads[0]}
	if h.Attrs != nil {
		if len(h.Attrs) != 4 {
			return Result{}, fmt.Errorf("bad record header %q", line)
		}
		x.Lineno, x.Offset, x.EndLineno, x.EndOffset = h.Attrs[0], h.Attrs[1], h.Attrs[2], h.Attrs[3]
	}
	if h.Filename {
		x.Filename = &payloads[1]
	}
	if h.Text {
		x.Text = &payloads[2]
	}
	switch h.Pyc {
	case "raised":
		return Result{Kind: Rejected, Exc: x, PyCompile: payloads[3]}, nil
	case "compiled":
		return Result{Kind: Failed, Exc: x, Failure: fmt.Sprintf("ast.parse raised %s but py_compile compiled the file", x)}, nil
	case "other":
		return Result{Kind: Failed, Exc: x, Failure: fmt.Sprintf("ast.parse raised %s; py_compile raised %s", x, payloads[3])}, nil
	}
	return Result{}, fmt.Errorf("bad record header %q", line)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.ToValidUTF8(t.buf, []byte("?")))
}
