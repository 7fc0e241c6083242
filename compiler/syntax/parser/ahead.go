package parser

import "github.com/rules-pyc/rules_pyc/compiler/syntax/token"

// The optimistic first pass.
//
// Looking ahead at the tokens, the first pass skips attempts that pegen
// makes and that cannot succeed: an assignment at the start of an
// expression statement, the parameter lists with a "/" when there is none,
// the keyword arguments followed by "**" arguments when there is no "**",
// a generator expression without a "for", an assignment's value parsed as
// a target, and a keyword argument's name parsed as a positional argument.
//
// Pegen tries simple_stmt's assignment alternatives before the expression
// statement, so that every expression statement (a call, most often) is
// first parsed as the targets of an assignment (t_primary, star_targets,
// single_target) before star_expressions parses it again. In the first
// pass the parser may skip that attempt when a look at the statement's
// tokens shows it cannot match: no "=", ":" or augmented assignment
// operator outside brackets before the statement's NEWLINE or ";".
//
// Looking ahead fetches tokens pegen would not have fetched yet, which is
// observable only when the parse fails (the last token fetched locates a
// generic error; the tokenizer's state and errors come sooner). So a pass
// with such skips is optimistic: it is kept only if it succeeds cleanly,
// and otherwise the whole parse runs again from the source with a new
// tokenizer, as pegen runs it, without any first-pass shortcut
// (parseOptimistic). When it succeeds it gives pegen's tree:
//
//   - the statement then parsed as star_expressions up to its NEWLINE or
//     ";". In such a statement a "=" or ":" outside brackets can only
//     belong to a lambda, whose keyword lies between the statement's start
//     and it, where no target can reach; augmented assignment operators and
//     NEWLINE belong to no expression. So every assignment alternative
//     fails (alternatives ending in "=", ":" or an operator find none; the
//     invalid_* ones are off in the first pass), and the targets they parse
//     are made of the same tokens as parts of the expression, parsed by the
//     same memoized rules (atoms, strings, arguments, slices) that the
//     expression statement calls at the same places: the skipped calls
//     raise nothing and warn of nothing the expression does not, in the
//     same order (left to right), and make no other identifiers;
//   - memo entries the skipped calls would have left are recomputed
//     identically if a later rule needs them (first pass, same settings);
//   - nesting: an optimistic pass stops (and is run again) at
//     optimisticLimit, far enough below maxStack that the skipped target
//     calls, which nest no deeper per token than the expression rules,
//     could not have reached maxStack;
//   - a tokenizer warning emitted while looking ahead would come out of
//     order: the pass is then abandoned;
//   - from 3.13.6, whether a format spec is decoded raw depends on the
//     tokenizer's state when the parser makes it (the innermost f-string it
//     is in then): on those releases looking ahead stops, and skips
//     nothing, at the start of an f-string, so that the tokenizer is never
//     further on than pegen's when the parser reaches a format spec;
//   - warnings are held back until the pass is kept (parseOptimistic).
//
// parameters tries slash_no_default and slash_with_default (parameters
// before a "/") first, then parses the same parameters again without
// them. Both need a "/" outside brackets before the ")" that closes the
// list; without one they fail, after parsing only parameters that the
// later alternatives parse in the same order with the same rules
// (annotations and defaults are memoized expressions), so skipping them
// changes nothing on the same conditions as above.
//
// kwargs likewise first tries keyword (or "*") arguments followed by ","
// and "**" arguments, then parses the same arguments again without them.
// The first gather takes every "name=value" and "*value" argument, so the
// second can only start with a "**" argument: without a "**" outside
// brackets before the call's ")", the alternative fails after parsing
// what the next one parses again in the same way.
//
// A call (primary and t_primary) and a parenthesized atom try a generator
// expression first: genexp parses the first element inside the brackets
// and fails when no "for" (or "async for") follows it. Without a "for" or
// "async" directly inside the brackets it cannot match, and what it
// parsed (an expression, memoized) is parsed again by the alternative
// that matches, so it is skipped on the same conditions.

// assignment's third alternative parses its targets with a loop of
// (star_targets "="): after the last target and its "=", the loop tries
// star_targets once more on the value, which fails (a value such as a call
// fails as a target at its end, where t_lookahead finds no "(", "[" or
// "."), and the value is then parsed again by star_expressions. A target
// is made of balanced brackets and holds no NEWLINE or ";" outside them,
// so star_targets "=" needs a "=" outside brackets before the statement's
// end; without one the attempt is skipped. What it would have parsed is a
// part of the value, parsed by the same memoized rules at the same
// places, so skipping it changes nothing, on the same conditions as
// above. (At the first target, the check finds the "=" that follows it.)

