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
// fastExpression, a recursive-descent parser of the operator levels and
// primaries, for its result. It builds the nodes with the same action
// helpers and calls the generated rules for everything else (atoms other
// than names, call arguments, generator expressions, slices), so that
// strings, f-strings, numbers and brackets are parsed by pegen's own
// rules. It declines (restores the position and returns false) on
// anything it does not handle: then `expression`'s own alternatives run,
// as if it had not been asked.
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
//   - primaries grow as pegen's `primary` grows its seed: ".NAME", then a
//     generator expression (tried first, as pegen does, by the generated
//     `genexp`), a call's arguments (the generated `arguments`) or a
//     subscript (`slices`);
//   - whatever would make pegen's `expression` end elsewhere or fail is
//     declined: a conditional expression (`if` after the disjunction),
//     `await`, `lambda`, the "<" ">" pair and a "!=" or "<>" that
//     checkBarryAsFlufl rejects, an operator whose right operand does not
//     parse, a failed call, subscript or attribute;
//   - tokens are fetched one at a time as the parse reaches them, never
//     before pegen's rules would fetch them (each follows an operand or an
//     operator pegen also looks past), so the tokenizer's warnings keep
//     their order with the warnings of the actions (strings);
//   - Names come from nameToken, shared per token as the generated rules
//     share them, in the order of the tokens;
//   - nesting: the generated rules called from here run at a level above
//     the one pegen would have there (fastDepth for the chain of rules
//     between `expression` and `atom`, fastStep more per operator nested
//     on the right), so the pass never gets further from the nesting
//     limit than pegen would; the fast path declines well below
//     optimisticLimit, leaving the rest to the generated rules, which give
//     up at that limit (the pass then runs again as pegen runs).

// fastEnabled switches the fast path on; tests switch it off to compare
// (see fast_test.go).
var fastEnabled = true

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

// fastCounts, when set (by tests), counts the calls of fastExpression and
// the results it gave.
var fastCounts *struct{ Asked, Taken int }

