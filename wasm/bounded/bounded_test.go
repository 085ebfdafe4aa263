package bounded

import "testing"

func TestCacheStaysWithinBudget(t *testing.T) {
	c := New[int, []byte](10 << 10)
	for i := range 10000 {
		c.Put(i, make([]byte, 100), 100)
		if c.Bytes() > 10<<10 {
			t.Fatalf("after %d puts: %d bytes held, budget %d", i+1, c.Bytes(), 10<<10)
		}
	}
	if c.Evictions == 0 {
		t.Fatal("no generation was dropped")
	}
	if _, ok := c.Get(0); ok {
		t.Fatal("the first entry survived 10,000 others")
	}
	if _, ok := c.Get(9999); !ok {
		t.Fatal("the last entry is gone")
	}
}

func TestCacheKeepsWhatIsUsed(t *testing.T) {
	c := New[int, int](100 * (entryOverhead + 10))
	c.Put(-1, 1, 10)
	for i := range 1000 {
		c.Put(i, i, 10)
		if _, ok := c.Get(-1); !ok {
			t.Fatalf("an entry used on every step was evicted after %d puts", i)
		}
	}
}

func TestCacheRefusesHugeValues(t *testing.T) {
	c := New[string, int](1000)
	c.Put("big", 1, 600)
	if _, ok := c.Get("big"); ok || c.Bytes() != 0 {
		t.Fatal("a value over half the budget was kept")
	}
}
