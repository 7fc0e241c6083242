package ast

import "testing"

var sink *BinOp

// BenchmarkArenaNodes allocates BinOps with their Name and Constant
// children from an arena; BenchmarkHeapNodes does it with new.
func BenchmarkArenaNodes(b *testing.B) {
	b.ReportAllocs()
	var a Arena
	for i := 0; i < b.N; i++ {
		if i%100000 == 0 {
			a = Arena{}
		}
		n := a.NewBinOp()
		n.Left, n.Right = a.NewName(), a.NewConstant()
		sink = n
	}
}

func BenchmarkHeapNodes(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		n := new(BinOp)
		n.Left, n.Right = new(Name), new(Constant)
		sink = n
	}
}
