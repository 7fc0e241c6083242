// Package corpus holds what the one-core benchmarks (bench/frontend,
// bench/native) share: a standard library read into memory once, what an
// interpreter says about itself, and the process's CPU time and peak
// resident memory. CPU time rather than wall time, because the machines
// the figures are taken on are often shared.
package corpus

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// Corpus is a set of sources, in memory, in sorted order of their paths.
type Corpus struct {
	Names []string
	Srcs  [][]byte
	Bytes int
}

// Load reads every .py file under dir, skipping site-packages,
// dist-packages and __pycache__, in sorted order. What the walk allocated
// is returned to the OS before Load returns, so that it is not measured.
func Load(dir string) (*Corpus, error) {
	c := &Corpus{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != dir {
			switch d.Name() {
			case "site-packages", "dist-packages", "__pycache__":
				return filepath.SkipDir
			}
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(p, ".py") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		c.Names = append(c.Names, p)
		c.Srcs = append(c.Srcs, data)
		c.Bytes += len(data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	if len(c.Names) == 0 {
		return nil, fmt.Errorf("no .py files under %s", dir)
	}
	debug.FreeOSMemory()
	return c, nil
}

// Prepare is the start a one-core benchmark shares: it asks python about
// itself, loads dir (python's stdlib when empty), and parses version
// (python's own when empty) as the release to imitate, which supported
// must accept. It says on stderr what is compared, the compiler under test
// being what.
func Prepare(python, dir, version string, supported func(release.Release) error, what string) (*Corpus, release.Release, error) {
	info, err := Describe(python)
	if err != nil {
		return nil, release.Release{}, err
	}
	if dir == "" {
		dir = info.Stdlib
	}
	if version == "" {
		version = info.Version
	}
	rel, _, err := release.Parse(version)
	if err == nil {
		err = supported(rel)
	}
	if err != nil {
		return nil, release.Release{}, err
	}
	c, err := Load(dir)
	if err != nil {
		return nil, release.Release{}, err
	}
	fmt.Fprintf(os.Stderr, "%d files, %.1f MB, from %s; %s as %s; CPython %s (%s)\n",
		len(c.Names), MB(c.Bytes), dir, what, rel, info.Version, info.Executable)
	return c, rel, nil
}

// MB is n bytes in megabytes (10^6).
func MB(n int) float64 { return float64(n) / 1e6 }

// Interpreter is what an interpreter says about itself.
type Interpreter struct {
	Version    string `json:"version"`
	Executable string `json:"executable"`
	Stdlib     string `json:"stdlib"`
}

// Describe asks python for its exact version, executable and stdlib
// directory.
func Describe(python string) (Interpreter, error) {
	out, err := exec.Command(python, "-S", "-s", "-c", `import json, sys, sysconfig
print(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable, "stdlib": sysconfig.get_path("stdlib")}))`).Output()
	if err != nil {
		return Interpreter{}, fmt.Errorf("ask %s about itself: %w", python, err)
	}
	var i Interpreter
	if err := json.Unmarshal(out, &i); err != nil {
		return Interpreter{}, fmt.Errorf("ask %s about itself: %w", python, err)
	}
	return i, nil
}

// Median returns the median of ds (the upper one of an even count).
func Median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// CPUTime is the process's user and system time so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS is this process's peak resident size in bytes (VmHWM), 0 if
// unknown.
func PeakRSS() int64 { return peakRSS("/proc/self/status") }

// PeakRSSOf is process pid's peak resident size in bytes (VmHWM), 0 if
// it is gone.
func PeakRSSOf(pid int) int64 { return peakRSS(fmt.Sprintf("/proc/%d/status", pid)) }

// peakRSS reads VmHWM from a /proc status file.
func peakRSS(status string) int64 {
	data, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscan(rest, &kb); err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}
