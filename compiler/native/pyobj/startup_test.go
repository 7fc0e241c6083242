package pyobj

import "testing"

func TestStartupSetKnownMembers(t *testing.T) {
	s, err := StartupInterned("3.13.0")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"None", "__init__", "cmp_to_key.<locals>.K", "<module>", "__qualname__"} {
		if !s.Has(v) {
			t.Errorf("%q not in the set", v)
		}
	}
}
