package scanner_test

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/scanner"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// FuzzScan scans arbitrary bytes for both ends of 3.13: no panic, an end
// (ENDMARKER or an error) within a number of tokens bounded by the input's
// size, tokens inside the text, and lines and columns that never go back.
func FuzzScan(f *testing.F) {
	for _, later := range []bool{false, true} {
		for _, c := range errorCases {
			f.Add([]byte(c.src), later)
		}
		for _, c := range validCases {
			f.Add([]byte(c.src), later)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte, later bool) {
		rel := release.Release{Major: 3, Minor: 13, Micro: 0}
		if later {
			rel.Micro = 18
		}
		checkScan(t, raw, rel)
	})
}

func checkScan(t *testing.T, raw []byte, rel release.Release) {
	for _, fileBacked := range []bool{false, true} {
		src, err := source.Decode(raw, "f.py", rel)
		if err != nil {
			return
		}
		if d := scanner.QuickDiff(src, scanner.Options{Filename: "f.py", FileBacked: fileBacked}); d != "" {
			t.Fatalf("%q: %s", raw, d)
		}
		s := scanner.New(src, scanner.Options{Filename: "f.py", FileBacked: fileBacked})
		limit := 3*len(src.Text) + 10 + 2*scanner.MaxIndent
		prevLine := int32(0)
		for n := 0; ; n++ {
			if n > limit {
				t.Fatalf("no end after %d tokens for %q", n, raw)
			}
			var tok token.Token
			if e := s.Next(&tok); e != nil {
				if e.Msg == "" {
					t.Fatalf("error without a message for %q", raw)
				}
				break
			}
			if tok.Off < 0 || tok.EndOff < tok.Off || int(tok.EndOff) > len(src.Text) {
				t.Fatalf("token %v span %d:%d outside the text (%d bytes) for %q", tok.Kind, tok.Off, tok.EndOff, len(src.Text), raw)
			}
			if tok.Start.Line < prevLine && tok.Kind != token.FSTRING_MIDDLE && tok.Kind != token.STRING {
				t.Fatalf("token %v goes back to line %d from %d for %q", tok.Kind, tok.Start.Line, prevLine, raw)
			}
			if tok.End.Line > prevLine {
				prevLine = tok.End.Line
			}
			if tok.Kind == token.ENDMARKER {
				break
			}
		}
	}
}
