// Command memtouch measures how fast this machine hands a process memory
// it has not touched yet: it maps anonymous memory, writes one byte per 4
// KB page, and reports the rate, first with ordinary 4 KB pages and then
// with transparent huge pages (MADV_HUGEPAGE), several rounds each in one
// process.
//
// The first round of each kind takes memory the system has to find; later
// rounds get back what the previous round unmapped a moment before. On a
// machine where the two differ by much, a process that maps a lot of fresh
// memory pays for it (pyc's command line maps its heap afresh on every
// run): see docs/benchmarks.md, "Fresh memory".
//
//	go run ./bench/memtouch
//	go run ./bench/memtouch -mib 2048 -rounds 2
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	mib := flag.Int("mib", 512, "MiB mapped and touched per round")
	rounds := flag.Int("rounds", 3, "rounds of each page size")
	flag.Parse()
	if *mib <= 0 || *rounds <= 0 {
		fmt.Fprintln(os.Stderr, "bench/memtouch: -mib and -rounds must be positive")
		os.Exit(2)
	}
	if err := run(*mib<<20, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "bench/memtouch:", err)
		os.Exit(1)
	}
}
