// Package token defines the kinds of token that CPython's tokenizer
// produces, the keywords its parser recognizes among NAME tokens, and
// positions in a source.
//
// The kinds and their order are CPython's (Lib/token.py): a Kind below
// ERRORTOKEN has the number CPython gives it. Keywords are NAME tokens to the
// tokenizer; the parser turns them into the keyword kinds after ERRORTOKEN
// (Lookup), as CPython's parser does when it fetches a token.
package token

import "strconv"

// Kind is the kind of a token.
type Kind uint8

// The token kinds, in CPython's order.
const (
	ENDMARKER Kind = iota
	NAME
	NUMBER
	STRING
	NEWLINE
	INDENT
	DEDENT
	LPAR             // (
	RPAR             // )
	LSQB             // [
	RSQB             // ]
	COLON            // :
	COMMA            // ,
	SEMI             // ;
	PLUS             // +
	MINUS            // -
	STAR             // *
	SLASH            // /
	VBAR             // |
	AMPER            // &
	LESS             // <
	GREATER          // >
	EQUAL            // =
	DOT              // .
	PERCENT          // %
	LBRACE           // {
	RBRACE           // }
	EQEQUAL          // ==
	NOTEQUAL         // != (and <> under barry_as_FLUFL)
	LESSEQUAL        // <=
	GREATEREQUAL     // >=
	TILDE            // ~
	CIRCUMFLEX       // ^
	LEFTSHIFT        // <<
	RIGHTSHIFT       // >>
	DOUBLESTAR       // **
	PLUSEQUAL        // +=
	MINEQUAL         // -=
	STAREQUAL        // *=
	SLASHEQUAL       // /=
	PERCENTEQUAL     // %=
	AMPEREQUAL       // &=
	VBAREQUAL        // |=
	CIRCUMFLEXEQUAL  // ^=
	LEFTSHIFTEQUAL   // <<=
	RIGHTSHIFTEQUAL  // >>=
	DOUBLESTAREQUAL  // **=
	DOUBLESLASH      // //
	DOUBLESLASHEQUAL // //=
	AT               // @
	ATEQUAL          // @=
	RARROW           // ->
	ELLIPSIS         // ...
	COLONEQUAL       // :=
	EXCLAMATION      // !
	OP
	TYPE_IGNORE
	TYPE_COMMENT
	SOFT_KEYWORD
	FSTRING_START
	FSTRING_MIDDLE
	FSTRING_END
	COMMENT
	NL
	ERRORTOKEN

	// Keywords: NAME tokens that the parser reclassifies (see Lookup).
	FALSE    // False
	NONE     // None
	TRUE     // True
	AND      // and
	AS       // as
	ASSERT   // assert
	ASYNC    // async
	AWAIT    // await
	BREAK    // break
	CLASS    // class
	CONTINUE // continue
	DEF      // def
	DEL      // del
	ELIF     // elif
	ELSE     // else
	EXCEPT   // except
	FINALLY  // finally
	FOR      // for
	FROM     // from
	GLOBAL   // global
	IF       // if
	IMPORT   // import
	IN       // in
	IS       // is
	LAMBDA   // lambda
	NONLOCAL // nonlocal
	NOT      // not
	OR       // or
	PASS     // pass
	RAISE    // raise
	RETURN   // return
	TRY      // try
	WHILE    // while
	WITH     // with
	YIELD    // yield

	numKinds
)

// The first and last keyword kinds.
const (
	FirstKeyword = FALSE
	LastKeyword  = YIELD
)

