package peg

import (
	"fmt"
	"strings"
)

// Read parses a grammar written in this package's notation:
//
//	# a comment
//	name -> GoType memo =          a rule: its Go type and options
//	    / a:item "(" b:other? ")" { action(a, b) }
//	    / `soft` x* y+ sep(",", z) &look !look ^ must(":")
//
// A rule header starts at the beginning of a line: the rule's name, then
// optionally "-> T" (the Go type of its value), then the options "memo"
// (memoize the rule) and "noinvalid" (no invalid_* alternatives while the
// rule runs), then "=". The alternatives follow, each introduced by "/"
// (the first "/" may be left out); lines that continue a rule are indented.
//
// Items: a rule name; a token kind in upper case (NAME, NEWLINE, ...); a
// keyword or operator in double quotes; a soft keyword in backquotes;
// "( alternatives )" for a group; postfix "?", "*", "+" for an optional
// item and repetitions; "sep(S, E)" for one or more E separated by S;
// prefix "&" and "!" for lookaheads; "must(X)" for an item that raises
// "expected X" when it does not match; "^" for a cut. "name:item" binds the
// item's value to a Go variable of the action. An action is a Go
// expression in braces, optionally followed by "as T" to give its type.
func Read(src string) (*Grammar, error) {
	r := &reader{src: src, line: 1}
	g := &Grammar{byName: map[string]*Rule{}}
	if err := r.next(); err != nil {
		return nil, err
	}
	for r.tok.kind != tEOF {
		rule, err := r.rule()
		if err != nil {
			return nil, err
		}
		if g.byName[rule.Name] != nil {
			return nil, fmt.Errorf("line %d: rule %s defined twice", rule.Line, rule.Name)
		}
		g.byName[rule.Name] = rule
		g.Rules = append(g.Rules, rule)
	}
	return g, nil
}

type tkind uint8

const (
	tEOF    tkind = iota
	tIdent        // name
	tString       // "..."
	tSoft         // `...`
	tAction       // { ... }
	tPunct        // / ( ) ? * + & ! : = ^ ,
	tArrow        // ->
)

type gtok struct {
	kind tkind
	text string
	line int
	bol  bool // first token of its line, at column 0
}

type reader struct {
	src  string
	pos  int
	line int
	tok  gtok
}

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("grammar line %d: %s", r.tok.line, fmt.Sprintf(format, args...))
}

// next reads the next token into r.tok.
func (r *reader) next() error {
	for r.pos < len(r.src) {
		c := r.src[r.pos]
		if c == '\n' {
			r.line++
			r.pos++
			continue
		}
		if c == ' ' || c == '\t' || c == '\r' {
			r.pos++
			continue
		}
		if c == '#' {
			for r.pos < len(r.src) && r.src[r.pos] != '\n' {
				r.pos++
			}
			continue
		}
		break
	}
	if r.pos >= len(r.src) {
		r.tok = gtok{kind: tEOF, line: r.line}
		return nil
	}
	bol := r.pos == 0 || r.src[r.pos-1] == '\n'
	start := r.pos
	c := r.src[r.pos]
	t := gtok{line: r.line, bol: bol}
	switch {
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		for r.pos < len(r.src) && isIdent(r.src[r.pos]) {
			r.pos++
		}
		t.kind, t.text = tIdent, r.src[start:r.pos]
	case c == '"' || c == '`':
		r.pos++
		for r.pos < len(r.src) && r.src[r.pos] != c {
			if r.src[r.pos] == '\n' {
				return fmt.Errorf("grammar line %d: unterminated %c", r.line, c)
			}
			r.pos++
		}
		if r.pos >= len(r.src) {
			return fmt.Errorf("grammar line %d: unterminated %c", r.line, c)
		}
		r.pos++
		t.text = r.src[start+1 : r.pos-1]
		t.kind = tString
		if c == '`' {
			t.kind = tSoft
		}
	case c == '{':
		end, err := r.skipAction(start)
		if err != nil {
			return err
		}
		t.kind, t.text = tAction, strings.TrimSpace(r.src[start+1:end-1])
		r.pos = end
	case c == '-' && r.pos+1 < len(r.src) && r.src[r.pos+1] == '>':
		r.pos += 2
		t.kind, t.text = tArrow, "->"
	case strings.IndexByte("/()?*+&!:=^,", c) >= 0:
		r.pos++
		t.kind, t.text = tPunct, string(c)
	default:
		return fmt.Errorf("grammar line %d: unexpected character %q", r.line, c)
	}
	r.tok = t
	return nil
}

