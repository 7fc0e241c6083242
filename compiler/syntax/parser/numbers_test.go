package parser

import (
	"math"
	"strings"
	"testing"
)

// TestParseFloatLong checks float literals with more significant digits
// than strconv.ParseFloat holds (800) against the bits CPython 3.13 gives
// them: a point or an exponent far from the first digit, and values just
// above and exactly at the halfway point between two doubles.
func TestParseFloatLong(t *testing.T) {
	for _, c := range []struct {
		s    string
		bits uint64
	}{
		{strings.Repeat("9", 4300) + "e-4300", 0x3ff0000000000000},
		{strings.Repeat("1", 801) + "e-801", 0x3fbc71c71c71c71c},
		{strings.Repeat("1", 900) + ".5e-700", 0x69429487dc4dacc2},
		{"0." + strings.Repeat("0", 900) + strings.Repeat("7", 900) + "e901", 0x401f1c71c71c71c7},
		{strings.Repeat("1", 5000) + ".0", 0x7ff0000000000000},
		{strings.Repeat("1", 5000) + "e-5300", 0x01730c8e02a46688},
		{strings.Repeat("0", 1000) + "e99999999999999999999999", 0x0000000000000000},
		{"1.00000000000000011102230246251565404236316680908203125" + strings.Repeat("0", 1000) + "1", 0x3ff0000000000001},
		{"1.00000000000000011102230246251565404236316680908203125" + strings.Repeat("0", 1000), 0x3ff0000000000000},
	} {
		if got := math.Float64bits(parseFloat(c.s)); got != c.bits {
			t.Errorf("parseFloat(%.40s... (%d bytes)) = %v, want %v", c.s, len(c.s), math.Float64frombits(got), math.Float64frombits(c.bits))
		}
	}
}
