package parser

import (
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// The hand-written fast path of the optimistic first pass.
//
// The generated rules imitate pegen call for call: an operand costs a
// chain of rule calls (expression, disjunction, ... factor, power,
// await_primary, primary, atom), each with its nesting check, memo look-up
// and memo store, shortened but not removed by the generator's shortcuts.
// In an optimistic pass (see ahead.go) `expression` first asks
// fastExpression, a precedence-climbing parser of the operator levels and
// the primaries, for its result; `star_expression`, `named_expression`,
// `arguments` and `slices` ask the functions below for theirs in their
// common forms, and so do, at the statement level, `statements` (a block's
// lines), `simple_stmt` (one-target assignments and expression statements)
// and `params` (a def's parameters without "/"), and `strings` asks
// fastStrings for its run of literals; each function's comment says why
// its success is pegen's result (the generator emits these calls, see
// fastHooks in internal/peg). It builds the nodes with the same action
// helpers and calls the generated rules for everything else (atoms other
// than names, call arguments, generator expressions, slices), so that
// f-strings, numbers and brackets are parsed by pegen's own rules. It
// declines (restores the position and returns false) on anything it does
// not handle: then `expression`'s own alternatives run, as if it had not
// been asked.
//
// Within the optimistic pass only a success must be exact: any failure
// of the pass makes the whole parse run again as pegen runs it. A result
// of `expression` at a position is a function of that position alone in
// the first pass (it reads the tokens and the memo entries of rules
// below it, which hold the same results whoever computed them), so a
// success is exact when it is the node pegen's `expression` builds:
//
//   - the operator levels are pegen's greedy loops: `or` and `and`
//     gather their operands into one BoolOp; `not` is a prefix of an
//     inversion; a comparison gathers its pairs into one Compare; the
//     binary operators of each level associate to the left (pegen's
//     left-recursive leaders grow the longest chain) and take the
//     next level's operands on their right; unary "+", "-", "~" prefix a
//     factor; "**" takes an await_primary on its left and a factor on its
//     right. Each node spans from the first token of the rule that makes
//     it (a parenthesized operand's "(" included) to the last token
//     matched, as EXTRA does;
//   - primaries grow as pegen's `primary` grows its seed: ".NAME", a
//     call (its arguments by the generated `arguments`, or a generator
//     expression by the generated `genexp` where arguments does not
//     match: see fastCall for why the order does not matter) or a
//     subscript (`slices`);
//   - whatever would make pegen's `expression` end elsewhere or fail is
//     declined: a conditional expression (`if` after the disjunction),
//     `await`, `lambda`, the "<" ">" pair and a "!=" or "<>" that
//     checkBarryAsFlufl rejects, an operator whose right operand does not
//     parse, a failed call, subscript or attribute;
//   - tokens: the fast path asks for a token only where pegen's rules
//     would (each follows an operand or an operator pegen also looks
//     past). The tokens fetched are pegen's with one exception, the same
//     with or without the fast path: in an optimistic pass fillToken,
//     given a token that does not end a statement's line, fetches the
//     rest of the line at once (fillAhead), on the look-ahead scans'
//     terms. A tokenizer warning met that way abandons the pass, so the
//     tokenizer's warnings keep their order with the warnings of the
//     actions (strings) in a pass that is kept;
//   - Names come from nameToken, shared per token as the generated rules
//     share them, in the order of the tokens;
//   - nesting: the generated rules called from here run at a level above
//     the one pegen would have there (fastDepth for the chain of rules
//     between `expression` and `atom`, fastStep more per nested operand:
//     a prefix's, a right operand), so the pass never gets further from
//     the nesting limit than pegen would; the fast path declines at
//     fastLimit, below optimisticLimit, also where it nests without
//     calling a generated rule (prefixes, "**" chains), leaving the rest
//     to the generated rules, which give up at that limit (the pass then
//     runs again as pegen runs).

const (
	// fastDepth is above the number of rule calls pegen makes between
	// `expression` and the rules called for an operand (disjunction,
	// conjunction, inversion, comparison, the leaders of the six binary
	// levels and their _raw functions, factor, power, await_primary,
	// primary and its _raw: 22).
	fastDepth = 32
	// fastStep is above what a nested operand adds to pegen's nesting: the
	// loop and group helpers of a comparison's or a BoolOp's right
	// operand, factor's or inversion's own recursion, power's factor.
	fastStep = 4
	// fastLimit is the level at which the fast path declines.
	fastLimit = optimisticLimit - 256
)

// fastCount counts the calls of the hooks that end with fastDone and the
// results they gave (Options.fastCounts, for tests), indexed by hook.
type fastCount [nFastHooks]struct{ Asked, Taken int }

// The hooks fastCount counts.
const (
	hookExpression = iota
	hookArguments
	hookSimpleStmt
	hookParams
	nFastHooks
)

// fastDone ends a call of a hook: it reports whether the hook gives its
// result (got, with no error pending), and otherwise puts the position
// back at start, where the rule's own alternatives begin.
func (p *Parser) fastDone(hook, start int, got bool) bool {
	if p.fastCounts != nil {
		p.countFast(hook, got)
	}
	if !got || p.errorIndicator {
		p.mark = start
		return false
	}
	return true
}

// countFast counts a call of a hook for fastDone; only tests count, so it
// is kept out of the hooks' code.
//
//go:noinline
func (p *Parser) countFast(hook int, got bool) {
	c := &p.fastCounts[hook]
	c.Asked++
	if got && !p.errorIndicator {
		c.Taken++
	}
}

// fastExpression is `expression` in the first pass, or false to let its
// alternatives run.
func (p *Parser) fastExpression() (ast.Expr, bool) {
	start, base := p.mark, p.level
	e := p.fastOperators(base+fastDepth, precOr)
	p.level = base
	if e != nil && !p.errorIndicator {
		// `expression` tries `disjunction "if" disjunction "else"
		// expression` first: a conditional expression (or an "if" that
		// pegen's later alternative leaves out) is left to the generated
		// rules.
		if p.fastKind() == token.IF {
			e = nil
		}
	}
	if !p.fastDone(hookExpression, start, e != nil) {
		return nil, false
	}
	return e, true
}

// fastStarExpression is `star_expression` in the first pass, or false to
// let its alternatives run. Without a "*" its first alternative fails
// and its second is `expression`, called here at the level pegen calls it
// (the generator's pass-through shortcut of star_expression would go
// straight to bitwise_or, around fastExpression); a "*" is declined.
func (p *Parser) fastStarExpression() (ast.Expr, bool) {
	if p.fastKind() == token.STAR {
		return nil, false
	}
	return p.r_expression()
}

// fastNamedExpression is `named_expression` in the first pass, or false
// to let its alternatives run: `expression !":="` where
// assignment_expression (NAME ":=") cannot match, called at the level
// pegen calls it; a walrus is declined.
func (p *Parser) fastNamedExpression() (ast.Expr, bool) {
	start := p.mark
	if p.fastKind() == token.NAME {
		p.mark++
		walrus := p.fastKind() == token.COLONEQUAL
		p.mark = start
		if walrus {
			return nil, false
		}
	}
	e, ok := p.r_expression()
	if !ok || p.errorIndicator || p.fastKind() == token.COLONEQUAL {
		p.mark = start
		return nil, false
	}
	return e, true
}

// fastSlices is `slices` in the first pass, or false to let its
// alternatives run: a subscript of one expression followed by "]".
// `slice` then fails its first alternative (no ":" after the
// expression) and gives named_expression's value, the expression, which
// !"," accepts. The expression is parsed at a level above pegen's (slices,
// slice, named_expression, then expression); anything else (a slice, a
// tuple, a starred or walrus subscript) is declined.
func (p *Parser) fastSlices() (ast.Expr, bool) {
	start, base := p.mark, p.level
	if k := p.fastKind(); k == token.COLON || k == token.STAR || base+4 >= fastLimit {
		return nil, false
	}
	p.level = base + 4
	e, ok := p.r_expression()
	p.level = base
	if !ok || p.errorIndicator || p.fastKind() != token.RSQB {
		p.mark = start
		return nil, false
	}
	return e, true
}

// fastStatements is `statements` in the first pass, or false to let its
// alternatives run. It collects the statements of `statement+` into one
// list as flattenStmts would, taking a line of one simple statement
// without `statement`, `simple_stmts` and their one-element lists:
//
//   - at a token that starts no compound statement, `statement` tries
//     compound_stmt first, which fails there without calling a rule or
//     fetching a token past it (its alternatives but the last test the
//     token's kind: below the nesting limit the look-aheads are tests,
//     see peekIn; match_stmt's first alternative fails at once on a NAME
//     that is not the soft keyword `match`, and its invalid_ one is off
//     in the first pass); then simple_stmts, whose first alternative is
//     simple_stmt !";" NEWLINE. simple_stmt is called here at the level
//     pegen calls it (statements, statement+, statement, simple_stmts),
//     and when NEWLINE follows it the line is that statement;
//   - otherwise (a compound statement, a ";", a failure) `statement` is
//     called, at its level, and finds simple_stmt memoized;
//   - DEDENT and ENDMARKER start no statement: the loop ends there, where
//     `statement` would fail without a call.
func (p *Parser) fastStatements() ([]ast.Stmt, bool) {
	base := p.level
	if base+4 >= fastLimit {
		return nil, false
	}
	start := len(p.stk.s2)
	for {
		m := p.mark
		k := p.fastKind()
		if k == token.DEDENT || k == token.ENDMARKER {
			break
		}
		if !compoundStart[k] && (k != token.NAME || p.src[p.tokOf(m).Off:p.tokOf(m).EndOff] != "match") {
			p.level = base + 3
			s, ok := p.r_simple_stmt()
			if ok && !p.errorIndicator && p.fastKind() == token.NEWLINE {
				p.mark++
				p.stk.s2 = append(p.stk.s2, s)
				continue
			}
			p.mark = m
		}
		if p.errorIndicator {
			break
		}
		p.level = base + 1
		l, ok := p.r_statement()
		if !ok {
			break
		}
		p.stk.s2 = append(p.stk.s2, l...)
	}
	p.level = base
	if len(p.stk.s2) == start || p.errorIndicator {
		drop2(p, start)
		return nil, false
	}
	return pop2(p, start), true
}

// fastSimpleStmt is `simple_stmt` in the first pass, or false to let its
// alternatives run. It takes the two commonest forms:
//
//   - an assignment to one target, a NAME or attributes of a NAME
//     (`x = v`, `self.x = v`), whose value is followed by NEWLINE or ";".
//     assignment's first two alternatives fail at the "=" (after the NAME,
//     or after the target: its annotation's ":" is missing); the third
//     makes the target as target_with_star_atom does (t_primary's
//     attributes, Load, then the last one, Store; or star_atom's Name),
//     tries star_targets again at the value, and takes the value from
//     star_expressions at the level made here (assignment, its group).
//     That second star_targets cannot match: a target followed by "="
//     lies outside brackets and holds neither NEWLINE nor ";" nor (outside
//     brackets) "lambda", so it would end inside the value at a "=" that
//     belongs to no expression (see ahead.go); so the Assign has one
//     target, and what the failed attempt parses is part of the value,
//     parsed by the same memoized rules. A "yield" value, another "=",
//     a TYPE_COMMENT or anything else after the value is declined;
//   - an expression statement: star_expressions followed by NEWLINE or
//     ";", at a token other than the soft keyword `type` (type_alias is
//     tried before). assignment cannot match there: its "=", ":" or
//     augmented assignment operator would lie outside brackets within
//     the expression, where only a lambda's ":" or "=" may, after a
//     "lambda" that no target can hold (see ahead.go).
//
// Names and identifiers are made in the order of the tokens, as pegen's
// rules make them; tokens are fetched as the parse reaches them.
func (p *Parser) fastSimpleStmt() (ast.Stmt, bool) {
	start, base := p.mark, p.level
	if base+3 >= fastLimit {
		return nil, false
	}
	var s ast.Stmt
	switch k := p.fastKind(); {
	case keywordStmt[k]:
		// Neither form starts with a keyword: leave the statement to
		// its alternative without asking `expression` first.
		return nil, p.fastDone(hookSimpleStmt, start, false)
	case k == token.NAME:
		s = p.fastAssign(start, base)
		p.level = base
		if s == nil {
			if p.errorIndicator {
				return nil, false
			}
			p.mark = start
			if t := p.tokOf(start); p.src[t.Off:t.EndOff] == "type" {
				return nil, false
			}
		}
	}
	if s == nil {
		if e, ok := p.fastStarExpressions(base); ok && !p.errorIndicator {
			if k := p.fastKind(); k == token.NEWLINE || k == token.SEMI {
				s = p.newExprStmt(e, p.lastSpan(start))
			}
		}
	}
	if !p.fastDone(hookSimpleStmt, start, s != nil) {
		return nil, false
	}
	return s, true
}

// fastAssign is fastSimpleStmt's assignment (at a NAME), or nil to
// decline; it leaves the level changed.
func (p *Parser) fastAssign(start, base int) ast.Stmt {
	a := p.nameToken()
	if a == nil {
		return nil
	}
	var target ast.Expr
	switch p.fastKind() {
	case token.EQUAL:
		target = p.setExprContext(a, ast.Store)
	case token.DOT:
		for {
			p.mark++
			b := p.nameToken()
			if b == nil {
				return nil
			}
			l := p.lastSpan(start)
			k := p.fastKind()
			if k == token.EQUAL {
				target = p.newAttribute(a, nameID(b), ast.Store, l)
				break
			}
			if k != token.DOT {
				return nil
			}
			a = p.newAttribute(a, nameID(b), ast.Load, l)
		}
	default:
		return nil
	}
	p.mark++
	if p.fastKind() == token.YIELD {
		return nil
	}
	v, ok := p.fastStarExpressions(base + 2)
	if !ok || p.errorIndicator {
		return nil
	}
	if k := p.fastKind(); k != token.NEWLINE && k != token.SEMI {
		return nil
	}
	l := p.lastSpan(start)
	return p.newAssign(p.exprs1(target), v, "", l)
}

// fastStarExpressions calls star_expressions as a rule whose body is at
// level lvl would (star_expressions' own body at lvl+1), and leaves the
// level at lvl. Without a "*" at its start and a "," after its first
// star_expression, star_expressions gives that star_expression's value,
// which is `expression`'s (fastStarExpression): expression is called
// directly then, at the level pegen calls it (star_expressions,
// star_expression). Otherwise star_expressions is called, which finds
// expression's result memoized.
func (p *Parser) fastStarExpressions(lvl int) (ast.Expr, bool) {
	if p.fastKind() != token.STAR {
		start := p.mark
		p.level = lvl + 2
		e, ok := p.r_expression()
		p.level = lvl
		if !ok || p.errorIndicator {
			return nil, false
		}
		if p.fastKind() != token.COMMA {
			return e, true
		}
		p.mark = start
	}
	p.level = lvl
	return p.r_star_expressions()
}

// compoundStart holds the kinds compound_stmt's alternatives test for,
// and ERRORTOKEN (which fastKind gives on a tokenizer error, and which
// starts no statement).
var compoundStart = [256]bool{token.DEF: true, token.AT: true, token.ASYNC: true, token.IF: true,
	token.CLASS: true, token.WITH: true, token.FOR: true, token.TRY: true, token.WHILE: true,
	token.ERRORTOKEN: true}

// keywordStmt holds the keywords that start a simple statement of their
// own (return_stmt, import_stmt, ...): neither an assignment nor
// star_expressions starts with one.
var keywordStmt = [256]bool{token.RETURN: true, token.IMPORT: true, token.FROM: true,
	token.RAISE: true, token.PASS: true, token.DEL: true, token.YIELD: true, token.ASSERT: true,
	token.BREAK: true, token.CONTINUE: true, token.GLOBAL: true, token.NONLOCAL: true}

// fastKind returns the kind of the token at the current position,
// fetching it if need be. On a tokenizer error it returns ERRORTOKEN,
// which no part of the fast path accepts, with the error pending (which
// fails every generated rule, and so the optimistic pass). It reads the
// kind with kindOf, without a bounds check (the fast path's commonest
// read), and is written to stay within the inliner's budget: a call
// costs more than the check saves.
func (p *Parser) fastKind() token.Kind {
	if p.mark >= p.fill {
		return p.fastKindNew()
	}
	return p.kindOf(p.mark)
}

// fastKindNew is fastKind when the token is not fetched yet (apart, so
// that fastKind is inlined).
//
//go:noinline
func (p *Parser) fastKindNew() token.Kind {
	if !p.fillToken() {
		return token.ERRORTOKEN
	}
	return p.kindOf(p.mark)
}

// fastSpan is EXTRA of a rule that started at token start and has just
// matched its last token.
func (p *Parser) fastSpan(start int) (span, bool) {
	et := p.lastNonWhitespaceToken()
	if et == nil {
		return span{}, false
	}
	return spanOf(p.tokOf(start), et), true
}

// lastSpan is fastSpan where the token just matched, the rule's last, is
// a NAME, a closing bracket or the last token of an expression, none of
// the kinds lastNonWhitespaceToken passes over (NEWLINE, INDENT, DEDENT
// and ENDMARKER are part of no expression, and no NEWLINE is made inside
// brackets): that token ends the span, with no search and no call
// (fastSpan is far over the inliner's budget).
func (p *Parser) lastSpan(start int) span {
	return spanOf(p.tokOf(start), p.tokOf(p.mark-1))
}

// Precedences of the operator levels, from `disjunction` (loosest) to
// `power`: fastOperators(lvl, prec) parses what the rule of level prec
// parses.
const (
	precOr     = 1 + iota // disjunction
	precAnd               // conjunction
	precNot               // inversion
	precCmp               // comparison
	precBitOr             // bitwise_or "|"
	precBitXor            // bitwise_xor "^"
	precBitAnd            // bitwise_and "&"
	precShift             // shift_expr "<<" ">>"
	precSum               // sum "+" "-"
	precTerm              // term "*" "/" "//" "%" "@"
	precFactor            // factor: unary "+" "-" "~"
)

// binaryOps gives each binary operator token its level (precBitOr ...
// precTerm; 0: none) and its operator.
var binaryOps = func() (t [256]struct {
	prec uint8
	op   ast.Operator
}) {
	for _, o := range []struct {
		k    token.Kind
		prec uint8
		op   ast.Operator
	}{
		{token.VBAR, precBitOr, ast.BitOr},
		{token.CIRCUMFLEX, precBitXor, ast.BitXor},
		{token.AMPER, precBitAnd, ast.BitAnd},
		{token.LEFTSHIFT, precShift, ast.LShift}, {token.RIGHTSHIFT, precShift, ast.RShift},
		{token.PLUS, precSum, ast.Add}, {token.MINUS, precSum, ast.Sub},
		{token.STAR, precTerm, ast.Mult}, {token.SLASH, precTerm, ast.Div},
		{token.DOUBLESLASH, precTerm, ast.FloorDiv},
		{token.PERCENT, precTerm, ast.Mod}, {token.AT, precTerm, ast.MatMult},
	} {
		t[o.k].prec, t[o.k].op = o.prec, o.op
	}
	return t
}()

// cmpStarts marks the tokens a comparison operator starts with.
var cmpStarts = func() (t [256]bool) {
	for _, k := range []token.Kind{token.EQEQUAL, token.NOTEQUAL, token.LESS, token.LESSEQUAL,
		token.GREATER, token.GREATEREQUAL, token.IN, token.NOT, token.IS} {
		t[k] = true
	}
	return t
}()

// operatorAfter marks the tokens after an operand that fastOperators
// goes on with at some level: a binary operator, a comparison's start,
// "and", "or".
var operatorAfter = func() (t [256]bool) {
	for k := range t {
		t[k] = binaryOps[k].prec != 0 || cmpStarts[k] || k == int(token.AND) || k == int(token.OR)
	}
	return t
}()

// fastOperators parses the operator levels from prec down (precOr:
// `disjunction`) by precedence climbing, one look at the token after
// each operand, where pegen descends through a rule per level. Pegen's
// levels are greedy loops: "or" and "and" gather their operands into one
// BoolOp; a comparison gathers its pairs into one Compare; each binary
// level is a left-recursive leader whose longest chain pegen keeps (left
// associative, the next level's operand on the right). Every node spans
// from the first token of the rule that makes it, which is where this
// call started (a prefix and a parenthesized operand's "(" included), to
// the last token matched, as EXTRA does. lvl is the level for the
// generated rules called below; it grows by fastStep per nested operand.
func (p *Parser) fastOperators(lvl int, prec uint8) ast.Expr {
	if lvl >= fastLimit {
		// Prefixes and right operands nest without a call of a generated
		// rule.
		return nil
	}
	start := p.mark
	var left ast.Expr
	switch k := p.fastKind(); k {
	case token.NOT, token.PLUS, token.MINUS, token.TILDE:
		left = p.fastPrefix(lvl, prec, k)
	default:
		// `power`: await_primary, then "**" factor (an "await" is
		// declined).
		left = p.fastPrimary(lvl, k)
		if left != nil && p.mark < p.fill && p.kindOf(p.mark) == token.DOUBLESTAR {
			left = p.fastPower(lvl, start, left)
		}
	}
	for left != nil {
		// Every operand ends with a look at the token after it, so that
		// token is fetched.
		if p.mark >= p.fill {
			return nil
		}
		k := p.kindOf(p.mark)
		if !operatorAfter[k] {
			// Most operands end at a token that goes on no level: one
			// test for them instead of the switch's four.
			return left
		}
		switch o := binaryOps[k]; {
		case o.prec >= prec:
			p.mark++
			right := p.fastOperators(lvl+fastStep, o.prec+1)
			if right == nil {
				return nil
			}
			l := p.lastSpan(start)
			left = p.newBinOp(left, o.op, right, l)
		case cmpStarts[k] && prec <= precCmp:
			var more bool
			if left, more = p.fastCompare(lvl, start, left); !more {
				return left
			}
		case k == token.AND && prec <= precAnd:
			left = p.fastBoolOp(lvl, start, left, token.AND)
		case k == token.OR && prec <= precOr:
			left = p.fastBoolOp(lvl, start, left, token.OR)
		default:
			return left
		}
	}
	return nil
}

// fastPrefix parses an operand of level prec that starts with a prefix:
// `inversion`'s "not" inversion (only where an inversion may stand),
// `factor`'s "+", "-", "~" factor. (fastOperators parses the other
// operands, `power`'s.) k is the kind of the current token, the prefix.
func (p *Parser) fastPrefix(lvl int, prec uint8, k token.Kind) ast.Expr {
	start := p.mark
	var op ast.UnaryOperator
	operand := uint8(precFactor)
	switch k {
	case token.NOT:
		if prec > precNot {
			return nil
		}
		op, operand = ast.Not, precNot
	case token.PLUS:
		op = ast.UAdd
	case token.MINUS:
		op = ast.USub
	case token.TILDE:
		op = ast.Invert
	default:
		return nil
	}
	p.mark++
	a := p.fastOperators(lvl+fastStep, operand)
	if a == nil {
		return nil
	}
	l := p.lastSpan(start)
	return p.newUnaryOp(op, a, l)
}

// fastPower continues `power` after its await_primary a, which started
// at token start, at the "**": a factor follows.
func (p *Parser) fastPower(lvl, start int, a ast.Expr) ast.Expr {
	p.mark++
	b := p.fastOperators(lvl+fastStep, precFactor)
	if b == nil {
		return nil
	}
	l, ok := p.fastSpan(start)
	if !ok {
		return nil
	}
	return p.newBinOp(a, ast.Pow, b, l)
}

// fastBoolOp continues `disjunction` (kw "or") or `conjunction` (kw
// "and") after its first operand a, which started at token start: one
// BoolOp of all the operands.
func (p *Parser) fastBoolOp(lvl, start int, a ast.Expr, kw token.Kind) ast.Expr {
	prec, op := uint8(precOr), ast.Or
	if kw == token.AND {
		prec, op = precAnd, ast.And
	}
	values := []ast.Expr{a}
	for p.mark < p.fill && p.kindOf(p.mark) == kw {
		p.mark++
		b := p.fastOperators(lvl+fastStep, prec+1)
		if b == nil {
			return nil
		}
		values = append(values, b)
	}
	l, ok := p.fastSpan(start)
	if !ok {
		return nil
	}
	list := p.a.ExprList(len(values))
	copy(list, values)
	return p.newBoolOp(op, list, l)
}

// fastCmpOp matches a comparison operator at the current position, as
// compare_op_bitwise_or_pair's alternatives match one: its operator and
// true, moving past it; found false when no operator follows (the loop of
// pairs ends there); ok false to decline.
func (p *Parser) fastCmpOp() (op ast.CmpOperator, found, ok bool) {
	k := p.fastKind()
	i := p.mark
	switch k {
	case token.EQEQUAL:
		op = ast.Eq
	case token.NOTEQUAL:
		// "!=" is checked against barry_as_FLUFL; "<>" (a NOTEQUAL in
		// releases before 3.13.16) only counts under it.
		if p.checkBarryAsFlufl(p.tokOf(i)) == nil {
			return 0, false, false
		}
		op = ast.NotEq
	case token.LESS:
		// noteq_bitwise_or's "<" ">" comes before lt_bitwise_or.
		p.mark++
		k2 := p.fastKind()
		p.mark = i
		if k2 == token.GREATER {
			return 0, false, false
		}
		op = ast.Lt
	case token.LESSEQUAL:
		op = ast.LtE
	case token.GREATEREQUAL:
		op = ast.GtE
	case token.GREATER:
		op = ast.Gt
	case token.IN:
		op = ast.In
	case token.NOT, token.IS:
		// "not" "in", and "is" "not" before "is".
		p.mark++
		k2 := p.fastKind()
		switch {
		case k == token.NOT && k2 == token.IN:
			op = ast.NotIn
		case k == token.NOT:
			// A "not" without "in" ends the comparison.
			p.mark = i
			return 0, false, true
		case k2 == token.NOT:
			op = ast.IsNot
		default:
			p.mark = i
			op = ast.Is
		}
	default:
		return 0, false, true
	}
	p.mark++
	return op, true, true
}

// fastCompare continues `comparison` after its first operand a, which
// started at token start: the pairs of an operator and a bitwise_or give
// one Compare. more is false when no operator matched (a "not" without
// "in"): the comparison is a, and its operand levels end there.
func (p *Parser) fastCompare(lvl, start int, a ast.Expr) (e ast.Expr, more bool) {
	var pairs []*cmpopExpr
	for {
		op, found, ok := p.fastCmpOp()
		if !ok {
			return nil, true
		}
		if !found {
			break
		}
		b := p.fastOperators(lvl+fastStep, precBitOr)
		if b == nil {
			return nil, true
		}
		pairs = append(pairs, p.newCmpop(op, b))
	}
	if pairs == nil {
		return a, false
	}
	l, ok := p.fastSpan(start)
	if !ok {
		return nil, true
	}
	return p.newCompare(a, pairs, l), true
}

// fastPrimary parses `primary`: an atom grown by attributes, calls and
// subscripts, in the order of pegen's alternatives. k is the kind of the
// current token (fastOperators has looked).
func (p *Parser) fastPrimary(lvl int, k token.Kind) ast.Expr {
	start := p.mark
	var a ast.Expr
	if k == token.NAME {
		a = p.nameToken()
	} else {
		a = p.fastAtom(lvl)
	}
	for a != nil {
		switch p.fastKind() {
		case token.DOT:
			p.mark++
			b := p.nameToken()
			if b == nil {
				return nil
			}
			l := p.lastSpan(start)
			a = p.newAttribute(a, nameID(b), ast.Load, l)
		case token.LPAR:
			a = p.fastCall(lvl, start, a)
		case token.LSQB:
			a = p.fastSubscript(lvl, start, a)
		default:
			return a
		}
	}
	return nil
}

// fastCall grows primary a (which started at token start) by a call:
// `primary genexp` first, then `primary "(" arguments? ")"`.
//
// arguments is asked first: where it matches, genexp cannot. genexp
// needs a "for" (or "async") after its first element, which it parses
// as args parses its first argument (assignment_expression, or
// expression !":="): args would then end after that argument, where
// arguments' ")" is missing. Neither genexp (which fails at once at
// "()") nor arguments changes what the other then parses: the first
// element is memoized (expression), so its warnings and identifiers
// come first either way. This spares genexp's look-ahead for a "for"
// (noForInside) at most calls.
func (p *Parser) fastCall(lvl, start int, a ast.Expr) ast.Expr {
	open := p.mark
	if !p.fastCallable(lvl) {
		return nil
	}
	p.mark = open + 1
	var args ast.Expr
	if p.fastKind() != token.RPAR {
		p.level = lvl
		args, _ = p.r_arguments()
		if p.errorIndicator {
			return nil
		}
		if p.fastKind() != token.RPAR {
			p.mark = open
			p.level = lvl
			g, ok := p.r_genexp()
			if !ok || p.errorIndicator {
				return nil
			}
			l, ok := p.fastSpan(start)
			if !ok {
				return nil
			}
			return p.newCall(a, p.exprs1(g), nil, l)
		}
	}
	p.mark++
	l := p.lastSpan(start)
	return p.newCallFrom(a, args, l)
}

// fastCallable reports whether generated rules may be called at level lvl
// (declining well below the optimistic pass's limit).
func (p *Parser) fastCallable(lvl int) bool {
	return lvl < fastLimit
}

// fastSubscript grows primary a by `"[" slices "]"`.
func (p *Parser) fastSubscript(lvl, start int, a ast.Expr) ast.Expr {
	if !p.fastCallable(lvl) {
		return nil
	}
	p.mark++
	p.level = lvl
	s, ok := p.r_slices()
	if !ok || p.errorIndicator {
		return nil
	}
	if p.fastKind() != token.RSQB {
		return nil
	}
	p.mark++
	l := p.lastSpan(start)
	return p.newSubscript(a, s, ast.Load, l)
}

// fastAtom parses an `atom` other than a NAME (which fastPrimary takes)
// by the generated rule ("await" and "lambda", which no atom starts with,
// are declined).
func (p *Parser) fastAtom(lvl int) ast.Expr {
	if !p.fastCallable(lvl) {
		return nil
	}
	p.level = lvl
	a, ok := p.r_atom()
	if !ok || p.errorIndicator {
		return nil
	}
	return a
}

// fastStrings is `strings` in the first pass, or false to let its
// alternative run: `(fstring / string)+` and concatenateStrings, with the
// loop and its group written out. Each element is a STRING, made into its
// Constant by constantFromString as `string` makes it, or an f-string
// start, for which `fstring` is called at the level pegen calls it
// (strings, the loop, its group); the loop ends at any other token, or at
// an f-string that `fstring` does not parse (its group then tries
// `string`, which cannot start there). Tokens are fetched and the actions
// run in pegen's order, one element after the other, so the warnings of
// the literals keep theirs. An error raised on the way fails the rule, as
// it fails the loop.
func (p *Parser) fastStrings() (ast.Expr, bool) {
	start, base := p.mark, p.level
	if base+3 >= fastLimit {
		return nil, false
	}
	s3 := len(p.stk.s3)
	for {
		var e ast.Expr
		switch p.fastKind() {
		case token.STRING:
			e = p.constantFromString(p.tokOf(p.mark))
			p.mark++
		case token.FSTRING_START:
			m := p.mark
			p.level = base + 2
			var ok bool
			if e, ok = p.r_fstring(); !ok {
				p.mark = m
				e = nil
			}
			p.level = base
		}
		if e == nil || p.errorIndicator {
			break
		}
		p.stk.s3 = append(p.stk.s3, e)
	}
	if len(p.stk.s3) == s3 || p.errorIndicator {
		drop3(p, s3)
		p.mark = start
		return nil, false
	}
	if len(p.stk.s3) == s3+1 {
		// One literal, not bytes: concatenateStrings would return it as
		// it is, without the list.
		if c, ok := p.stk.s3[s3].(*ast.Constant); ok && c.Value.Kind() != ast.BytesKind {
			drop3(p, s3)
			return c, true
		}
	}
	strs := pop3(p, s3)
	// The last token matched is a STRING or an FSTRING_END: EXTRA spans
	// to it.
	res := p.concatenateStrings(strs, spanOf(p.tokOf(start), p.tokOf(p.mark-1)))
	if p.actionFailed(res != nil) || res == nil {
		p.mark = start
		return nil, false
	}
	return res, true
}

// fastArgsDepth is above the number of rule calls pegen makes between
// `arguments` and the `expression` of an argument (args, the gather, the
// groups of an element; or args, kwargs, its gather, kwarg_or_starred: 4).
const fastArgsDepth = 8

// fastArguments is `arguments` in the first pass, or false to let its
// alternatives run: a call's arguments when they are expressions
// followed by `name=expression` keywords, and a trailing comma before the
// ")" (not matched: `arguments` only looks at it). Starred arguments, a
// keyword before a positional argument and an argument that is followed
// by anything but "," or ")" (":=", "=", "for": a walrus, a generator
// expression) are declined.
//
// Pegen's `args` gathers the positional arguments first: a NAME followed
// by "=" fails there (after `expression` has parsed the NAME alone, which
// the keyword's NAME then matches again, as nameToken does here), and
// `kwargs` gathers the keywords after the ",". Its action makes the Call
// that `primary` takes the arguments of, spanning the arguments without
// the trailing comma; both forms are made here with the same helpers
// (collectCallSeqs for positional arguments with or without keywords,
// newCall with seqExtractStarredExprs and seqDeleteStarredExprs for
// keywords alone).
func (p *Parser) fastArguments() (ast.Expr, bool) {
	start, base := p.mark, p.level
	var e ast.Expr
	if lvl := base + fastArgsDepth; lvl < fastLimit {
		e = p.fastArgs(lvl)
	}
	p.level = base
	if !p.fastDone(hookArguments, start, e != nil) {
		return nil, false
	}
	return e, true
}

// fastArgs parses fastArguments' arguments, leaving the position at the
// ")"; nil to decline.
func (p *Parser) fastArgs(lvl int) ast.Expr {
	start := p.mark
	// The positional arguments are collected on the loop stack of
	// expressions (as the generated loops collect theirs) from base up,
	// and moved into the arena list once: no slice grown per call, nor
	// copied with copy (which calls into the runtime for pointers).
	base := len(p.stk.s3)
	var kws []*keywordOrStarred
	end := start
	for {
		switch p.fastKind() {
		case token.STAR, token.DOUBLESTAR, token.RPAR:
			return p.dropArgs(base)
		case token.NAME:
			p.mark++
			isKeyword := p.fastKind() == token.EQUAL
			p.mark--
			if isKeyword {
				kw := p.fastKeyword(lvl)
				if kw == nil {
					return p.dropArgs(base)
				}
				kws = append(kws, kw)
				break
			}
			fallthrough
		default:
			if kws != nil {
				return p.dropArgs(base)
			}
			p.level = lvl
			e, ok := p.r_expression()
			if !ok || p.errorIndicator {
				return p.dropArgs(base)
			}
			p.stk.s3 = append(p.stk.s3, e)
		}
		end = p.mark
		switch p.fastKind() {
		case token.COMMA:
			p.mark++
			if p.fastKind() != token.RPAR {
				continue
			}
		case token.RPAR:
		default:
			return p.dropArgs(base)
		}
		break
	}
	// args' EXTRA ends at its last argument's last token (see lastSpan).
	l := spanOf(p.tokOf(start), p.tokOf(end-1))
	if len(p.stk.s3) == base {
		return p.newCall(dummyName, p.seqExtractStarredExprs(kws), p.seqDeleteStarredExprs(kws), l)
	}
	return p.collectCallSeqs(pop3(p, base), kws, l)
}

// dropArgs drops the positional arguments fastArgs collected from base
// up, and declines.
func (p *Parser) dropArgs(base int) ast.Expr {
	drop3(p, base)
	return nil
}

// fastKeyword parses kwarg_or_starred's `NAME "=" expression` (the "="
// is known to follow).
func (p *Parser) fastKeyword(lvl int) *keywordOrStarred {
	start := p.mark
	n := p.nameToken()
	if n == nil {
		return nil
	}
	p.mark++
	p.level = lvl
	v, ok := p.r_expression()
	if !ok || p.errorIndicator {
		return nil
	}
	l := p.lastSpan(start)
	return p.newKeywordOrStarred(p.newKeyword(nameID(n), v, l), true)
}

// fastParamsDepth is above the number of rule calls pegen makes between
// `params` and the `expression` of a parameter's annotation or default
// (parameters, star_etc, kwds, param_no_default, param, annotation: 6).
const fastParamsDepth = 8

// fastParams is `params` in the first pass, or false to let its
// alternatives run (invalid_parameters is off in the first pass): a
// parameter list without "/", followed by ")", of
//
//   - positional parameters `NAME`, `NAME: annotation`, each of them, or
//     each after the first with a default (`= expression`), having one;
//   - then, optionally, "*" NAME (with an annotation) or a bare "*" and
//     at least one parameter, then keyword-only parameters with or without
//     a default, in any order;
//   - then, optionally, "**" NAME (with an annotation);
//
// each followed by "," or by the ")", which is not matched. That is what
// `parameters` parses there: its two "/" alternatives fail (a "/" would
// stand after a parameter, where none does), param_no_default+ takes the
// parameters without a default, param_with_default* those with one (or,
// when the first has a default, its next alternative takes them all),
// star_etc "*" with param_no_default, param_maybe_default* and kwds?, or
// kwds alone. The loops are greedy and stop where the list does, so
// pegen's `parameters` ends at the same ")" with the same Arguments,
// made here with the same actions (newArg spanning the NAME and its
// annotation, nameDefaultPair, makeArguments). Anything else is
// declined: a "/", a parameter without a default after one with a default
// (before the "*"), a "*" annotation (`*args: *Ts`), a default of "*" or
// "**" parameters, two "*", anything after "**", a TYPE_COMMENT, an
// annotation or default that does not parse or is followed by anything
// but "," or ")".
//
// Annotations and defaults are parsed by `expression` at a level above
// pegen's; tokens are fetched as the parse reaches them.
func (p *Parser) fastParams() (*ast.Arguments, bool) {
	start, base := p.mark, p.level
	var a *ast.Arguments
	if lvl := base + fastParamsDepth; lvl < fastLimit {
		s5, s6 := len(p.stk.s5), len(p.stk.s6)
		a = p.fastParamList(lvl, s5, s6)
		drop5(p, s5)
		drop6(p, s6)
	}
	p.level = base
	if !p.fastDone(hookParams, start, a != nil) {
		return nil, false
	}
	return a, true
}

// fastParamList parses fastParams' list, collecting the positional
// parameters without a default on the stack s5 from s5 up and those with
// one, then the keyword-only ones, on s6 from s6 up; nil to decline.
func (p *Parser) fastParamList(lvl, s5, s6 int) *ast.Arguments {
	var vararg, kwarg *ast.Arg
	star := false
	kwonly := -1 // where the keyword-only parameters start on s6
	for done := false; !done; {
		switch p.fastKind() {
		case token.STAR:
			if star {
				return nil
			}
			star = true
			kwonly = len(p.stk.s6)
			p.mark++
			if p.fastKind() == token.COMMA {
				// A bare "*" needs a keyword-only parameter after it.
				p.mark++
				if p.fastKind() != token.NAME {
					return nil
				}
				continue
			}
			if vararg = p.fastParam(lvl); vararg == nil {
				return nil
			}
		case token.DOUBLESTAR:
			p.mark++
			if kwarg = p.fastParam(lvl); kwarg == nil {
				return nil
			}
			// Nothing may follow kwds but the ")".
			if end, ok := p.fastParamEnd(); !ok || !end {
				return nil
			}
			done = true
			continue
		default:
			a := p.fastParam(lvl)
			if a == nil {
				return nil
			}
			var d ast.Expr
			if p.fastKind() == token.EQUAL {
				p.mark++
				p.level = lvl
				v, ok := p.r_expression()
				if !ok || p.errorIndicator {
					return nil
				}
				d = v
			}
			switch {
			case d == nil && !star:
				if len(p.stk.s6) > s6 {
					return nil
				}
				p.stk.s5 = append(p.stk.s5, a)
			default:
				p.stk.s6 = append(p.stk.s6, p.nameDefaultPair(a, d, nil))
			}
		}
		end, ok := p.fastParamEnd()
		if !ok {
			return nil
		}
		done = end
	}
	if kwonly < 0 {
		kwonly = len(p.stk.s6)
	}
	var se *starEtc
	if star || kwarg != nil {
		se = &starEtc{vararg, p.stk.s6[kwonly:], kwarg}
	}
	return p.makeArguments(nil, nil, p.stk.s5[s5:], p.stk.s6[s6:kwonly], se)
}

// fastParam parses `param`: NAME, with an annotation (":" expression);
// nil to decline.
func (p *Parser) fastParam(lvl int) *ast.Arg {
	start := p.mark
	n := p.nameToken()
	if n == nil {
		return nil
	}
	var ann ast.Expr
	if p.fastKind() == token.COLON {
		p.mark++
		p.level = lvl
		e, ok := p.r_expression()
		if !ok || p.errorIndicator {
			return nil
		}
		ann = e
	}
	l := p.lastSpan(start)
	return p.newArg(nameID(n), ann, l)
}

// fastParamEnd matches what follows a parameter, "," or the list's ")"
// (not matched): end is true at the ")", which may follow the ",". ok is
// false on anything else.
func (p *Parser) fastParamEnd() (end, ok bool) {
	switch p.fastKind() {
	case token.COMMA:
		p.mark++
		return p.fastKind() == token.RPAR, true
	case token.RPAR:
		return true, true
	}
	return false, false
}
