// Package pypath is Python's handling of paths as strings, written for Go
// strings, for the places where pyc must name files exactly as CPython
// names them: posixpath's join, split, basename and realpath (os.path on
// POSIX), pathlib's parents, importlib's own path helpers (which are not
// posixpath's), the order sorted() gives os.listdir's names, and the str
// methods those callers apply to paths (strip, isalnum, rpartition).
//
// Nothing here cleans a path unless Python does: compileall prints and
// records paths exactly as it builds them ("src/" and "src//a.py" kept as
// typed), and Go's path/filepath cleans, so it cannot be used for names.
// The separator is '/' (POSIX only).
package pypath

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Join is os.path.join on POSIX: an absolute part restarts the path, and a
// '/' is added only between parts that lack one.
func Join(first string, rest ...string) string {
	p := first
	for _, b := range rest {
		switch {
		case strings.HasPrefix(b, "/"):
			p = b
		case p == "" || strings.HasSuffix(p, "/"):
			p += b
		default:
			p += "/" + b
		}
	}
	return p
}

// Base is os.path.basename: what follows the last '/'.
func Base(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}

// Split is os.path.split: the head without its trailing slashes (unless
// it is all slashes), and the tail.
func Split(p string) (head, tail string) {
	i := strings.LastIndexByte(p, '/') + 1
	head, tail = p[:i], p[i:]
	if trimmed := strings.TrimRight(head, "/"); trimmed != "" {
		head = trimmed
	}
	return head, tail
}

// Less orders names as Python's sorted() orders the str that os.listdir
// returns: by code point, with bytes that are not UTF-8 decoded by
// surrogateescape to U+DC80..U+DCFF.
func Less(a, b string) bool {
	for a != "" && b != "" {
		ra, na := fsRune(a)
		rb, nb := fsRune(b)
		if ra != rb {
			return ra < rb
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b != ""
}

// fsRune is the first character of s as os.fsdecode decodes it.
func fsRune(s string) (rune, int) {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 {
		return 0xDC00 + rune(s[0]), 1
	}
	return r, n
}

// Strip is str.strip() with no argument: it removes what Python's
// str.isspace() calls whitespace, which adds the separators U+001C..U+001F
// to Unicode's White_Space.
func Strip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
	})
}

// RealPath is os.path.realpath (what pathlib's Path.resolve() uses): the
// absolute path with every symlink that exists resolved; components that
// don't exist are kept as they are, and a symlink loop leaves the rest of
// the path unresolved, as Python's non-strict mode does. It follows
// posixpath's algorithm step by step, so that the answer is Python's.
func RealPath(p string) (string, error) {
	resolved, _ := joinRealPath("", p, map[string]*string{})
	if !strings.HasPrefix(resolved, "/") {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		resolved = Join(wd, resolved)
	}
	return path.Clean(resolved), nil
}

// joinRealPath is posixpath._joinrealpath: it resolves rest relative to
// the already resolved p. seen maps a symlink to its resolution, or to nil
// while it is being resolved. ok is false when a loop was found.
func joinRealPath(p, rest string, seen map[string]*string) (string, bool) {
	if strings.HasPrefix(rest, "/") {
		rest, p = rest[1:], "/"
	}
	for rest != "" {
		var name string
		name, rest, _ = strings.Cut(rest, "/")
		switch name {
		case "", ".":
			continue
		case "..":
			if p == "" {
				p = ".."
				continue
			}
			var last string
			p, last = Split(p)
			if last == ".." {
				p = Join(p, "..", "..")
			}
			continue
		}
		next := Join(p, name)
		st, err := os.Lstat(next)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			p = next
			continue
		}
		if r, ok := seen[next]; ok {
			if r != nil {
				p = *r
				continue
			}
			return Join(next, rest), false // a loop
		}
		seen[next] = nil
		target, err := os.Readlink(next)
		if err != nil {
			p = next
			continue
		}
		var ok bool
		p, ok = joinRealPath(p, target, seen)
		if !ok {
			return Join(p, rest), false
		}
		r := p
		seen[next] = &r
	}
	return p, true
}

// IsAncestor reports whether dir is one of pathlib's Path(p).parents: a
// proper ancestor of p. Both are absolute and resolved.
func IsAncestor(dir, p string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}

// ImportlibSplit splits at the last '/' as importlib's _path_split does
// (cache_from_source, source_from_cache): ("", p) when there is none, and
// no trailing slashes removed, unlike Split.
func ImportlibSplit(p string) (head, tail string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// ImportlibJoin joins the non-empty parts with '/' after stripping
// trailing slashes from each, as importlib's _path_join does on POSIX
// (unlike Join, an absolute part does not restart the path).
func ImportlibJoin(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, strings.TrimRight(p, "/"))
		}
	}
	return strings.Join(kept, "/")
}

// RPartition is Python's str.rpartition.
func RPartition(s, sep string) (before, sepFound, after string) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", "", s
	}
	return s[:i], sep, s[i+len(sep):]
}

// IsAlnum is Python's str.isalnum: non-empty, every rune a letter or a
// number.
func IsAlnum(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return false
		}
	}
	return true
}
