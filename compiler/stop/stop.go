// Package stop lets a running native compile be stopped from outside (a
// time limit, a cancelled request). The stages poll a channel at points
// that bound the work between two polls (the parser every few thousand
// tokens, code generation every 65,536 instructions, the compile between
// stages and code units); a poll that finds the channel closed unwinds
// the compile with a panic, which the compile's entrance recovers and
// reports as ErrStopped. Nothing of a stopped compile is kept.
package stop

import "errors"

// ErrStopped is what a stopped compile returns.
var ErrStopped = errors.New("the compile was stopped")

// signal is the value Poll panics with.
type signal struct{}

// Poll unwinds the compile if ch is closed. A nil ch never stops.
func Poll(ch <-chan struct{}) {
	if ch == nil {
		return
	}
	select {
	case <-ch:
		panic(signal{})
	default:
	}
}

// Run calls f and reports whether a Poll inside it stopped it. Any other
// panic goes on up.
func Run(f func()) (stopped bool) {
	defer func() {
		if r := recover(); r != nil {
			if !Is(r) {
				panic(r)
			}
			stopped = true
		}
	}()
	f()
	return false
}

// Is reports whether r, a value recovered from a panic, is Poll's.
func Is(r any) bool {
	_, ok := r.(signal)
	return ok
}
