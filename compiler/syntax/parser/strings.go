package parser

import (
	"fmt"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/strlit"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// String literals and f-strings: the actions of Parser/action_helpers.c and
// Parser/string_parser.c.

// warn records an invalid escape warning of a literal in token t
// (warn_invalid_escape_sequence); the second pass does not warn again.
func (p *Parser) warn(w *strlit.Warning, t *token.Token) {
	if w == nil || p.callInvalidRules {
		return
	}
	line := int(t.Start.Line)
	if p.rel.AtLeast(escapeWarningLine) {
		line += w.Line
	}
	pw := Warning{Category: "SyntaxWarning", Msg: w.Msg, Lineno: line}
	p.warnings = append(p.warnings, pw)
	if p.onWarning != nil {
		p.onWarning(pw)
	}
}

// constantFromString turns a STRING token into a Constant
// (_PyPegen_constant_from_string and _PyPegen_parse_string).
func (p *Parser) constantFromString(t *token.Token) ast.Expr {
	lit, err := p.strs.ParseToken(p.tokText(t), t.ASCII)
	if err != nil {
		switch err.Kind {
		case strlit.NonASCIIBytes:
			p.raiseKnownLocation(t, err.Msg)
		case strlit.BadInternalCall:
			// The SystemError goes through as it is
			// (_Pypegen_raise_decode_error converts only Unicode and
			// value errors).
			p.setErrorIndicator()
			if p.exc == nil {
				p.exc = &syntaxerr.Error{Type: syntaxerr.SystemError, Filename: p.filename, NoLocation: true,
					Msg: fmt.Sprintf("Parser/string_parser.c:%d: bad argument to internal function", parseStringCheckLine(p.rel, err.Check))}
			}
		default:
			// _Pypegen_raise_decode_error: at the last token fetched.
			p.raiseSyntaxError(err.SyntaxMsg())
		}
		return nil
	}
	p.warn(lit.Warning, t)
	n := p.a.NewConstant()
	n.Value = lit.Value
	if lit.KindU {
		n.Kind = "u"
	}
	n.Loc = tokSpan(t)
	return n
}

// constantFromToken is an f-string's literal part as written; joinedStr
// decodes it (_PyPegen_constant_from_token).
func (p *Parser) constantFromToken(t *token.Token) ast.Expr {
	text := p.tokText(t)
	if e := checkUTF8(text); e != nil {
		// PyUnicode_FromString's UnicodeDecodeError escapes as it is.
		p.setErrorIndicator()
		if p.exc == nil {
			p.exc = &syntaxerr.Error{Type: syntaxerr.UnicodeDecodeError, Msg: e.Error(), Filename: p.filename, NoLocation: true}
		}
		return nil
	}
	n := p.a.NewConstant()
	n.Value = ast.StrValue(text)
	n.Loc = tokSpan(t)
	return n
}

// decodedConstantFromToken is a literal part of a format spec, decoded
// (_PyPegen_decoded_constant_from_token). Later releases decode it raw in
// a raw f-string. A part that cannot be decoded raises the
// UnicodeDecodeError itself, not a SyntaxError.
func (p *Parser) decodedConstantFromToken(t *token.Token) ast.Expr {
	raw := false
	if p.rel.AtLeast(fixFormatSpecRaw) {
		if st := p.lex.State(); st.FStringDepth > 0 {
			raw = st.FStringRaw
		}
	}
	s, w, err := p.strs.DecodeFormatSpecPart(p.tokText(t), raw)
	if err != nil {
		p.setErrorIndicator()
		if p.exc == nil {
			p.exc = &syntaxerr.Error{Type: syntaxerr.UnicodeDecodeError, Msg: err.Msg, Filename: p.filename, NoLocation: true}
		}
		return nil
	}
	p.warn(w, t)
	n := p.a.NewConstant()
	n.Value = ast.StrValue(s)
	n.Loc = tokSpan(t)
	return n
}

// decodeFStringPart decodes a literal part of an f-string
// (_PyPegen_decode_fstring_part); t is the f-string's end token.
func (p *Parser) decodeFStringPart(raw bool, c *ast.Constant, t *token.Token) ast.Expr {
	s, w, err := p.strs.DecodeFStringPart(c.Value.Str(), raw)
	if err != nil {
		p.raiseSyntaxError(err.SyntaxMsg())
		return nil
	}
	p.warn(w, t)
	n := p.a.NewConstant()
	n.Value = ast.StrValue(s)
	n.Loc = c.Loc
	return n
}

func isEmptyStr(e ast.Expr) bool {
	c, ok := e.(*ast.Constant)
	return ok && c.Value.Kind() == ast.StrKind && c.Value.Str() == ""
}

// joinedStr builds the JoinedStr of an f-string from its parts
// (_PyPegen_joined_str).
func (p *Parser) joinedStr(start *token.Token, parts []ast.Expr, end *token.Token) ast.Expr {
	raw := strings.ContainsAny(p.tokText(start), "rR")
	var values []ast.Expr
	add := func(item ast.Expr) bool {
		if c, ok := item.(*ast.Constant); ok {
			item = p.decodeFStringPart(raw, c, end)
			if item == nil {
				return false
			}
			if isEmptyStr(item) {
				return true
			}
		}
		values = append(values, item)
		return true
	}
	for _, item := range parts {
		if j, ok := item.(*ast.JoinedStr); ok {
			// The debug text and value of f"{x=}".
			if p.rel.AtLeast(fixJoinedStrDebug) {
				values = append(values, j.Values...)
				continue
			}
			for _, v := range j.Values {
				if !add(v) {
					return nil
				}
			}
			continue
		}
		if !add(item) {
			return nil
		}
	}
	n := p.a.NewJoinedStr()
	n.Values = values
	n.Loc = spanOf(start, end)
	return n
}

// formattedValue builds a replacement field (_PyPegen_formatted_value):
// a FormattedValue, preceded by its debug text in a JoinedStr for
// f"{x=}".
func (p *Parser) formattedValue(e ast.Expr, debug *token.Token, conv, format *resultWithMeta, rbrace *token.Token, l span) ast.Expr {
	conversion := -1
	if conv != nil {
		id := nameID(conv.result)
		if ast.CodePointCount(id) > 1 || (id != "s" && id != "r" && id != "a") {
			p.raiseKnownLocation(conv.result, "f-string: invalid conversion character "+pyRepr(id)+": expected 's', 'r', or 'a'")
			return nil
		}
		conversion = int(id[0])
	} else if debug != nil && format == nil {
		conversion = 'r'
	}
	fv := p.a.NewFormattedValue()
	fv.Value = e
	fv.Conversion = conversion
	if format != nil {
		fv.FormatSpec = format.result
	}
	fv.Loc = l
	if debug == nil {
		return fv
	}
	var endLine, endCol int
	var meta string
	switch {
	case conv != nil:
		cl := conv.result.Location()
		endLine, endCol, meta = cl.Lineno, cl.ColOffset, conv.metadata
	case format != nil:
		fl := format.result.Location()
		endLine, endCol, meta = fl.Lineno, fl.ColOffset+1, format.metadata
	default:
		endLine, endCol, meta = l.EndLineno, l.EndColOffset, p.lex.Metadata(rbrace)
	}
	if meta == "" {
		// The tokenizer attaches no text to a token that closes a debug
		// field nested too deep in format specs ("f'{x:{y:{{}=}'"):
		// _PyAST_Constant refuses the missing value.
		p.setErrorIndicator()
		if p.exc == nil {
			p.exc = &syntaxerr.Error{
				Type:       syntaxerr.ValueError,
				Msg:        "field 'value' is required for Constant",
				Filename:   p.filename,
				NoLocation: true,
			}
		}
		return nil
	}
	text := p.a.NewConstant()
	text.Value = ast.StrValue(meta)
	text.Loc = span{Lineno: l.Lineno, ColOffset: l.ColOffset + 1, EndLineno: endLine, EndColOffset: endCol - 1}
	j := p.a.NewJoinedStr()
	j.Values = []ast.Expr{text, fv}
	j.Loc = span{Lineno: l.Lineno, ColOffset: l.ColOffset, EndLineno: endLine, EndColOffset: endCol}
	return j
}

// checkFstringConversion checks that the conversion name follows "!"
// directly (_PyPegen_check_fstring_conversion).
func (p *Parser) checkFstringConversion(bang *token.Token, conv ast.Expr) *resultWithMeta {
	cl := conv.Location()
	if int(bang.Start.Line) != cl.Lineno || int(bang.End.Col) != cl.ColOffset {
		msg := "f-string: conversion type must come right after the exclamanation mark"
		if p.rel.AtLeast(fixExclamationTypo) {
			msg = "f-string: conversion type must come right after the exclamation mark"
		}
		p.raiseKnownRange(bang, conv, msg)
		return nil
	}
	return &resultWithMeta{result: conv, metadata: p.lex.Metadata(bang)}
}

// setupFullFormatSpec builds the format spec of a replacement field
// (_PyPegen_setup_full_format_spec).
func (p *Parser) setupFullFormatSpec(colon *token.Token, spec []ast.Expr, l span) *resultWithMeta {
	var kept []ast.Expr
	for _, e := range spec {
		if !isEmptyStr(e) {
			kept = append(kept, e)
		}
	}
	var res ast.Expr
	if len(kept) == 0 || len(kept) == 1 && isConstant(kept[0]) {
		j := p.a.NewJoinedStr()
		j.Values = kept
		j.Loc = l
		res = j
	} else {
		res = p.concatenateStrings(kept, l)
	}
	if res == nil {
		return nil
	}
	return &resultWithMeta{result: res, metadata: p.lex.Metadata(colon)}
}

func isConstant(e ast.Expr) bool {
	_, ok := e.(*ast.Constant)
	return ok
}

// concatenateStrings joins adjacent string and f-string literals
// (_PyPegen_concatenate_strings).
func (p *Parser) concatenateStrings(strs []ast.Expr, l span) ast.Expr {
	fstring, unicode, bytesFound := false, false, false
	for _, e := range strs {
		switch e := e.(type) {
		case *ast.Constant:
			if e.Value.Kind() == ast.BytesKind {
				bytesFound = true
			} else {
				unicode = true
			}
		default:
			fstring = true
		}
	}
	if (unicode || fstring) && bytesFound {
		p.raiseSyntaxError("cannot mix bytes and nonbytes literals")
		return nil
	}
	if bytesFound {
		var b strings.Builder
		for _, e := range strs {
			b.WriteString(e.(*ast.Constant).Value.Bytes())
		}
		n := p.a.NewConstant()
		n.Value = ast.BytesValue(b.String())
		n.Kind = strs[0].(*ast.Constant).Kind
		n.Loc = l
		return n
	}
	if !fstring && len(strs) == 1 {
		return strs[0]
	}
	var flat []ast.Expr
	for _, e := range strs {
		if j, ok := e.(*ast.JoinedStr); ok {
			flat = append(flat, j.Values...)
		} else {
			flat = append(flat, e)
		}
	}
	var values []ast.Expr
	for i := 0; i < len(flat); i++ {
		e := flat[i]
		if c, ok := e.(*ast.Constant); ok {
			if i+1 < len(flat) && isConstant(flat[i+1]) {
				// Fold this and the following constants into one, with
				// the kind of the first.
				var b strings.Builder
				last := c
				j := i
				for ; j < len(flat); j++ {
					cj, ok := flat[j].(*ast.Constant)
					if !ok {
						break
					}
					b.WriteString(cj.Value.Str())
					last = cj
				}
				i = j - 1
				n := p.a.NewConstant()
				n.Value = ast.StrValue(b.String())
				n.Kind = c.Kind
				n.Loc = span{Lineno: c.Lineno, ColOffset: c.ColOffset, EndLineno: last.EndLineno, EndColOffset: last.EndColOffset}
				e = n
			}
			if fstring && isEmptyStr(e) {
				continue
			}
		}
		values = append(values, e)
	}
	if !fstring {
		return values[0]
	}
	n := p.a.NewJoinedStr()
	n.Values = values
	n.Loc = l
	return n
}

// checkUTF8 returns CPython's UTF-8 decoding error for text, nil if it is
// valid UTF-8.
func checkUTF8(text string) *source.UTF8Error {
	for i := 0; i < len(text); i++ {
		if text[i] >= 0x80 {
			return source.CheckUTF8([]byte(text))
		}
	}
	return nil
}
