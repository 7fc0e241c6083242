package agreement

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// shortStride: with -short, every shortStride-th stdlib file is compared.
const shortStride = 10

// TestStdlib compares the front end with each CPython 3.13 on the machine
// (pyenv's 3.13.0, the chroot's 3.13.18, ...) on every .py file of that
// interpreter's own standard library, test/ included (it holds files that
// are invalid on purpose), site-packages left out, each interpreter against
// the front end imitating its release.
func TestStdlib(t *testing.T) {
	for _, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			lib := py.Stdlib(t)
			var files, names []string
			for i, f := range lib.Files {
				if testing.Short() && i%shortStride != 0 {
					continue
				}
				files = append(files, filepath.Join(lib.Root, filepath.FromSlash(f)))
				names = append(names, f)
			}
			start := time.Now()
			ty := compareFiles(t, py, "stdlib of "+py.String(), files, func(i int) string { return names[i] }, nil)
			t.Logf("%s in %s", py, time.Since(start).Round(time.Millisecond))
			ty.report(t)
		})
	}
}
