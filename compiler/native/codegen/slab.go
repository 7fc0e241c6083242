package codegen

import (
	"sync"

	"github.com/rules-pyc/rules_pyc/compiler/native/internal/chunks"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
)

// slabs is the storage a Generate carves its units' object lists,
// children lists and results from (chunks allocated in bulk).
// Result.Free clears it and keeps it for the next Generate, so that a
// compile does not allocate, and the collector does not sweep, the same
// chunks again for every module. (The name indexes' keys, from
// compiler.strs, are not among them: a recycled unit keeps its keys'
// room for the next compile, see nameIndex.reset.)
type slabs struct {
	objChunks chunks.List[*pyobj.Object]
	outChunks chunks.List[Unit]
	kidChunks chunks.List[*Unit]
}

// The most a released result keeps of each kind, so that one huge module
// does not pin its storage in a long-lived process.
const (
	maxKeptObjs  = 16384
	maxKeptUnits = 1024
	maxKeptKids  = 4096
)

var slabPool sync.Pool

func getSlabs() *slabs {
	if s, ok := slabPool.Get().(*slabs); ok {
		return s
	}
	return new(slabs)
}

// Free gives r's storage to the next Generate. Nothing may use r, its
// units or the lists they hold afterwards (code objects made from them
// by Config.Finish hold copies).
func (r *Result) Free() {
	s := r.slabs
	if s == nil {
		return
	}
	r.slabs, r.Top = nil, nil
	s.objChunks.Release(maxKeptObjs, true)
	s.outChunks.Release(maxKeptUnits, true)
	s.kidChunks.Release(maxKeptKids, true)
	slabPool.Put(s)
}
