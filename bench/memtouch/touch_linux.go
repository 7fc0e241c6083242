package main

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// run maps n bytes rounds times for each page size, touches every page
// and prints the rate.
func run(n, rounds int) error {
	for _, huge := range []bool{false, true} {
		advice, name := unix.MADV_NOHUGEPAGE, "4 KB pages"
		if huge {
			advice, name = unix.MADV_HUGEPAGE, "huge pages"
		}
		for r := 1; r <= rounds; r++ {
			b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
			if err != nil {
				return fmt.Errorf("mmap of %d MiB: %w", n>>20, err)
			}
			if err := unix.Madvise(b, advice); err != nil {
				unix.Munmap(b)
				return fmt.Errorf("madvise(%s): %w", name, err)
			}
			start := time.Now()
			for i := 0; i < n; i += 4096 {
				b[i] = 1
			}
			d := time.Since(start)
			if err := unix.Munmap(b); err != nil {
				return fmt.Errorf("munmap: %w", err)
			}
			fmt.Printf("%s, round %d: %d MiB in %.3f s, %.2f GB/s\n", name, r, n>>20, d.Seconds(), float64(n)/d.Seconds()/1e9)
		}
	}
	return nil
}
