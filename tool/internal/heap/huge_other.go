//go:build !linux

package heap

import "errors"

// adviseHugePages does nothing where there is no MADV_HUGEPAGE.
func adviseHugePages(int) (uintptr, error) {
	return 0, errors.New("no transparent huge pages on this system")
}

// strictOvercommit is false where nothing is advised.
func strictOvercommit() bool { return false }
