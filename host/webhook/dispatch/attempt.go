package dispatch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/printable"
	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/webhook"
)

// maxErrorText bounds the error text recorded for an attempt.
const maxErrorText = 300

// attempt sends one delivery once and decides what happens next. A request
// that fails on a connection the receiver closed while it was idle is sent
// again at once on a new connection, within the same attempt (clients.stale).
func (d *Dispatcher) attempt(it *item) (completion, time.Duration) {
	dl := it.d
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)

	at := time.Now()
	req.Header.SetMethod(fasthttp.MethodPost)
	req.SetRequestURI(dl.URL)
	for k, v := range webhook.Headers(dl.Secret, dl.ID, at, dl.Payload, d.cfg.UserAgent) {
		req.Header.Set(k, v)
	}
	req.SetBodyRaw(dl.Payload) // sent as stored, byte for byte
	req.SetTimeout(d.cfg.Timeout)
	body, _, err := ssrf.Do(d.http.pooled, req, resp)
	if left := d.cfg.Timeout - time.Since(at); left > 0 && d.http.stale(err, resp, at) {
		d.staleResends.Add(1)
		d.log.Info("webhook: the receiver had closed the idle connection; sending again on a new one",
			"delivery", dl.ID, "host", hostKey(dl.URL), "error", printable.Clip(err.Error(), maxErrorText))
		req.SetConnectionClose()
		req.SetTimeout(left)
		body, _, err = ssrf.Do(d.http.fresh, req, resp)
	}
	took := time.Since(at)

	res := result{err: err}
	if err == nil {
		res.code = resp.StatusCode()
		res.body = body
		res.location = string(resp.Header.Peek(fasthttp.HeaderLocation))
		res.retryAfter = string(resp.Header.Peek(fasthttp.HeaderRetryAfter))
	}
	c := d.decide(dl, d.roundPosition(dl, res), at, took, res)
	d.attempts.Add(1)
	d.m.AttemptDuration.Observe(took.Seconds())
	d.m.Deliveries.WithLabelValues(c.outcome).Inc()
	switch c.outcome {
	case OutcomeDelivered:
		d.delivered.Add(1)
	case OutcomeRetry:
		d.retried.Add(1)
	case OutcomeFailed:
		d.failed.Add(1)
	case OutcomeStopped:
		d.stopped.Add(1)
	}
	if c.outcome != OutcomeDelivered {
		d.log.Warn("webhook attempt failed", "delivery", dl.ID, "host", hostKey(dl.URL),
			"attempt", dl.Attempts+1, "outcome", c.outcome, "error", c.c.Attempt.Error)
	}
	c.it = it
	return c, took
}

// result is what one attempt got back.
type result struct {
	err        error // no HTTP answer
	code       int
	body       []byte // at most ssrf.MaxBodySize bytes
	location   string
	retryAfter string
}

// delivered: a 2xx answer.
func (r result) delivered() bool { return r.err == nil && r.code >= 200 && r.code < 300 }

// gone: a 410 answer, the receiver asking to stop.
func (r result) gone() bool { return r.err == nil && r.code == fasthttp.StatusGone }

// decide classifies an attempt, the n-th of its round (roundPosition): 2xx
// delivered; 410 stopped; anything else (no answer, 3xx — never followed —,
// 4xx, 5xx) is a failed attempt, retried after the schedule's next delay
// (with jitter), or after the receiver's Retry-After on 429 and 503 when that
// is later, until the round has had len(Schedule) attempts and the delivery
// is failed.
func (d *Dispatcher) decide(dl *store.Delivery, n int, at time.Time, took time.Duration, r result) completion {
	a := store.Attempt{At: at, StatusCode: r.code, Duration: took}
	c := completion{c: store.Completion{ID: dl.ID}}
	switch {
	case r.delivered():
		c.c.Status, c.outcome = store.StatusDelivered, OutcomeDelivered
		c.c.Attempt = a
		return c
	case r.gone():
		a.Error = "HTTP 410 Gone: the receiver asked to stop"
		c.c.Status, c.outcome, c.c.LastErr = store.StatusStopped, OutcomeStopped, a.Error
		c.c.Attempt = a
		return c
	case r.err != nil:
		a.Error = errorText(r.err, d.cfg.Timeout)
	default:
		a.Error = statusText(r)
	}
	c.c.Attempt, c.c.LastErr = a, a.Error

	if n >= len(d.cfg.Schedule) {
		c.c.Status, c.outcome = store.StatusFailed, OutcomeFailed
		return c
	}
	delay := jitter(d.cfg.Schedule[n], d.cfg.Jitter)
	if r.err == nil && (r.code == fasthttp.StatusTooManyRequests || r.code == fasthttp.StatusServiceUnavailable) {
		if ra, ok := parseRetryAfter(r.retryAfter, time.Now()); ok && ra > delay {
			delay = ra
		}
	}
	c.c.Status, c.outcome = store.StatusPending, OutcomeRetry
	c.c.Next = time.Now().Add(delay)
	return c
}

// jitter spreads d uniformly over [d*(1-f), d*(1+f)].
func jitter(d time.Duration, f float64) time.Duration {
	if d <= 0 || f <= 0 {
		return d
	}
	return time.Duration(float64(d) * (1 + f*(2*rand.Float64()-1)))
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110 section 10.2.3), capped at MaxRetryAfter. A date in the past is
// a zero delay.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 64); err == nil {
		if n > uint64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), MaxRetryAfter), true
}

// errorText describes an attempt that got no HTTP answer.
func errorText(err error, timeout time.Duration) string {
	if isTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("timeout: no answer within %s", timeout)
	}
	if errors.Is(err, ssrf.ErrDenied) || errors.Is(err, ssrf.ErrInvalidURL) {
		return printable.Clip("refused by the SSRF guard: "+err.Error(), maxErrorText)
	}
	return printable.Clip(err.Error(), maxErrorText)
}

// statusText describes a non-2xx answer.
func statusText(r result) string {
	s := fmt.Sprintf("HTTP %d", r.code)
	if t := http.StatusText(r.code); t != "" {
		s += " " + t
	}
	switch {
	case r.code >= 300 && r.code < 400:
		s += ": redirect not followed"
		if r.location != "" {
			s += " (Location: " + printable.Clip(r.location, 200) + ")"
		}
	case (r.code == fasthttp.StatusTooManyRequests || r.code == fasthttp.StatusServiceUnavailable) && r.retryAfter != "":
		s += " (Retry-After: " + printable.Clip(r.retryAfter, 40) + ")"
	}
	if b := printable.Clip(string(r.body), 200); strings.TrimSpace(b) != "" {
		s += ": " + b
	}
	return printable.Clip(s, maxErrorText)
}
