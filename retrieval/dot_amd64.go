//go:build amd64 && !purego

package retrieval

import "golang.org/x/sys/cpu"

// useAVX2 reports whether dot runs the AVX2 kernel: a query scans every
// vector, and 8-lane fused multiply-adds keep the scan of 100k passages
// near the speed of memory, where scalar code is four times slower.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotAVX2 is dot in AVX2 and FMA (dot_amd64.s); b is at least as long as a.
//
//go:noescape
func dotAVX2(a, b []float32) float32

// dot is the inner product of a and b[:len(a)].
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	if useAVX2 {
		return dotAVX2(a, b)
	}
	return dotGeneric(a, b)
}
