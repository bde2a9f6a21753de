//go:build !race

package page

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