// skipAction returns the offset just past the brace that closes the action
// starting at start, skipping Go strings, runes and comments.
func (r *reader) skipAction(start int) (int, error) {
	depth := 0
	i := start
	for i < len(r.src) {
		c := r.src[i]
		switch c {
		case '\n':
			r.line++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case '"', '\'', '`':
			j := i + 1
			for j < len(r.src) && r.src[j] != c {
				if r.src[j] == '\\' && c != '`' {
					j++
				}
				if r.src[j] == '\n' {
					r.line++
				}
				j++
			}
			i = j
		}
		i++
	}
	return 0, fmt.Errorf("grammar line %d: unterminated action", r.line)
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (r *reader) isPunct(s string) bool { return r.tok.kind == tPunct && r.tok.text == s }

func (r *reader) expectPunct(s string) error {
	if !r.isPunct(s) {
		return r.errorf("expected %q, found %q", s, r.tok.text)
	}
	return r.next()
}

// rule reads a rule header and its alternatives.
func (r *reader) rule() (*Rule, error) {
	if r.tok.kind != tIdent || !r.tok.bol {
		return nil, r.errorf("expected a rule name at the start of a line, found %q", r.tok.text)
	}
	rule := &Rule{Name: r.tok.text, Line: r.tok.line}
	// The type after "->" is read raw: everything up to the next blank.
	rest := r.src[r.pos:]
	trim := strings.TrimLeft(rest, " \t")
	if strings.HasPrefix(trim, "->") {
		trim = strings.TrimLeft(trim[2:], " \t")
		end := strings.IndexAny(trim, " \t\n)")
		if end < 0 {
			end = len(trim)
		}
		rule.Type = trim[:end]
		r.pos = len(r.src) - len(trim) + end
	}
	if err := r.next(); err != nil {
		return nil, err
	}
	for r.tok.kind == tIdent && !r.tok.bol {
		switch r.tok.text {
		case "memo":
			rule.Memo = true
		case "noinvalid":
			rule.NoInvalid = true
		default:
			return nil, r.errorf("unknown rule option %q", r.tok.text)
		}
		if err := r.next(); err != nil {
			return nil, err
		}
	}
	if err := r.expectPunct("="); err != nil {
		return nil, err
	}
	alts, err := r.alts(true)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", rule.Name, err)
	}
	rule.Alts = alts
	return rule, nil
}

// alts reads "/"-separated alternatives. At the top level they end at the
// next rule header or at the end; in a group, at ")".
func (r *reader) alts(top bool) ([]*Alt, error) {
	if r.isPunct("/") {
		if err := r.next(); err != nil {
			return nil, err
		}
	}
	var alts []*Alt
	for {
		alt, err := r.alt(top)
		if err != nil {
			return nil, err
		}
		alts = append(alts, alt)
		if !r.isPunct("/") {
			return alts, nil
		}
		if err := r.next(); err != nil {
			return nil, err
		}
	}
}

func (r *reader) atAltEnd(top bool) bool {
	switch {
	case r.tok.kind == tEOF:
		return true
	case r.tok.bol && r.tok.kind == tIdent && top:
		return true
	case r.isPunct("/"), r.isPunct(")"):
		return true
	}
	return false
}

