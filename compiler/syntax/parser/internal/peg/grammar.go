// Package peg reads the parser's grammar notation and generates the Go code
// of a packrat parser that behaves like the C parsers CPython's pegen
// generates: the same rules tried in the same order, the same helper rules
// for groups, repetitions and gathers (each one a call that counts towards
// the nesting limit), the same memoization and left recursion, the same
// lookaheads, cuts and forced tokens, and the same gating of the invalid_*
// alternatives behind the second pass.
//
// The notation (see Read) is this package's own; the grammar written in it
// lives in ../../grammar.
package peg

import (
	"fmt"
	"strings"
)

// Grammar is a parsed grammar file.
type Grammar struct {
	Rules  []*Rule
	byName map[string]*Rule
}

// Rule returns the rule called name, or nil.
func (g *Grammar) Rule(name string) *Rule { return g.byName[name] }

// RuleKind tells apart the rules written in the grammar from the helper
// rules the generator makes for groups, repetitions and gathers.
type RuleKind uint8

const (
	Written    RuleKind = iota
	TmpRule             // a parenthesized group (pegen's _tmp_N)
	Loop0Rule           // x* (pegen's _loop0_N)
	Loop1Rule           // x+ (pegen's _loop1_N)
	GatherRule          // s.e+ (pegen's _gather_N)
)

// Rule is one rule.
type Rule struct {
	Name string
	// Type is the Go type of the rule's value; "" means any.
	Type string
	// Memo asks for the rule's results to be memoized.
	Memo bool
	// NoInvalid switches the invalid_* alternatives off while the rule and
	// everything it calls runs (pegen's "_without_invalid" rules).
	NoInvalid bool
	Alts      []*Alt
	Kind      RuleKind
	Line      int

	// Set by analysis.
	LeftRecursive bool
	Leader        bool
	// SelfRecursive: the rule is the only one in its left-recursive cycle.
	SelfRecursive bool
	Nullable      bool
	// Elem is the element type of a loop or gather.
	Elem string
	// pushOnly: a gather's loop, which leaves its elements on the stack.
	pushOnly bool
	// aheadChecks: a group's look-ahead checks by alternative
	// (groupAheadChecks).
	aheadChecks map[int]string
}

// Alt is one alternative: a sequence of items and an optional action.
type Alt struct {
	Items []*Item
	// Action is a Go expression; "" means the default value.
	Action string
	// ActionType is the Go type of Action when given explicitly ("as T").
	ActionType string
	Line       int
}

// Item is one element of an alternative, possibly bound to a name.
type Item struct {
	Name string
	Node Node
}

// Node is an element of the grammar.
type Node interface{ String() string }

// Ref names a rule or a token kind (upper case).
type Ref struct{ Name string }

// Lit is a keyword or operator token written in double quotes.
type Lit struct{ Text string }

// Soft is a soft keyword, written in backquotes: a NAME token with that text.
type Soft struct{ Text string }

// Group is a parenthesized choice.
type Group struct{ Alts []*Alt }

// Opt is x?: x or nothing.
type Opt struct{ X Node }

// Rep is x* (Min 0) or x+ (Min 1).
type Rep struct {
	X   Node
	Min int
}

// Gather is sep(S, E): one or more E separated by S.
type Gather struct{ Sep, Elem Node }

// Look is a lookahead: &x (Pos) or !x.
type Look struct {
	X   Node
	Pos bool
}

// Forced is must(x): x, or a SyntaxError "expected ...".
type Forced struct{ X Node }

// Cut is ^: once reached, the rule fails if the rest of the alternative does.
type Cut struct{}

func (r *Ref) String() string  { return r.Name }
func (l *Lit) String() string  { return `"` + l.Text + `"` }
func (s *Soft) String() string { return "`" + s.Text + "`" }
func (g *Group) String() string {
	return "(" + altsString(g.Alts) + ")"
}
func (o *Opt) String() string { return o.X.String() + "?" }
func (r *Rep) String() string {
	if r.Min == 0 {
		return r.X.String() + "*"
	}
	return r.X.String() + "+"
}
func (g *Gather) String() string { return "sep(" + g.Sep.String() + ", " + g.Elem.String() + ")" }
func (l *Look) String() string {
	if l.Pos {
		return "&" + l.X.String()
	}
	return "!" + l.X.String()
}
func (f *Forced) String() string { return "must(" + f.X.String() + ")" }
func (*Cut) String() string      { return "^" }

