package worker

import (
	"context"
	"fmt"
	"io"
	"os"
)

// RunOnce runs a single request outside the persistent protocol, the way
// Bazel runs a worker action with its standalone or remote strategy: args
// are the request's arguments, whose flag-file arguments (see
// SplitFlagFiles) are expanded here exactly as a persistent worker would
// receive them. The handler's output goes to stderr and its exit code is
// returned. If ctx ends (a signal) the handler's outputs are removed and the
// exit code is 1.
func RunOnce(ctx context.Context, args []string, h Handler, stderr io.Writer) int {
	expanded, err := expandArgs(args, "", true)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	req := &Request{Arguments: expanded}
	res := callHandler(ctx, h, req, nil)
	if ctx.Err() != nil {
		removeOutputs(res.Outputs, nil)
		fmt.Fprintf(stderr, "interrupted: %v\n", context.Cause(ctx))
		return 1
	}
	if res.Output != "" {
		io.WriteString(stderr, res.Output)
	}
	return res.ExitCode
}

// removeOutputs removes the files a cancelled request created. Files that
// are already gone are fine; other failures are logged.
func removeOutputs(paths []string, log func(format string, args ...any)) {
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) && log != nil {
			log("remove output of a cancelled request: %v", err)
		}
	}
}
