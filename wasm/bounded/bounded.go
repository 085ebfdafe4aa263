// Package bounded is a cache bounded in bytes: an instance that draws
// whatever text it is sent keeps its memory whatever it was sent.
package bounded

// entryOverhead approximates a map entry's own bytes (key, value header,
// bucket share), added to each entry's cost.
const entryOverhead = 64

// Cache maps keys to values within a byte budget. It keeps two generations:
// entries go into the newer one; when that would pass half the budget, the
// older generation is dropped and the newer becomes the older. An entry used
// while in the older generation moves back to the newer one, so what is
// used often stays and the total never exceeds the budget. Not safe for
// concurrent use.
type Cache[K comparable, V any] struct {
	budget   int
	cur, old map[K]entry[V]
	curBytes int
	oldBytes int
	// Evictions counts generations dropped (for tests and stats).
	Evictions int
}

type entry[V any] struct {
	v    V
	cost int
}

// New returns a cache that holds at most budget bytes of entries, by the
// costs given to Put.
func New[K comparable, V any](budget int) *Cache[K, V] {
	return &Cache[K, V]{budget: budget, cur: map[K]entry[V]{}, old: map[K]entry[V]{}}
}

// Get returns the value of k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	if e, ok := c.cur[k]; ok {
		return e.v, true
	}
	if e, ok := c.old[k]; ok {
		delete(c.old, k)
		c.oldBytes -= e.cost
		c.put(k, e)
		return e.v, true
	}
	var zero V
	return zero, false
}

// GetBytes is Get for a cache keyed by strings, with the key as bytes: a
// miss, or a hit in the newer generation, allocates nothing
// (Get(string(k)) copies the key first).
func GetBytes[V any](c *Cache[string, V], k []byte) (V, bool) {
	if e, ok := c.cur[string(k)]; ok {
		return e.v, true
	}
	if _, ok := c.old[string(k)]; !ok {
		var zero V
		return zero, false
	}
	return c.Get(string(k)) // promotes it (the newer generation keeps the key)
}

// Put stores v under k; cost is its size in bytes (the cache adds its own
// per-entry overhead). A value larger than half the budget is not kept.
func (c *Cache[K, V]) Put(k K, v V, cost int) {
	c.put(k, entry[V]{v, cost + entryOverhead})
}

// Admits reports whether Put keeps an entry of cost bytes: one costing
// more than half the budget is not kept.
func (c *Cache[K, V]) Admits(cost int) bool { return cost+entryOverhead <= c.budget/2 }

func (c *Cache[K, V]) put(k K, e entry[V]) {
	if e.cost > c.budget/2 {
		return
	}
	if old, ok := c.cur[k]; ok {
		c.curBytes -= old.cost
	}
	if c.curBytes+e.cost > c.budget/2 {
		c.old, c.oldBytes = c.cur, c.curBytes
		c.cur, c.curBytes = make(map[K]entry[V], len(c.old)), 0
		c.Evictions++
	}
	c.cur[k] = e
	c.curBytes += e.cost
}

// Bytes is the cost of every entry held.
func (c *Cache[K, V]) Bytes() int { return c.curBytes + c.oldBytes }

// Len is the number of entries held.
func (c *Cache[K, V]) Len() int { return len(c.cur) + len(c.old) }

// Clear drops every entry.
func (c *Cache[K, V]) Clear() {
	c.cur, c.old = map[K]entry[V]{}, map[K]entry[V]{}
	c.curBytes, c.oldBytes = 0, 0
}
