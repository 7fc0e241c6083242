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
			got := Run(func() { Poll(tc.ch) })
			if got != tc.want {
				t.Errorf("Poll stopped = %v, want %v", got, tc.want)
			}
		})
	}
	if Is("other") || Is(nil) {
		t.Error("Is accepts a value that is not Poll's")
	}
	defer func() {
		if r := recover(); r != "other" {
			t.Errorf("Run let %v through, want the other panic", r)
		}
	}()
	Run(func() { panic("other") })
	t.Error("Run swallowed a panic that is not Poll's")
}
