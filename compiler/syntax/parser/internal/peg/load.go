package peg

import (
	"fmt"
	"os"
	"path/filepath"
)

// ParserOptions are the options the parser package generates its code with.
var ParserOptions = Options{
	Package: "parser",
	Imports: []string{
		"fmt",
		"github.com/rules-pyc/rules_pyc/compiler/syntax/ast",
		"github.com/rules-pyc/rules_pyc/compiler/syntax/token",
	},
}

// Load reads and checks the grammar file at path.
func Load(path string) (*Grammar, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	g, err := Read(string(src))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := Check(g); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// GenerateFile returns the parser's Go code for the grammar file at path,
// and the grammar with its helper rules.
func GenerateFile(path string) ([]byte, *Grammar, error) {
	g, err := Load(path)
	if err != nil {
		return nil, nil, err
	}
	opt := ParserOptions
	opt.Source = filepath.Base(path)
	src, err := Generate(g, opt)
	return src, g, err
}