func altsString(alts []*Alt) string {
	var parts []string
	for _, a := range alts {
		parts = append(parts, a.String())
	}
	return strings.Join(parts, " / ")
}

func (a *Alt) String() string {
	var parts []string
	for _, it := range a.Items {
		parts = append(parts, it.String())
	}
	return strings.Join(parts, " ")
}

func (it *Item) String() string { return it.Node.String() }

// IsToken reports whether name is a token kind rather than a rule.
func IsToken(name string) bool {
	_, ok := tokenKinds[name]
	return ok
}

// tokenKinds are the token kinds a grammar may name, with the Go
// expression of their token.Kind.
var tokenKinds = map[string]string{
	"ENDMARKER":      "token.ENDMARKER",
	"NAME":           "token.NAME",
	"NUMBER":         "token.NUMBER",
	"STRING":         "token.STRING",
	"NEWLINE":        "token.NEWLINE",
	"INDENT":         "token.INDENT",
	"DEDENT":         "token.DEDENT",
	"TYPE_COMMENT":   "token.TYPE_COMMENT",
	"SOFT_KEYWORD":   "token.SOFT_KEYWORD",
	"FSTRING_START":  "token.FSTRING_START",
	"FSTRING_MIDDLE": "token.FSTRING_MIDDLE",
	"FSTRING_END":    "token.FSTRING_END",
}

// literalKinds maps a quoted operator to its token.Kind name.
var literalKinds = map[string]string{
	"(": "LPAR", ")": "RPAR", "[": "LSQB", "]": "RSQB", ":": "COLON",
	",": "COMMA", ";": "SEMI", "+": "PLUS", "-": "MINUS", "*": "STAR",
	"/": "SLASH", "|": "VBAR", "&": "AMPER", "<": "LESS", ">": "GREATER",
	"=": "EQUAL", ".": "DOT", "%": "PERCENT", "{": "LBRACE", "}": "RBRACE",
	"==": "EQEQUAL", "!=": "NOTEQUAL", "<=": "LESSEQUAL", ">=": "GREATEREQUAL",
	"~": "TILDE", "^": "CIRCUMFLEX", "<<": "LEFTSHIFT", ">>": "RIGHTSHIFT",
	"**": "DOUBLESTAR", "+=": "PLUSEQUAL", "-=": "MINEQUAL", "*=": "STAREQUAL",
	"/=": "SLASHEQUAL", "%=": "PERCENTEQUAL", "&=": "AMPEREQUAL",
	"|=": "VBAREQUAL", "^=": "CIRCUMFLEXEQUAL", "<<=": "LEFTSHIFTEQUAL",
	">>=": "RIGHTSHIFTEQUAL", "**=": "DOUBLESTAREQUAL", "//": "DOUBLESLASH",
	"//=": "DOUBLESLASHEQUAL", "@": "AT", "@=": "ATEQUAL", "->": "RARROW",
	"...": "ELLIPSIS", ":=": "COLONEQUAL", "!": "EXCLAMATION",
}

// keywords are CPython 3.13's reserved keywords.
var keywords = map[string]string{
	"False": "FALSE", "None": "NONE", "True": "TRUE", "and": "AND", "as": "AS",
	"assert": "ASSERT", "async": "ASYNC", "await": "AWAIT", "break": "BREAK",
	"class": "CLASS", "continue": "CONTINUE", "def": "DEF", "del": "DEL",
	"elif": "ELIF", "else": "ELSE", "except": "EXCEPT", "finally": "FINALLY",
	"for": "FOR", "from": "FROM", "global": "GLOBAL", "if": "IF",
	"import": "IMPORT", "in": "IN", "is": "IS", "lambda": "LAMBDA",
	"nonlocal": "NONLOCAL", "not": "NOT", "or": "OR", "pass": "PASS",
	"raise": "RAISE", "return": "RETURN", "try": "TRY", "while": "WHILE",
	"with": "WITH", "yield": "YIELD",
}

// litKind returns the token.Kind name of a quoted literal.
func litKind(text string) (string, error) {
	if k, ok := literalKinds[text]; ok {
		return k, nil
	}
	if k, ok := keywords[text]; ok {
		return k, nil
	}
	return "", fmt.Errorf("%q is neither an operator nor a keyword", text)
}
