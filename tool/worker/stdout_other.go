//go:build !unix

package worker

import "os"

// TakeStdout returns os.Stdout unchanged on systems without Unix file
// descriptors: there, stray prints are not redirected.
func TakeStdout() (*os.File, error) {
	return os.Stdout, nil
}
