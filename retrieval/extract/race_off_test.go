//go:build !race

package extract

// memoryFailure matches how a child over its address-space limit dies.
const memoryFailure = "out of memory"
