package dispatch

import (
	"context"
	"sync"
	"time"

	"github.com/ogmint/ogmint/host/metrics"
	"github.com/ogmint/ogmint/host/store"
)

// QueueStatsFunc returns a metrics.QueueStats reading st.QueueStats at most
// once per ttl (a scrape reads both gauges; several scrapers may poll): the
// number of pending deliveries and how overdue the most overdue one is. A
// failed read keeps the previous values.
func QueueStatsFunc(st store.Store, ttl time.Duration) metrics.QueueStats {
	var (
		mu      sync.Mutex
		at      time.Time
		pending int
		oldest  time.Duration
	)
	return func() (int, time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if !at.IsZero() && now.Sub(at) < ttl {
			return pending, oldest
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if p, o, err := st.QueueStats(ctx, now); err == nil {
			pending, oldest = p, o
		}
		at = now
		return pending, oldest
	}
}
