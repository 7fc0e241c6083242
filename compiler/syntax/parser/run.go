package parser

import (
	"strings"
	"sync"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/strlit"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
)

// config is what a parse needs besides the tokenizer.
type config struct {
	filename string
	rel      release.Release
	// src is the decoded source.
	src string
	// onWarning and onIdentifier are Options.OnWarning and
	// Options.OnIdentifier.
	onWarning    func(Warning)
	onIdentifier func(string)
	// arena is Options.Arena: nil for a new one.
	arena *ast.Arena
	// stop is Options.Stop.
	stop <-chan struct{}
	// noFast and fastCounts are Options.noFast and Options.fastCounts.
	noFast     bool
	fastCounts *fastCount
}

// parsers keeps parsers whose buffers (tokens, memo table and slabs) the
// next parses reuse, so that a parse allocates little besides its tree.
// Unlike a sync.Pool it is not emptied by the garbage collector, which
// runs often while a tree is built. A parser's buffers cost 150 bytes per
// token (the 32-byte token, its memo row of nMemo 4-byte entries, its
// 4-byte node slot, its kind and noFor bytes), none of them holding a
// pointer, so that the collector does not scan them; what is kept is
// bounded by the total capacity of the kept parsers, keptTokenBudget
// tokens (about 22 MB), besides the memo slabs, loop stacks, scratch
// values and the list of Names and Constants (about 4 MB after the
// standard library, mostly the slab of memoized expressions; these hold
// pointers): a long-running worker holds at most that between compiles,
// while a run of parses (one at a time, as in a build of many files)
// keeps the buffers of the largest source it met, up to that size.
var parsers struct {
	sync.Mutex
	free []*Parser
	// kept is the sum of cap(p.toks) over free.
	kept int
}

const (
	maxFreeParsers  = 4
	keptTokenBudget = 150_000
	initialTokenCap = 64
	// keptNodes is the largest capacity of tokNodes kept for the next
	// parse (1 MB; it holds pointers, which the collector scans): the
	// standard library's largest source makes fewer Names and Constants
	// of tokens. Keeping only up to 4,096 of them, tried first, had the
	// larger sources grow their list again on every parse: 10% more bytes
	// allocated over the standard library, and more collections.
	keptNodes = 1 << 16
	// maxTokenEstimate bounds the first size of a parse's buffers: a
	// larger source grows them as it needs (growTokens), so one made of
	// long string literals (pydoc_data/topics.py: 823 KB, few tokens)
	// does not get buffers for 165,000 tokens.
	maxTokenEstimate = 1 << 15
)

func getParser() *Parser {
	parsers.Lock()
	defer parsers.Unlock()
	if n := len(parsers.free); n > 0 {
		p := parsers.free[n-1]
		parsers.free = parsers.free[:n-1]
		parsers.kept -= cap(p.toks)
		return p
	}
	return new(Parser)
}

func putParser(p *Parser) {
	parsers.Lock()
	defer parsers.Unlock()
	if len(parsers.free) < maxFreeParsers && parsers.kept+cap(p.toks) <= keptTokenBudget {
		parsers.free = append(parsers.free, p)
		parsers.kept += cap(p.toks)
	}
}

