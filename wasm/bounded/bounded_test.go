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

// TestGetBytes: GetBytes finds what Get finds, in the newer generation and
// in the older, and allocates nothing for a hit in the newer one.
func TestGetBytes(t *testing.T) {
	c := New[string, int](100 * (entryOverhead + 10))
	for i := range 60 { // past half the budget: the first 50 age
		c.Put(string(rune('A'+i)), i, 10)
	}
	for _, i := range []int{55, 59, 0, 49} { // newer, then older ones
		k := string(rune('A' + i))
		got, ok := GetBytes(c, []byte(k))
		if !ok || got != i {
			t.Fatalf("%q: GetBytes %d %v, want %d", k, got, ok, i)
		}
	}
	if _, ok := GetBytes(c, []byte("none")); ok {
		t.Fatal("GetBytes found a key never put")
	}
	k, none := []byte(string(rune('A'+59))), []byte("none")
	if n := testing.AllocsPerRun(100, func() { GetBytes(c, k) }); n != 0 {
		t.Fatalf("a hit allocated %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { GetBytes(c, none) }); n != 0 {
		t.Fatalf("a miss allocated %v times", n)
	}
}

// TestAdmits: Admits says whether Put keeps an entry of a cost.
func TestAdmits(t *testing.T) {
	c := New[int, int](1 << 10)
	for i, cost := range []int{0, 100, 512 - entryOverhead - 1, 512 - entryOverhead, 512 - entryOverhead + 1, 600, 5000} {
		c.Put(i, i, cost)
		_, kept := c.Get(i)
		if got := c.Admits(cost); got != kept {
			t.Errorf("cost %d: Admits %v, Put kept it: %v", cost, got, kept)
		}
	}
}
