package retrieval

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// parallelScanPassages is the size from which a query scans the vectors on
// all CPUs (and the hybrid ranking runs BM25 beside the scan).
const parallelScanPassages = 4096

// vectorMatrix holds n unit vectors of dim float32s back to back, so a
// query scans one contiguous block of memory (dim*4*n bytes). The rows are
// the Embedding slices of the chromem-go collection's documents: one
// backing array, held once.
type vectorMatrix struct {
	dim, n int
	data   []float32
}

// row returns vector i; its capacity ends with it.
func (m *vectorMatrix) row(i int) []float32 {
	return m.data[i*m.dim : (i+1)*m.dim : (i+1)*m.dim]
}

func (m *vectorMatrix) dot(q []float32, i int) float32 {
	return dot(q, m.row(i))
}

// dotGeneric is the inner product of a and b[:len(a)] in plain Go, with
// eight accumulators so the loop pipelines; dot uses it where no vector
// kernel is available.
func dotGeneric(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		a8, b8 := a[i:i+8:i+8], b[i:i+8:i+8]
		s0 += a8[0] * b8[0]
		s1 += a8[1] * b8[1]
		s2 += a8[2] * b8[2]
		s3 += a8[3] * b8[3]
		s4 += a8[4] * b8[4]
		s5 += a8[5] * b8[5]
		s6 += a8[6] * b8[6]
		s7 += a8[7] * b8[7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

// search returns the k rows most similar to q, best first (ties: lower
// row first). Large matrices are scanned by all CPUs.
func (m *vectorMatrix) search(q []float32, k int) []scored {
	if k <= 0 || m.n == 0 {
		return nil
	}
	if m.n < parallelScanPassages {
		return m.scan(q, k, 0, m.n)
	}
	s := m.startScan(q, k, runtime.GOMAXPROCS(0)-1)
	s.work()
	return s.wait()
}

// scanChunks is how many parts a parallel scan takes its rows in: enough
// that workers starting at different times end together.
const scanChunks = 64

// parallelScan is a scan of a large matrix shared by helper goroutines and
// the goroutines that call work: each takes the next chunk of rows until
// none is left, keeping its own k best, so that a caller busy with
// something else first (BM25) joins in for the rest.
type parallelScan struct {
	m    *vectorMatrix
	q    []float32
	k    int
	next atomic.Int32
	mu   sync.Mutex
	best []scored // the workers' k best, merged
	wg   sync.WaitGroup
}

// startScan starts a scan for the k rows most similar to q with helpers
// goroutines.
func (m *vectorMatrix) startScan(q []float32, k, helpers int) *parallelScan {
	s := &parallelScan{m: m, q: q, k: k}
	for range helpers {
		s.wg.Go(s.work)
	}
	return s
}

// work scans chunks until none is left.
func (s *parallelScan) work() {
	var part []scored
	for {
		c := int(s.next.Add(1)) - 1
		if c >= scanChunks {
			break
		}
		lo, hi := c*s.m.n/scanChunks, (c+1)*s.m.n/scanChunks
		part = append(part, s.m.scan(s.q, s.k, lo, hi)...)
		if len(part) > 4*s.k {
			slices.SortFunc(part, compareScored)
			part = part[:s.k]
		}
	}
	s.mu.Lock()
	s.best = append(s.best, part...)
	s.mu.Unlock()
}

// wait waits for the helpers and returns the k best rows, best first.
func (s *parallelScan) wait() []scored {
	s.wg.Wait()
	slices.SortFunc(s.best, compareScored)
	return s.best[:min(s.k, len(s.best))]
}

// scan returns the k best rows of [lo, hi), best first.
func (m *vectorMatrix) scan(q []float32, k, lo, hi int) []scored {
	t := newTopHeap(k, hi-lo)
	dim := m.dim
	for i := lo; i < hi; i++ {
		s := dot(q, m.data[i*dim:(i+1)*dim])
		// Rows come in ascending order: a tie keeps the earlier row.
		if len(t.h) < k || s > t.h[0].score {
			t.offer(scored{int32(i), s})
		}
	}
	return t.sorted()
}
