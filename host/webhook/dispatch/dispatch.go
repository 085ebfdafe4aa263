// Package dispatch delivers queued webhooks: it leases due deliveries from
// the store, POSTs each signed payload through the SSRF guard, and records
// every attempt, rescheduling failures with backoff and jitter.
//
// Flow: a lease loop takes due deliveries in batches (store.LeaseDue) and
// queues them per URL host; a fixed pool of workers takes them host by host,
// never more than PerEndpoint at once for one host, so a slow receiver holds
// a few workers and nobody else waits for it; each attempt's outcome goes to
// a committer that records completions in batches (store.CompleteAttempts:
// one transaction, one disk sync, for many attempts).
//
// Connections to a receiver are kept for reuse only briefly
// (Config.IdleConnTimeout), and a request that fails on one the receiver
// closed meanwhile, before any byte of an answer, is sent again at once on a
// new connection (conns.go). A redelivery gets a round of attempts of its
// own (round.go).
//
// The lease loop is woken by the store's notifications (store.Notifier:
// with PostgreSQL's LISTEN/NOTIFY, a delivery queued or redelivered on any
// host sharing the database wakes every host's dispatcher), by Notify, and
// at the times it knows something falls due (a retry it scheduled, a new
// delivery's first delay, a lease it left to expire); a slow safety poll
// (Config.PollInterval) catches the rest. Several hosts each run a
// dispatcher on one database: LeaseDue gives each delivery to one of them
// at a time, and a dead host's leases expire and are taken over. The
// per-endpoint limit is per dispatcher, so per host.
//
// Delivery is at least once: a delivery stays leased in the store while it
// is in memory, and a crash only delays it until the lease expires. The
// webhook-id (the delivery ID) is the same on every attempt, so receivers
// can drop repeats.
package dispatch

import (
	"container/heap"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ogmint/ogmint/host/metrics"
	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/host/store"
)

// Outcomes of an attempt, as counted in metrics.Deliveries.
const (
	OutcomeDelivered = "delivered" // 2xx
	OutcomeRetry     = "retry"     // failed, another attempt is scheduled
	OutcomeFailed    = "failed"    // failed, and it was the last attempt
	OutcomeStopped   = "stopped"   // 410 Gone
)

// Dispatcher delivers the store's pending webhooks. Create it with New and
// start it with Run.
type Dispatcher struct {
	st      store.Store
	http    *clients
	m       *metrics.Metrics
	cfg     Config
	log     *slog.Logger
	queueFn metrics.QueueStats
	maxHeld int
	// The lease loop's poll interval while the store's notifications are
	// subscribed (slowPoll) and while they are not (fastPoll).
	slowPoll, fastPoll time.Duration
	subscribed         atomic.Bool

	wake       chan struct{} // Notify, freed capacity
	comp       chan completion
	quit       chan struct{} // closed: the committer drains and exits
	commitDone chan struct{}
	started    atomic.Bool

	mu       sync.Mutex
	cond     *sync.Cond // workers wait here for a runnable host
	closing  bool
	held     map[string]*item // leased deliveries in memory, by ID
	hosts    map[string]*host
	runnable []*host // hosts with queued items and a free slot, round robin
	inFlight int
	starved  bool      // the lease loop waits for capacity
	wakeAt   timeHeap  // retries, first delays and lease expiries this dispatcher scheduled, to wake for
	lastLog  time.Time // rate limit for store error logs
	firstAt  time.Time // the last first-delay wake-up pushed (see notified)

	leased, deferred, attempts, commitErrs atomic.Uint64
	delivered, retried, failed, stopped    atomic.Uint64
	staleResends                           atomic.Uint64
	notified                               atomic.Uint64
}

type item struct {
	d           *store.Delivery
	host        *host
	leasedUntil time.Time
	attempted   bool // its outcome is on the way to the store
}

// host is one URL host's queue and limiter.
type host struct {
	key        string
	queue      []*item
	active     int
	inRunnable bool
	avg        time.Duration // moving average of attempt durations; 0: unknown
}

// completion is one attempt's outcome on its way to the committer.
type completion struct {
	it      *item
	c       store.Completion
	outcome string
}

// Stats is a snapshot of the dispatcher's counters.
type Stats struct {
	Held     int // leased deliveries in memory (queued or in flight)
	InFlight int // attempts running now
	Hosts    int // URL hosts with queued or running attempts

	Leased   uint64 // deliveries taken from the store
	Deferred uint64 // leased but left to their lease expiry (host backlog full, lease too short, shutdown)
	Attempts uint64
	// Outcomes of the attempts.
	Delivered, Retried, Failed, Stopped uint64
	CommitErrors                        uint64 // completions that could not be recorded (re-sent after their lease)
	// StaleResends counts requests sent again on a new connection because
	// the receiver had closed the idle one they were sent on.
	StaleResends uint64
	// Notified counts the store's wake-ups (store.Notifier) received;
	// Subscribed tells whether they are subscribed now.
	Notified   uint64
	Subscribed bool
}

