package cli

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The path functions below reproduce Python's posixpath on strings, because
// compileall prints and records paths exactly as it builds them: no
// cleaning, "src/" and "src//a.py" kept as typed. Go's path/filepath cleans
// and so can't be used for names.

// pyJoin is os.path.join on POSIX: an absolute part restarts the path, and a
// '/' is added only between parts that lack one.
func pyJoin(first string, rest ...string) string {
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

// pyBasename is os.path.basename: what follows the last '/'.
func pyBasename(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}

// pyLess orders names as Python's sorted() orders the str that os.listdir
// returns: by code point, with bytes that are not UTF-8 decoded by
// surrogateescape to U+DC80..U+DCFF.
func pyLess(a, b string) bool {
	for a != "" && b != "" {
		ra, na := pyRune(a)
		rb, nb := pyRune(b)
		if ra != rb {
			return ra < rb
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b != ""
}

func pyRune(s string) (rune, int) {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 {
		return 0xDC00 + rune(s[0]), 1
	}
	return r, n
}

// pyStrip is str.strip() with no argument: it removes what Python's
// str.isspace() calls whitespace, which adds the separators U+001C..U+001F
// to Unicode's White_Space.
func pyStrip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
	})
}

// realPath is os.path.realpath (what pathlib's Path.resolve() uses): the
// absolute path with every symlink that exists resolved; components that
// don't exist are kept as they are, and a symlink loop leaves the rest of
// the path unresolved, as Python's non-strict mode does. It follows
// posixpath's algorithm step by step, so that the answer is Python's.
func realPath(p string) (string, error) {
	resolved, _ := joinRealPath("", p, map[string]*string{})
	if !strings.HasPrefix(resolved, "/") {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		resolved = pyJoin(wd, resolved)
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
			p, last = pySplit(p)
			if last == ".." {
				p = pyJoin(p, "..", "..")
			}
			continue
		}
		next := pyJoin(p, name)
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
			return pyJoin(next, rest), false // a loop
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
			return pyJoin(p, rest), false
		}
		r := p
		seen[next] = &r
	}
	return p, true
}

// pySplit is os.path.split: the head without its trailing slashes (unless
// it is all slashes), and the tail.
func pySplit(p string) (string, string) {
	i := strings.LastIndexByte(p, '/') + 1
	head, tail := p[:i], p[i:]
	if trimmed := strings.TrimRight(head, "/"); trimmed != "" {
		head = trimmed
	}
	return head, tail
}

// isAncestor reports whether dir is one of pathlib's Path(p).parents: a
// proper ancestor of p. Both are absolute and resolved.
func isAncestor(dir, p string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}
