// Package pyref produces reference .pyc files for tests: what CPython's own
// py_compile writes when run in a fresh `python -S -s` process per file, in a
// clean environment with PYTHONHASHSEED=0.  That is the contract rules_pyc's
// output is held to.
package pyref

import (
	"bytes"
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

// Compile runs py_compile for one spec in a fresh process.
func Compile(python string, s Spec, tmp string) (Result, error) {
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
	cmd := exec.Command(python, "-S", "-s", "-c", script, s.Source, cfile, s.DFile, strconv.Itoa(s.Optimize), string(mode))
	cmd.Env = []string{"PYTHONHASHSEED=0"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
		return Result{Error: stdout.String()}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("py_compile %s with %s: %v: %s", s.Source, python, err, strings.TrimSpace(stderr.String()))
	}
	data, err := os.ReadFile(cfile)
	if err != nil {
		return Result{}, fmt.Errorf("read py_compile output for %s: %w", s.Source, err)
	}
	return Result{Data: data}, nil
}

// CompileAll runs Compile for every spec, one process per spec, on all CPUs.
func CompileAll(python string, specs []Spec, tmp string) ([]Result, error) {
	results := make([]Result, len(specs))
	errs := make([]error, len(specs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = Compile(python, specs[i], tmp)
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