// New returns a Dispatcher for st that sends through guard's client. m may
// be nil (metrics then go to a private registry); log may be nil. cfg gets
// WithDefaults; New panics if it is then invalid (check Validate first).
func New(st store.Store, guard *ssrf.Guard, m *metrics.Metrics, cfg Config, log *slog.Logger) *Dispatcher {
	cfg = cfg.WithDefaults()
	slow, fast := cfg.PollInterval, cfg.PollInterval
	if cfg.PollInterval == 0 {
		slow, fast = DefaultSafetyPoll, DefaultPollInterval
	}
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if m == nil {
		m = metrics.New(nil, nil)
	}
	if log == nil {
		log = slog.Default()
	}
	d := &Dispatcher{
		st: st, http: newClients(guard, cfg), m: m, cfg: cfg, log: log,
		queueFn:    QueueStatsFunc(st, time.Second),
		maxHeld:    cfg.Workers*4 + cfg.Batch,
		slowPoll:   slow,
		fastPoll:   fast,
		wake:       make(chan struct{}, 1),
		comp:       make(chan completion, cfg.Workers*2),
		quit:       make(chan struct{}),
		commitDone: make(chan struct{}),
		held:       map[string]*item{},
		hosts:      map[string]*host{},
	}
	d.cond = sync.NewCond(&d.mu)
	return d
}

// Notify wakes the lease loop now: call it after enqueueing a delivery so
// its first attempt does not wait for the next poll. It never blocks and is
// safe on a nil Dispatcher.
func (d *Dispatcher) Notify() {
	if d == nil {
		return
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// QueueStats reports the store's pending deliveries and how overdue the
// most overdue one is, cached for a second (for the metrics gauges).
func (d *Dispatcher) QueueStats() (pending int, oldest time.Duration) { return d.queueFn() }

// Stats returns the current counters.
func (d *Dispatcher) Stats() Stats {
	d.mu.Lock()
	s := Stats{Held: len(d.held), InFlight: d.inFlight}
	for _, h := range d.hosts {
		if h.active > 0 || len(h.queue) > 0 {
			s.Hosts++
		}
	}
	d.mu.Unlock()
	s.Leased, s.Deferred, s.Attempts = d.leased.Load(), d.deferred.Load(), d.attempts.Load()
	s.Delivered, s.Retried, s.Failed, s.Stopped = d.delivered.Load(), d.retried.Load(), d.failed.Load(), d.stopped.Load()
	s.CommitErrors = d.commitErrs.Load()
	s.StaleResends = d.staleResends.Load()
	s.Notified, s.Subscribed = d.notified.Load(), d.subscribed.Load()
	return s
}

// Run delivers until ctx ends, then stops leasing, drops queued deliveries
// that have not started (their leases expire and they are sent later, by
// this host after a restart or by another one), waits up to Config.Grace
// for attempts in flight, records their outcomes and returns. Run may be
// called once.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.started.CompareAndSwap(false, true) {
		return errors.New("dispatch: Run called twice")
	}
	go d.committer()
	var wg sync.WaitGroup
	for range d.cfg.Workers {
		wg.Add(1)
		go d.worker(&wg)
	}
	listenDone := d.subscribe(ctx)
	d.leaseLoop(ctx)
	<-listenDone

	d.mu.Lock()
	d.closing = true
	for _, h := range d.hosts {
		for _, it := range h.queue {
			d.release(it)
			d.deferred.Add(1)
		}
		h.queue, h.inRunnable = nil, false
	}
	d.runnable = nil
	d.cond.Broadcast()
	d.mu.Unlock()

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(d.cfg.Grace)
	select {
	case <-done:
	case <-t.C:
		d.log.Warn("webhook dispatcher: attempts still running after the grace period; they will be retried after their lease",
			"grace", d.cfg.Grace.String())
	}
	t.Stop()
	close(d.quit)
	<-d.commitDone
	return nil
}