func newParser(lex lexer, c config) *Parser {
	p := getParser()
	toks, memo, memoAt, vals, exprs, stk, kinds, noFor, scratch, nodes := p.toks, p.memo, p.memoAt, p.vals, p.exprs, p.stk, p.kinds, p.noFor, p.scratch, p.tokNodes
	*p = Parser{
		tokNodes:     nodes,
		scratch:      scratch,
		kinds:        kinds,
		noFor:        noFor,
		exprs:        exprs,
		stk:          stk,
		lex:          lex,
		sc:           scannerOf(lex),
		src:          c.src,
		filename:     c.filename,
		rel:          c.rel,
		onWarning:    c.onWarning,
		onIdentifier: c.onIdentifier,
		a:            c.arena,
		stop:         c.stop,
		fastCounts:   c.fastCounts,
		toks:         toks,
		memo:         memo,
		memoAt:       memoAt,
		vals:         vals,
		limit:        maxStack,
		levelLimit:   maxStack,
	}
	if p.a == nil {
		p.a = ast.NewArena()
	}
	p.actionErrorCheck = c.rel.AtLeast(fixActionErrorCheck)
	p.stopAtFString = c.rel.AtLeast(fixFormatSpecRaw)
	if dec, err := strlit.NewDecoder(c.rel); err == nil {
		p.strs = dec
	}
	// Room for the tokens a source of this size usually has (the stdlib
	// averages a token per 6 bytes).
	n := initialTokenCap + min(len(c.src)/5, maxTokenEstimate)
	if len(p.toks) < n || len(p.memoAt) < n || len(p.exprs) < n || len(p.kinds) < n || len(p.noFor) < n {
		p.toks = make([]token.Token, n)
		p.memoAt = make([]int32, n)
		p.exprs = make([]int32, n)
		p.kinds = make([]token.Kind, n)
		p.noFor = make([]bool, n)
	}
	// The first row is the one every token starts with, all zero; the
	// rows after it are handed out as they are needed (a kept table was
	// cleared by release). A kept table too small for this source is made
	// again at its size rather than grown (and copied) as rows are added.
	if want := (n/memoRowsPer + 1) * nMemo; len(p.memo) < want {
		p.memo = make([]int32, want)
	}
	p.memoRows = 1
	p.setTokCap()
	return p
}

// memoRowsPer: about one token in memoRowsPer gets a memo row (29% over
// the standard library; see Parser.memo), so a new table starts with room
// for n/memoRowsPer rows, n being the tokens first expected.
const memoRowsPer = 3

// release returns p's buffers for reuse; p must not be used afterwards.
func (p *Parser) release() {
	// The rows of the memo table that the parse used are cleared, so
	// that the next parse hands them out without clearing each (the row
	// numbers of the tokens need no clearing: fillToken clears each as it
	// adds the token). The tokens need none either: they hold no pointer
	// (a stale Meta only sends fillToken to the scanner's Next, which
	// resets it); the node slots are cleared (the next parse reads them
	// as they are) and so is the list they refer to, or it is dropped. A
	// memo table grown beyond a row per token of capacity is dropped too,
	// so that what a kept parser holds stays within what the budget of
	// kept tokens allows for.
	if len(p.memo) > len(p.toks)*nMemo {
		p.memo = nil
	} else {
		p.clearMemo()
	}
	p.vals.reset()
	p.stk.resetLists()
	p.scratch.reset()
	clear(p.exprs[:p.fill])
	clear(p.noFor[:p.fill])
	nodes := p.tokNodes
	if cap(nodes) <= keptNodes {
		clear(nodes)
		nodes = nodes[:0]
	} else {
		nodes = nil
	}
	toks, memo, memoAt, vals, exprs, stk, kinds, noFor, scratch := p.toks, p.memo, p.memoAt, p.vals, p.exprs, p.stk, p.kinds, p.noFor, p.scratch

	*p = Parser{toks: toks, memo: memo, memoAt: memoAt, vals: vals, exprs: exprs, stk: stk, kinds: kinds, noFor: noFor, scratch: scratch, tokNodes: nodes}
	putParser(p)
}

// parseModule runs the two passes of _PyPegen_run_parser over a file.
func (p *Parser) parseModule() (*ast.Module, *syntaxerr.Error) {
	m, ok := p.r_file()
	if ok && p.exc == nil && !p.abandon {
		return m, nil
	}
	if p.optimistic {
		// Anything but a clean success is found again by pegen's way.
		p.abandon = true
		return nil, nil
	}
	if ok && p.exc != nil && p.rel.AtLeast(fixActionErrorCheck) {
		// A result returned with an exception pending is discarded.
		return nil, p.exc
	}
	if p.exc != nil && !p.exc.Type.IsSyntaxError() {
		return nil, p.exc
	}
	// Second pass, with the invalid_* rules: they find the specific
	// errors. The generic error is reported where the first pass stopped.
	last := p.fill - 1
	p.resetForSecondPass()
	p.r_file()
	p.setSyntaxError(last)
	return nil, p.exc
}

