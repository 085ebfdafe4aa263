// Package cardcache is a bounded in-memory LRU of rendered cards keyed by the
// SHA-256 of their canonical parameters, limited by total bytes.
package cardcache

import (
	"container/list"
	"sync"
)

// Key identifies a card: SHA-256 of its canonical parameters.
type Key [32]byte

// Cache is safe for concurrent use. A zero MaxBytes disables it.
type Cache struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	ll       *list.List
	items    map[Key]*list.Element
}

type entry struct {
	key Key
	png []byte
}

// New returns a cache holding at most maxBytes of PNG data.
func New(maxBytes int) *Cache {
	return &Cache{maxBytes: maxBytes, ll: list.New(), items: map[Key]*list.Element{}}
}

// Get returns the cached PNG for k. The slice must not be modified.
func (c *Cache) Get(k Key) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.ll.MoveToFront(el)
		return el.Value.(*entry).png, true
	}
	return nil, false
}

// Add stores png under k, evicting the least recently used cards to stay
// within the byte limit. A card larger than the limit is not stored.
func (c *Cache) Add(k Key, png []byte) {
	if len(png) > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.ll.MoveToFront(el)
		return
	}
	c.items[k] = c.ll.PushFront(&entry{k, png})
	c.bytes += len(png)
	for c.bytes > c.maxBytes {
		el := c.ll.Back()
		e := el.Value.(*entry)
		c.ll.Remove(el)
		delete(c.items, e.key)
		c.bytes -= len(e.png)
	}
}

// Len is the number of cached cards; Bytes their total size.
func (c *Cache) Len() int { c.mu.Lock(); defer c.mu.Unlock(); return c.ll.Len() }

// Bytes is the total size of cached cards.
func (c *Cache) Bytes() int { c.mu.Lock(); defer c.mu.Unlock(); return c.bytes }
