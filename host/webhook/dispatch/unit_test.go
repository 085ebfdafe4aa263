package dispatch

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/store"
)

func TestConfigDefaultsAndValidate(t *testing.T) {
	c := Config{}.WithDefaults()
	if c.Workers != 32 || c.PerEndpoint != 4 || c.Timeout != 5*time.Second || len(c.Schedule) != 8 ||
		c.Jitter != 0.2 || c.PollInterval != 0 || c.Lease != 15*time.Second || c.Batch != 64 ||
		c.UserAgent == "" || c.Grace != 6*time.Second || c.IdleConnTimeout != time.Second {
		t.Fatalf("defaults %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c := (Config{Jitter: -1}).WithDefaults(); c.Jitter != 0 || c.Validate() != nil {
		t.Errorf("negative jitter should mean none: %v", c.Jitter)
	}
	bad := Config{Workers: -1, PerEndpoint: -2, Timeout: -1, Schedule: []time.Duration{}, Jitter: 1.5,
		PollInterval: -1, Lease: time.Second, Batch: 5000, IdleConnTimeout: time.Hour}.WithDefaults()
	err := bad.Validate()
	for _, want := range []string{"workers", "per-endpoint", "timeout", "retry schedule", "jitter", "poll interval", "lease", "batch", "idle connection timeout"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate of a bad config does not name %q: %v", want, err)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 8, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"999999999999", MaxRetryAfter, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(72 * time.Hour).Format(http.TimeFormat), MaxRetryAfter, true},
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s %v, want %s %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestJitterBounds(t *testing.T) {
	lo, hi := time.Hour, time.Duration(0)
	for range 10000 {
		d := jitter(10*time.Second, 0.2)
		lo, hi = min(lo, d), max(hi, d)
	}
	if lo < 8*time.Second || hi > 12*time.Second || lo > 8200*time.Millisecond || hi < 11800*time.Millisecond {
		t.Fatalf("jitter of 10s +/-20%% spans %s..%s", lo, hi)
	}
	if jitter(0, 0.2) != 0 || jitter(time.Second, 0) != time.Second {
		t.Fatal("no jitter on zero delays or zero factor")
	}
}

func TestDecide(t *testing.T) {
	d := &Dispatcher{cfg: Config{Schedule: []time.Duration{0, time.Minute, time.Hour}, Jitter: 0.2, Timeout: time.Second}}
	at := time.Now()
	dl := func(attempts int) *store.Delivery { return &store.Delivery{ID: "msg_x", Attempts: attempts} }
	within := func(t *testing.T, next time.Time, want time.Duration) {
		t.Helper()
		if got := time.Until(next); got < want*79/100 || got > want*121/100 {
			t.Errorf("next attempt in %s, want %s +/-20%%", got, want)
		}
	}
	for _, code := range []int{200, 201, 204, 299} {
		if c := d.decide(dl(0), 1, at, time.Millisecond, result{code: code}); c.outcome != OutcomeDelivered || c.c.Status != store.StatusDelivered || c.c.LastErr != "" {
			t.Errorf("%d: %+v", code, c)
		}
	}
	if c := d.decide(dl(0), 1, at, time.Millisecond, result{code: 410}); c.outcome != OutcomeStopped || c.c.Status != store.StatusStopped {
		t.Errorf("410: %+v", c)
	}
	for _, code := range []int{301, 302, 304, 400, 401, 404, 429, 500, 502, 503} {
		c := d.decide(dl(0), 1, at, time.Millisecond, result{code: code})
		if c.outcome != OutcomeRetry || c.c.Status != store.StatusPending || c.c.Attempt.StatusCode != code || c.c.LastErr == "" {
			t.Errorf("%d: %+v", code, c)
		}
		within(t, c.c.Next, time.Minute)
	}
	// Second attempt fails: the third waits an hour; the third fails: failed.
	within(t, d.decide(dl(1), 2, at, 0, result{code: 500}).c.Next, time.Hour)
	if c := d.decide(dl(2), 3, at, 0, result{code: 500}); c.outcome != OutcomeFailed || c.c.Status != store.StatusFailed {
		t.Errorf("last attempt: %+v", c)
	}
	// Past its round's schedule: failed.
	if c := d.decide(dl(7), 8, at, 0, result{err: errors.New("boom")}); c.outcome != OutcomeFailed || c.c.Attempt.Error != "boom" {
		t.Errorf("past the schedule: %+v", c)
	}
	// The first attempt of a redelivery's round (attempt 8 of the delivery):
	// the next waits a minute.
	within(t, d.decide(dl(7), 1, at, 0, result{code: 500}).c.Next, time.Minute)
	// Retry-After: later than the schedule wins; earlier does not; only on 429/503.
	within(t, d.decide(dl(0), 1, at, 0, result{code: 429, retryAfter: "600"}).c.Next, 10*time.Minute)
	within(t, d.decide(dl(0), 1, at, 0, result{code: 503, retryAfter: "600"}).c.Next, 10*time.Minute)
	within(t, d.decide(dl(0), 1, at, 0, result{code: 429, retryAfter: "1"}).c.Next, time.Minute)
	within(t, d.decide(dl(0), 1, at, 0, result{code: 500, retryAfter: "600"}).c.Next, time.Minute)
	within(t, d.decide(dl(0), 1, at, 0, result{code: 429, retryAfter: "99999999"}).c.Next, MaxRetryAfter)
	// Errors without an answer.
	c := d.decide(dl(0), 1, at, time.Second, result{err: fasthttp.ErrTimeout})
	if c.c.Attempt.StatusCode != 0 || !strings.Contains(c.c.Attempt.Error, "timeout") {
		t.Errorf("timeout: %+v", c.c.Attempt)
	}
}

func TestStatusTextIsClean(t *testing.T) {
	s := statusText(result{code: 500, body: []byte("line1\nline2\x00\xff" + strings.Repeat("x", 1000))})
	if strings.ContainsAny(s, "\n\x00") || len(s) > maxErrorText+3 || !strings.HasPrefix(s, "HTTP 500 Internal Server Error: line1 line2") {
		t.Errorf("%q", s)
	}
	if s := statusText(result{code: 302, location: "https://elsewhere.example/x"}); !strings.Contains(s, "redirect not followed (Location: https://elsewhere.example/x)") {
		t.Errorf("%q", s)
	}
}

func TestHostCap(t *testing.T) {
	d := &Dispatcher{cfg: Config{PerEndpoint: 4, Lease: 15 * time.Second, Timeout: 5 * time.Second}, maxHeld: 192}
	if n := d.hostCap(&host{}); n != 192 {
		t.Errorf("unknown host: %d", n)
	}
	if n := d.hostCap(&host{avg: time.Millisecond}); n != 192 {
		t.Errorf("fast host: %d", n)
	}
	// Attempts that time out: just enough to keep its 4 slots busy.
	if n := d.hostCap(&host{avg: 5 * time.Second}); n != 7 {
		t.Errorf("slow host: %d", n)
	}
	if n := d.hostCap(&host{avg: time.Minute}); n != 4 {
		t.Errorf("very slow host: %d", n)
	}
	if k := hostKey("https://Hooks.Example.com:8443/a?b"); k != "hooks.example.com:8443" {
		t.Errorf("hostKey %q", k)
	}
}
