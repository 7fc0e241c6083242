package pyobj

import "unsafe"

// A Process carves what its objects hold (the items of the tuples the
// assembler makes, code objects' fields, co_code, the bytes of the
// assembler's tables) from blocks allocated in bulk: a compile makes
// thousands of small slices and strings that all live exactly as long as
// the compile. A block is never written again where it was handed out,
// so the strings carved from it stay immutable.

// maxCarved is the largest piece carved from a block; a larger one has
// an allocation of its own (a block keeps no tail of a huge table).
const maxCarved = 2048

// Block sizes grow from small (a small module makes a few dozen code
// objects) to these.
const (
	maxItemBlock  = 1024
	maxByteBlock  = 16 << 10
	maxCodeBlock  = 64
	firstCodeSize = 4
)

// Items returns a copy of items carved from the Process's bulk storage
// (its capacity is its length: appending to it never reaches another
// piece).
func (p *Process) Items(items []*Object) []*Object {
	n := len(items)
	if n == 0 {
		return nil
	}
	if n > maxCarved/8 {
		s := make([]*Object, n)
		copy(s, items)
		return s
	}
	if len(p.itemBlock) < n {
		// 64 items, then twice the last block's, up to maxItemBlock.
		p.itemBlock = p.itemBlocks.Take(n, max(min(2*len(p.itemCur), maxItemBlock), 64))
		p.itemCur = p.itemBlock
	}
	s := p.itemBlock[:n:n]
	p.itemBlock = p.itemBlock[n:]
	copy(s, items)
	return s
}

// newItems returns n nil items carved from the Process's bulk storage
// (capacity n), for a tuple or frozenset the caller fills; Items is the
// same with a copy, written out so that it stays inlined.
func (p *Process) newItems(n int) []*Object {
	if n > maxCarved/8 {
		return make([]*Object, n)
	}
	if len(p.itemBlock) < n {
		p.itemBlock = p.itemBlocks.Take(n, max(min(2*len(p.itemCur), maxItemBlock), 64))
		p.itemCur = p.itemBlock
	}
	s := p.itemBlock[:n:n]
	p.itemBlock = p.itemBlock[n:]
	return s
}

// Bytes returns a copy of b carved from the Process's bulk storage
// (capacity = length).
func (p *Process) Bytes(b []byte) []byte {
	n := len(b)
	if n == 0 {
		return []byte{}
	}
	if n > maxCarved {
		s := make([]byte, n)
		copy(s, b)
		return s
	}
	if len(p.byteBlock) < n {
		p.byteBlock = p.byteBlocks.Take(n, p.nextByteBlock())
	}
	s := p.byteBlock[:n:n]
	p.byteBlock = p.byteBlock[n:]
	copy(s, b)
	return s
}

func (p *Process) nextByteBlock() int {
	size := min(1024<<min(p.nbytes, 4), maxByteBlock)
	p.nbytes++
	return size
}

// String returns b as a string carved from the Process's bulk storage.
func (p *Process) String(b []byte) string {
	n := len(b)
	if n == 0 {
		return ""
	}
	if n > maxCarved {
		return string(b)
	}
	if cap(p.strBlock)-len(p.strBlock) < n {
		// The strings carved so far keep the old block.
		p.strBlock = make([]byte, 0, max(p.nextByteBlock(), n))
	}
	start := len(p.strBlock)
	p.strBlock = append(p.strBlock, b...)
	// The block is only ever appended to, never written where it was
	// handed out: the string stays immutable (strings.Builder makes its
	// strings so).
	return unsafe.String(&p.strBlock[start], n)
}

// NewCodeFields returns a zeroed CodeObject of the Process's bulk
// storage, for NewCodeObject.
func (p *Process) NewCodeFields() *CodeObject {
	if len(p.codeBlock) == 0 {
		p.codeBlock = p.codeBlocks.Take(1, min(firstCodeSize<<min(p.ncodes, 4), maxCodeBlock))
		p.ncodes++
	}
	c := &p.codeBlock[0]
	p.codeBlock = p.codeBlock[1:]
	return c
}

// The most a Process that Free keeps holds of each kind of block: about what a module of a few hundred code
// objects fills, so that one huge module does not pin its storage in a
// long-lived process.
const (
	maxKeptObjects = 8192
	maxKeptItems   = 8192
	maxKeptCodes   = 256
	maxKeptBytes   = 64 << 10
)
