package source

import "github.com/rules-pyc/rules_pyc/compiler/release"

// readBackChunk is the size of the pieces CPython reads a file's lines in
// for a SyntaxError (err_programtext: fgets into 1000 bytes, so at most
// 999 bytes a piece).
const readBackChunk = 999

// readBackFirstPiece is the first release whose err_programtext keeps the
// first piece of a long line (not the last), drops a BOM from line 1 and
// decodes with errors="replace" also when no encoding was declared.
var readBackFirstPiece = release.Release{Major: 3, Minor: 13, Micro: 1}

// ReadBackLine returns line n (1-based) as CPython reads it back from the
// file to put in a SyntaxError (_PyErr_ProgramDecodedTextObject): lines
// split at "\n", "\r\n" and "\r" (universal newlines), the line ending kept
// as "\n", decoded with the source's encoding and errors="replace". ok is
// false where CPython gets nothing, so that the caller falls back to the
// tokenizer's buffers: the file has fewer lines, or (3.13.0) the line is
// not valid UTF-8 and no encoding was declared.
//
// A line longer than 998 bytes is read in pieces: 3.13.0 keeps the last
// piece, later releases the first. 3.13.0 keeps a BOM in line 1 (U+FEFF),
// later releases drop it.
func (s *Source) ReadBackLine(n int) (line string, ok bool) {
	if n <= 0 {
		return "", false
	}
	later := s.rel.AtLeast(readBackFirstPiece)
	raw := s.Raw
	pos := 0
	var piece []byte
	for i := 0; i < n; {
		if pos >= len(raw) {
			return "", false
		}
		piece = piece[:0]
		for len(piece) < readBackChunk && pos < len(raw) {
			c := raw[pos]
			pos++
			if c == '\r' {
				if pos < len(raw) && raw[pos] == '\n' {
					pos++
				}
				c = '\n'
			}
			piece = append(piece, c)
			if c == '\n' {
				break
			}
		}
		// A piece that filled the buffer without a newline continues the
		// same line.
		long := len(piece) == readBackChunk && piece[len(piece)-1] != '\n'
		if long && (!later || i+1 < n) {
			continue
		}
		i++
	}
	if later {
		if n == 1 && len(piece) >= 3 && string(piece[:3]) == "\xEF\xBB\xBF" {
			piece = piece[3:]
		}
		if s.Codec != nil {
			return s.Codec.DecodeReplace(piece), true
		}
		return DecodeReplace(piece), true
	}
	switch {
	case s.Encoding == "":
		if CheckUTF8(piece) != nil {
			return "", false
		}
		return string(piece), true
	case s.Codec != nil:
		return s.Codec.DecodeReplace(piece), true
	}
	// "utf-8": a BOM or a cookie CPython normalized to UTF-8.
	return DecodeReplace(piece), true
}
