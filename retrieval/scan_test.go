package retrieval

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDot checks dot (the vector kernel where there is one) and
// dotGeneric against a float64 reference, for every length around the
// kernel's blocks of 8 and 32.
func TestDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 100 {
		a, b := make([]float32, n), make([]float32, n+3) // b may be longer
		var want float64
		for i := range a {
			a[i], b[i] = rng.Float32()*2-1, rng.Float32()*2-1
			want += float64(a[i]) * float64(b[i])
		}
		for name, f := range map[string]func(a, b []float32) float32{"dot": dot, "dotGeneric": dotGeneric} {
			if got := f(a, b); math.Abs(float64(got)-want) > 1e-4 {
				t.Errorf("%s(len %d) = %v, want %v", name, n, got, want)
			}
		}
	}
}

func BenchmarkDot(b *testing.B) {
	a, v := make([]float32, DefaultLocalDim), make([]float32, DefaultLocalDim)
	for i := range a {
		a[i], v[i] = float32(i%7), float32(i%5)
	}
	for name, f := range map[string]func(a, b []float32) float32{"dot": dot, "dotGeneric": dotGeneric} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				f(a, v)
			}
		})
	}
}
