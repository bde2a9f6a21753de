package retrieval

import "slices"

// scored is one ranked result: passage number and score.
type scored struct {
	doc   int32
	score float32
}

// compareScored orders best first (ties: lower number first).
func compareScored(a, b scored) int {
	if worse(a, b) {
		return 1
	}
	if worse(b, a) {
		return -1
	}
	return 0
}

// worse reports whether a ranks below b.
func worse(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.doc > b.doc
}

// topHeap keeps the k best results offered to it: a min-heap whose root
// is the worst result kept.
type topHeap struct {
	h []scored
	k int
}

func newTopHeap(k, capacity int) topHeap {
	return topHeap{h: make([]scored, 0, min(k, capacity)), k: k}
}

// offer adds s when fewer than k results are kept or s ranks above the
// worst of them.
func (t *topHeap) offer(s scored) {
	h := t.h
	if len(h) < t.k {
		h = append(h, s)
		for i := len(h) - 1; i > 0; { // sift up
			parent := (i - 1) / 2
			if !worse(h[i], h[parent]) {
				break
			}
			h[i], h[parent] = h[parent], h[i]
			i = parent
		}
		t.h = h
		return
	}
	if len(h) == 0 || !worse(h[0], s) {
		return
	}
	h[0] = s
	for i := 0; ; { // sift down
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && worse(h[l], h[least]) {
			least = l
		}
		if r < len(h) && worse(h[r], h[least]) {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}

// sorted returns the kept results best first; the heap is used up.
func (t *topHeap) sorted() []scored {
	slices.SortFunc(t.h, compareScored)
	return t.h
}
