//go:build !race

package answer

// raceEnabled reports whether the tests run under the race detector, which
// makes the eval sets too slow to answer in full (see TestEvalSets).
const raceEnabled = false
