package instr

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
)

func TestLabels(t *testing.T) {
	var s Sequence
	l := s.NewLabel()
	if _, err := s.Index(l); err == nil {
		t.Error("unplaced label has an index")
	}
	s.Add(opcode.V313.MustLookup("NOP"), 0, NoLocation)
	if err := s.Place(l); err != nil {
		t.Fatal(err)
	}
	if err := s.Place(l); err == nil {
		t.Error("label placed twice")
	}
	if err := s.Place(Label(7)); err == nil {
		t.Error("unknown label placed")
	}
	s.Add(opcode.V313.MustLookup("RETURN_CONST"), 0, Location{1, 1, 0, 4})
	if i, err := s.Index(l); err != nil || i != 1 {
		t.Errorf("Index = %d, %v; want 1", i, err)
	}
	if s.Labels() != 1 || s.Instrs[1].Handler != NoHandler {
		t.Error("labels or default handler")
	}
}

func TestNLocalsPlus(t *testing.T) {
	p := pyobj.NewProcess(nil)
	id := p.Identifier
	m := Metadata{
		VarNames: []*pyobj.Object{id("a"), id("b")},
		CellVars: []*pyobj.Object{id("b"), id("c")},
		FreeVars: []*pyobj.Object{id("d")},
	}
	if n := m.NLocalsPlus(); n != 4 {
		t.Errorf("NLocalsPlus = %d, want 4", n)
	}
}
