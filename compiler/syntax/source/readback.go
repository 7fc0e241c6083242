package source

// readBackChunk is the size of the buffer CPython reads a file's lines
// into for a SyntaxError (err_programtext): fgets of 1000 bytes, so a line
// is read in pieces of at most 999 bytes and only the last piece is kept.
const readBackChunk = 999

// ReadBackLine returns line n (1-based) as CPython reads it back from the
// file to put in a SyntaxError (_PyErr_ProgramDecodedTextObject): lines
// split at "\n", "\r\n" and "\r" (universal newlines), the line ending kept
// as "\n"; of a line longer than 998 bytes only its last piece (see
// readBackChunk); decoded with the source's encoding and errors="replace",
// or, with no declared encoding, as strict UTF-8. ok is false where CPython
// gets nothing: the file has fewer lines, or the line is not valid UTF-8
// and no encoding was declared. A BOM stays in line 1 (as U+FEFF).
func (s *Source) ReadBackLine(n int) (line string, ok bool) {
	if n <= 0 {
		return "", false
	}
	raw := s.Raw
	pos := 0
	var piece []byte
	for i := 0; i < n; i++ {
		for {
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
			// A piece that filled the buffer without a newline continues
			// the same line.
			if len(piece) == readBackChunk && piece[len(piece)-1] != '\n' {
				continue
			}
			break
		}
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
