package symtable

import (
	"sync"

	"github.com/rules-pyc/rules_pyc/compiler/native/internal/chunks"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// slabs is the storage a Build carves its blocks, their first symbols,
// parameter names and children lists from (chunks allocated in bulk), and
// the map of its blocks. Table.Release clears it and keeps it for the next
// Build, so that a compile does not allocate and the collector does not
// sweep the same chunks again for every module.
type slabs struct {
	blockChunks chunks.List[Block]
	symChunks   chunks.List[Symbol]
	varChunks   chunks.List[string]
	childChunks chunks.List[*Block]
	order       []*Block
	blocks      map[*ast.Loc]*Block
	others      map[blockKey]*Block
}

// The most a released table keeps of each kind: about what a module of
// a thousand blocks uses, so that one huge module does not pin its
// storage in a long-lived process.
const (
	maxKeptBlocks   = 1024
	maxKeptSymbols  = 16384
	maxKeptVarnames = 4096
	maxKeptChildren = 4096
	maxKeptMap      = 1024
)

var slabPool sync.Pool

func getSlabs() *slabs {
	if s, ok := slabPool.Get().(*slabs); ok {
		return s
	}
	return &slabs{}
}

// Free gives t's storage to the next Build. Nothing may use t, its
// blocks or their symbols afterwards.
func (t *Table) Free() {
	s := t.slabs
	if s == nil {
		return
	}
	t.slabs, t.order, t.blocks, t.others, t.Top = nil, nil, nil, nil, nil
	s.blockChunks.Release(maxKeptBlocks, true)
	s.symChunks.Release(maxKeptSymbols, true)
	s.varChunks.Release(maxKeptVarnames, true)
	s.childChunks.Release(maxKeptChildren, true)
	if len(s.order) > maxKeptBlocks {
		s.order = nil
	} else {
		clear(s.order)
	}
	if len(s.blocks) > maxKeptMap {
		s.blocks = nil
	} else if len(s.blocks) > 0 {
		clear(s.blocks)
	}
	if len(s.others) > 0 {
		clear(s.others)
	}
	slabPool.Put(s)
}
