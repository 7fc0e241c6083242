package astopt

import (
	"strconv"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// noLoc is the position of the nodes the '%' rewrite makes for literal
// text and format specs: none (-1).
var noLoc = ast.Loc{Lineno: -1, ColOffset: -1, EndLineno: -1, EndColOffset: -1}

// optimizeFormat rewrites fmt % (a, b, ...) into an f-string when every
// conversion of fmt is %s, %r or %a with at most a '-' flag (other flags
// are accepted and ignored), a width and a precision of up to two digits,
// and fmt has exactly one conversion per item (optimize_format). It
// returns nil when it can't.
func (o *optimizer) optimizeFormat(node *ast.BinOp, format string, elts []ast.Expr) ast.Expr {
	// Work on code points, as CPython indexes the str.
	fmt := []rune{}
	for s := format; s != ""; {
		r, n := ast.DecodeCodePoint(s)
		fmt = append(fmt, r)
		s = s[n:]
	}
	var values []ast.Expr
	pos, cnt := 0, 0
	for {
		if lit, ok := o.parseLiteral(fmt, &pos); ok {
			values = append(values, lit)
		}
		if pos >= len(fmt) {
			break
		}
		if cnt >= len(elts) {
			return nil // more conversions than items
		}
		pos++ // the '%'
		fv := o.parseFormat(fmt, &pos, elts[cnt])
		cnt++
		if fv == nil {
			return nil
		}
		values = append(values, fv)
	}
	if cnt < len(elts) {
		return nil // more items than conversions
	}
	js := o.arena.NewJoinedStr()
	js.Loc = node.Loc
	js.Values = values
	return js
}

// parseLiteral reads the text up to the next conversion, "%%" standing for
// '%' (parse_literal).
func (o *optimizer) parseLiteral(fmt []rune, ppos *int) (ast.Expr, bool) {
	start, pos := *ppos, *ppos
	percents := false
	for pos < len(fmt) {
		switch {
		case fmt[pos] != '%':
			pos++
			continue
		case pos+1 < len(fmt) && fmt[pos+1] == '%':
			percents = true
			pos += 2
			continue
		}
		break
	}
	*ppos = pos
	if pos == start {
		return nil, false
	}
	var b []byte
	for _, r := range fmt[start:pos] {
		b = ast.AppendCodePoint(b, r)
	}
	s := string(b)
	if !percents {
		return o.constant(noLoc, ast.StrValue(s)), true
	}
	lit := o.constant(noLoc, ast.StrValue(strings.ReplaceAll(s, "%%", "%")))
	if o.cfg.OnFreshStr != nil {
		o.cfg.OnFreshStr(lit)
	}
	return lit, true
}

// The conversion flags of simple_format_arg_parse.
const (
	fLjust = 1 << iota
	fSign
	fBlank
	fAlt
	fZero
)

const maxDigits = 3

// parseFormat reads one conversion after its '%' and returns the
// FormattedValue of arg it means, or nil for one it can't rewrite
// (parse_format).
func (o *optimizer) parseFormat(fmt []rune, ppos *int, arg ast.Expr) ast.Expr {
	spec, flags, width, prec, ok := parseSpec(fmt, ppos)
	if !ok || (spec != 's' && spec != 'r' && spec != 'a') {
		return nil
	}
	var b strings.Builder
	if flags&fLjust == 0 && width > 0 {
		b.WriteByte('>')
	}
	if width >= 0 {
		b.WriteString(strconv.Itoa(width))
	}
	if prec >= 0 {
		b.WriteByte('.')
		b.WriteString(strconv.Itoa(prec))
	}
	fv := o.arena.NewFormattedValue()
	fv.Loc = *arg.Location()
	fv.Value = arg
	fv.Conversion = int(spec)
	if b.Len() > 0 {
		fv.FormatSpec = o.constant(noLoc, ast.StrValue(b.String()))
	}
	return fv
}

// parseSpec is simple_format_arg_parse: flags, a width and a precision of
// fewer than three digits each, and the conversion character.
func parseSpec(fmt []rune, ppos *int) (spec rune, flags, width, prec int, ok bool) {
	pos := *ppos
	width, prec = -1, -1
	var ch rune
	next := func() bool {
		if pos >= len(fmt) {
			return false
		}
		ch = fmt[pos]
		pos++
		return true
	}
flagLoop:
	for {
		if !next() {
			return 0, 0, 0, 0, false
		}
		switch ch {
		case '-':
			flags |= fLjust
		case '+':
			flags |= fSign
		case ' ':
			flags |= fBlank
		case '#':
			flags |= fAlt
		case '0':
			flags |= fZero
		default:
			break flagLoop
		}
	}
	if '0' <= ch && ch <= '9' {
		width = 0
		digits := 0
		for '0' <= ch && ch <= '9' {
			width = width*10 + int(ch-'0')
			if !next() {
				return 0, 0, 0, 0, false
			}
			if digits++; digits >= maxDigits {
				return 0, 0, 0, 0, false
			}
		}
	}
	if ch == '.' {
		if !next() {
			return 0, 0, 0, 0, false
		}
		prec = 0
		if '0' <= ch && ch <= '9' {
			digits := 0
			for '0' <= ch && ch <= '9' {
				prec = prec*10 + int(ch-'0')
				if !next() {
					return 0, 0, 0, 0, false
				}
				if digits++; digits >= maxDigits {
					return 0, 0, 0, 0, false
				}
			}
		}
	}
	*ppos = pos
	return ch, flags, width, prec, true
}