func (r *reader) alt(top bool) (*Alt, error) {
	alt := &Alt{Line: r.tok.line}
	for !r.atAltEnd(top) && r.tok.kind != tAction {
		it, err := r.item()
		if err != nil {
			return nil, err
		}
		alt.Items = append(alt.Items, it)
	}
	if len(alt.Items) == 0 {
		return nil, r.errorf("empty alternative")
	}
	if r.tok.kind == tAction {
		alt.Action = r.tok.text
		if alt.Action == "" {
			return nil, r.errorf("empty action")
		}
		if err := r.next(); err != nil {
			return nil, err
		}
		if r.tok.kind == tIdent && r.tok.text == "as" && !r.tok.bol {
			// The type is read raw, up to the next blank.
			trim := strings.TrimLeft(r.src[r.pos:], " \t")
			end := strings.IndexAny(trim, " \t\n)")
			if end < 0 {
				end = len(trim)
			}
			alt.ActionType = trim[:end]
			r.pos = len(r.src) - len(trim) + end
			if err := r.next(); err != nil {
				return nil, err
			}
		}
		if !r.atAltEnd(top) {
			return nil, r.errorf("unexpected %q after an action", r.tok.text)
		}
	}
	return alt, nil
}

func (r *reader) item() (*Item, error) {
	it := &Item{}
	if r.tok.kind == tIdent && !r.tok.bol {
		// name:item ?
		save := *r
		name := r.tok.text
		if err := r.next(); err != nil {
			return nil, err
		}
		if r.isPunct(":") {
			if err := r.next(); err != nil {
				return nil, err
			}
			it.Name = name
		} else {
			*r = save
		}
	}
	n, err := r.prefixed()
	if err != nil {
		return nil, err
	}
	it.Node = n
	return it, nil
}

func (r *reader) prefixed() (Node, error) {
	switch {
	case r.isPunct("&"), r.isPunct("!"):
		pos := r.tok.text == "&"
		if err := r.next(); err != nil {
			return nil, err
		}
		x, err := r.primary()
		if err != nil {
			return nil, err
		}
		return &Look{X: x, Pos: pos}, nil
	case r.isPunct("^"):
		return &Cut{}, r.next()
	case r.tok.kind == tIdent && r.tok.text == "must" && r.peekParen():
		if err := r.next(); err != nil {
			return nil, err
		}
		if err := r.expectPunct("("); err != nil {
			return nil, err
		}
		x, err := r.primary()
		if err != nil {
			return nil, err
		}
		if err := r.expectPunct(")"); err != nil {
			return nil, err
		}
		return &Forced{X: x}, nil
	}
	x, err := r.primary()
	if err != nil {
		return nil, err
	}
	switch {
	case r.isPunct("?"):
		return &Opt{X: x}, r.next()
	case r.isPunct("*"):
		return &Rep{X: x, Min: 0}, r.next()
	case r.isPunct("+"):
		return &Rep{X: x, Min: 1}, r.next()
	}
	return x, nil
}

// peekParen reports whether the character after the current identifier is
// "(" (so that "must(" and "sep(" are operators, not rule names).
func (r *reader) peekParen() bool {
	return r.pos < len(r.src) && r.src[r.pos] == '('
}

func (r *reader) primary() (Node, error) {
	switch r.tok.kind {
	case tIdent:
		if r.tok.text == "sep" && r.peekParen() {
			if err := r.next(); err != nil {
				return nil, err
			}
			if err := r.expectPunct("("); err != nil {
				return nil, err
			}
			s, err := r.primary()
			if err != nil {
				return nil, err
			}
			if err := r.expectPunct(","); err != nil {
				return nil, err
			}
			e, err := r.primary()
			if err != nil {
				return nil, err
			}
			if err := r.expectPunct(")"); err != nil {
				return nil, err
			}
			return &Gather{Sep: s, Elem: e}, nil
		}
		n := &Ref{Name: r.tok.text}
		return n, r.next()
	case tString:
		if _, err := litKind(r.tok.text); err != nil {
			return nil, r.errorf("%v", err)
		}
		n := &Lit{Text: r.tok.text}
		return n, r.next()
	case tSoft:
		n := &Soft{Text: r.tok.text}
		return n, r.next()
	case tPunct:
		if r.tok.text == "(" {
			if err := r.next(); err != nil {
				return nil, err
			}
			alts, err := r.alts(false)
			if err != nil {
				return nil, err
			}
			if err := r.expectPunct(")"); err != nil {
				return nil, err
			}
			return &Group{Alts: alts}, nil
		}
	}
	return nil, r.errorf("unexpected %q", r.tok.text)
}
