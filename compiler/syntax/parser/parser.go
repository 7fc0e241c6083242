// Package parser turns Python source into CPython 3.13's abstract syntax
// tree, or into the SyntaxError CPython raises for it.
//
// The parser is a packrat (PEG) parser generated from grammar/python.peg by
// internal/peg (go generate), and behaves like the parser CPython generates
// from its own grammar with pegen, step for step:
//
//   - Rules are tried in CPython's order, with the same helper rules for
//     groups, repetitions and gathers. Each rule call counts one level of
//     nesting; at level 6000 the parse stops with MemoryError "Parser stack
//     overflowed - Python source too complex to parse", as CPython's does.
//   - Tokens are fetched from the tokenizer lazily, one at a time, when a
//     rule first looks at them, so that a tokenizer error surfaces exactly
//     when CPython's parser meets it, and a generic "invalid syntax" is
//     reported at the last token the first pass fetched. (An optimistic
//     first pass fetches further ahead, and is kept only when it
//     succeeds: see ahead.go.)
//   - A failed first pass is followed by a second pass with the invalid_*
//     rules enabled (CPython's _PyPegen_run_parser), and the error is chosen
//     as CPython chooses it (pegen_errors.c).
//
// The result never depends on anything but the source bytes, the file name
// and the release imitated; the parser keeps no global state.
package parser

