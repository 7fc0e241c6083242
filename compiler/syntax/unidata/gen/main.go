// Command gen writes the tables of package unidata for one Unicode version,
// from the unicodedata module and str methods of a CPython interpreter that
// has that version (see package internal/generate).
//
// Usage, from the repository root:
//
//	go run ./compiler/syntax/unidata/gen -python "$(pyenv root)/versions/3.13.0/bin/python3"
//	go run ./compiler/syntax/unidata/gen -python "scripts/chroot python3.14"
//
// -python is a command line, split at spaces. The result is
// compiler/syntax/unidata/vMAJOR_MINOR.go (v15_1.go for Unicode 15.1.0).
// -namealiases names a NameAliases.txt to check the name aliases against;
// the tables never depend on it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata/internal/generate"
)

func main() {
	python := flag.String("python", "", "interpreter command line (split at spaces)")
	dir := flag.String("dir", filepath.Join("compiler", "syntax", "unidata"), "directory of package unidata")
	aliases := flag.String("namealiases", "", "optional NameAliases.txt to check the aliases against")
	flag.Parse()
	if *python == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -python 'COMMAND [ARGS]' [-dir DIR] [-namealiases FILE]")
		os.Exit(2)
	}
	res, err := generate.Run(strings.Fields(*python), *aliases, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	name := filepath.Join(*dir, res.Name)
	if err := os.WriteFile(name, res.Source, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: %s\ngen: wrote %s (%d bytes)\n", res.Summary, name, len(res.Source))
}
