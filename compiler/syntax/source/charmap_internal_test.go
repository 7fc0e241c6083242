package source

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// TestCharmapTables decodes every single-byte table (charmapTable panics
// on a damaged one) and checks that Lookup hands each codec its table.
func TestCharmapTables(t *testing.T) {
	rel := release.Release{Major: 3, Minor: 13, Micro: 0}
	n := 0
	for name := range charmapData {
		tab := charmapTable(name)
		if charmapTable(name) != tab {
			t.Errorf("%s: table decoded twice", name)
		}
		c, err := Lookup(name, rel)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if c.kind == kindCharmap {
			n++
			if c.table != tab {
				t.Errorf("%s: Lookup's table is not the decoded one", name)
			}
		}
	}
	if n < 60 {
		t.Errorf("only %d single-byte codecs", n)
	}
}