import (
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/stop"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/scanner"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/strlit"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

//go:generate go run ./internal/peg/peggen grammar/python.peg parser_gen.go

// maxStack is the nesting depth of rule calls at which the parser gives up
// (pegen's MAXSTACK).
const maxStack = 6000

// span is the position of a node: EXTRA in the grammar's actions.
type span = ast.Loc

// Parser parses one source. The zero Parser is not usable; see ParseFile.
type Parser struct {
	lex lexer
	// sc is lex's scanner when lex is a scanLexer: fillToken calls it
	// directly.
	sc *scanner.Scanner
	// src is the decoded source the tokens point into.
	src      string
	filename string
	rel      release.Release
	a        *ast.Arena
	// stop is polled every stopEvery tokens (Options.Stop).
	stop <-chan struct{}
	// strs decodes string literals.
	strs *strlit.Decoder

	// toks[:fill] are the tokens fetched so far. toks and the arrays
	// parallel to it (kinds, exprs, and memo's rows) are kept as long as
	// their capacity, so that fetching a token does not reslice them.
	toks []token.Token
	fill int
	// tokCap is the number of tokens toks and the arrays parallel to it
	// have room for.
	tokCap int
	// plainTo is the index of the next token fillToken cannot fetch by
	// its short path: tokCap, or the next poll of stop if sooner; 0 when
	// the lexer is not the scanner, or the scanner is not in its regular
	// mode or has raised an error (see fillSlow).
	plainTo int
	// mark is the index of the next token to match.
	mark int
	// level counts the rule calls in progress.
	level int
	// limit is the level at which a rule call stops the parse: maxStack,
	// or optimisticLimit in an optimistic first pass (see ahead.go).
	// levelLimit is limit while no error is pending and -1 (below any
	// level) once errorIndicator is set (setErrorIndicator; it is never
	// cleared), so that a rule's first comparison tests both: only when it
	// holds does the rule look at which (enterSlow).
	limit, levelLimit int
	// optimistic is set in an optimistic first pass; abandon is set when
	// that pass must be run again as pegen runs it.
	optimistic, abandon bool
	// fast is set in an optimistic pass when the hand-written fast path
	// (fast.go) may be asked.
	fast bool
	// fastCounts, when set (by tests, Options.fastCounts), counts the
	// calls of the fast path and the results it gave.
	fastCounts *fastCount
	// tokWarnings counts the warnings the tokenizer emitted (optimistic
	// passes only).
	tokWarnings *int

	// errorIndicator is set once an error is pending: every rule then
	// returns failure at once (pegen's p->error_indicator).
	errorIndicator bool
	// exc is the pending exception (PyErr_Occurred), nil if none.
	exc *syntaxerr.Error
	// knownErrToken, when set, is where a generic error points.
	knownErrToken *token.Token

	// callInvalidRules enables the invalid_* alternatives (second pass).
	callInvalidRules bool
	// barry is set by "from __future__ import barry_as_FLUFL" on releases
	// that honour it in the parser.
	barry bool
	// actionErrorCheck is rel.AtLeast(fixActionErrorCheck), which every
	// action's check asks.
	actionErrorCheck bool
	// stopAtFString: looking ahead stops at an f-string (see ahead.go).
	stopAtFString bool
	// noFor, parallel to toks, marks the "(" tokens that a look-ahead scan
	// found to close with no "for" or "async" directly inside (noForInside;
	// false: unknown). release clears the part a parse used.
	noFor []bool

	// kinds are the kinds of toks, compact for the checks every rule makes.
	kinds []token.Kind
	// exprs refers to the Name or Constant made of each token matched as
	// NAME or NUMBER: 0 for none, else its index plus one in tokNodes.
	// exprs holds no pointer, so that the garbage collector does not scan
	// it where it is kept from parse to parse; tokNodes, about a third as
	// long, is kept too unless it is very long (keptNodes).
	exprs    []int32
	tokNodes []ast.Expr

	// memo holds rows of nMemo entries, and memoAt gives each token
	// fetched its row: entry c of token i's row is 0 when the rule in
	// column c has no result memoized at token i, else the index plus one
	// of the result in its type's slab of vals (or, negative, where the
	// rule failed). A token gets a row of its own only when a result is
	// memoized there (newMemoRow); until then memoAt is 0, the first row,
	// which stays zero. Over the standard library 29% of the tokens get
	// one, with 1.6 of its entries used: a row for every token, as the
	// table had before, made the table three quarters of what a parse
	// touches per token, all of it fresh memory in a one-shot run.
	//
	// memoRows is the number of rows in use, the first included. The rows
	// after them are zero (release and resetForSecondPass clear the rows
	// a pass used, and new memory is zero), so that a new row needs no
	// clearing when it is handed out.
	memo     []int32
	memoRows int32
	memoAt   []int32
	vals     memoSlabs
	// stk holds the elements of the loops in progress.
	stk loopStacks
	// scratch holds the values of parser types that actions read only
	// while a parse lasts, kept from parse to parse.
	scratch scratchVals

	// typeIgnores are the "# type: ignore" comments (never seen unless the
	// tokenizer reports type comments).
	typeIgnores []*ast.TypeIgnore

	// warnings collected while building the tree (first pass only).
	warnings []Warning
	// onWarning and onIdentifier are Options.OnWarning and
	// Options.OnIdentifier.
	onWarning    func(Warning)
	onIdentifier func(string)
	// reported holds identifiers onIdentifier was called with in this
	// pass, at an index made from their length and three of their bytes
	// (reportedSlot): a Name whose identifier is found there is not
	// reported again (see Options.OnIdentifier), and takes the string
	// found there as its own, so that most Names of one identifier share
	// one string (of the first such Name's bytes in the source).
	reported [reportedSlots]string
}

// reportedSlots is the size of Parser.reported: 20% of the Names of the
// standard library miss, 15% being the first of their identifier in the
// file, which must. (1,024 slots missed 17%: the fewer reports saved
// about what clearing the larger table for every parse cost.)
const reportedSlots = 256

// reportedSlot is the index of id, an identifier (not empty), in
// Parser.reported. Its bytes are read without bounds checks: the three
// read are within any identifier.
func reportedSlot(id string) int {
	n := len(id)
	b := unsafe.StringData(id)
	first, last, mid := *b, *(*byte)(unsafe.Add(unsafe.Pointer(b), n-1)), *(*byte)(unsafe.Add(unsafe.Pointer(b), n>>1))
	return (n*31 + int(first)*7 + int(last)*13 + int(mid)*3) & (reportedSlots - 1)
}

// Warning is a SyntaxWarning or DeprecationWarning CPython's parser would
// emit (for example for an invalid escape sequence).
type Warning struct {
	Category string // "SyntaxWarning" or "DeprecationWarning"
	Msg      string
	Lineno   int
}

// stopEvery is how many tokens the parser reads between two polls of its
// stop channel (a power of two).
const stopEvery = 4096

// fillToken fetches the next token from the tokenizer into toks
// (_PyPegen_fill_token). On a tokenizer error it sets the pending error and
// errorIndicator and returns false.
//
// Its short path and fillAhead's loop fetch a regular token with the same
// three steps (NextRegular, then fillRareRegular or addToken), written out
// in each on purpose: the parser's hottest path. Measured on 2026-12-03
// with the parser's TestMeasurePasses under callgrind (a warm pass, 287.3
// million instructions): the steps in a helper both call (not inlined:
// over the inliner's budget) cost 10.0 million more (+3.5%); one loop in
// fillToken for the first token and the rest of the line, with a test for
// the first, 4.2 million more (+1.5%).
func (p *Parser) fillToken() bool {
	n := p.fill
	// plainTo is 0 unless the scanner is the lexer (p.sc is not nil) and
	// Regular holds.
	if n >= p.plainTo {
		return p.fillSlow()
	}
	k := p.sc.NextRegular(p.tokOf(n))
	if rareKind(k) {
		return p.fillRareRegular(n, k)
	}
	p.addToken(n, k)
	if p.optimistic && !fillAheadStop[k] {
		p.fillAhead()
	}
	return true
}

// fillAhead fetches, in an optimistic pass, the tokens after the one just
// fetched, up to the end of its statement's line: the NEWLINE, a ";" or
// the ENDMARKER, or the first token fillToken's short path cannot fetch
// (an f-string's start, an error), which is fetched as fillRare fetches
// it, or plainTo. The rules then find these tokens fetched, without a
// call of fillToken each. Fetching tokens before pegen does is what the
// look-ahead scans do (see ahead.go), on the same terms: it shows only
// when the pass fails, and then the parse runs again as pegen runs it; a
// tokenizer warning meanwhile abandons the pass (its order with the
// actions' warnings would change); and it stops at an f-string's start
// and at the statement's end, after which the tokenizer may depend on
// what the parser has seen (the barry_as_FLUFL import).
func (p *Parser) fillAhead() {
	warned := *p.tokWarnings
	for n := p.fill; n < p.plainTo; n++ {
		k := p.sc.NextRegular(p.tokOf(n))
		if fillAheadStop[k] {
			if rareKind(k) {
				p.fillRareRegular(n, k)
			} else {
				p.addToken(n, k)
			}
			break
		}
		p.addToken(n, k)
	}
	if *p.tokWarnings != warned {
		p.abandon = true
	}
}

// fillAheadStop holds the kinds fillAhead stops at, and after which
// fillToken does not call it: the ends of a statement's line and the
// rareKind ones.
var fillAheadStop = func() (t [256]bool) {
	t[token.NEWLINE], t[token.SEMI], t[token.ENDMARKER] = true, true, true
	for k := token.OP; k <= token.ERRORTOKEN; k++ {
		t[k] = true
	}
	return t
}()

// rareKind reports whether a token of kind k, made by the scanner's
// regular mode, goes to fillRare: an error, a type comment, an f-string's
// start (keywords are past ERRORTOKEN: the scanner gives them their
// kinds).
func rareKind(k token.Kind) bool {
	return uint8(k-token.OP) <= uint8(token.ERRORTOKEN-token.OP)
}

// addToken adds token n, of kind k, to the tokens fetched, when k is not
// rareKind. The token's memo row is cleared here, where it is about to be
// used anyway (in cache), rather than in a separate pass over the table
// when a parse ends: the table is reused as it is. Its Name slot is nil
// already (release clears the slots a parse used).
func (p *Parser) addToken(n int, k token.Kind) {
	*p.memoAtRef(n) = 0
	*p.kindRef(n) = k
	p.fill = n + 1
}

// fillRareRegular is fillRare for token n, of a rareKind k, just made by
// the scanner's regular mode.
func (p *Parser) fillRareRegular(n int, k token.Kind) bool {
	t := p.tokOf(n)
	var err *syntaxerr.Error
	if k == token.ERRORTOKEN {
		err = p.sc.TokenError(t)
	}
	return p.fillRare(n, t, err)
}

// fillSlow is fillToken for a token that needs more than a plain call of
// the scanner's regular mode: the arrays are full, the stop channel is
// due for a poll, the scanner is in an f-string or has raised an error,
// or the lexer is not the scanner. It sets plainTo: the index of the next
// token that needs it for the first two reasons when the scanner is left
// in its regular mode with no error raised, else 0. Only a token that
// goes to fillRare (an f-string's start, an error) can change that, and
// fillRare sets plainTo to 0, so that fillToken's short path needs no
// test of the scanner's mode.
func (p *Parser) fillSlow() bool {
	n := p.fill
	if n >= p.tokCap {
		p.growTokens()
	}
	if n&(stopEvery-1) == 0 && p.stop != nil {
		stop.Poll(p.stop)
	}
	t := p.tokOf(n)
	var err *syntaxerr.Error
	if sc := p.sc; sc != nil {
		err = sc.Next(t)
		p.plainTo = 0
		if sc.Regular() {
			p.plainTo = p.tokCap
			if p.stop != nil {
				p.plainTo = min(p.tokCap, n&^(stopEvery-1)+stopEvery)
			}
		}
	} else {
		err = p.lex.Next(t)
		if t.Kind == token.NAME {
			t.Kind = keyword(p.src[t.Off:t.EndOff])
		}
	}
	k := t.Kind
	if rareKind(k) || err != nil || t.Meta != 0 {
		return p.fillRare(n, t, err)
	}
	p.addToken(n, k)
	return true
}

// fillRare is the rest of fillToken for the rarer tokens: an error, a
// "# type: ignore" comment, an f-string part, a token with Meta.
func (p *Parser) fillRare(n int, t *token.Token, err *syntaxerr.Error) bool {
	// The scanner may have left its regular mode or raised an error:
	// fillSlow looks.
	p.plainTo = 0
	// "# type: ignore" comments are recorded and skipped.
	for err == nil && t.Kind == token.TYPE_IGNORE {
		ti := p.a.NewTypeIgnore()
		ti.Lineno = int(t.Start.Line)
		ti.Tag = p.src[t.Off:t.EndOff]
		p.typeIgnores = append(p.typeIgnores, ti)
		err = p.lex.Next(t)
	}
	if t.Kind == token.NAME && p.sc == nil {
		t.Kind = keyword(p.src[t.Off:t.EndOff])
	}
	p.memoAt[n] = 0
	p.kinds[n] = t.Kind
	p.fill++
	if t.Kind == token.ERRORTOKEN || err != nil {
		p.tokenizerError(err)
		return false
	}
	return true
}

// growTokens makes room for more tokens in toks and the arrays parallel
// to it (all of them are as long as their capacity; fill tokens are used).
// The new size is what the whole source needs if the rest of it has as
// many tokens per byte as the part read, an eighth more, and at least a
// quarter more than now: the buffers are kept after the parse (see
// parsers), so that doubling them would keep up to twice what the largest
// source needs (test/test_typing.py: 131,520 tokens for its 82,970; this
// way 89,270).
func (p *Parser) growTokens() {
	n := p.fill + p.fill/4 + initialTokenCap
	if p.fill > 0 {
		if read := int64(p.toks[p.fill-1].EndOff); read > 0 {
			est := int64(p.fill) * int64(len(p.src)) / read
			n = max(n, int(min(est+est/8, token.MaxSource/2))+initialTokenCap)
		}
	}
	toks := make([]token.Token, n)
	copy(toks, p.toks[:p.fill])
	p.toks = toks
	memoAt := make([]int32, n)
	copy(memoAt, p.memoAt[:p.fill])
	p.memoAt = memoAt
	exprs := make([]int32, n)
	copy(exprs, p.exprs[:p.fill])
	p.exprs = exprs
	kinds := make([]token.Kind, n)
	copy(kinds, p.kinds[:p.fill])
	p.kinds = kinds
	noFor := make([]bool, n)
	copy(noFor, p.noFor[:p.fill])
	p.noFor = noFor
	p.setTokCap()
}

// setTokCap sets tokCap from the lengths of toks and the arrays parallel
// to it.
func (p *Parser) setTokCap() {
	p.tokCap = min(len(p.toks), len(p.exprs), len(p.kinds), len(p.noFor), len(p.memoAt))
}

// keyword returns the kind of a NAME token's text from a lexer other
// than the scanner (which gives keywords their kinds itself): a reserved
// keyword's kind, or NAME (_get_keyword_or_name_type; soft keywords stay
// NAME).
func keyword(s string) token.Kind {
	// Keyword only reads the bytes.
	return token.Keyword(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// tokText returns the source text of a token (pegen's token->bytes).
func (p *Parser) tokText(t *token.Token) string { return p.src[t.Off:t.EndOff] }

// expect matches a token of kind k (_PyPegen_expect_token).
func (p *Parser) expect(k token.Kind) *token.Token {
	i := p.mark
	if i == p.fill {
		return p.expectNew(k)
	}
	if p.kindOf(i) != k {
		return nil
	}
	p.mark = i + 1
	return p.tokOf(i)
}

// expectNew is expect when the token is not fetched yet.
func (p *Parser) expectNew(k token.Kind) *token.Token {
	if !p.fillToken() {
		return nil
	}
	// expect, with the token now fetched.
	i := p.mark
	if p.kindOf(i) != k {
		return nil
	}
	p.mark = i + 1
	return p.tokOf(i)
}

// expectForced matches a token of kind k or raises "expected 'text'" at
// the current token (_PyPegen_expect_forced_token).
func (p *Parser) expectForced(k token.Kind, text string) *token.Token {
	if p.errorIndicator {
		return nil
	}
	if p.mark == p.fill && !p.fillToken() {
		return nil
	}
	t := &p.toks[p.mark]
	if t.Kind != k {
		p.raiseKnownLocation(t, "expected '"+text+"'")
		return nil
	}
	p.mark++
	return t
}

// expectSoft matches a NAME token spelled keyword and returns it as a Name
// (_PyPegen_expect_soft_keyword).
func (p *Parser) expectSoft(keyword string) ast.Expr {
	if p.mark == p.fill && !p.fillToken() {
		return nil
	}
	t := &p.toks[p.mark]
	if t.Kind != token.NAME || p.src[t.Off:t.EndOff] != keyword {
		return nil
	}
	return p.nameToken()
}

// nameToken matches a NAME token and returns it as a Name node
// (_PyPegen_name_token). The Name is made here rather than in a function
// of its own: most calls make one, and the call cost more than the work
// around it (measured).
func (p *Parser) nameToken() ast.Expr {
	i := p.mark
	if i == p.fill && !p.fillToken() {
		return nil
	}
	if p.kindOf(i) != token.NAME {
		return nil
	}
	p.mark = i + 1
	// The Name of a token is made once: every rule that matches the token
	// gets the same node, which no action changes.
	x := p.exprOf(i)
	if j := *x; j != 0 {
		return p.nodeOf(j)
	}
	t := p.tokOf(i)
	id := p.nameText(t)
	if !t.ASCII {
		var ok bool
		if id, ok = p.newIdentifier(id); !ok {
			p.setErrorIndicator()
			return nil
		}
	}
	if p.onIdentifier != nil {
		if r := &p.reported[reportedSlot(id)]; *r != id {
			*r = id
			p.onIdentifier(id)
		} else {
			id = *r
		}
	}
	n := p.a.NewName()
	n.ID = id
	n.Ctx = ast.Load
	n.Loc = tokSpan(t)
	p.setExpr(x, n)
	return n
}

// softKeywordToken matches a NAME token that is a soft keyword
// (_PyPegen_soft_keyword_token). Its Name is the token's, as nameToken
// makes it (pegen makes a new one, equal to it; a soft keyword's Name is
// never part of a tree, and expectSoft shares it likewise).
func (p *Parser) softKeywordToken() ast.Expr {
	t := p.expect(token.NAME)
	if t == nil {
		return nil
	}
	text := p.src[t.Off:t.EndOff]
	for _, kw := range token.SoftKeywords {
		if p.softKeywordMatches(kw, text) {
			p.mark--
			return p.nameToken()
		}
	}
	return nil
}

// softKeywordMatches compares a token with a soft keyword as the release
// does: 3.13.0 compares only the token's length of the keyword, so that a
// prefix such as "ma" matches "match".
func (p *Parser) softKeywordMatches(kw, text string) bool {
	if p.rel.AtLeast(fixSoftKeywordPrefix) {
		return kw == text
	}
	n := len(text)
	if n > len(kw) {
		// strncmp stops at the keyword's terminating NUL.
		return false
	}
	return kw[:n] == text
}

// lastNonWhitespaceToken returns the last token before mark that is not a
// NEWLINE, INDENT, DEDENT or ENDMARKER; the end of a node's span
// (_PyPegen_get_last_nonnwhitespace_token).
func (p *Parser) lastNonWhitespaceToken() *token.Token {
	var t *token.Token
	for m := p.mark - 1; m >= 0; m-- {
		t = p.tokOf(m)
		if t.Kind != token.ENDMARKER && (t.Kind < token.NEWLINE || t.Kind > token.DEDENT) {
			break
		}
	}
	return t
}

// setErrorIndicator makes an error pending (pegen's error_indicator): the
// rules then fail at once (levelLimit, see limit).
func (p *Parser) setErrorIndicator() {
	p.errorIndicator = true
	p.levelLimit = -1
}

// enterSlow is the rare part of a rule's start, when its level is at
// levelLimit: the nesting limit is reached (the parse stops), or an error
// is pending (the caller, unless a left-recursive leader, then fails).
//
//go:noinline
func (p *Parser) enterSlow() {
	if p.level >= p.limit {
		p.stackOverflow()
	}
}

// stackOverflow stops the parse: the grammar's rules nest too deeply.
//
//go:noinline
func (p *Parser) stackOverflow() {
	p.setErrorIndicator()
	if p.level < maxStack {
		// An optimistic pass went too deep to be sure of pegen's depth.
		p.abandon = true
		return
	}
	if p.exc == nil {
		p.exc = &syntaxerr.Error{
			Type:       syntaxerr.MemoryError,
			Msg:        "Parser stack overflowed - Python source too complex to parse",
			Filename:   p.filename,
			NoLocation: true,
		}
	}
}

// nameText is tokText for a NAME token made by the lexer, without bounds
// checks: its offsets are those of its bytes in the source, which the
// lexer made it of.
func (p *Parser) nameText(t *token.Token) string {
	return unsafe.String((*byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(p.src)), t.Off)), int(t.EndOff-t.Off))
}

func tokSpan(t *token.Token) span {
	return span{Lineno: int(t.Start.Line), ColOffset: int(t.Start.Col), EndLineno: int(t.End.Line), EndColOffset: int(t.End.Col)}
}

// spanOf is the span from the start of token st to the end of token et
// (a rule's EXTRA).
func spanOf(st, et *token.Token) span {
	return span{Lineno: int(st.Start.Line), ColOffset: int(st.Start.Col), EndLineno: int(et.End.Line), EndColOffset: int(et.End.Col)}
}

// memoVal is a memoized result: the value, whether the rule succeeded,
// and the token where it ended.
type memoVal[T any] struct {
	v   T
	end int32
	ok  bool
}

// resetForSecondPass forgets the memoized results and rewinds to the first
// token, with the invalid_* rules enabled
// (reset_parser_state_for_error_pass).
func (p *Parser) resetForSecondPass() {
	clear(p.memoAt[:p.fill])
	p.clearMemo()
	p.vals.reset()
	p.reported = [reportedSlots]string{}
	p.mark = 0
	p.callInvalidRules = true
}

// actionFailed reports whether an action's result makes its rule fail with
// the pending error (the check pegen generates after each action).
func (p *Parser) actionFailed(ok bool) bool {
	if p.actionErrorCheck {
		if (!ok || p.errorIndicator) && p.exc != nil {
			p.setErrorIndicator()
			return true
		}
		return false
	}
	if !ok && p.exc != nil {
		p.setErrorIndicator()
		return true
	}
	return false
}

// cannotStart reports whether an alternative whose first set is set may be
// skipped: the current token is fetched and not in it, in an optimistic
// first pass (see internal/peg/first.go for why this changes nothing). That
// pass never calls the invalid_* rules and gives up at optimisticLimit,
// below skipLevel, so it needs no check of its own; a parse run again
// after an optimistic pass (an invalid file, mostly) skips nothing here.
func (p *Parser) cannotStart(set *[256]bool) bool {
	return p.mark < p.fill && !set[p.kindOf(p.mark)] && p.optimistic
}

// kindOf, tokOf and memoOf read the kind, the token and a memo entry of
// token i, which must be fetched (i < p.fill), without a bounds check:
// they are the reads every rule makes, each right after comparing i with
// p.fill. The arrays are never shorter than tokCap, which fill does not
// pass (fillToken grows them first), so i < p.fill keeps every read within
// them; col is a memo column (below nMemo).
func (p *Parser) kindOf(i int) token.Kind {
	return *(*token.Kind)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(p.kinds)), i))
}

