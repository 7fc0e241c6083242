package cli

import (
	"errors"
	"io/fs"
	"os"
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

// maxLinks bounds the symlinks followed by realPath, like the kernel's
// limit on a path lookup.
const maxLinks = 255

// realPath is os.path.realpath (what pathlib's Path.resolve() uses): the
// absolute path with every symlink that exists resolved; components that
// don't exist are kept as they are. A symlink loop leaves the rest of the
// path unresolved, as Python's non-strict mode does.
func realPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		p = wd + "/" + p
	}
	todo := strings.Split(p, "/")
	resolved := ""
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if i := strings.LastIndexByte(resolved, '/'); i >= 0 {
				resolved = resolved[:i]
			}
			continue
		}
		next := resolved + "/" + c
		st, err := os.Lstat(next)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if links++; links > maxLinks {
			return next + joinRest(todo), nil
		}
		target, err := os.Readlink(next)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				resolved = next
				continue
			}
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			resolved = ""
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	if resolved == "" {
		return "/", nil
	}
	return resolved, nil
}

func joinRest(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		if p != "" {
			b.WriteString("/" + p)
		}
	}
	return b.String()
}

// isAncestor reports whether dir is one of pathlib's Path(p).parents: a
// proper ancestor of p. Both are absolute and resolved.
func isAncestor(dir, p string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}