// In a call's arguments, args first gathers the positional ones, each
// tried as (assignment_expression / expression !":=") !"=" after
// starred_expression; a keyword argument ends the gather there, after
// its name has been parsed as an expression, and kwargs then parses it
// again. A NAME followed by "=" is an expression of that name alone (no
// operator, call, subscript or attribute continues it with "="), which
// !"=" rejects, and assignment_expression needs ":=": the alternative
// fails. It is skipped when both tokens are already fetched; the name's
// Name node and identifier are then made by kwarg_or_starred's NAME, the
// next rule to parse a token, so that nothing changes on the same
// conditions as above.

// optimisticLimit is the nesting level at which an optimistic pass gives
// up.
const optimisticLimit = skipLevel - (maxStack - skipLevel)

// canLookAhead reports whether the current attempt may look ahead: only in
// an optimistic pass, with no error pending and no invalid_ rule running.
func (p *Parser) canLookAhead() bool {
	return p.optimistic && !p.callInvalidRules && !p.errorIndicator
}

// Classes of token kinds for the look-ahead scans (aheadClass).
const (
	aheadOther  = iota
	aheadOpen   // ( [ {
	aheadClose  // ) ] }
	aheadEnd    // NEWLINE, ENDMARKER
	aheadSemi   // ;
	aheadAssign // = : and the augmented assignment operators
	aheadFor    // for, async
	aheadStop   // an error token; an f-string's start (see ahead)
)

// aheadClass classifies the token kinds for the look-ahead scans, so that
// their loops make one table look-up per token.
var aheadClass = func() (c [256]uint8) {
	for _, k := range []token.Kind{token.LPAR, token.LSQB, token.LBRACE} {
		c[k] = aheadOpen
	}
	for _, k := range []token.Kind{token.RPAR, token.RSQB, token.RBRACE} {
		c[k] = aheadClose
	}
	c[token.NEWLINE], c[token.ENDMARKER], c[token.SEMI] = aheadEnd, aheadEnd, aheadSemi
	for _, k := range []token.Kind{token.EQUAL, token.COLON, token.PLUSEQUAL, token.MINEQUAL,
		token.STAREQUAL, token.SLASHEQUAL, token.PERCENTEQUAL, token.AMPEREQUAL, token.VBAREQUAL,
		token.CIRCUMFLEXEQUAL, token.LEFTSHIFTEQUAL, token.RIGHTSHIFTEQUAL, token.DOUBLESTAREQUAL,
		token.DOUBLESLASHEQUAL, token.ATEQUAL} {
		c[k] = aheadAssign
	}
	c[token.FOR], c[token.ASYNC] = aheadFor, aheadFor
	c[token.ERRORTOKEN], c[token.FSTRING_START] = aheadStop, aheadStop
	return c
}()

// fetchAhead fetches the next token for a look-ahead scan that started
// when the tokenizer had emitted warned warnings. It returns false when
// looking ahead must stop there and skip nothing: no token can be fetched,
// or the tokenizer warned (the pass is then abandoned). Tokens already
// fetched need no such check: the tokenizer warns only while fetching.
func (p *Parser) fetchAhead(warned int) bool {
	if !p.fillToken() {
		return false
	}
	if *p.tokWarnings != warned {
		p.abandon = true
		return false
	}
	return true
}

// stopsAhead reports whether a token of class aheadStop ends a look-ahead
// scan that then skips nothing: an error token, or an f-string's start
// where the release decodes format specs by the tokenizer's state (see
// above).
func (p *Parser) stopsAhead(k token.Kind) bool {
	return k == token.ERRORTOKEN || p.stopAtFString
}

// noAssignmentAhead reports whether simple_stmt's assignment alternative
// may be skipped at the current token (see above). It looks at, and
// fetches, the statement's tokens up to its NEWLINE or ";" outside
// brackets.
func (p *Parser) noAssignmentAhead() bool { return p.endsBeforeAssign(false) }

// noEqualAhead reports whether assignment's (star_targets "=") may be
// skipped at the current token (see above): no "=" outside brackets before
// the statement's NEWLINE or ";". It fetches the statement's tokens up to
// the first such "=" or the end.
func (p *Parser) noEqualAhead() bool { return p.endsBeforeAssign(true) }

