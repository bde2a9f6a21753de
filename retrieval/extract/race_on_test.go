//go:build race

package extract

// memoryFailure matches how a child over its address-space limit dies.
// The race detector's runtime needs address space of its own and fails
// in its own words first, depending on where its shadow memory lands.
const memoryFailure = "out of memory|ThreadSanitizer failed to allocate|too many address space collisions for -race mode"