// leaseLoop takes due deliveries while there is room for them in memory.
func (d *Dispatcher) leaseLoop(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		now := time.Now()
		d.mu.Lock()
		free := d.maxHeld - len(d.held)
		d.starved = free <= 0
		for len(d.wakeAt) > 0 && !d.wakeAt[0].After(now) {
			heap.Pop(&d.wakeAt)
		}
		d.mu.Unlock()

		var err error
		if free > 0 {
			n := min(free, d.cfg.Batch)
			// The lease is taken even if ctx ends meanwhile; leased rows
			// that are then dropped come back when the lease expires.
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			var ds []*store.Delivery
			ds, err = d.st.LeaseDue(lctx, now, n, d.cfg.Lease)
			cancel()
			if err != nil {
				d.logStoreError("lease due deliveries", err)
			} else {
				d.admit(ds)
				if len(ds) == n {
					continue // more may be due
				}
			}
		}

		wait := d.fastPoll
		if d.subscribed.Load() {
			wait = d.slowPoll
		}
		if err != nil {
			wait = min(wait, time.Second)
		}
		d.mu.Lock()
		if len(d.wakeAt) > 0 {
			wait = min(wait, max(time.Until(d.wakeAt[0]), time.Millisecond))
		}
		d.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-ctx.Done():
		case <-d.wake:
		case <-timer.C:
		}
	}
}

func (d *Dispatcher) logStoreError(what string, err error) {
	d.mu.Lock()
	quiet := time.Since(d.lastLog) < 5*time.Second
	if !quiet {
		d.lastLog = time.Now()
	}
	d.mu.Unlock()
	if !quiet {
		d.log.Error("webhook dispatcher: "+what, "err", err)
	}
}

// hostKey is the limiter key of a delivery URL: its host:port, lowercase.
func hostKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.ToLower(u.Host)
}

// hostCap is how many deliveries of h may be in memory (queued or in
// flight): enough to keep PerEndpoint attempts busy until the leases of
// the queued ones would run short, judged by the host's recent attempt
// durations. A host of unknown speed gets the benefit of the doubt.
func (d *Dispatcher) hostCap(h *host) int {
	if h.avg <= 0 {
		return d.maxHeld
	}
	budget := d.cfg.Lease - d.cfg.Timeout - leaseMargin
	n := int(int64(d.cfg.PerEndpoint) * int64(budget) / int64(h.avg))
	return max(d.cfg.PerEndpoint, min(n, d.maxHeld))
}

// admit queues freshly leased deliveries by host. A delivery that is
// already held (its lease expired while it waited and the loop took it
// again) only gets its new lease. Beyond its host's cap a delivery is not
// held: its lease expiring reschedules it, and meanwhile the leases let the
// next LeaseDue reach other hosts' deliveries.
func (d *Dispatcher) admit(ds []*store.Delivery) {
	if len(ds) == 0 {
		return
	}
	d.leased.Add(uint64(len(ds)))
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, dl := range ds {
		if it, ok := d.held[dl.ID]; ok && !it.attempted {
			it.leasedUntil = dl.LeasedUntil
			continue
		}
		// Not held, or held only until its last outcome is recorded (the
		// store already made it due again, e.g. after a 0s retry delay): a
		// new attempt.
		if d.closing {
			d.deferred.Add(1)
			continue
		}
		key := hostKey(dl.URL)
		h := d.hosts[key]
		if h == nil {
			if len(d.hosts) >= 4096 {
				d.pruneHosts()
			}
			h = &host{key: key}
			d.hosts[key] = h
		}
		if h.active+len(h.queue) >= d.hostCap(h) {
			d.deferred.Add(1)
			d.wakeAtLocked(dl.LeasedUntil) // due again then
			continue
		}
		it := &item{d: dl, host: h, leasedUntil: dl.LeasedUntil}
		d.held[dl.ID] = it
		h.queue = append(h.queue, it)
		d.markRunnable(h)
	}
}

// pruneHosts forgets idle hosts. d.mu is held.
func (d *Dispatcher) pruneHosts() {
	for k, h := range d.hosts {
		if h.active == 0 && len(h.queue) == 0 {
			delete(d.hosts, k)
		}
	}
}

// markRunnable puts h in the run queue when it has work and a free slot.
// d.mu is held.
func (d *Dispatcher) markRunnable(h *host) {
	if h.inRunnable || len(h.queue) == 0 || h.active >= d.cfg.PerEndpoint || d.closing {
		return
	}
	h.inRunnable = true
	d.runnable = append(d.runnable, h)
	d.cond.Signal()
}

// next blocks until an item may start, or returns nil when closing.
func (d *Dispatcher) next() *item {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.runnable) == 0 && !d.closing {
		d.cond.Wait()
	}
	if d.closing {
		return nil
	}
	h := d.runnable[0]
	d.runnable[0] = nil
	d.runnable = d.runnable[1:]
	h.inRunnable = false
	it := h.queue[0]
	h.queue[0] = nil
	h.queue = h.queue[1:]
	h.active++
	d.inFlight++
	d.markRunnable(h) // back of the line, if it has more
	return it
}

