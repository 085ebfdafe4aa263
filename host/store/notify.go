package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notifier is implemented by stores that can wake the webhook dispatcher
// when a delivery becomes pending (CreateRender queued one, Redeliver woke
// one), so it need not poll the queue often. Both Postgres and SQLite
// implement it; callers type-assert a Store to it.
type Notifier interface {
	// Notifications subscribes to wake-ups until ctx is done or the store
	// is closed; then the channel is closed. A value on the channel means
	// "look at the queue now": values coalesce (the channel holds at most
	// one, and sending never waits for the reader), a value may come with
	// nothing new due (a delivery due later, one another dispatcher took
	// first, a reconnect), and the dispatcher still polls on a timer as
	// the backstop, since a wake-up can be lost (a store on another
	// process for SQLite; notifications sent while Postgres's listening
	// connection was down, which is why a reconnect sends one).
	// Once Notifications returns, every later enqueue wakes the channel.
	Notifications(ctx context.Context) (<-chan struct{}, error)
}

// errClosed: the store is closed.
var errClosed = errors.New("store: closed")

// notifyHub fans wake-ups out to subscribers. The zero value is ready.
type notifyHub struct {
	mu     sync.Mutex
	subs   map[chan struct{}]struct{}
	closed bool
	done   chan struct{} // closed by close; made lazily
}

func (h *notifyHub) doneLocked() chan struct{} {
	if h.done == nil {
		h.done = make(chan struct{})
	}
	return h.done
}

// add registers a new subscriber channel (buffered, 1).
func (h *notifyHub) add() (chan struct{}, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errClosed
	}
	if h.subs == nil {
		h.subs = map[chan struct{}]struct{}{}
	}
	ch := make(chan struct{}, 1)
	h.subs[ch] = struct{}{}
	return ch, nil
}

// remove unregisters ch and closes it, once.
func (h *notifyHub) remove(ch chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[ch]; ok {
		delete(h.subs, ch)
		close(ch)
	}
}

// until removes ch when ctx is done or the hub is closed.
func (h *notifyHub) until(ctx context.Context, ch chan struct{}) {
	h.mu.Lock()
	done := h.doneLocked()
	h.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
		}
		h.remove(ch)
	}()
}

// wake puts a value in every subscriber's channel that has none.
func (h *notifyHub) wake() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// close closes every subscriber's channel and refuses new ones.
func (h *notifyHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	close(h.doneLocked())
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

// Notifications implements Notifier in process: CreateRender and Redeliver
// of this store wake its subscribers once they commit. Another process on
// the same database file (a CLI) does not wake them.
func (s *SQLite) Notifications(ctx context.Context) (<-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ch, err := s.hub.add()
	if err != nil {
		return nil, err
	}
	s.hub.until(ctx, ch)
	return ch, nil
}

// Listener tuning.
const (
	// pgListenProbe: with no notification for this long, the listening
	// connection is checked with a query, so a connection that died
	// silently (a failover, a dropped NAT entry) is replaced within about
	// this long rather than at the next TCP keepalive failure.
	pgListenProbe = 30 * time.Second
	// Reconnect backoff: doubling from the first to the most.
	pgListenRetryFirst = 100 * time.Millisecond
	pgListenRetryMost  = 5 * time.Second
)

// pgListener holds the dedicated connection that LISTENs on
// ogmint_deliveries for Notifications: made by the first subscription,
// kept (and remade, with backoff, whenever it fails) until Close.
type pgListener struct {
	hub notifyHub
	cfg *pgx.ConnConfig

	mu        sync.Mutex
	started   bool
	closed    bool
	listening bool          // LISTEN is in effect now
	fails     int           // failed connection attempts so far
	lastErr   error         // of the last failed attempt
	changed   chan struct{} // closed and replaced when listening or fails change
	cancel    context.CancelFunc
	done      chan struct{} // closed when the loop has ended
}

func (l *pgListener) init(cfg *pgx.ConnConfig) {
	l.cfg = cfg.Copy()
	l.cfg.RuntimeParams["application_name"] = "ogmint listener"
	delete(l.cfg.RuntimeParams, "statement_timeout") // it waits, by design
	l.changed = make(chan struct{})
}

// Notifications implements Notifier with LISTEN ogmint_deliveries on one
// dedicated connection (outside the pool), which CreateRender and
// Redeliver NOTIFY in the transaction that queues or wakes a delivery:
// every host's subscribers are woken when it commits. The first call
// opens that connection; it returns once LISTEN is in effect (or the
// first attempt after it subscribed failed: that error, with nothing
// subscribed), so no enqueue after it returns goes unnoticed. The
// connection is remade whenever it fails (backoff 0.1 s to 5 s); every
// subscriber then gets a value, since notifications sent meanwhile are
// lost. It is checked every 30 s without traffic, and held until Close.
// (NOTIFY makes the commits that send it queue on one lock, briefly: fine
// at hundreds of queued deliveries a second.)
func (p *Postgres) Notifications(ctx context.Context) (<-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l := &p.ln
	ch, err := l.hub.add()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.hub.remove(ch)
		return nil, errClosed
	}
	if !l.started {
		l.started = true
		lctx, cancel := context.WithCancel(context.Background())
		l.cancel, l.done = cancel, make(chan struct{})
		go l.run(lctx)
	}
	fails := l.fails
	l.mu.Unlock()
	for {
		l.mu.Lock()
		listening, failed, lastErr, changed := l.listening, l.fails > fails, l.lastErr, l.changed
		l.mu.Unlock()
		switch {
		case listening:
			l.hub.until(ctx, ch)
			return ch, nil
		case failed:
			l.hub.remove(ch)
			return nil, fmt.Errorf("store: listen: %w", lastErr)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			l.hub.remove(ch)
			return nil, ctx.Err()
		}
	}
}

// set updates the state under the lock and tells the waiters.
func (l *pgListener) set(f func()) {
	l.mu.Lock()
	f()
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// run keeps a listening connection until ctx is cancelled.
func (l *pgListener) run(ctx context.Context) {
	defer close(l.done)
	wait := pgListenRetryFirst
	for sessions := 0; ctx.Err() == nil; {
		up, err := l.session(ctx, sessions > 0)
		if up {
			sessions++
			wait = pgListenRetryFirst
		}
		l.set(func() { l.listening, l.fails, l.lastErr = false, l.fails+1, err })
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, pgListenRetryMost)
	}
}

// session connects, LISTENs and wakes the subscribers on each
// notification until the connection fails; up reports whether LISTEN was
// in effect. A reconnect (again) wakes every subscriber at once.
func (l *pgListener) session(ctx context.Context, again bool) (up bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, l.cfg)
	if err == nil {
		_, err = conn.Exec(cctx, `LISTEN `+pgDeliveriesChannel)
	}
	cancel()
	if conn != nil {
		defer conn.Close(context.Background())
	}
	if err != nil {
		return false, err
	}
	l.set(func() { l.listening = true })
	if again {
		l.hub.wake()
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, pgListenProbe)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			l.hub.wake()
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err := conn.Exec(pctx, `SELECT 1`)
			cancel()
			if err != nil {
				return true, err
			}
		default:
			return true, err
		}
	}
}

// close ends the loop and every subscription.
func (l *pgListener) close() {
	l.mu.Lock()
	l.closed = true
	cancel, done := l.cancel, l.done
	l.mu.Unlock()
	l.hub.close()
	if cancel != nil {
		cancel()
		<-done
	}
}
