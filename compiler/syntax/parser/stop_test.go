package parser

import (
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/stop"
)

// TestStopPolled checks that a parse polls Options.Stop as it reads
// tokens: the channel is closed when the parser makes the identifier
// "trigger" for the closeAt'th time, near the start of a pass, and the
// 40,000 tokens after it must not all be parsed. Both kinds of pass are
// covered: the optimistic one (a clean source) and pegen's that follow it
// for a source with an error at its end (the second "trigger").
func TestStopPolled(t *testing.T) {
	rel := release.Release{Major: 3, Minor: 13}
	for _, tc := range []struct {
		name    string
		src     string
		closeAt int
		stopped bool
	}{
		{"clean, open", "trigger = 1\n" + strings.Repeat("x = 1\n", 10000), 0, false},
		{"clean, closed", "trigger = 1\n" + strings.Repeat("x = 1\n", 10000), 1, true},
		{"error, open", "trigger = 1\n" + strings.Repeat("x = 1\n", 10000) + "x = (\n", 0, false},
		{"error, closed in the second pass", "trigger = 1\n" + strings.Repeat("x = 1\n", 10000) + "x = (\n", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := make(chan struct{})
			names, triggers := 0, 0
			opts := Options{Stop: ch, OnIdentifier: func(id string) {
				names++
				if id == "trigger" {
					triggers++
					if triggers == tc.closeAt {
						close(ch)
						names = 0
					}
				}
			}}
			stopped := stop.Run(func() {
				if _, _, err := Parse("x.py", []byte(tc.src), rel, opts); err != nil {
					t.Fatal(err)
				}
			})
			if stopped != tc.stopped {
				t.Errorf("stopped %v, want %v", stopped, tc.stopped)
			}
			if stopped && names > stopEvery {
				t.Errorf("stopped %d identifiers after the channel closed: more than %d tokens were read", names, stopEvery)
			}
		})
	}
}
