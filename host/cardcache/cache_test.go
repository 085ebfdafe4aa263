package cardcache

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func key(b byte) Key { return Key{b} }

// unlimited is heapRoom without a memory limit (tests may run under GOMEMLIMIT).
func unlimited() (int64, uint64, bool) { return 0, 0, false }

func TestLRUByBytes(t *testing.T) {
	c := New(10)
	c.room = unlimited
	c.Add(key(1), make([]byte, 4))
	c.Add(key(2), make([]byte, 4))
	if _, ok := c.Get(key(1)); !ok { // 1 is now the most recent
		t.Fatal("1 missing")
	}
	c.Add(key(3), make([]byte, 4)) // evicts 2, the least recently used
	if _, ok := c.Get(key(2)); ok {
		t.Error("2 should have been evicted")
	}
	for _, k := range []Key{key(1), key(3)} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%v evicted", k)
		}
	}
	if c.Bytes() != 8 || c.Len() != 2 {
		t.Errorf("bytes %d len %d", c.Bytes(), c.Len())
	}
	c.Add(key(4), make([]byte, 11)) // larger than the cache: not stored
	if _, ok := c.Get(key(4)); ok || c.Bytes() != 8 {
		t.Error("an oversized card was stored")
	}
	off := New(0)
	off.Add(key(1), []byte{1})
	if _, ok := off.Get(key(1)); ok {
		t.Error("a zero-size cache stored a card")
	}
}

// fakeRoom is a memory limit with room bytes left at collection cycle.
type fakeRoom struct {
	room    int64
	cycle   uint64
	limited bool
}

func (f *fakeRoom) get() (int64, uint64, bool) { return f.room, f.cycle, f.limited }

func TestYieldsToMemoryLimit(t *testing.T) {
	f := &fakeRoom{room: 1 << 30, cycle: 1, limited: true}
	c := New(100)
	c.room = f.get
	for i := range 10 {
		c.Add(key(byte(i)), make([]byte, 10))
	}
	if c.Bytes() != 100 {
		t.Fatalf("plenty of room: %d bytes cached, want 100", c.Bytes())
	}
	// The live heap passed the limit's share by 35 bytes: the cache gives
	// them back at its next Add, the least recently used first.
	f.room, f.cycle = -35, 2
	c.Get(key(0))
	c.Add(key(10), make([]byte, 10))
	if c.Bytes() != 60 || c.Len() != 6 {
		t.Fatalf("after the deficit: %d bytes, %d cards; want 60, 6", c.Bytes(), c.Len())
	}
	if _, ok := c.Get(key(0)); !ok {
		t.Error("the most recently used card was evicted")
	}
	// Within one collection cycle the bound is not recomputed.
	f.room = 1 << 30
	c.Add(key(11), make([]byte, 10))
	if c.Bytes() != 60 {
		t.Fatalf("same cycle: %d bytes, want 60", c.Bytes())
	}
	// Room again: the cache grows by half of it per cycle, up to its size.
	f.room, f.cycle = 20, 3
	for i := 12; i < 20; i++ {
		c.Add(key(byte(i)), make([]byte, 10))
	}
	if c.Bytes() != 70 {
		t.Fatalf("room for 20: %d bytes, want 70", c.Bytes())
	}
	// No room at all: nothing is stored.
	f.room, f.cycle = -1000, 4
	c.Add(key(30), make([]byte, 10))
	if c.Bytes() != 0 || c.Len() != 0 {
		t.Fatalf("no room: %d bytes, %d cards", c.Bytes(), c.Len())
	}
	// No limit: the byte size alone.
	f.limited = false
	for i := range 12 {
		c.Add(key(byte(40+i)), make([]byte, 10))
	}
	if c.Bytes() != 100 {
		t.Fatalf("no limit: %d bytes, want 100", c.Bytes())
	}
}

func TestHeapRoom(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	debug.SetMemoryLimit(math.MaxInt64)
	if _, _, limited := heapRoom(); limited {
		t.Error("no limit reported as limited")
	}
	debug.SetMemoryLimit(1 << 40)
	runtime.GC()
	room, cycle, limited := heapRoom()
	if !limited || cycle == 0 || room < 1<<39 || room > 1<<40 {
		t.Errorf("1 TiB limit: room %d, cycle %d, limited %v", room, cycle, limited)
	}
	debug.SetMemoryLimit(1 << 20)
	if room, _, _ := heapRoom(); room >= 0 {
		t.Errorf("1 MiB limit: room %d, want < 0", room)
	}
}