var names = [numKinds]string{
	ENDMARKER:        "ENDMARKER",
	NAME:             "NAME",
	NUMBER:           "NUMBER",
	STRING:           "STRING",
	NEWLINE:          "NEWLINE",
	INDENT:           "INDENT",
	DEDENT:           "DEDENT",
	LPAR:             "LPAR",
	RPAR:             "RPAR",
	LSQB:             "LSQB",
	RSQB:             "RSQB",
	COLON:            "COLON",
	COMMA:            "COMMA",
	SEMI:             "SEMI",
	PLUS:             "PLUS",
	MINUS:            "MINUS",
	STAR:             "STAR",
	SLASH:            "SLASH",
	VBAR:             "VBAR",
	AMPER:            "AMPER",
	LESS:             "LESS",
	GREATER:          "GREATER",
	EQUAL:            "EQUAL",
	DOT:              "DOT",
	PERCENT:          "PERCENT",
	LBRACE:           "LBRACE",
	RBRACE:           "RBRACE",
	EQEQUAL:          "EQEQUAL",
	NOTEQUAL:         "NOTEQUAL",
	LESSEQUAL:        "LESSEQUAL",
	GREATEREQUAL:     "GREATEREQUAL",
	TILDE:            "TILDE",
	CIRCUMFLEX:       "CIRCUMFLEX",
	LEFTSHIFT:        "LEFTSHIFT",
	RIGHTSHIFT:       "RIGHTSHIFT",
	DOUBLESTAR:       "DOUBLESTAR",
	PLUSEQUAL:        "PLUSEQUAL",
	MINEQUAL:         "MINEQUAL",
	STAREQUAL:        "STAREQUAL",
	SLASHEQUAL:       "SLASHEQUAL",
	PERCENTEQUAL:     "PERCENTEQUAL",
	AMPEREQUAL:       "AMPEREQUAL",
	VBAREQUAL:        "VBAREQUAL",
	CIRCUMFLEXEQUAL:  "CIRCUMFLEXEQUAL",
	LEFTSHIFTEQUAL:   "LEFTSHIFTEQUAL",
	RIGHTSHIFTEQUAL:  "RIGHTSHIFTEQUAL",
	DOUBLESTAREQUAL:  "DOUBLESTAREQUAL",
	DOUBLESLASH:      "DOUBLESLASH",
	DOUBLESLASHEQUAL: "DOUBLESLASHEQUAL",
	AT:               "AT",
	ATEQUAL:          "ATEQUAL",
	RARROW:           "RARROW",
	ELLIPSIS:         "ELLIPSIS",
	COLONEQUAL:       "COLONEQUAL",
	EXCLAMATION:      "EXCLAMATION",
	OP:               "OP",
	TYPE_IGNORE:      "TYPE_IGNORE",
	TYPE_COMMENT:     "TYPE_COMMENT",
	SOFT_KEYWORD:     "SOFT_KEYWORD",
	FSTRING_START:    "FSTRING_START",
	FSTRING_MIDDLE:   "FSTRING_MIDDLE",
	FSTRING_END:      "FSTRING_END",
	COMMENT:          "COMMENT",
	NL:               "NL",
	ERRORTOKEN:       "ERRORTOKEN",
	FALSE:            "FALSE",
	NONE:             "NONE",
	TRUE:             "TRUE",
	AND:              "AND",
	AS:               "AS",
	ASSERT:           "ASSERT",
	ASYNC:            "ASYNC",
	AWAIT:            "AWAIT",
	BREAK:            "BREAK",
	CLASS:            "CLASS",
	CONTINUE:         "CONTINUE",
	DEF:              "DEF",
	DEL:              "DEL",
	ELIF:             "ELIF",
	ELSE:             "ELSE",
	EXCEPT:           "EXCEPT",
	FINALLY:          "FINALLY",
	FOR:              "FOR",
	FROM:             "FROM",
	GLOBAL:           "GLOBAL",
	IF:               "IF",
	IMPORT:           "IMPORT",
	IN:               "IN",
	IS:               "IS",
	LAMBDA:           "LAMBDA",
	NONLOCAL:         "NONLOCAL",
	NOT:              "NOT",
	OR:               "OR",
	PASS:             "PASS",
	RAISE:            "RAISE",
	RETURN:           "RETURN",
	TRY:              "TRY",
	WHILE:            "WHILE",
	WITH:             "WITH",
	YIELD:            "YIELD",
}

