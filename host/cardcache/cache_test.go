package cardcache

import "testing"

func key(b byte) Key { return Key{b} }

func TestLRUByBytes(t *testing.T) {
	c := New(10)
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
