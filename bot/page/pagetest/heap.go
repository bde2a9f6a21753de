package pagetest

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// HeapPeak runs f and returns how far the heap in use (objects and the
// unused parts of their spans) rose above what it held after a collection
// just before f, sampled every 200 µs while f runs.
func HeapPeak(f func()) uint64 {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	inUse := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() + samples[1].Value.Uint64()
	}
	runtime.GC()
	base := inUse()
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		high := base
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				done <- max(high, inUse())
				return
			case <-tick.C:
				high = max(high, inUse())
			}
		}
	}()
	f()
	close(stop)
	return <-done - base
}
