package engine

import "sync"

// sources and outputs keep the arrays of finished native jobs: a source
// is read into one that an earlier job read its source into, and the .pyc
// of a job with NoData is built in one that held an earlier job's .pyc.
// Over the 3.13 standard library the sources and the .pyc files came to
// about a fifth of the bytes a run of the command line allocated, and
// every array the runtime hands out is memory it must clear, sweep and,
// when the heap grows for it, fault in. A job gives its arrays back only
// once nothing it returns can share them (Engine.Compile).
var sources, outputs bufPool

// maxKeptBuf bounds the arrays the pools keep, so that one huge source
// does not stay in memory for the life of a worker.
const maxKeptBuf = 2 << 20

// newBufCap is the capacity of a new array for a .pyc: most of the
// standard library's fit.
const newBufCap = 64 << 10

// bufPool is a pool of byte arrays.
type bufPool struct{ p sync.Pool }

// get returns an empty array from the pool, or a new one.
func (b *bufPool) get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return (*v)[:0]
	}
	return make([]byte, 0, newBufCap)
}

// put gives buf back to the pool; nothing may use it after.
func (b *bufPool) put(buf []byte) {
	if cap(buf) == 0 || cap(buf) > maxKeptBuf {
		return
	}
	buf = buf[:0]
	b.p.Put(&buf)
}
