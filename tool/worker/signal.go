package worker

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// ShutdownContext returns a context that ends when the process receives
// SIGTERM (how Bazel stops its workers) or SIGINT. Pass it to Serve; call
// stop to restore the default signal behaviour.
func ShutdownContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(parent, syscall.SIGTERM, os.Interrupt)
}
