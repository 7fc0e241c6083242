//go:build !linux

package heap

// prefault does nothing where there is no madvise(MADV_POPULATE_WRITE).
func prefault(int, int) error { return nil }
