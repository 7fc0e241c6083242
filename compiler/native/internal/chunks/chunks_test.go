package chunks

import "testing"

func TestTakeRelease(t *testing.T) {
	var l List[int]
	a := l.Take(4, 0)
	b := l.Take(2, 8)
	if len(a) != 4 || len(b) != 8 {
		t.Fatalf("new chunks of %d and %d elements, want 4 and 8", len(a), len(b))
	}
	a[0], b[7] = 1, 2
	l.Release(100, true)
	// Taken again in the order they were used, cleared.
	if c := l.Take(3, 0); &c[0] != &a[0] || c[0] != 0 {
		t.Errorf("first take after Release: not the first chunk, cleared")
	}
	// A free chunk too small is skipped (and dropped from this round).
	if c := l.Take(9, 0); len(c) != 9 || &c[0] == &b[0] {
		t.Errorf("take of 9: got a chunk of %d, want a new one of 9", len(c))
	}
	l.Release(100, false)
	if c := l.Take(1, 0); &c[0] != &a[0] {
		t.Errorf("after a second Release: the first chunk was not kept")
	}
}

func TestReleaseLimit(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		limit int
		kept  int // chunks taken again before a new one is made
	}{
		{"all", []int{4, 4, 8}, 16, 3},
		{"up to the limit", []int{4, 4, 8}, 10, 2},
		{"none", []int{4}, 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l List[byte]
			used := map[*byte]bool{}
			for _, n := range tc.sizes {
				used[&l.Take(n, 0)[0]] = true
			}
			l.Release(tc.limit, false)
			reused := 0
			for range tc.sizes {
				if used[&l.Take(1, 0)[0]] {
					reused++
				}
			}
			if reused != tc.kept {
				t.Errorf("%d chunks reused, want %d", reused, tc.kept)
			}
		})
	}
}

func TestClearedOnlyWhenAsked(t *testing.T) {
	var l List[byte]
	c := l.Take(2, 0)
	c[1] = 7
	l.Release(10, false)
	if c := l.Take(2, 0); c[1] != 7 {
		t.Errorf("released without clearing: got %d, want the 7 written", c[1])
	}
	l.Release(10, true)
	if c := l.Take(2, 0); c[1] != 0 {
		t.Errorf("released with clearing: got %d, want 0", c[1])
	}
}