// setSyntaxError chooses the error of a failed parse
// (_Pypegen_set_syntax_error). last is the last token the first pass
// fetched (its index).
func (p *Parser) setSyntaxError(lastIdx int) {
	last := &p.toks[lastIdx]
	if p.exc != nil {
		// A tokenizer error found further on wins over an error the
		// parser raised, if the tokenizer got there without error.
		if p.lex.State().Code == codeOK && p.exc.Type.IsSyntaxError() {
			p.checkRestOfSource()
		}
		return
	}
	if p.fill == 0 {
		p.raiseSyntaxError("error at start before reading any input")
	}
	if last.Kind == token.ERRORTOKEN && p.lex.State().Code == codeEOF {
		st := p.lex.State()
		if len(st.Parens) > 0 {
			p.raiseUnclosedParen(st)
		} else {
			p.raiseSyntaxError("unexpected EOF while parsing")
		}
		return
	}
	if last.Kind == token.INDENT || last.Kind == token.DEDENT {
		if last.Kind == token.INDENT {
			p.raiseIndentationError("unexpected indent")
		} else {
			p.raiseIndentationError("unexpected unindent")
		}
		return
	}
	p.raiseKnownLocation(last, "invalid syntax")
	p.checkRestOfSource()
}

// checkRestOfSource tokenizes the rest of the source: an error found there
// (an unclosed bracket opened before the line of the parser's error, or
// any error the tokenizer raises) replaces the parser's error
// (_PyPegen_tokenize_full_source_to_check_for_errors).
func (p *Parser) checkRestOfSource() {
	saved := p.exc
	p.exc = nil
	cur := &p.toks[p.fill-1]
	if p.knownErrToken != nil {
		cur = p.knownErrToken
	}
	errLine := int(cur.Start.Line)
	// One token, reused: CPython initializes it once, so a debug
	// expression's text attached to it stays (NextReusing).
	var t token.Token
	for {
		p.lex.NextReusing(&t)
		if t.Kind == token.ERRORTOKEN {
			// Only an error the tokenizer raised itself counts here, as it
			// is, not the one the parser would make of a status code.
			if err := p.lex.Raised(); err != nil {
				p.exc = err
				break
			}
			if st := p.lex.State(); len(st.Parens) > 0 {
				if errLine > st.Parens[len(st.Parens)-1].Line {
					p.raiseUnclosedParen(st)
				}
			}
			break
		}
		if t.Kind == token.ENDMARKER {
			break
		}
	}
	// Inside an f-string the parser's error stands.
	if p.exc != nil && p.lex.State().FStringDepth <= 0 {
		return
	}
	p.exc = saved
}

// newIdentifier returns an identifier as CPython stores it: NFKC-normalized
// when it is not ASCII (_PyPegen_new_identifier). ok is false (with the
// error pending) when later releases refuse the result.
func (p *Parser) newIdentifier(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s, true
	}
	id := unidata.V15_1.NFKC(s)
	if p.rel.AtLeast(identifierConstants) && (id == "None" || id == "True" || id == "False") {
		p.setErrorIndicator()
		if p.exc == nil {
			p.exc = &syntaxerr.Error{
				Type:       syntaxerr.ValueError,
				Msg:        "identifier field can't represent '" + id + "' constant",
				Filename:   p.filename,
				NoLocation: true,
			}
		}
		return "", false
	}
	return id, true
}

// pyRepr returns Python's repr() of a str.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hex2(int(r)))
		case r < 0x7f || unidata.V15_1.IsPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			b.WriteString(`\x` + hex2(int(r)))
		case r <= 0xffff:
			b.WriteString(`\u` + hex2(int(r)>>8) + hex2(int(r)&0xff))
		default:
			b.WriteString(`\U` + hex2(int(r)>>24) + hex2(int(r)>>16&0xff) + hex2(int(r)>>8&0xff) + hex2(int(r)&0xff))
		}
	}
	b.WriteByte(q)
	return b.String()
}

func hex2(v int) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[v>>4&0xf], digits[v&0xf]})
}