// finish releases it's host slot after its attempt (or skip). d.mu is not held.
func (d *Dispatcher) finish(it *item, took time.Duration, dropped bool) {
	d.mu.Lock()
	h := it.host
	h.active--
	d.inFlight--
	if took > 0 {
		if h.avg <= 0 {
			h.avg = took
		} else {
			h.avg = (h.avg*4 + took) / 5
		}
	}
	if dropped {
		d.release(it)
		d.deferred.Add(1)
		d.wakeAtLocked(it.leasedUntil) // due again then
		d.nudgeLocked()
	} else {
		it.attempted = true
	}
	d.markRunnable(h)
	d.mu.Unlock()
}

// release forgets it (unless a newer attempt of the same delivery took its
// place). d.mu is held.
func (d *Dispatcher) release(it *item) {
	if d.held[it.d.ID] == it {
		delete(d.held, it.d.ID)
	}
}

// maxWakeAt bounds the wake-up times kept: past it, the poll serves.
const maxWakeAt = 4096

// wakeAtLocked schedules a look at the queue at t, when something this
// dispatcher knows of becomes due then. d.mu is held.
func (d *Dispatcher) wakeAtLocked(t time.Time) {
	if len(d.wakeAt) < maxWakeAt {
		heap.Push(&d.wakeAt, t)
	}
}

// nudgeLocked wakes the lease loop if it waits for capacity. d.mu is held.
func (d *Dispatcher) nudgeLocked() {
	if d.starved {
		d.starved = false
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

func (d *Dispatcher) worker(wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		it := d.next()
		if it == nil {
			return
		}
		// The completion must land while the lease holds, or another
		// leaser could send this delivery at the same time.
		if time.Until(it.leasedUntil) < d.cfg.Timeout+leaseMargin {
			d.finish(it, 0, true)
			continue
		}
		c, took := d.attempt(it)
		d.finish(it, took, false)
		select {
		case d.comp <- c:
		case <-d.commitDone: // past the grace period: the lease expiring re-sends it
		}
	}
}

// subscribe subscribes to the store's notifications, when it is a
// store.Notifier, and forwards each to the lease loop until ctx ends; the
// channel returned is closed then. The first subscription is made before
// it returns, so the lease loop polls slowly from its first wait; while
// there is none (the first failed, or the store closed the channel) it
// polls at fastPoll and tries again every slowPoll.
func (d *Dispatcher) subscribe(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	n, ok := d.st.(store.Notifier)
	if !ok {
		close(done)
		return done
	}
	ch, err := n.Notifications(ctx)
	if err != nil && ctx.Err() == nil {
		d.log.Warn("webhook dispatcher: no queue notifications; polling the queue every "+d.fastPoll.String()+" until they come back", "err", err)
	}
	d.subscribed.Store(err == nil)
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if ch == nil {
				select {
				case <-ctx.Done():
					return
				case <-time.After(d.slowPoll):
				}
				if ch, err = n.Notifications(ctx); err != nil {
					ch = nil
					if ctx.Err() == nil {
						d.logStoreError("subscribe to queue notifications", err)
					}
					continue
				}
				d.subscribed.Store(true)
				d.Notify() // anything missed meanwhile
			}
			select {
			case <-ctx.Done():
			case _, ok := <-ch:
				if !ok { // the store was closed
					ch = nil
					d.subscribed.Store(false)
				} else {
					d.notified.Add(1)
					d.firstDelay()
				}
				d.Notify()
			}
		}
	}()
	return done
}

// firstDelayGrain rounds the first-delay wake-ups up, so that a burst of
// notifications schedules one wake-up per grain.
const firstDelayGrain = 10 * time.Millisecond

// firstDelay schedules a wake-up for when a delivery just queued becomes
// due, if the schedule delays first attempts (Schedule[0], which whoever
// enqueued applied): the notification comes when it was queued, not when
// it is due.
func (d *Dispatcher) firstDelay() {
	delay := d.cfg.Schedule[0]
	if delay <= 0 {
		return
	}
	at := time.Now().Add(delay + firstDelayGrain - 1).Truncate(firstDelayGrain)
	d.mu.Lock()
	if at.After(d.firstAt) {
		d.firstAt = at
		d.wakeAtLocked(at)
	}
	d.mu.Unlock()
}

// timeHeap is a min-heap of wake-up times.
type timeHeap []time.Time

func (h timeHeap) Len() int           { return len(h) }
func (h timeHeap) Less(i, j int) bool { return h[i].Before(h[j]) }
func (h timeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timeHeap) Push(x any)        { *h = append(*h, x.(time.Time)) }
func (h *timeHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
