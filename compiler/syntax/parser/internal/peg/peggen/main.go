// Command peggen generates the parser's Go code from its grammar.
//
// Usage: peggen [-stats] GRAMMAR OUTPUT
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/parser/internal/peg"
)

func main() {
	stats := flag.Bool("stats", false, "print statistics of the generated parser")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: peggen [-stats] GRAMMAR OUTPUT")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *stats); err != nil {
		fmt.Fprintln(os.Stderr, "peggen:", err)
		os.Exit(1)
	}
}

func run(grammarPath, out string, stats bool) error {
	src, g, err := peg.GenerateFile(grammarPath)
	if err != nil {
		if src != nil {
			os.WriteFile(out+".broken", src, 0o644)
		}
		return err
	}
	if stats {
		fmt.Printf("%+v\n", peg.Summary(g))
	}
	return os.WriteFile(out, src, 0o644)
}
