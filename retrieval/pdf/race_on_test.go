//go:build race

package pdf

// raceEnabled reports a build with the race detector, which makes the
// extractor about ten times slower and allocate more: the tests of its
// limits skip their time and memory checks and their largest inputs.
const raceEnabled = true
