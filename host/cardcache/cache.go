// Package cardcache is a bounded in-memory LRU of rendered cards keyed by the
// SHA-256 of their canonical parameters, limited by total bytes.
//
// The cards live on the Go heap, and under a soft memory limit (GOMEMLIMIT,
// or debug.SetMemoryLimit: ogmint serve sets one) a full cache must not take
// the heap's room for garbage: with the live heap at the limit, the
// collector runs after every megabyte or two of allocation (a cold card
// allocates ~0.3 MB), and a cold card cost 7.3 ms of CPU instead of 4.5
// (docs/benchmarks.md, "Request path (issue 11)"). So a cache also stays
// within what the limit leaves once everything else that is live has its
// share and the collector has headroom to work in: it is re-sized at most
// once per collection, from the runtime's own figures. Without a limit it
// is bounded by its byte size alone.
package cardcache

import (
	"container/list"
	"math"
	"runtime/metrics"
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

	// soft is the byte bound the memory limit allows (<= maxBytes), set
	// when a new collection is seen (cycle).
	soft  int
	cycle uint64
	room  func() (room int64, cycle uint64, limited bool)
}

type entry struct {
	key Key
	png []byte
}

// New returns a cache holding at most maxBytes of PNG data (less when the
// Go heap's soft memory limit leaves less room; see the package comment).
func New(maxBytes int) *Cache {
	return &Cache{maxBytes: maxBytes, soft: maxBytes, ll: list.New(), items: map[Key]*list.Element{}, room: heapRoom}
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
	room, cycle, limited := c.room() // outside the lock: ~0.3 us
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resize(room, cycle, limited)
	defer c.evict(c.soft)
	if el, ok := c.items[k]; ok {
		c.ll.MoveToFront(el)
		return
	}
	if len(png) > c.soft {
		return
	}
	c.items[k] = c.ll.PushFront(&entry{k, png})
	c.bytes += len(png)
}

// resize recomputes the soft bound once per collection: the cache may grow
// by half the room the live heap has left under the limit (two caches share
// it, and the next collection corrects the estimate), or must shrink by the
// deficit. Called with c.mu held.
func (c *Cache) resize(room int64, cycle uint64, limited bool) {
	if !limited {
		c.soft = c.maxBytes
		return
	}
	if cycle == c.cycle {
		return
	}
	c.cycle = cycle
	if room > 0 {
		room /= 2
	}
	c.soft = int(max(0, min(int64(c.maxBytes), int64(c.bytes)+room)))
}

// evict drops least recently used cards until the cache holds at most limit
// bytes. Called with c.mu held.
func (c *Cache) evict(limit int) {
	for c.bytes > limit {
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

// Headroom is the room for garbage a cache leaves between the live heap and
// the soft memory limit: with ~0.1-0.3 MB of garbage per cold card (the PNG,
// the encoder's buffers), a collection every 50-150 cards, ~1% of their CPU.
const Headroom = 16 << 20

var samples = [...]metrics.Sample{
	{Name: "/gc/gomemlimit:bytes"},
	{Name: "/gc/cycles/total:gc-cycles"},
	{Name: "/gc/heap/live:bytes"},
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
	{Name: "/memory/classes/heap/objects:bytes"},
}

var samplesMu sync.Mutex

// heapRoom reports how many bytes the live heap (as of the last collection,
// cycle) may still grow before the soft memory limit leaves the collector
// less than its headroom; limited is false when no limit is set.
func heapRoom() (room int64, cycle uint64, limited bool) {
	samplesMu.Lock()
	defer samplesMu.Unlock()
	metrics.Read(samples[:])
	v := func(i int) int64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return -1
		}
		return int64(min(samples[i].Value.Uint64(), math.MaxInt64))
	}
	limit, live := v(0), v(2)
	if limit <= 0 || limit == math.MaxInt64 || live < 0 {
		return 0, 0, false
	}
	// What the limit counts besides heap objects and reusable free spans:
	// stacks, runtime metadata, fragmentation. The runtime also keeps 3% of
	// the limit free.
	nonHeap := max(0, v(3)-v(4)-v(5)-v(6))
	return limit - limit*3/100 - nonHeap - Headroom - live, uint64(v(1)), true
}
