package scanner

import (
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// verifyIdentifier checks a NAME holding non-ASCII bytes against PEP 3131
// (verify_identifier): the bytes must be UTF-8 (else E_DECODE with the
// UnicodeDecodeError), the first character XID_Start or '_', the others
// XID_Continue. At an invalid character the error points just after it.
func (s *Scanner) verifyIdentifier() bool {
	ident := s.text[s.start:s.cur]
	if e := source.CheckUTF8(ident); e != nil {
		s.done = Decode
		s.raised = &syntaxerr.Error{Type: syntaxerr.UnicodeDecodeError, Msg: e.Error(), Filename: s.opts.Filename, NoLocation: true}
		return false
	}
	for i := 0; i < len(ident); {
		r, n := rune(ident[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(ident[i:])
		}
		var ok bool
		if i == 0 {
			ok = r == '_' || s.isXIDStart(r)
		} else {
			ok = s.isXIDContinue(r)
		}
		if !ok {
			if i+n < len(ident) {
				s.cur = s.start + i + n
			}
			if s.uni.IsPrintable(r) {
				s.syntaxError("invalid character '%c' (U+%04X)", r, r)
			} else {
				s.syntaxError("invalid non-printable character U+%04X", r)
			}
			return false
		}
		i += n
	}
	return true
}

func (s *Scanner) isXIDStart(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return s.uni.IsXIDStart(r)
}

func (s *Scanner) isXIDContinue(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	}
	return s.uni.IsXIDContinue(r)
}
