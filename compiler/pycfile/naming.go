package pycfile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rules-pyc/rules_pyc/internal/pypath"
)

// The names importlib uses; the path separator is '/' (POSIX only, as
// pypath's importlib helpers).
const (
	pycacheDir     = "__pycache__"
	optPrefix      = "opt-"
	bytecodeSuffix = ".pyc"
	sourceSuffix   = ".py"
)

// CacheName returns where py_compile writes the .pyc of source by default:
// importlib.util.cache_from_source(source, optimization="") for optimize 0
// and optimization=optimize above 0, with sys.pycache_prefix unset. Like
// importlib it works on the string alone: the name is
// dir/__pycache__/<base>.<cacheTag>[.opt-N].pyc, where base is the file name
// up to its last dot. importlib's quirks are kept: a file name without a dot
// gives "<name><cacheTag>.pyc", and a source directly under the root ("/x.py")
// gives the relative "__pycache__/x.<cacheTag>.pyc".
func CacheName(source, cacheTag string, optimize int) (string, error) {
	if cacheTag == "" {
		return "", errors.New("cache name: empty cache tag (sys.implementation.cache_tag is None)")
	}
	if optimize < 0 {
		return "", fmt.Errorf("cache name of %s: optimization level %d is negative", source, optimize)
	}
	head, tail := pypath.ImportlibSplit(source)
	base, dot, rest := pypath.RPartition(tail, ".")
	if base == "" {
		base = rest
	}
	name := base + dot + cacheTag
	if optimize > 0 {
		name += "." + optPrefix + strconv.Itoa(optimize)
	}
	return pypath.ImportlibJoin(head, pycacheDir, name+bytecodeSuffix), nil
}

// LegacyName returns where compileall -b writes the .pyc of source: beside
// it, under the source's name with "c" appended (x.py → x.pyc).
func LegacyName(source string) string {
	return source + "c"
}

// SourceName returns the source a cached .pyc belongs to:
// importlib.util.source_from_cache(pyc) with sys.pycache_prefix unset.
func SourceName(pyc string) (string, error) {
	head, file := pypath.ImportlibSplit(pyc)
	head, dir := pypath.ImportlibSplit(head)
	if dir != pycacheDir {
		return "", fmt.Errorf("source name of %s: %s is not the bottom-level directory", pyc, pycacheDir)
	}
	switch dots := strings.Count(file, "."); dots {
	case 2:
	case 3:
		parts := strings.Split(file, ".")
		opt := parts[2]
		if !strings.HasPrefix(opt, optPrefix) {
			return "", fmt.Errorf("source name of %s: optimization portion %q does not start with %q", pyc, opt, optPrefix)
		}
		if !pypath.IsAlnum(opt[len(optPrefix):]) {
			return "", fmt.Errorf("source name of %s: optimization level %q is not alphanumeric", pyc, opt)
		}
	default:
		return "", fmt.Errorf("source name of %s: expected 2 or 3 dots in %q, found %d", pyc, file, dots)
	}
	base, _, _ := strings.Cut(file, ".")
	return pypath.ImportlibJoin(head, base+sourceSuffix), nil
}
