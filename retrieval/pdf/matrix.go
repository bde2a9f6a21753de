package pdf

import "math"

// affine is a PDF transformation matrix [a b c d e f]: a point (x, y) maps
// to (a*x + c*y + e, b*x + d*y + f).
type affine [6]float64

// identity is the identity matrix.
var identity = affine{1, 0, 0, 1, 0, 0}

// then returns the transformation m followed by n (m × n in PDF terms).
func (m affine) then(n affine) affine {
	return affine{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// apply returns the image of the point (x, y).
func (m affine) apply(x, y float64) (float64, float64) {
	return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]
}

// translation returns the matrix that moves by (tx, ty).
func translation(tx, ty float64) affine { return affine{1, 0, 0, 1, tx, ty} }

// matrixOf returns nums as a matrix when ok and they are six finite
// numbers.
func matrixOf(nums []float64, ok bool) (affine, bool) {
	if !ok || len(nums) != 6 {
		return identity, false
	}
	var m affine
	for i, x := range nums {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return identity, false
		}
		m[i] = x
	}
	return m, true
}
