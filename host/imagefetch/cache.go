package imagefetch

import (
	"container/list"
	"sync"
	"time"
)

// cache is a byte-bounded LRU of fetched images keyed by URL, each entry
// served for ttl after it was fetched. A nil *cache caches nothing.
type cache struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	ttl      time.Duration
	ll       *list.List // front: most recently used
	items    map[string]*list.Element
}

type cacheEntry struct {
	url     string
	data    []byte
	expires time.Time
}

func newCache(maxBytes int, ttl time.Duration) *cache {
	return &cache{maxBytes: maxBytes, ttl: ttl, ll: list.New(), items: map[string]*list.Element{}}
}

// cost is what an entry counts against maxBytes.
func (e *cacheEntry) cost() int { return len(e.data) + len(e.url) }

func (c *cache) get(url string, now time.Time) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[url]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.remove(el)
		return nil, false
	}
	c.ll.MoveToFront(el)
	return e.data, true
}

// add stores data for url (replacing an older entry), evicting the least
// recently used entries to stay within maxBytes. An image larger than the
// whole cache is not stored.
func (c *cache) add(url string, data []byte, now time.Time) {
	if c == nil {
		return
	}
	e := &cacheEntry{url: url, data: data, expires: now.Add(c.ttl)}
	if e.cost() > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[url]; ok {
		c.remove(el)
	}
	c.items[url] = c.ll.PushFront(e)
	c.bytes += e.cost()
	for c.bytes > c.maxBytes {
		c.remove(c.ll.Back())
	}
}

func (c *cache) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.ll.Remove(el)
	delete(c.items, e.url)
	c.bytes -= e.cost()
}

// stats returns the number of entries and their cost.
func (c *cache) stats() (n, bytes int) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len(), c.bytes
}
