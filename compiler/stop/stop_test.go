package stop

import "testing"

func TestPoll(t *testing.T) {
	closed := make(chan struct{})
	close(closed)
	for _, tc := range []struct {
		name string
		ch   <-chan struct{}
		want bool
	}{
		{"nil", nil, false},
		{"open", make(chan struct{}), false},
		{"closed", closed, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := func() (stopped bool) {
				defer func() {
					if r := recover(); r != nil {
						if !Is(r) {
							panic(r)
						}
						stopped = true
					}
				}()
				Poll(tc.ch)
				return false
			}()
			if got != tc.want {
				t.Errorf("Poll stopped = %v, want %v", got, tc.want)
			}
		})
	}
	if Is("other") || Is(nil) {
		t.Error("Is accepts a value that is not Poll's")
	}
}
