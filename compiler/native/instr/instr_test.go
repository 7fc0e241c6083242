package instr

import (
	"fmt"
	"testing"
	"unsafe"

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

// TestCellLocals checks the cells' local slots by scan (few cells or few
// locals) and through the map (many of both) against each other.
func TestCellLocals(t *testing.T) {
	p := pyobj.NewProcess(nil)
	for _, n := range []int{0, 1, 3, fewCellLocals, fewCellLocals + 1, 60} {
		var m Metadata
		for i := 0; i < n; i++ {
			m.VarNames = append(m.VarNames, p.Identifier(fmt.Sprintf("v%d", i)))
			// Every third cell is a local, the others are not.
			name := fmt.Sprintf("c%d", i)
			if i%3 == 0 {
				name = fmt.Sprintf("v%d", n-1-i)
			}
			m.CellVars = append(m.CellVars, p.Identifier(name))
		}
		got := m.CellLocals(make([]int32, 1))
		if len(got) != n {
			t.Fatalf("%d cells: %d slots", n, len(got))
		}
		for i, vi := range got {
			want := int32(-1)
			if i%3 == 0 {
				want = int32(n - 1 - i)
			}
			if vi != want {
				t.Errorf("%d cells: cell %d at local %d, want %d", n, i, vi, want)
			}
		}
	}
}

func TestHandler(t *testing.T) {
	tests := []struct {
		label       Label
		depth, want int32
		lasti       bool
	}{
		{NoLabel, -1, -1, false},
		{0, 0, 0, false},
		{3, 1, 1, true},
		{7, 12345, 12345, false},
		{7, 12345, 12345, true},
		{2, MaxStartDepth, MaxStartDepth, true},
		{2, MaxStartDepth + 1, MaxStartDepth, false},
		{2, 1 << 30, MaxStartDepth, true},
		{2, -2, MinStartDepth, true},
		{2, -1 << 31, MinStartDepth, false},
	}
	for _, tc := range tests {
		h := NewHandler(tc.label, tc.depth, tc.lasti)
		if h.Label != tc.label || h.StartDepth() != tc.want || h.PreserveLasti() != tc.lasti {
			t.Errorf("NewHandler(%d, %d, %v) = label %d depth %d lasti %v; want %d %d %v", tc.label, tc.depth, tc.lasti,
				h.Label, h.StartDepth(), h.PreserveLasti(), tc.label, tc.want, tc.lasti)
		}
	}
	if NoHandler.Label != NoLabel || NoHandler.StartDepth() != -1 || NoHandler.PreserveLasti() {
		t.Errorf("NoHandler = %+v", NoHandler)
	}
	// The passes over instruction arrays depend on the size (see Handler).
	if n := unsafe.Sizeof(Instr{}); n != 32 {
		t.Errorf("an Instr is %d bytes, want 32", n)
	}
}