// fastExpression is `expression` in the first pass, or false to let its
// alternatives run.
func (p *Parser) fastExpression() (ast.Expr, bool) {
	start, base := p.mark, p.level
	e := p.fastDisjunction(base + fastDepth)
	p.level = base
	if e != nil && !p.errorIndicator {
		// `expression` tries `disjunction "if" disjunction "else"
		// expression` first: a conditional expression (or an "if" that
		// pegen's later alternative leaves out) is left to the generated
		// rules.
		if k, ok := p.fastPeek(); !ok || k == token.IF {
			e = nil
		}
	}
	if fastCounts != nil {
		fastCounts.Asked++
		if e != nil && !p.errorIndicator {
			fastCounts.Taken++
		}
	}
	if e == nil || p.errorIndicator {
		p.mark = start
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
	if k, ok := p.fastPeek(); !ok || k == token.STAR {
		return nil, false
	}
	return p.r_expression()
}

// fastPeek returns the kind of the token at the current position,
// fetching it if need be; false on a tokenizer error.
func (p *Parser) fastPeek() (token.Kind, bool) {
	if i := p.mark; i < p.fill {
		return p.kinds[i], true
	}
	return p.fastPeekNew()
}

// fastPeekNew is fastPeek when the token is not fetched yet (apart, so
// that fastPeek is inlined).
//
//go:noinline
func (p *Parser) fastPeekNew() (token.Kind, bool) {
	if !p.fillToken() {
		return 0, false
	}
	return p.kindOf(p.mark), true
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

// fastBoolOp parses `disjunction` (op "or") or `conjunction` (op "and"):
// a:next (op next)+ gives one BoolOp of all the operands, else next's
// value. lvl is the level for the generated rules called below.
func (p *Parser) fastDisjunction(lvl int) ast.Expr {
	return p.fastBoolOp(lvl, token.OR)
}

func (p *Parser) fastBoolOp(lvl int, kw token.Kind) ast.Expr {
	start := p.mark
	a := p.fastBoolOperand(lvl, kw)
	if a == nil {
		return nil
	}
	k, ok := p.fastPeek()
	if !ok {
		return nil
	}
	if k != kw {
		return a
	}
	values := []ast.Expr{a}
	for k == kw {
		p.mark++
		b := p.fastBoolOperand(lvl+fastStep, kw)
		if b == nil {
			return nil
		}
		values = append(values, b)
		if k, ok = p.fastPeek(); !ok {
			return nil
		}
	}
	l, ok := p.fastSpan(start)
	if !ok {
		return nil
	}
	list := p.a.ExprList(len(values))
	copy(list, values)
	op := ast.Or
	if kw == token.AND {
		op = ast.And
	}
	return p.newBoolOp(op, list, l)
}

// fastBoolOperand parses an operand of fastBoolOp: a conjunction in a
// disjunction, an inversion in a conjunction.
func (p *Parser) fastBoolOperand(lvl int, kw token.Kind) ast.Expr {
	if kw == token.OR {
		return p.fastBoolOp(lvl, token.AND)
	}
	return p.fastInversion(lvl)
}

// fastInversion parses `inversion`: "not" inversion / comparison.
func (p *Parser) fastInversion(lvl int) ast.Expr {
	if lvl >= fastLimit {
		// "not" nests without a call of a generated rule.
		return nil
	}
	start := p.mark
	if k, ok := p.fastPeek(); !ok {
		return nil
	} else if k != token.NOT {
		return p.fastComparison(lvl)
	}
	p.mark++
	a := p.fastInversion(lvl + fastStep)
	if a == nil {
		return nil
	}
	l, ok := p.fastSpan(start)
	if !ok {
		return nil
	}
	return p.newUnaryOp(ast.Not, a, l)
}

// fastCmpOp matches a comparison operator at the current position, as
// compare_op_bitwise_or_pair's alternatives match one: its operator and
// true, moving past it; found false when no operator follows (the loop of
// pairs ends there); ok false to decline.
func (p *Parser) fastCmpOp() (op ast.CmpOperator, found, ok bool) {
	k, ok := p.fastPeek()
	if !ok {
		return 0, false, false
	}
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
		k2, ok := p.fastPeek()
		p.mark = i
		if !ok || k2 == token.GREATER {
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
		k2, ok := p.fastPeek()
		if !ok {
			return 0, false, false
		}
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

// fastComparison parses `comparison`: bitwise_or followed by pairs of an
// operator and a bitwise_or gives a Compare, else bitwise_or's value.
func (p *Parser) fastComparison(lvl int) ast.Expr {
	start := p.mark
	a := p.fastBinary(lvl, 1)
	if a == nil {
		return nil
	}
	var pairs []*cmpopExpr
	for {
		op, found, ok := p.fastCmpOp()
		if !ok {
			return nil
		}
		if !found {
			break
		}
		b := p.fastBinary(lvl+fastStep, 1)
		if b == nil {
			return nil
		}
		pairs = append(pairs, p.newCmpop(op, b))
	}
	if pairs == nil {
		return a
	}
	l, ok := p.fastSpan(start)
	if !ok {
		return nil
	}
	return p.newCompare(a, pairs, l)
}

// binaryOps gives each binary operator token its level (1 for "|" up to 6
// for the multiplicative operators; 0: none) and its operator.
var binaryOps = func() (t [256]struct {
	prec uint8
	op   ast.Operator
}) {
	for _, o := range []struct {
		k    token.Kind
		prec uint8
		op   ast.Operator
	}{
		{token.VBAR, 1, ast.BitOr},
		{token.CIRCUMFLEX, 2, ast.BitXor},
		{token.AMPER, 3, ast.BitAnd},
		{token.LEFTSHIFT, 4, ast.LShift}, {token.RIGHTSHIFT, 4, ast.RShift},
		{token.PLUS, 5, ast.Add}, {token.MINUS, 5, ast.Sub},
		{token.STAR, 6, ast.Mult}, {token.SLASH, 6, ast.Div}, {token.DOUBLESLASH, 6, ast.FloorDiv},
		{token.PERCENT, 6, ast.Mod}, {token.AT, 6, ast.MatMult},
	} {
		t[o.k].prec, t[o.k].op = o.prec, o.op
	}
	return t
}()

// fastBinary parses the binary levels from minPrec up (bitwise_or for
// 1): each level is a left-recursive leader, `a:level op b:next`, whose
// longest chain pegen keeps; every node of a chain spans from the chain's
// first token.
func (p *Parser) fastBinary(lvl int, minPrec uint8) ast.Expr {
	start := p.mark
	left := p.fastFactor(lvl)
	for left != nil {
		k, ok := p.fastPeek()
		if !ok {
			return nil
		}
		o := binaryOps[k]
		if o.prec == 0 || o.prec < minPrec {
			return left
		}
		p.mark++
		right := p.fastBinary(lvl, o.prec+1)
		if right == nil {
			return nil
		}
		l, ok := p.fastSpan(start)
		if !ok {
			return nil
		}
		left = p.newBinOp(left, o.op, right, l)
	}
	return nil
}

// fastFactor parses `factor`: "+", "-" or "~" and a factor, or power.
func (p *Parser) fastFactor(lvl int) ast.Expr {
	if lvl >= fastLimit {
		// Unary operators and "**" nest without a call of a generated
		// rule.
		return nil
	}
	start := p.mark
	k, ok := p.fastPeek()
	if !ok {
		return nil
	}
	var op ast.UnaryOperator
	switch k {
	case token.PLUS:
		op = ast.UAdd
	case token.MINUS:
		op = ast.USub
	case token.TILDE:
		op = ast.Invert
	default:
		return p.fastPower(lvl)
	}
	p.mark++
	a := p.fastFactor(lvl + fastStep)
	if a == nil {
		return nil
	}
	l, ok := p.fastSpan(start)
	if !ok {
		return nil
	}
	return p.newUnaryOp(op, a, l)
}

// fastPower parses `power`: await_primary "**" factor, or await_primary
// (an "await" is declined).
func (p *Parser) fastPower(lvl int) ast.Expr {
	start := p.mark
	a := p.fastPrimary(lvl)
	if a == nil {
		return nil
	}
	if k, ok := p.fastPeek(); !ok {
		return nil
	} else if k != token.DOUBLESTAR {
		return a
	}
	p.mark++
	b := p.fastFactor(lvl + fastStep)
	if b == nil {
		return nil
	}
	l, ok := p.fastSpan(start)
	if !ok {
		return nil
	}
	return p.newBinOp(a, ast.Pow, b, l)
}

// fastPrimary parses `primary`: an atom grown by attributes, calls and
// subscripts, in the order of pegen's alternatives.
func (p *Parser) fastPrimary(lvl int) ast.Expr {
	start := p.mark
	a := p.fastAtom(lvl)
	for a != nil {
		k, ok := p.fastPeek()
		if !ok {
			return nil
		}
		switch k {
		case token.DOT:
			p.mark++
			b := p.nameToken()
			if b == nil {
				return nil
			}
			l, ok := p.fastSpan(start)
			if !ok {
				return nil
			}
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
func (p *Parser) fastCall(lvl, start int, a ast.Expr) ast.Expr {
	open := p.mark
	if !p.fastCallable(lvl) {
		return nil
	}
	p.level = lvl
	g, ok := p.r_genexp()
	if p.errorIndicator {
		return nil
	}
	if ok {
		l, ok := p.fastSpan(start)
		if !ok {
			return nil
		}
		return p.newCall(a, p.exprs1(g), nil, l)
	}
	p.mark = open + 1
	var args ast.Expr
	if k, ok := p.fastPeek(); !ok {
		return nil
	} else if k != token.RPAR {
		p.level = lvl
		args, _ = p.r_arguments()
		if p.errorIndicator {
			return nil
		}
	}
	if k, ok := p.fastPeek(); !ok || k != token.RPAR {
		return nil
	}
	p.mark++
	l, ok := p.fastSpan(start)
	if !ok {
		return nil
	}
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
	if k, ok := p.fastPeek(); !ok || k != token.RSQB {
		return nil
	}
	p.mark++
	l, ok := p.fastSpan(start)
	if !ok {
		return nil
	}
	return p.newSubscript(a, s, ast.Load, l)
}

// fastAtom parses `atom`: a NAME here, anything else by the generated
// rule ("await" and "lambda", which no atom starts with, are declined).
func (p *Parser) fastAtom(lvl int) ast.Expr {
	k, ok := p.fastPeek()
	if !ok {
		return nil
	}
	if k == token.NAME {
		return p.nameToken()
	}
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
