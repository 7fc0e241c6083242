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
// tokenizer's buffers: the file has fewer lines, (3.13.0) the line is
// not valid UTF-8 and no encoding was declared, or the codec refuses
// errors="replace" (idna).
//
// A line longer than 998 bytes is read in pieces: 3.13.0 keeps the last
// piece, later releases the first. 3.13.0 keeps a BOM in line 1 (U+FEFF),
// later releases drop it.
func (s *Source) ReadBackLine(n int) (line string, ok bool) {
	later := s.rel.AtLeast(readBackFirstPiece)
	piece, ok := s.readBackPiece(n, later)
	if !ok {
		return "", false
	}
	if later {
		return s.decodeLater(n, piece)
	}
	switch {
	case s.Encoding == "":
		if CheckUTF8(piece) != nil {
			return "", false
		}
		return string(piece), true
	case s.Codec != nil:
		return s.Codec.DecodeReplace(piece)
	}
	// "utf-8": a BOM or a cookie CPython normalized to UTF-8.
	return DecodeReplace(piece), true
}

// ProgramText returns line n (1-based) as CPython puts it in a SyntaxError
// raised after parsing, by the symbol table or the compiler
// (PyErr_ProgramTextObject): read back from the file like ReadBackLine,
// but 3.13.0 decodes it as strict UTF-8 whatever the file's encoding (no
// text when that fails), and later releases with the encoding the file
// declares (ReadBackLine's). ok is false where the text is None.
func (s *Source) ProgramText(n int) (line string, ok bool) {
	later := s.rel.AtLeast(readBackFirstPiece)
	piece, ok := s.readBackPiece(n, later)
	if !ok {
		return "", false
	}
	if later {
		return s.decodeLater(n, piece)
	}
	if CheckUTF8(piece) != nil {
		return "", false
	}
	return string(piece), true
}

// decodeLater decodes line n's piece as releases from 3.13.1 do: without a
// BOM, with the file's codec (UTF-8 by default) and replacement characters
// (ok false where the codec refuses errors="replace").
func (s *Source) decodeLater(n int, piece []byte) (string, bool) {
	if n == 1 && len(piece) >= 3 && string(piece[:3]) == "\xEF\xBB\xBF" {
		piece = piece[3:]
	}
	if s.Codec != nil {
		return s.Codec.DecodeReplace(piece)
	}
	return DecodeReplace(piece), true
}

// readBackPiece returns the bytes of line n that CPython's err_programtext
// keeps (the last piece of a long line before 3.13.1, the first from
// 3.13.1: later), newlines translated; ok is false when the file has fewer
// lines.
func (s *Source) readBackPiece(n int, later bool) (piece []byte, ok bool) {
	if n <= 0 {
		return nil, false
	}
	raw := s.Raw
	pos := 0
	for i := 0; i < n; {
		if pos >= len(raw) {
			return nil, false
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
	return piece, true
}
