//go:build race

package bot

// raceEnabled reports whether the tests run under the race detector, whose
// shadow memory makes the heap bounds meaningless (see the HeapBound tests).
const raceEnabled = true
