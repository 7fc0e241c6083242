// Command testmain runs the pyc command line, for the tests of package cli
// that need a real binary (a terminal, signals) before tool/pyc exists.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/rules-pyc/rules_pyc/tool/cli"
	"github.com/rules-pyc/rules_pyc/tool/internal/heap"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, heap.PaceCommandLine)
	stop()
	os.Exit(code)
}
