package dispatch

import (
	"errors"
	"fmt"
	"time"

	"github.com/ogmint/ogmint/host/webhook"
)

// Defaults used by WithDefaults.
const (
	DefaultWorkers      = 32
	DefaultPerEndpoint  = 4
	DefaultTimeout      = 5 * time.Second
	DefaultJitter       = 0.2
	DefaultPollInterval = 250 * time.Millisecond
	// DefaultSafetyPoll is the poll interval while the store's
	// notifications wake the dispatcher (see Config.PollInterval).
	DefaultSafetyPoll = 5 * time.Second
	DefaultBatch      = 64
	// DefaultIdleConnTimeout is how long a connection to a receiver stays
	// open for reuse after an attempt: well under the keep-alive timeouts
	// servers commonly use (gunicorn 2 s; Node.js, uvicorn, Apache 5 s), so
	// the next attempt rarely meets a connection the receiver has closed.
	DefaultIdleConnTimeout = time.Second
	// MaxIdleConnTimeout bounds IdleConnTimeout.
	MaxIdleConnTimeout = 5 * time.Minute
	// MaxRetryAfter caps how far a receiver's Retry-After can push the
	// next attempt.
	MaxRetryAfter = 24 * time.Hour
	// leaseMargin is the lease time an attempt must have left, beyond the
	// attempt timeout, to start: the completion has to be committed before
	// the lease runs out, or another leaser could send it again meanwhile.
	leaseMargin = time.Second
	// commitDelay is how long the committer waits to fill a batch.
	commitDelay = 5 * time.Millisecond
)

// DefaultSchedule is close to Standard Webhooks': immediately, 5 s, 5 min,
// 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts over about 28 hours).
func DefaultSchedule() []time.Duration {
	return []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
		2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
}

// Config tunes a Dispatcher. The zero value of a field means its default
// (WithDefaults).
type Config struct {
	// Workers is the number of attempts in flight at once (default 32).
	Workers int
	// PerEndpoint is the most attempts in flight at once to one URL host
	// (host:port) (default 4), so a slow receiver holds at most that many
	// workers and the others keep serving everyone else.
	PerEndpoint int
	// Timeout bounds one attempt: connect, send, and read the answer,
	// including the resend on a new connection after a stale one (default
	// 5 s).
	Timeout time.Duration
	// IdleConnTimeout is how long an idle connection to a receiver is kept
	// for the next attempt (default DefaultIdleConnTimeout, at most
	// MaxIdleConnTimeout).
	IdleConnTimeout time.Duration
	// Schedule[n] is the delay before attempt n+1; len(Schedule) is the
	// number of attempts before a delivery is marked failed. Schedule[0]
	// (the first attempt) is applied by whoever enqueues (the API sets the
	// delivery's first next_attempt_at); the dispatcher uses Schedule[1:]
	// after failed attempts. A redelivery of a delivered, failed or stopped
	// delivery gets the whole schedule again (see round). Default
	// DefaultSchedule().
	Schedule []time.Duration
	// Jitter spreads each retry delay uniformly within +/- Jitter of it
	// (default 0.2; negative: none).
	Jitter float64
	// PollInterval is how often the queue is looked at when nothing
	// wakes the dispatcher: a store notification (store.Notifier: a
	// delivery queued or redelivered, on any host sharing the database),
	// Notify, a wake-up it scheduled itself (a retry, a new delivery's
	// first delay, a lease it left to expire), freed capacity. Zero (the
	// default) is automatic: DefaultSafetyPoll (5 s) while the store's
	// notifications are subscribed, a safety net for what nothing here
	// announces (a notification lost, a retry another host scheduled and
	// did not live to make, a dead host's leases expiring), and
	// DefaultPollInterval (250 ms) for a store that is no Notifier or
	// while subscribing fails. A value set is used in every case.
	PollInterval time.Duration
	// Lease is how long leased deliveries stay invisible to other leasers
	// (default Timeout*2 + 5 s). A crashed host's deliveries are due again
	// when their lease expires.
	Lease time.Duration
	// Batch is the most deliveries leased, or completions committed, in
	// one transaction (default 64).
	Batch int
	// UserAgent is sent with every attempt (default webhook.UserAgent("")).
	UserAgent string
	// Grace bounds how long Run waits for in-flight attempts once its
	// context ends (default Timeout + 1 s).
	Grace time.Duration
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.PerEndpoint == 0 {
		c.PerEndpoint = DefaultPerEndpoint
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Schedule == nil {
		c.Schedule = DefaultSchedule()
	}
	if c.IdleConnTimeout == 0 {
		c.IdleConnTimeout = DefaultIdleConnTimeout
	}
	switch {
	case c.Jitter == 0:
		c.Jitter = DefaultJitter
	case c.Jitter < 0:
		c.Jitter = 0
	}
	if c.Lease == 0 {
		c.Lease = c.Timeout*2 + 5*time.Second
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.UserAgent == "" {
		c.UserAgent = webhook.UserAgent("")
	}
	if c.Grace == 0 {
		c.Grace = c.Timeout + time.Second
	}
	return c
}

// Validate names every bad setting.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("dispatch: "+format, args...)) }
	if c.Workers < 1 || c.Workers > 4096 {
		bad("workers %d, want 1-4096", c.Workers)
	}
	if c.PerEndpoint < 1 || c.PerEndpoint > 4096 {
		bad("per-endpoint limit %d, want 1-4096", c.PerEndpoint)
	}
	if c.Timeout <= 0 {
		bad("timeout must be > 0")
	}
	if c.IdleConnTimeout <= 0 || c.IdleConnTimeout > MaxIdleConnTimeout {
		bad("idle connection timeout %s, want > 0 and at most %s", c.IdleConnTimeout, MaxIdleConnTimeout)
	}
	if len(c.Schedule) < 1 || len(c.Schedule) > 100 {
		bad("retry schedule has %d entries, want 1-100", len(c.Schedule))
	}
	for i, d := range c.Schedule {
		if d < 0 {
			bad("retry schedule entry %d is negative", i)
		}
	}
	if c.Jitter < 0 || c.Jitter >= 1 {
		bad("jitter %v, want 0 <= jitter < 1", c.Jitter)
	}
	if c.PollInterval < 0 {
		bad("poll interval must be >= 0 (0: automatic)")
	}
	if c.Lease < c.Timeout+2*leaseMargin {
		bad("lease %s must be at least timeout + %s", c.Lease, 2*leaseMargin)
	}
	if c.Batch < 1 || c.Batch > 1000 {
		bad("batch %d, want 1-1000", c.Batch)
	}
	if c.Grace < 0 {
		bad("grace must be >= 0")
	}
	return errors.Join(errs...)
}
