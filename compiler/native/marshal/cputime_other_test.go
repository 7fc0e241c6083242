//go:build !unix

package marshal_test

import "time"

// cpuTime is not measured here: the CPU metrics read as infinite.
func cpuTime() time.Duration { return 0 }
