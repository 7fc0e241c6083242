//go:build !linux

package output

import "io/fs"

// writeNew is Linux's O_TMPFILE way; elsewhere Write always goes the
// temporary-name way.
func writeNew(string, []byte, fs.FileMode) (bool, error) { return false, nil }
