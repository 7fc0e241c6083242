package parser

import (
	"errors"
	"strconv"
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/scanner"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/strlit"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// Options refine a parse.
type Options struct {
	// NotFileBacked says that CPython cannot read the source back from a
	// file named filename (compile(bytes, name) of a name that is no
	// file): error lines then come from the tokenizer's buffers.
	NotFileBacked bool
	// OnWarning, when set, is called with every warning the tokenizer and
	// the parser emit, in the order CPython emits (and prints) them.
	OnWarning func(Warning)
	// OnIdentifier, when set, is called with every identifier the parser
	// makes from a NAME token or joins with dots, as CPython's parser
	// interns each one it makes (_PyPegen_new_identifier,
	// _PyPegen_join_names_with_dot), also in alternatives that fail. An
	// identifier it was called with during the same pass over the tokens
	// may not be reported again (for most repeated names it is not), so
	// it must give the same outcome for one call as for several, as
	// interning does.
	OnIdentifier func(id string)
	// Arena, when set, is where the tree's nodes and lists are allocated
	// (a new Arena otherwise): a caller that compiles many sources can
	// Reset it and reuse its memory once the last tree is dead.
	Arena *ast.Arena
	// Stop, when set, stops the parse once it is closed (see package
	// stop): it is polled every 4,096 tokens.
	Stop <-chan struct{}
	// SourceKept promises that src is not modified while the tree, or
	// anything else the parse returns, is in use: the tree's strings may
	// then share src's bytes instead of a copy of them.
	SourceKept bool

	// noFast and fastCounts are for this package's tests: noFast turns the
	// hand-written fast path (fast.go) off, so that a parse can be
	// compared with one that uses it, and fastCounts, when set, counts
	// what the fast path was asked and gave.
	noFast     bool
	fastCounts *fastCount
}

// ParseFile parses the bytes of a Python file as CPython rel does in
// ast.parse(src, filename) (compile(src, filename, "exec",
// ast.PyCF_ONLY_AST)): it returns the module's tree, or the exception
// CPython raises for the source. The file is taken to exist with these
// bytes (as py_compile compiles it): CPython reads an error's line back
// from it.
//
// A source that the native front end cannot reproduce CPython for (a
// source encoding whose codec it lacks, see package source) gives an
// error whose message says so, with no location; Parse tells it apart.
func ParseFile(filename string, src []byte, rel release.Release) (*ast.Module, *syntaxerr.Error) {
	m, serr, err := Parse(filename, src, rel, Options{})
	if err != nil {
		return nil, &syntaxerr.Error{Type: syntaxerr.SyntaxError, Msg: err.Error(), Filename: filename, NoLocation: true}
	}
	return m, serr
}

// Parse is ParseFile with options. err is set, and nothing else, when the
// native front end cannot reproduce what CPython does with the source.
func Parse(filename string, src []byte, rel release.Release, opts Options) (*ast.Module, *syntaxerr.Error, error) {
	s, err := source.Decode(src, filename, rel)
	if err != nil {
		if se, ok := err.(*syntaxerr.Error); ok {
			return nil, se, nil
		}
		return nil, nil, err
	}
	if _, err := strlit.NewDecoder(rel); err != nil {
		return nil, nil, err
	}
	if len(s.Text) > token.MaxSource {
		// Token offsets are 32-bit.
		return nil, nil, errors.New("source of " + strconv.Itoa(len(s.Text)) + " bytes is too large to compile natively")
	}
	var text string
	if opts.SourceKept && len(s.Text) > 0 {
		// Text is src or a buffer the decoder made: either way nothing
		// modifies it while the tree is in use.
		text = unsafe.String(&s.Text[0], len(s.Text))
	} else {
		text = string(s.Text)
	}
	cfg := config{filename: filename, rel: rel, src: text, onWarning: opts.OnWarning, onIdentifier: opts.OnIdentifier, arena: opts.Arena, stop: opts.Stop, noFast: opts.noFast, fastCounts: opts.fastCounts}
	sopts := scanner.Options{Filename: filename, FileBacked: !opts.NotFileBacked, Keywords: true}
	if m, ok := parseOptimistic(s, sopts, cfg); ok {
		return m, nil, nil
	}
	if opts.OnWarning != nil {
		sopts.OnWarning = func(w scanner.Warning) {
			opts.OnWarning(tokWarning(w))
		}
	}
	sc := scanner.New(s, sopts)
	p := newParser(scanLexer{sc}, cfg)
	m, serr := p.parseModule()
	p.release()
	return m, serr, nil
}

func tokWarning(w scanner.Warning) Warning {
	return Warning{Category: "SyntaxWarning", Msg: w.Msg, Lineno: w.Lineno}
}

// parseOptimistic runs an optimistic first pass (see ahead.go) over s and
// reports whether it succeeded cleanly; if not, nothing of it is
// observable (its warnings are held back) and the parse must run again.
func parseOptimistic(s *source.Source, sopts scanner.Options, cfg config) (*ast.Module, bool) {
	var held []Warning
	tokWarnings := 0
	sopts.OnWarning = func(w scanner.Warning) {
		tokWarnings++
		held = append(held, tokWarning(w))
	}
	onWarning := cfg.onWarning
	cfg.onWarning = func(w Warning) { held = append(held, w) }
	p := newParser(scanLexer{scanner.New(s, sopts)}, cfg)
	p.optimistic, p.limit, p.levelLimit, p.tokWarnings = true, optimisticLimit, optimisticLimit, &tokWarnings
	p.fast = !cfg.noFast
	m, _ := p.parseModule()
	ok := !p.abandon
	p.release()
	if !ok {
		return nil, false
	}
	if onWarning != nil {
		for _, w := range held {
			onWarning(w)
		}
	}
	return m, true
}

// scannerOf returns the scanner a scanLexer drives, or nil.
func scannerOf(l lexer) *scanner.Scanner {
	if sl, ok := l.(scanLexer); ok {
		return sl.s
	}
	return nil
}

// scanLexer drives the scanner for the parser.
type scanLexer struct{ s *scanner.Scanner }

func (l scanLexer) Next(t *token.Token) *syntaxerr.Error { return l.s.Next(t) }

func (l scanLexer) NextReusing(t *token.Token) *syntaxerr.Error { return l.s.NextReusing(t) }

func (l scanLexer) Raised() *syntaxerr.Error { return l.s.Raised() }

func (l scanLexer) Metadata(t *token.Token) string { return l.s.Metadata(t) }

func (l scanLexer) Raise(t *token.Token, typ syntaxerr.Type, msg string) *syntaxerr.Error {
	return l.s.Raise(t, typ, msg)
}

func (l scanLexer) RaiseAt(typ syntaxerr.Type, line, col, endLine, endCol int, msg string) *syntaxerr.Error {
	return l.s.RaiseAt(typ, line, col, endLine, endCol, msg)
}

func (l scanLexer) State() lexState {
	st := l.s.State()
	ls := lexState{FStringDepth: st.FStringDepth, FStringRaw: st.FStringRaw}
	switch st.Code {
	case scanner.OK:
		ls.Code = codeOK
	case scanner.EOF:
		ls.Code = codeEOF
	default:
		ls.Code = codeError
	}
	for _, pa := range st.Parens {
		ls.Parens = append(ls.Parens, paren{Char: pa.Char, Line: pa.Line, Col: pa.Col})
	}
	return ls
}
