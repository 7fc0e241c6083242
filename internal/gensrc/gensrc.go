// Package gensrc generates Python sources for the tests that compare the
// front end and the native compiler with CPython, from nothing but a seed
// and an index: programs built from 3.13's grammar (every statement and
// expression form, nested), the same programs damaged at the level of
// bytes (newline conventions, BOMs and coding declarations, NUL bytes,
// invalid UTF-8, odd Unicode), constructs at and around CPython's limits
// (nesting of rules, brackets, indentation and f-strings; huge literals
// and long lines), and programs made for the back end, which CPython
// compiles (control flow, scopes and classes nested every way). The
// sources are inputs only: what CPython makes of them is asked of a real
// interpreter in the tests.
//
// A source depends only on its kind, seed and index (PCG, whose output is
// fixed by its definition), so any one can be made again alone.
package gensrc

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Input is one generated source.
type Input struct {
	Kind  string
	Seed  uint64
	Index int
	// What describes how the source was made.
	What string
	Src  []byte
}

// String names the input in a report.
func (in Input) String() string {
	return fmt.Sprintf("%s %d/%d (%s)", in.Kind, in.Seed, in.Index, in.What)
}

// generators are the kinds of input, by name.
var generators = map[string]func(r *rng) (string, []byte){
	"flow":    genFlow,
	"grammar": genGrammar,
	"text":    genText,
	"limits":  genLimits,
	"literal": genLiteral,
	"unicode": genUnicode,
}

// Kinds returns the names of the kinds of input, sorted.
func Kinds() []string {
	var ks []string
	for k := range generators {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Make returns input index of seed of the named kind.
func Make(kind string, seed uint64, index int) (Input, error) {
	g, ok := generators[kind]
	if !ok {
		return Input{}, fmt.Errorf("gensrc: no kind %q (kinds: %s)", kind, strings.Join(Kinds(), ", "))
	}
	// The kind is mixed into the stream so that kinds with the same seed
	// do not share their random numbers.
	h := uint64(14695981039346656037)
	for i := 0; i < len(kind); i++ {
		h = (h ^ uint64(kind[i])) * 1099511628211
	}
	r := &rng{rand.NewPCG(seed^h, uint64(index))}
	what, src := g(r)
	return Input{Kind: kind, Seed: seed, Index: index, What: what, Src: src}, nil
}

// rng draws numbers from PCG (math/rand/v2 does not promise that its other
// methods stay the same).
type rng struct{ p *rand.PCG }

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int((r.p.Uint64() >> 1) % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance is true with probability num/den.
func (r *rng) chance(num, den int) bool { return r.intn(den) < num }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }
