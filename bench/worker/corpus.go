package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// corpus is a copy of an interpreter's standard library: the sources that
// compile (a handful of test files are deliberately broken), so that every
// method does the same work and none reports errors.
type corpus struct {
	dir   string   // root of the copy
	files []string // relative paths, sorted
	bytes int64    // total source size
}

// filterScript prints the paths (one per line, from stdin) whose source
// compiles.
const filterScript = `import sys
for path in sys.stdin.read().splitlines():
    with open(path, "rb") as f:
        data = f.read()
    try:
        compile(data, path, "exec", dont_inherit=True)
    except Exception:
        continue
    print(path)
`

// copyStdlib copies the stdlib sources of python that compile into dir.
func copyStdlib(python, dir string) (*corpus, error) {
	all, err := pyref.Stdlib(python)
	if err != nil {
		return nil, err
	}
	root, err := commonRoot(all)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, "-S", "-s", "-c", filterScript)
	cmd.Stdin = strings.NewReader(strings.Join(all, "\n"))
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("check which stdlib sources compile: %w: %s", err, stderr.String())
	}
	c := &corpus{dir: dir}
	for _, p := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, fmt.Errorf("copy corpus: %w", err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return nil, fmt.Errorf("copy corpus: %w", err)
		}
		c.files = append(c.files, rel)
		c.bytes += int64(len(data))
	}
	if len(c.files) == 0 {
		return nil, fmt.Errorf("no stdlib sources found for %s", python)
	}
	return c, nil
}

// commonRoot is the deepest directory holding every path.
func commonRoot(paths []string) (string, error) {
	if len(paths) == 0 {
		return "", fmt.Errorf("no paths")
	}
	root := filepath.Dir(paths[0])
	for _, p := range paths[1:] {
		for !strings.HasPrefix(p, root+string(filepath.Separator)) {
			parent := filepath.Dir(root)
			if parent == root {
				return "", fmt.Errorf("no common directory for %s and %s", paths[0], p)
			}
			root = parent
		}
	}
	return root, nil
}

// removePycache deletes every __pycache__ directory under dir, so that a
// method that writes there starts from the same state each time.
func removePycache(dir string) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			dirs = append(dirs, p)
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find __pycache__ under %s: %w", dir, err)
	}
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	return nil
}

// cleanEnv is the environment every interpreter runs in: no user or site
// configuration, a fixed hash seed.
func cleanEnv() []string {
	return []string{"PATH=/usr/bin:/bin", "PYTHONHASHSEED=0", "LC_ALL=C.UTF-8"}
}
