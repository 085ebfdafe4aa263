// Package ratelimit limits events per key (an IP or an API key) with token
// buckets: N events per period, refilled continuously, tracking a bounded
// number of keys.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Limiter is safe for concurrent use. A nil *Limiter allows everything.
type Limiter struct {
	mu      sync.Mutex
	burst   float64
	perSec  float64
	maxKeys int
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New allows n events per period per key, tracking at most maxKeys keys (the
// fullest buckets are forgotten first when the table is full). n == 0 returns nil.
func New(n int, per time.Duration, maxKeys int) *Limiter {
	if n <= 0 || per <= 0 {
		return nil
	}
	return &Limiter{burst: float64(n), perSec: float64(n) / per.Seconds(), maxKeys: maxKeys,
		buckets: map[string]*bucket{}, now: time.Now}
}

// Allow takes one token for key. When none is left it returns false and how
// long until one is.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSec)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
	return false, wait
}

// sweep forgets buckets that have refilled completely (they behave exactly
// like new ones); if none has, it forgets an arbitrary half.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.perSec >= l.burst {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.maxKeys/2 {
			break
		}
		delete(l.buckets, k)
	}
}
