package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
)

// Version is rules_pyc's release, as module() in MODULE.bazel states it
// (TestVersionMatchesModule keeps the two equal).
const Version = "0.0.0"

// versionText is what --version prints: the release, the Go toolchain and,
// for a binary built by the go command in a Git checkout, the commit; then
// which CPython releases the native compiler writes the bytes of, and what
// a bare X.Y means. Bazel's rules_go stamps no commit, so that part is left
// out there rather than guessed.
func versionText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pyc %s (%s", Version, runtime.Version())
	if commit := buildCommit(); commit != "" {
		fmt.Fprintf(&b, ", commit %s", commit)
	}
	b.WriteString(")\n")
	fmt.Fprintf(&b, "native compiler: CPython %s (--python-version %s means %s)\n",
		engine.NativeCovered(), engine.DefaultNativeVersion, engine.NativeDefault())
	b.WriteString("other releases: compiled by that release's interpreter (--python)\n")
	return b.String()
}

// buildCommit is the commit the go command recorded in the binary
// ("vcs.revision"), shortened to 12 digits, with "+modified" when the
// checkout had uncommitted changes; "" when none was recorded.
func buildCommit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var revision string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision == "" {
		return ""
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified {
		revision += "+modified"
	}
	return revision
}