func (p *Parser) tokOf(i int) *token.Token {
	return (*token.Token)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(p.toks)), uintptr(i)*unsafe.Sizeof(token.Token{})))
}

func (p *Parser) memoOf(i, col int) int32 {
	r := *p.memoAtRef(i)
	return *(*int32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(p.memo)), uintptr(int(r)*nMemo+col)*4))
}

// rowAt is row r of the memo table, to write; memoAtRef is token i's row
// number (0 while it has none: newMemoRow makes one, and the generated
// code calls it where it writes; see internal/peg's memoRow), and kindRef
// token i's kind, to write. A row's pointer is good until the next new
// row, which may move the table: write through it before memoizing
// anything else. The same condition as above holds for i: i < p.fill, or
// i < p.tokCap in fillToken, which adds token i.
func (p *Parser) rowAt(r int32) *[nMemo]int32 {
	return (*[nMemo]int32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(p.memo)), uintptr(r)*(nMemo*4)))
}

// newMemoRow hands out the next row of the memo table (zero, see
// Parser.memoRows), makes it token i's and returns its number.
func (p *Parser) newMemoRow(i int) int32 {
	r := p.memoRows
	if int(r+1)*nMemo > len(p.memo) {
		p.growMemo()
	}
	p.memoRows = r + 1
	*p.memoAtRef(i) = r
	return r
}

