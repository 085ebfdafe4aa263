package ratelimit

import (
	"testing"
	"time"
)

func TestTokenBucket(t *testing.T) {
	l := New(2, time.Minute, 100)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	for i := 0; i < 2; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("event %d refused", i)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait <= 0 || wait > 30*time.Second {
		t.Fatalf("third event: ok=%v wait=%v, want refused with ~30s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key was limited")
	}
	now = now.Add(31 * time.Second) // one token back
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("no token after the refill time")
	}
	var nilLimiter *Limiter
	if ok, _ := nilLimiter.Allow("x"); !ok {
		t.Fatal("a nil limiter refused")
	}
	if New(0, time.Minute, 10) != nil {
		t.Fatal("N=0 should mean unlimited (nil)")
	}
}

func TestKeyTableBounded(t *testing.T) {
	l := New(1, time.Hour, 10)
	for i := 0; i < 1000; i++ {
		l.Allow(string(rune('a'+i%26)) + string(rune(i)))
	}
	if len(l.buckets) > 10 {
		t.Fatalf("%d buckets tracked, limit 10", len(l.buckets))
	}
}
