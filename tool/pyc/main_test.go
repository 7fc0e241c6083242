package main

import (
	"slices"
	"testing"
	"time"
)

func TestParseStartup(t *testing.T) {
	s, err := parseStartup([]string{"--python", "/usr/bin/python3", "-j", "3", "--timeout=5s", "--startup-timeout", "20s", "--python_version", "3.11", "--worker_protocol", "json"})
	if err != nil {
		t.Fatal(err)
	}
	if s.jobs != 3 || s.timeout != 5*time.Second || s.startupTimeout != 20*time.Second || s.protocol != "json" ||
		!slices.Equal(s.defaults, []string{"--python=/usr/bin/python3", "--python_version=3.11"}) {
		t.Errorf("parseStartup = %+v", s)
	}
	for _, bad := range [][]string{{"--optimize", "9x"}, {"--src", "a.py"}, {"--jobs", "-1"}, {"--timeout", "-1s"}, {"--startup_timeout", "-1s"}, {"stray"}, {"--frobnicate"}} {
		if _, err := parseStartup(bad); err == nil {
			t.Errorf("parseStartup(%q) accepted", bad)
		}
	}
}

func TestSplitProcessFlags(t *testing.T) {
	args := []string{"--src", "a.py", "-j", "2", "--pyc", "a.pyc", "--timeout=3s", "--startup-timeout", "1s", "-j4", "--python", "py", "--startup_timeout=2s"}
	process, request := splitProcessFlags(args)
	if want := []string{"-j", "2", "--timeout=3s", "--startup-timeout", "1s", "-j4", "--startup_timeout=2s"}; !slices.Equal(process, want) {
		t.Errorf("process flags %q, want %q", process, want)
	}
	if want := []string{"--src", "a.py", "--pyc", "a.pyc", "--python", "py"}; !slices.Equal(request, want) {
		t.Errorf("request %q, want %q", request, want)
	}
	if _, err := parseStartup(process); err != nil {
		t.Errorf("the process flags do not parse: %v", err)
	}
}