// growMemo makes room for more rows in the memo table: its rows in use
// are copied, and the new memory after them is zero.
func (p *Parser) growMemo() {
	memo := make([]int32, max(2*len(p.memo), 16*nMemo))
	copy(memo, p.memo[:int(p.memoRows)*nMemo])
	p.memo = memo
}

// clearMemo clears the rows of the memo table in use but the first
// (which stays zero), so that the table is all zero again.
func (p *Parser) clearMemo() {
	clear(p.memo[nMemo : int(p.memoRows)*nMemo])
	p.memoRows = 1
}

func (p *Parser) memoAtRef(i int) *int32 {
	return (*int32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(p.memoAt)), uintptr(i)*4))
}

// exprOf is the slot of token i's Name or Constant node (see nameToken),
// on the same condition.
func (p *Parser) exprOf(i int) *int32 {
	return (*int32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(p.exprs)), uintptr(i)*4))
}

// nodeOf is the node a token's slot refers to (j, not 0), read without
// a bounds check: setExpr stores no j beyond len(tokNodes), which never
// shrinks while a parse lasts.
func (p *Parser) nodeOf(j int32) ast.Expr {
	return *(*ast.Expr)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(p.tokNodes)), uintptr(j-1)*unsafe.Sizeof(ast.Expr(nil))))
}

// setExpr records e as the node of the token whose slot is x.
func (p *Parser) setExpr(x *int32, e ast.Expr) {
	p.tokNodes = append(p.tokNodes, e)
	*x = int32(len(p.tokNodes))
}

func (p *Parser) kindRef(i int) *token.Kind {
	return (*token.Kind)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(p.kinds)), i))
}

// peekInNew reports whether the token at the current position, not
// fetched yet, is of a kind in set, fetching it (a look-ahead of a rule
// that matches one token of a set). The generated code tests a fetched
// token itself.
func (p *Parser) peekInNew(set *[256]bool) bool {
	if !p.fillToken() {
		return false
	}
	return set[p.kindOf(p.mark)]
}

// peekIsNew reports whether the token at the current position, not
// fetched yet, is of kind k, fetching it (a lookahead on a token:
// _PyPegen_lookahead_with_int). The generated code tests a fetched token
// itself.
func (p *Parser) peekIsNew(k token.Kind) bool {
	if !p.fillToken() {
		return false
	}
	return p.kindOf(p.mark) == k
}
