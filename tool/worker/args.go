package worker

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// maxExpandDepth bounds the nesting of @file arguments, so that a file that
// names itself is an error rather than a hang.
const maxExpandDepth = 16

// externalLabel matches an argument that starts with @ but is a label of an
// external repository (@repo//pkg:target), which Bazel does not expand.
var externalLabel = regexp.MustCompile(`^@.*//`)

// expandArgs returns args with flag-file arguments replaced by the lines of
// their files, one argument per line as Bazel's "multiline" format writes
// them (no unquoting). Relative file names are resolved under dir.
//
// --flagfile=FILE and -flagfile=FILE are always expanded: Bazel passes them
// on verbatim. @FILE is expanded only when atFiles is set (one-shot mode;
// in persistent mode Bazel has already expanded it), recursively and with
// Bazel's exceptions: @@... and external labels (@repo//...) stay as they
// are.
func expandArgs(args []string, dir string, atFiles bool) ([]string, error) {
	return expand(args, dir, atFiles, 0)
}

func expand(args []string, dir string, atFiles bool, depth int) ([]string, error) {
	if depth > maxExpandDepth {
		return nil, fmt.Errorf("flag files nested more than %d deep", maxExpandDepth)
	}
	var out []string
	for _, arg := range args {
		var file string
		at := false
		switch {
		case strings.HasPrefix(arg, "--flagfile="):
			file = strings.TrimPrefix(arg, "--flagfile=")
		case strings.HasPrefix(arg, "-flagfile="):
			file = strings.TrimPrefix(arg, "-flagfile=")
		case atFiles && strings.HasPrefix(arg, "@") && !strings.HasPrefix(arg, "@@") && !externalLabel.MatchString(arg):
			file, at = arg[1:], true
		default:
			out = append(out, arg)
			continue
		}
		lines, err := readLines((&Request{SandboxDir: dir}).Resolve(file))
		if err != nil {
			return nil, fmt.Errorf("expand %s: %w", arg, err)
		}
		if at {
			if lines, err = expand(lines, dir, atFiles, depth+1); err != nil {
				return nil, fmt.Errorf("expand %s: %w", arg, err)
			}
		}
		out = append(out, lines...)
	}
	return out, nil
}

// readLines returns the lines of a file as Java's Files.readAllLines does:
// split at \n, \r\n or \r, with no empty line after a final terminator.
func readLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	if text == "" {
		return nil, nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n"), nil
}

// flagFile matches the arguments that Bazel takes off a worker's command
// line as flag files (its WorkerParser uses the same pattern).
var flagFile = regexp.MustCompile(`^(?:@|--?flagfile=).`)

// SplitFlagFiles splits a command line as Bazel does when it starts a
// worker: the flag-file arguments (@FILE, --flagfile=FILE, -flagfile=FILE)
// describe the request, and the rest are startup arguments. In one-shot
// mode pass the flag files to RunOnce.
func SplitFlagFiles(args []string) (startup, flagFiles []string) {
	for _, arg := range args {
		if flagFile.MatchString(arg) {
			flagFiles = append(flagFiles, arg)
		} else {
			startup = append(startup, arg)
		}
	}
	return startup, flagFiles
}
