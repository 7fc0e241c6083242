package cli

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/internal/pypath"
	"github.com/rules-pyc/rules_pyc/internal/pyrepr"
)

// A step is one thing the run does, in compileall's order: print a line
// (a listing, a warning) or compile a file. The whole plan is made before
// anything compiles, so that the total is known for the progress line and
// the output is printed in this order whatever -j is.
type step struct {
	line   string // printed on stdout, if not empty
	failed bool   // the step is a failure (a directory that can't be listed)
	task   *task  // a file to compile, or nil
}

// task is one source file and where its outputs go.
type task struct {
	source  string   // the path as compileall builds it
	name    string   // recorded in the pyc (py_compile's dfile); "" is source
	outputs []string // one per level of options.levels
}

// planner turns PATH arguments into steps, as compileall's main(),
// compile_dir(), _walk_dir() and compile_file() do.
type planner struct {
	opts     *options
	cacheTag string
	steps    []step
}

// nameRule is how compile_file computes the recorded name: stripdir and
// prependdir, or (for a file argument with -d) ddir.
type nameRule struct {
	ddir                 string
	hasDdir              bool
	strip, prepend       string
	hasStrip, hasPrepend bool
}

func (p *planner) line(format string, args ...any) {
	p.steps = append(p.steps, step{line: fmt.Sprintf(format, args...)})
}

// tasks is the number of files the plan compiles.
func (p *planner) tasks() int {
	n := 0
	for _, s := range p.steps {
		if s.task != nil {
			n++
		}
	}
	return n
}

// add plans one PATH argument: a regular file (after following symlinks)
// is compiled, anything else is walked as a directory.
func (p *planner) add(dest string) error {
	o := p.opts
	if isRegular(dest) {
		return p.file(dest, nameRule{
			ddir: o.ddir, hasDdir: o.hasDdir,
			strip: o.stripdir, hasStrip: o.hasStrip,
			prepend: o.prependdir, hasPrepend: o.hasPrepend,
		})
	}
	rule := nameRule{
		strip: o.stripdir, hasStrip: o.hasStrip,
		prepend: o.prependdir, hasPrepend: o.hasPrepend,
	}
	if o.hasDdir {
		// compile_dir(ddir=...) strips the directory and prepends ddir.
		// The directory's trailing slashes are dropped first, so that
		// "src/" records the same names as "src" (as compileall did up to
		// 3.12; 3.13 and 3.14 then find "src/" is no prefix of "src/a.py").
		// ("/" becomes "", whose one empty component is the root's.)
		rule = nameRule{strip: strings.TrimRight(dest, "/"), hasStrip: true, prepend: o.ddir, hasPrepend: true}
	}
	return p.walk(dest, o.maxLevels, rule)
}

// walk is _walk_dir: list dir (unless -q), then visit its entries in
// sorted order, skipping __pycache__; a non-directory is a file to
// consider, a directory (not a symlink) is walked while levels remain.
func (p *planner) walk(dir string, levels int, rule nameRule) error {
	if p.opts.quiet == 0 {
		p.line("Listing %s...", pyrepr.String(dir))
	}
	names, err := readDirNames(dir)
	if err != nil {
		s := step{failed: true}
		if p.opts.quiet < 2 {
			s.line = fmt.Sprintf("Can't list %s", pyrepr.String(dir))
		}
		p.steps = append(p.steps, s)
		return nil
	}
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case pypath.Less(a, b):
			return -1
		case pypath.Less(b, a):
			return 1
		}
		return 0
	})
	for _, name := range names {
		if name == "__pycache__" {
			continue
		}
		full := pypath.Join(dir, name)
		if !isDir(full) {
			if err := p.file(full, rule); err != nil {
				return err
			}
		} else if levels > 0 && name != "." && name != ".." && !isSymlink(full) {
			if err := p.walk(full, levels-1, rule); err != nil {
				return err
			}
		}
	}
	return nil
}

// readDirNames is os.listdir. It opens dir with O_NONBLOCK: a FIFO's open
// would otherwise wait for a writer, for ever, where listdir's fails at
// once; with it the open returns and reading the names fails.
func readDirNames(dir string) ([]string, error) {
	f, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// file is compile_file up to the compile: the recorded name, the -x and
// -e filters, then only regular *.py files are compiled.
func (p *planner) file(full string, rule nameRule) error {
	o := p.opts
	name, ok := "", false
	if rule.hasDdir {
		name, ok = pypath.Join(rule.ddir, pypath.Base(full)), true
	}
	if rule.hasStrip {
		fullParts := strings.Split(full, "/")
		stripParts := strings.Split(rule.strip, "/")
		if len(stripParts) > len(fullParts) || !slices.Equal(stripParts, fullParts[:len(stripParts)]) {
			if o.quiet < 2 {
				p.line("The stripdir path %s is not a valid prefix for source path %s; ignoring",
					pyrepr.String(rule.strip), pyrepr.String(full))
			}
		} else if rest := fullParts[len(stripParts):]; len(rest) > 0 {
			name, ok = pypath.Join(rest[0], rest[1:]...), true
		}
	}
	if rule.hasPrepend {
		if !ok {
			name = pypath.Join(rule.prepend, full)
		} else {
			name = pypath.Join(rule.prepend, name)
		}
	}

	if o.rx != nil && o.rx.MatchString(full) {
		return nil
	}
	if o.limit != "" && isSymlink(full) {
		limit, err := pypath.RealPath(o.limit)
		if err != nil {
			return fmt.Errorf("resolve -e %s: %w", o.limit, err)
		}
		target, err := pypath.RealPath(full)
		if err != nil {
			return fmt.Errorf("resolve %s: %w", full, err)
		}
		if !pypath.IsAncestor(limit, target) {
			return nil
		}
	}
	if !isRegular(full) || !strings.HasSuffix(pypath.Base(full), ".py") {
		return nil
	}
	t := &task{source: full, name: name}
	for _, level := range o.levels {
		if o.legacy {
			t.outputs = append(t.outputs, pycfile.LegacyName(full))
			continue
		}
		out, err := pycfile.CacheName(full, p.cacheTag, level)
		if err != nil {
			return err
		}
		t.outputs = append(t.outputs, out)
	}
	p.steps = append(p.steps, step{task: t})
	return nil
}

// isRegular is os.path.isfile: a regular file, following symlinks.
func isRegular(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// isDir is os.path.isdir: a directory, following symlinks.
func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// isSymlink is os.path.islink.
func isSymlink(p string) bool {
	st, err := os.Lstat(p)
	return err == nil && st.Mode()&fs.ModeSymlink != 0
}
