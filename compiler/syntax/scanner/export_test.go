package scanner

import (
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// QuickDiff scans src twice, once as Next does (the regular mode's common
// tokens made by regular) and once with normal alone, the straightforward
// version, and describes the first difference in the tokens, the errors,
// the warnings or the scanner's state after a token, or returns "".
func QuickDiff(src *source.Source, opts Options) string {
	quick, plain := New(src, opts), New(src, opts)
	for n := 0; ; n++ {
		var tq, tp token.Token
		eq, ep := quick.nextWith(&tq, true), plain.nextWith(&tp, false)
		if tq != tp {
			return fmt.Sprintf("token %d: %+v, without the quick path %+v", n, tq, tp)
		}
		if d, e := describeErr(eq), describeErr(ep); d != e {
			return fmt.Sprintf("token %d: error %s, without the quick path %s", n, d, e)
		}
		if q, p := quick.snapshot(), plain.snapshot(); q != p {
			return fmt.Sprintf("token %d: state %s, without the quick path %s", n, q, p)
		}
		if eq != nil || tq.Kind == token.ENDMARKER {
			return ""
		}
	}
}

// nextWith is NextReusing, with normal in place of regular unless quick.
func (s *Scanner) nextWith(t *token.Token, quick bool) *syntaxerr.Error {
	if !quick && s.modes[s.modeIdx].kind == regularMode {
		s.raised = nil
		if s.normal(t, &s.modes[s.modeIdx]) != token.ERRORTOKEN {
			return nil
		}
		return s.tokenError(t)
	}
	return s.NextReusing(t)
}

func describeErr(e *syntaxerr.Error) string {
	if e == nil {
		return "none"
	}
	return fmt.Sprintf("%+v", *e)
}

// snapshot describes the state a token leaves for the next ones.
func (s *Scanner) snapshot() string {
	return fmt.Sprintf("%+v start=%d/%d atbol=%v pendin=%d indent=%d cont=%v first=%d/%d warnings=%v meta=%q modes=%+v",
		s.State(), s.start, s.startCol, s.atbol, s.pendin, s.indent, s.contLine, s.firstLineno, s.multiLineStart,
		s.warnings, s.meta, s.modes[:s.modeIdx+1])
}
