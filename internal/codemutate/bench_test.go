package codemutate

import "testing"

func BenchmarkMutants(b *testing.B) {
	c := corpus(b)
	b.ResetTimer()
	for i := range b.N {
		c.Mutant(1, i)
	}
}