// String returns the kind's name as Lib/token.py spells it (keywords:
// the upper-case keyword).
func (k Kind) String() string {
	if k < numKinds {
		return names[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

var texts = map[Kind]string{
	LPAR:             "(",
	RPAR:             ")",
	LSQB:             "[",
	RSQB:             "]",
	COLON:            ":",
	COMMA:            ",",
	SEMI:             ";",
	PLUS:             "+",
	MINUS:            "-",
	STAR:             "*",
	SLASH:            "/",
	VBAR:             "|",
	AMPER:            "&",
	LESS:             "<",
	GREATER:          ">",
	EQUAL:            "=",
	DOT:              ".",
	PERCENT:          "%",
	LBRACE:           "{",
	RBRACE:           "}",
	EQEQUAL:          "==",
	LESSEQUAL:        "<=",
	GREATEREQUAL:     ">=",
	TILDE:            "~",
	CIRCUMFLEX:       "^",
	LEFTSHIFT:        "<<",
	RIGHTSHIFT:       ">>",
	DOUBLESTAR:       "**",
	PLUSEQUAL:        "+=",
	MINEQUAL:         "-=",
	STAREQUAL:        "*=",
	SLASHEQUAL:       "/=",
	PERCENTEQUAL:     "%=",
	AMPEREQUAL:       "&=",
	VBAREQUAL:        "|=",
	CIRCUMFLEXEQUAL:  "^=",
	LEFTSHIFTEQUAL:   "<<=",
	RIGHTSHIFTEQUAL:  ">>=",
	DOUBLESTAREQUAL:  "**=",
	DOUBLESLASH:      "//",
	DOUBLESLASHEQUAL: "//=",
	AT:               "@",
	ATEQUAL:          "@=",
	RARROW:           "->",
	ELLIPSIS:         "...",
	COLONEQUAL:       ":=",
	EXCLAMATION:      "!",
	NOTEQUAL:         "!=",
	FALSE:            "False",
	NONE:             "None",
	TRUE:             "True",
	AND:              "and",
	AS:               "as",
	ASSERT:           "assert",
	ASYNC:            "async",
	AWAIT:            "await",
	BREAK:            "break",
	CLASS:            "class",
	CONTINUE:         "continue",
	DEF:              "def",
	DEL:              "del",
	ELIF:             "elif",
	ELSE:             "else",
	EXCEPT:           "except",
	FINALLY:          "finally",
	FOR:              "for",
	FROM:             "from",
	GLOBAL:           "global",
	IF:               "if",
	IMPORT:           "import",
	IN:               "in",
	IS:               "is",
	LAMBDA:           "lambda",
	NONLOCAL:         "nonlocal",
	NOT:              "not",
	OR:               "or",
	PASS:             "pass",
	RAISE:            "raise",
	RETURN:           "return",
	TRY:              "try",
	WHILE:            "while",
	WITH:             "with",
	YIELD:            "yield",
}

// Text returns the spelling of an operator or keyword kind ("(", "+=",
// "lambda"), or "" for the other kinds.
func (k Kind) Text() string { return texts[k] }

// IsKeyword reports whether k is a keyword kind.
func (k Kind) IsKeyword() bool { return k >= FirstKeyword && k <= LastKeyword }

var keywords = func() map[string]Kind {
	m := make(map[string]Kind, LastKeyword-FirstKeyword+1)
	for k := FirstKeyword; k <= LastKeyword; k++ {
		m[texts[k]] = k
	}
	return m
}()

// Lookup returns the keyword kind for a NAME token's text, or NAME. Soft
// keywords (match, case, type, _) are NAME: the parser matches them by text.
func Lookup(name string) Kind {
	if k, ok := keywords[name]; ok {
		return k
	}
	return NAME
}

// Keyword is Lookup for a NAME token's bytes, as the tokenizer has them:
// most names are told apart from the keywords by their first byte and
// length alone, without comparing bytes.
func Keyword(name []byte) Kind {
	if len(name) > 0 && MayBeKeyword(name[0], len(name)) {
		return keyword(name)
	}
	return NAME
}

// MayBeKeyword reports whether some keyword of n bytes starts with the
// byte first: Keyword's first test, which a caller that has the byte at
// hand can make itself.
func MayBeKeyword(first byte, n int) bool {
	// A length past 15 shifts every bit out.
	return keywordLens[first]>>uint(n)&1 != 0
}

// KeywordAfterTest is Keyword for a name that passed MayBeKeyword: the
// tokenizer makes that test inline and calls this only then, so that a
// keyword costs one call, not Keyword's frame and its test again (about
// 20 instructions of each of the 35,000 calls a pass over a tenth of the
// standard library).
func KeywordAfterTest(name []byte) Kind { return keyword(name) }

func keyword(name []byte) Kind {
	switch string(name) { // compared in place, not copied
	case "False":
		return FALSE
	case "None":
		return NONE
	case "True":
		return TRUE
	case "and":
		return AND
	case "as":
		return AS
	case "assert":
		return ASSERT
	case "async":
		return ASYNC
	case "await":
		return AWAIT
	case "break":
		return BREAK
	case "class":
		return CLASS
	case "continue":
		return CONTINUE
	case "def":
		return DEF
	case "del":
		return DEL
	case "elif":
		return ELIF
	case "else":
		return ELSE
	case "except":
		return EXCEPT
	case "finally":
		return FINALLY
	case "for":
		return FOR
	case "from":
		return FROM
	case "global":
		return GLOBAL
	case "if":
		return IF
	case "import":
		return IMPORT
	case "in":
		return IN
	case "is":
		return IS
	case "lambda":
		return LAMBDA
	case "nonlocal":
		return NONLOCAL
	case "not":
		return NOT
	case "or":
		return OR
	case "pass":
		return PASS
	case "raise":
		return RAISE
	case "return":
		return RETURN
	case "try":
		return TRY
	case "while":
		return WHILE
	case "with":
		return WITH
	case "yield":
		return YIELD
	}
	return NAME
}

// keywordLens has, for each byte, bit n set when a keyword of n bytes
// starts with it (no keyword starts with the s of self).
var keywordLens = func() (t [256]uint16) {
	for k := FirstKeyword; k <= LastKeyword; k++ {
		s := texts[k]
		t[s[0]] |= 1 << len(s)
	}
	return t
}()

// SoftKeywords are the names CPython 3.13's grammar treats as keywords only
// where they begin a match statement, a case clause or a type alias.
var SoftKeywords = []string{"_", "case", "match", "type"}

// Pos is a position in a source: a 1-based line and a 0-based column in
// UTF-8 bytes from the start of that line of the decoded source, as
// CPython's AST and tokens count them. Both are 32-bit, as CPython's (C
// int) are.
type Pos struct {
	Line int32
	Col  int32
}

// Token is one token as the tokenizer hands it to the parser. It holds no
// pointer (32 bytes), so that the garbage collector never scans the
// parser's token arrays, which are kept from parse to parse.
type Token struct {
	Kind Kind
	// ASCII, on a NAME token, says that the tokenizer found only ASCII
	// bytes in it (false: unknown), which spares the parser the check
	// before NFKC normalization; on a STRING token, that it found only
	// ASCII bytes and no backslash in it (false: unknown), which spares
	// the parser the search for escapes and the check of its UTF-8.
	ASCII bool
	// Level is the bracket nesting depth (tok->level) after the token
	// (an opening bracket counts itself, a closing one does not). The
	// tokenizer allows at most 200 (MAXLEVEL).
	Level uint16
	// Meta refers to the text CPython attaches to a token that ends an
	// f-string replacement field written with '=' (f"{x = }"): the
	// expression and the '=' with their spaces (comments removed), which the
	// parser turns into the debug text. It is on the '!', ':' or '}' that
	// follows the expression. It is 0 for none, else the index plus one of
	// the text in a table its tokenizer keeps (see the scanner's Metadata).
	Meta int32
	// Start and End are CPython's token positions (lineno, col_offset,
	// end_lineno, end_col_offset): End.Col is the column just past the
	// token's last byte as the tokenizer read it. A Col of -1 is CPython's
	// "no column": INDENT, DEDENT, ENDMARKER and error tokens have no span.
	// A STRING or FSTRING_MIDDLE starts on the line where it began.
	Start, End Pos
	// Off and EndOff delimit the token's text in the decoded source,
	// src[Off:EndOff] (the bytes CPython's parser keeps for the token).
	// They may be narrower than the columns: a NEWLINE has no text but
	// spans the newline's column, and an FSTRING_MIDDLE ending in "{{" or
	// "}}" keeps one brace of the two it spans. For a token without a
	// span, Off == EndOff. A source is at most MaxSource bytes, so that
	// they fit.
	Off, EndOff int32
}

// MaxSource is the size in bytes of the largest decoded source whose
// tokens can be represented (positions and offsets are 32-bit).
const MaxSource = 1<<31 - 1
