// Package pyref produces reference .pyc files for tests: what CPython's own
// py_compile writes when run in a fresh `python -S -s` process per file, in a
// clean environment with PYTHONHASHSEED=0.  That is the contract rules_pyc's
// output is held to.
package pyref

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// Mode names a py_compile.PycInvalidationMode member.
type Mode string

// The invalidation modes, as py_compile names them.
const (
	Timestamp     Mode = "TIMESTAMP"
	CheckedHash   Mode = "CHECKED_HASH"
	UncheckedHash Mode = "UNCHECKED_HASH"
)

// Spec is one file to compile.
type Spec struct {
	Source   string
	DFile    string // recorded name; empty means Source
	Optimize int
	Mode     Mode
}

// Result is the reference for one Spec: the .pyc bytes, or py_compile's
// error message when it refused the source.
type Result struct {
	Data  []byte
	Error string
}

// script drives py_compile.  Every name in it is one that py_compile's
// process already holds: up to 3.11 a name used only by the driver would be
// flagged as shared by marshal wherever the compiled source uses it too, so
// the driver's own text could change the reference bytes.
const script = `import py_compile, sys
file, cfile, dfile, optimize, mode = sys.argv[1:]
try:
    py_compile.compile(file, cfile=cfile, dfile=dfile or None, doraise=True,
                       optimize=int(optimize),
                       invalidation_mode=py_compile.PycInvalidationMode[mode])
except py_compile.PyCompileError as err:
    sys.stdout.write(err.msg)
    sys.exit(3)
`

// Script is the Python text of the reference driver.
func Script() string { return script }

// Runner returns a command that runs an interpreter with args: for an
// interpreter of the sid chroot, pythons.Interpreter.Command (through
// scripts/chroot); Compile and CompileAll run a path directly.
type Runner func(args ...string) *exec.Cmd

// Direct returns the Runner of the interpreter at path.
func Direct(python string) Runner {
	return func(args ...string) *exec.Cmd { return exec.Command(python, args...) }
}

// Compile runs py_compile for one spec in a fresh process.
func Compile(python string, s Spec, tmp string) (Result, error) {
	return CompileWith(Direct(python), s, tmp)
}

// CompileWith runs py_compile for one spec in a fresh process started by run.
func CompileWith(run Runner, s Spec, tmp string) (Result, error) {
	f, err := os.CreateTemp(tmp, "ref-*.pyc")
	if err != nil {
		return Result{}, err
	}
	cfile := f.Name()
	f.Close()
	os.Remove(cfile)
	defer os.Remove(cfile)
	mode := s.Mode
	if mode == "" {
		mode = CheckedHash
	}
	cmd := run("-S", "-s", "-c", script, s.Source, cfile, s.DFile, strconv.Itoa(s.Optimize), string(mode))
	cmd.Env = []string{"PYTHONHASHSEED=0"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
		return Result{Error: stdout.String()}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("py_compile %s with %s: %v: %s", s.Source, strings.Join(cmd.Args[:len(cmd.Args)-9], " "), err, strings.TrimSpace(stderr.String()))
	}
	data, err := os.ReadFile(cfile)
	if err != nil {
		return Result{}, fmt.Errorf("read py_compile output for %s: %w", s.Source, err)
	}
	return Result{Data: data}, nil
}

// CompileAll runs Compile for every spec, one process per spec, on all CPUs.
func CompileAll(python string, specs []Spec, tmp string) ([]Result, error) {
	return CompileAllWith(Direct(python), specs, tmp)
}

// CompileAllWith runs CompileWith for every spec, one process per spec, on
// all CPUs.
func CompileAllWith(run Runner, specs []Spec, tmp string) ([]Result, error) {
	results := make([]Result, len(specs))
	errs := make([]error, len(specs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = CompileWith(run, specs[i], tmp)
			}
		}()
	}
	for i := range specs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// batchDriver starts, from one process of the interpreter, a fresh
// `sys.executable -S -s -c script` process per spec read as JSON from stdin
// ([[source, cfile, dfile, optimize, mode], ...]), up to os.cpu_count() at
// once, and prints [[exit status, base64 stdout, base64 stderr], ...]. The
// driver's own state cannot reach the children: each is a new interpreter
// with PYTHONHASHSEED=0 and nothing else in its environment.
const batchDriver = `import base64, json, os, subprocess, sys
script = sys.argv[1]
specs = json.load(sys.stdin)
results = [None] * len(specs)
running = []
def reap(i, p):
    out, err = p.communicate()
    results[i] = [p.returncode, base64.b64encode(out).decode(), base64.b64encode(err).decode()]
for i, spec in enumerate(specs):
    if len(running) >= (os.cpu_count() or 1):
        reap(*running.pop(0))
    p = subprocess.Popen([sys.executable, "-S", "-s", "-c", script] + [str(x) for x in spec],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={"PYTHONHASHSEED": "0"})
    running.append((i, p))
for r in running:
    reap(*r)
json.dump(results, sys.stdout)
`

// CompileAllBatch is CompileAllWith with one call of run: a driver started
// by run starts the fresh py_compile process of every spec itself. It is
// for an interpreter whose every start through run is costly (one in the
// sid chroot, through scripts/chroot); the references are the same.
func CompileAllBatch(run Runner, specs []Spec, tmp string) ([]Result, error) {
	dir, err := os.MkdirTemp(tmp, "refs-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	input := make([][]string, len(specs))
	for i, s := range specs {
		mode := s.Mode
		if mode == "" {
			mode = CheckedHash
		}
		input[i] = []string{s.Source, filepath.Join(dir, fmt.Sprintf("%d.pyc", i)), s.DFile, strconv.Itoa(s.Optimize), string(mode)}
	}
	req, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	cmd := run("-S", "-s", "-c", batchDriver, script)
	cmd.Env = []string{"PYTHONHASHSEED=0"}
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("py_compile driver (%s): %v: %s", strings.Join(cmd.Args[:len(cmd.Args)-5], " "), err, strings.TrimSpace(stderr.String()))
	}
	var answers [][3]any
	if err := json.Unmarshal(out, &answers); err != nil || len(answers) != len(specs) {
		return nil, fmt.Errorf("py_compile driver: bad answer (%v): %.200q", err, out)
	}
	results := make([]Result, len(specs))
	for i, a := range answers {
		code, _ := a[0].(float64)
		stdoutB64, _ := a[1].(string)
		stderrB64, _ := a[2].(string)
		stdout, err1 := base64.StdEncoding.DecodeString(stdoutB64)
		errText, err2 := base64.StdEncoding.DecodeString(stderrB64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("py_compile driver: bad answer for %s", specs[i].Source)
		}
		switch code {
		case 0:
			data, err := os.ReadFile(input[i][1])
			if err != nil {
				return nil, fmt.Errorf("read py_compile output for %s: %w", specs[i].Source, err)
			}
			results[i] = Result{Data: data}
		case 3:
			results[i] = Result{Error: string(stdout)}
		default:
			return nil, fmt.Errorf("py_compile %s: exit status %v: %s", specs[i].Source, code, strings.TrimSpace(string(errText)))
		}
	}
	return results, nil
}

// Stdlib lists the .py files of the interpreter's own standard library
// (site-packages excluded), sorted.
func Stdlib(python string) ([]string, error) {
	out, err := exec.Command(python, "-S", "-s", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])").Output()
	if err != nil {
		return nil, fmt.Errorf("ask %s for its stdlib: %w", python, err)
	}
	root := strings.TrimSpace(string(out))
	var files []string
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == "site-packages" || d.Name() == "__pycache__") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".py") && d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}
