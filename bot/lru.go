package bot

import "container/list"

// lru is a map with a size bound that evicts the least recently used entry.
// It is not safe for concurrent use; its owners lock around it.
type lru[K comparable, V any] struct {
	max int
	ll  *list.List // front: most recent
	m   map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, ll: list.New(), m: make(map[K]*list.Element)}
}

func (c *lru[K, V]) get(k K) (V, bool) {
	if e, ok := c.m[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

func (c *lru[K, V]) put(k K, v V) {
	if e, ok := c.m[k]; ok {
		e.Value.(*lruEntry[K, V]).val = v
		c.ll.MoveToFront(e)
		return
	}
	c.m[k] = c.ll.PushFront(&lruEntry[K, V]{key: k, val: v})
	for c.ll.Len() > c.max {
		c.removeElement(c.ll.Back())
	}
}

func (c *lru[K, V]) removeElement(e *list.Element) {
	ent := e.Value.(*lruEntry[K, V])
	c.ll.Remove(e)
	delete(c.m, ent.key)
}

func (c *lru[K, V]) len() int { return c.ll.Len() }

func (c *lru[K, V]) remove(k K) {
	if e, ok := c.m[k]; ok {
		c.removeElement(e)
	}
}
