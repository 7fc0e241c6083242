// Package worker serves Bazel's persistent worker protocol: it reads
// WorkRequests, runs each through a Handler (concurrently when Bazel
// multiplexes), honours cancellation, and writes exactly one WorkResponse
// per request.
//
// A main program takes stdout away from the rest of the process, serves
// until stdin ends or a signal arrives, and then shuts its engine down:
//
//	out, err := worker.TakeStdout()
//	ctx, stop := worker.ShutdownContext(context.Background())
//	defer stop()
//	srv := worker.NewServer(protocolFlag, os.Stdin, out, handler, logger)
//	err = srv.Serve(ctx)
//
// Without --persistent_worker, RunOnce runs the single request that Bazel's
// standalone and remote strategies describe with an @file argument.
package worker

import (
	"context"
	"path/filepath"
)

// Input is a file the request may read, as Bazel lists it.
type Input struct {
	// Path is relative to the working directory (the execroot) or absolute,
	// and never includes the request's SandboxDir.
	Path string
	// Digest is an opaque token that changes when the file does; it may be
	// empty.
	Digest []byte
}

// Request is one unit of work.
type Request struct {
	// Arguments are the request's arguments, with --flagfile= (and, in
	// one-shot mode, @file) arguments replaced by the lines of their files.
	Arguments []string
	// Inputs are the files the request may read.
	Inputs []Input
	// RequestID is 0 for a singleplex request, otherwise unique among the
	// requests in flight.
	RequestID int32
	// Verbosity above 0 asks for debugging output on stderr.
	Verbosity int32
	// SandboxDir, when not empty, is the directory (relative to the working
	// directory) under which this request's inputs and outputs live.
	SandboxDir string
}

// Resolve returns the path at which the request finds or writes path: path
// itself when it is absolute or the request has no SandboxDir, otherwise
// path under SandboxDir.
func (r *Request) Resolve(path string) string {
	if r.SandboxDir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(r.SandboxDir, path)
}

// Result is what a Handler reports for a request.
type Result struct {
	// ExitCode is 0 on success.
	ExitCode int
	// Output is shown to the user; leave it empty when all is well, since
	// Bazel prints a non-empty output even on success.
	Output string
	// Outputs are the files the handler created, absolute or relative to
	// the working directory (so already resolved under SandboxDir). They
	// are removed if the request is cancelled or the server shuts down
	// before answering it.
	Outputs []string
}

// Handler does the work of one request. It should return promptly once ctx
// is done, removing any temporary files of its own; the server removes the
// files listed in Result.Outputs when the request was cancelled.
type Handler func(ctx context.Context, req *Request) Result