// endsBeforeAssign scans the statement from the current token, fetching
// its tokens, and reports whether its NEWLINE or ";" outside brackets
// comes before an assignment outside brackets: any assignment operator,
// or only "=" when eqOnly is set. With eqOnly it also gives up (false) on
// a closing bracket that was not opened in the scan and on an end inside
// brackets, which the other scan passes over.
func (p *Parser) endsBeforeAssign(eqOnly bool) bool {
	if !p.canLookAhead() {
		return false
	}
	warned := *p.tokWarnings
	depth := 0
	var b bracketScan
	for i := p.mark; ; i++ {
		if i >= p.fill && !p.fetchAhead(warned) {
			return false
		}
		k := p.kindOf(i)
		switch aheadClass[k] {
		case aheadOther:
		case aheadFor:
			b.sawFor(depth)
		case aheadOpen:
			b.open(depth, i)
			depth++
		case aheadClose:
			depth--
			if eqOnly && depth < 0 {
				return false
			}
			b.close(p, depth)
		case aheadEnd, aheadSemi:
			if depth <= 0 {
				return true
			}
			if eqOnly {
				return false
			}
		case aheadAssign:
			if depth <= 0 && (!eqOnly || k == token.EQUAL) {
				return false
			}
		case aheadStop:
			if p.stopsAhead(k) {
				return false
			}
		}
	}
}

// keywordAhead reports whether the alternative of a positional argument
// may be skipped (see above): the current token is a NAME and the next
// one, already fetched, a "=".
func (p *Parser) keywordAhead() bool {
	i := p.mark
	return i+1 < p.fill && p.kinds[i] == token.NAME && p.kinds[i+1] == token.EQUAL && p.canLookAhead()
}

// noneAhead reports whether the alternatives that need a token of kind k
// may be skipped at the current token (see above): none outside brackets
// before the closing bracket that ends the list the current token is in.
// It fetches the list's tokens.
func (p *Parser) noneAhead(k token.Kind) bool {
	if !p.canLookAhead() {
		return false
	}
	warned := *p.tokWarnings
	depth := 0
	for i := p.mark; ; i++ {
		if i >= p.fill && !p.fetchAhead(warned) {
			return false
		}
		kind := p.kindOf(i)
		if kind == k {
			if depth == 0 {
				return false
			}
			continue
		}
		switch aheadClass[kind] {
		case aheadOpen:
			depth++
		case aheadClose:
			if depth == 0 {
				return true
			}
			depth--
		case aheadEnd:
			return false
		case aheadStop:
			if p.stopsAhead(kind) {
				return false
			}
		}
	}
}

// bracketScan follows the brackets a look-ahead scan passes over, so that
// the scan records the answer noForInside would give at each "(" it sees
// closed: the tokens from the "(" to its closing bracket are the same
// whichever scan reads them, and a "(" is marked only when the scan read
// them all up to that bracket without stopping. Brackets nested deeper
// than it can follow are left unmarked (noForInside then scans them).
type bracketScan struct {
	opens  [32]int32 // the open brackets' token indexes, by depth
	hasFor uint32    // bit d: a "for" or "async" directly inside opens[d]
}

// open records the opening bracket at token i, at depth (before it).
func (b *bracketScan) open(depth, i int) {
	if uint(depth) < uint(len(b.opens)) {
		b.opens[depth] = int32(i)
		b.hasFor &^= 1 << depth
	}
}

// sawFor records a "for" or "async" at depth (inside the bracket at
// depth-1).
func (b *bracketScan) sawFor(depth int) {
	if d := depth - 1; uint(d) < uint(len(b.opens)) {
		b.hasFor |= 1 << d
	}
}

// close records the closing of the bracket at depth (after the closing
// token's decrement): a "(" without a "for" directly inside is marked.
func (b *bracketScan) close(p *Parser, depth int) {
	if uint(depth) < uint(len(b.opens)) && b.hasFor>>depth&1 == 0 {
		if o := b.opens[depth]; p.kinds[o] == token.LPAR {
			p.noFor[o] = true
		}
	}
}

// noForInside reports whether genexp may be skipped at the current token,
// an opening bracket (see above): no "for" or "async" directly inside it.
// It fetches the tokens up to the matching closing bracket. The answer at
// the last bracket asked about is kept (a call's or a parenthesized atom's
// bracket is asked about by several rules).
func (p *Parser) noForInside() bool {
	if !p.canLookAhead() || p.mark >= p.fill || p.kinds[p.mark] != token.LPAR {
		return false
	}
	if p.noFor[p.mark] {
		return true
	}
	warned := *p.tokWarnings
	depth := 0
	var b bracketScan
	for i := p.mark; ; i++ {
		if i >= p.fill && !p.fetchAhead(warned) {
			return false
		}
		k := p.kindOf(i)
		switch aheadClass[k] {
		case aheadOpen:
			b.open(depth, i)
			depth++
		case aheadClose:
			depth--
			if depth <= 0 {
				p.noFor[p.mark] = true
				return true
			}
			b.close(p, depth)
		case aheadFor:
			if depth == 1 {
				return false
			}
			b.sawFor(depth)
		case aheadEnd:
			return false
		case aheadStop:
			if p.stopsAhead(k) {
				return false
			}
		}
	}
}
