package dispatch

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/webhook"
)

// A canonical whsec_ secret: the Standard Webhooks key is its base64 tail.
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func outcome(r *running, o string) float64 {
	var m dto.Metric
	if err := r.m.Deliveries.WithLabelValues(o).Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

func attemptCount(r *running) uint64 {
	var m dto.Metric
	if err := r.m.AttemptDuration.Write(&m); err != nil {
		panic(err)
	}
	return m.GetHistogram().GetSampleCount()
}

func codes(as []store.Attempt) []int {
	var out []int
	for _, a := range as {
		out = append(out, a.StatusCode)
	}
	return out
}

func TestDeliversSignedPayload(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, nil)
	r, d := enqueue(t, st, rc.URL+"/hooks/og-complete", secret)
	r2, d2 := enqueue(t, st, rc.URL+"/unsigned", "")
	x := run(t, st, loopback(), fastConfig())
	x.d.Notify()
	got, as := waitStatus(t, st, r.Slug, d.ID, store.StatusDelivered, 1, 5*time.Second)
	waitStatus(t, st, r2.Slug, d2.ID, store.StatusDelivered, 1, 5*time.Second)

	var signed, unsigned *hit
	for _, h := range rc.got() {
		switch h.path {
		case "/hooks/og-complete":
			signed = &h
		case "/unsigned":
			unsigned = &h
		}
	}
	if signed == nil || unsigned == nil || len(rc.got()) != 2 {
		t.Fatalf("receiver got %d requests", len(rc.got()))
	}
	if string(signed.body) != string(d.Payload) {
		t.Fatalf("body %s, stored payload %s", signed.body, d.Payload)
	}
	if err := webhook.Verify(secret, signed.body, signed.header.Get("x-ogmint-signature")); err != nil {
		t.Errorf("x-ogmint-signature: %v", err)
	}
	if err := webhook.VerifyStandard(secret, signed.header, signed.body, time.Minute, time.Now()); err != nil {
		t.Errorf("webhook-signature: %v", err)
	}
	for k, want := range map[string]string{"webhook-id": d.ID, "content-type": "application/json",
		"user-agent": webhook.UserAgent("test")} {
		if v := signed.header.Get(k); v != want {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}
	if ts, _ := strconv.ParseInt(signed.header.Get("webhook-timestamp"), 10, 64); time.Since(time.Unix(ts, 0)).Abs() > 5*time.Second {
		t.Errorf("webhook-timestamp %q", signed.header.Get("webhook-timestamp"))
	}
	var payload struct {
		Event string `json:"event"`
		Data  struct {
			Slug     string          `json:"slug"`
			Metadata json.RawMessage `json:"metadata"`
		} `json:"data"`
		Cached *bool `json:"cached"`
	}
	if err := json.Unmarshal(signed.body, &payload); err != nil || payload.Event != "render.completed" ||
		payload.Data.Slug != r.Slug || string(payload.Data.Metadata) != `{"postId":"p1"}` || payload.Cached != nil {
		t.Errorf("payload %s: %v", signed.body, err)
	}
	if unsigned.header.Get("x-ogmint-signature") != "" || unsigned.header.Get("webhook-signature") != "" ||
		unsigned.header.Get("webhook-id") != d2.ID {
		t.Errorf("delivery without a secret: headers %v", unsigned.header)
	}
	if len(as) != 1 || as[0].N != 1 || as[0].StatusCode != 200 || as[0].Error != "" || as[0].Duration <= 0 ||
		got.Attempts != 1 || got.LastError != "" {
		t.Errorf("attempts %+v, delivery %+v", as, got)
	}
	if v := outcome(x, "delivered"); v != 2 {
		t.Errorf("delivered counter %v", v)
	}
	if n := attemptCount(x); n != 2 {
		t.Errorf("attempt histogram: %d observations", n)
	}
}

func TestCachedPayload(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, nil)
	render := func() *store.Render {
		return &store.Render{Slug: "dedup" + strconv.Itoa(int(renderSeq.Add(1))%1000), KeyID: testKey,
			DedupHash: sha256.Sum256([]byte("same")), Template: "blog", Canonical: "same", PNG: []byte("png")}
	}
	r1, d1 := enqueueRender(t, st, render(), rc.URL, secret)
	r2, d2 := enqueueRender(t, st, render(), rc.URL, secret) // dedup hit: same render, cached payload
	if r1.Slug != r2.Slug || d1.ID == d2.ID {
		t.Fatalf("dedup: %s %s", r1.Slug, r2.Slug)
	}
	x := run(t, st, loopback(), fastConfig())
	x.d.Notify()
	waitStatus(t, st, r1.Slug, d2.ID, store.StatusDelivered, 1, 5*time.Second)
	waitStatus(t, st, r1.Slug, d1.ID, store.StatusDelivered, 1, 5*time.Second)
	for _, h := range rc.got() {
		var p struct {
			Cached bool `json:"cached"`
		}
		if err := json.Unmarshal(h.body, &p); err != nil {
			t.Fatal(err)
		}
		id := h.header.Get("webhook-id")
		if want := id == d2.ID; p.Cached != want || strings.Contains(string(h.body), `"cached":true}`) != want {
			t.Errorf("%s: body %s, want cached %v", id, h.body, want)
		}
		if err := webhook.VerifyStandard(secret, h.header, h.body, time.Minute, time.Now()); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}

func TestRetriesUntilDelivered(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 2 {
			w.WriteHeader(500)
			w.Write([]byte(`{"error":"database down"}`))
			return
		}
		w.WriteHeader(200)
	})
	r, d := enqueue(t, st, rc.URL, secret)
	x := run(t, st, loopback(), fastConfig())
	x.d.Notify()
	got, as := waitStatus(t, st, r.Slug, d.ID, store.StatusDelivered, 3, 5*time.Second)
	if c := codes(as); len(c) != 3 || c[0] != 500 || c[1] != 500 || c[2] != 200 || got.Attempts != 3 {
		t.Fatalf("attempt codes %v, attempts %d", c, got.Attempts)
	}
	for i, a := range as[:2] {
		if a.N != i+1 || !strings.Contains(a.Error, "HTTP 500") || !strings.Contains(a.Error, "database down") {
			t.Errorf("attempt %d: %+v", i+1, a)
		}
	}
	hits := rc.got()
	if len(hits) != 3 {
		t.Fatalf("%d requests", len(hits))
	}
	for i, h := range hits {
		if h.header.Get("webhook-id") != d.ID {
			t.Errorf("request %d: webhook-id %q, want %q on every attempt", i+1, h.header.Get("webhook-id"), d.ID)
		}
		if err := webhook.VerifyStandard(secret, h.header, h.body, time.Minute, time.Now()); err != nil {
			t.Errorf("request %d: %v", i+1, err)
		}
		if i > 0 {
			if gap := h.at.Sub(hits[i-1].at); gap < 40*time.Millisecond {
				t.Errorf("attempt %d only %s after the previous one (schedule 50ms -20%%)", i+1, gap)
			}
		}
	}
	if outcome(x, "retry") != 2 || outcome(x, "delivered") != 1 {
		t.Errorf("counters retry %v delivered %v", outcome(x, "retry"), outcome(x, "delivered"))
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	st := openStore(t)
	target := newReceiver(t, nil)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/stolen", http.StatusFound)
	})
	cfg := fastConfig()
	cfg.Schedule = []time.Duration{0, 50 * time.Millisecond}
	r, d := enqueue(t, st, rc.URL, secret)
	x := run(t, st, loopback(), cfg)
	x.d.Notify()
	got, as := waitStatus(t, st, r.Slug, d.ID, store.StatusFailed, 2, 5*time.Second)
	if c := codes(as); len(c) != 2 || c[0] != 302 || c[1] != 302 {
		t.Fatalf("codes %v", c)
	}
	if !strings.Contains(as[0].Error, "redirect not followed") || !strings.Contains(as[0].Error, target.URL+"/stolen") ||
		got.LastError != as[1].Error {
		t.Errorf("attempt error %q, last error %q", as[0].Error, got.LastError)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(target.got()); n != 0 {
		t.Fatalf("the redirect target was hit %d times", n)
	}
	if outcome(x, "failed") != 1 {
		t.Errorf("failed counter %v", outcome(x, "failed"))
	}
}

func TestGoneStops(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	r, d := enqueue(t, st, rc.URL, secret)
	x := run(t, st, loopback(), fastConfig())
	x.d.Notify()
	got, as := waitStatus(t, st, r.Slug, d.ID, store.StatusStopped, 1, 5*time.Second)
	time.Sleep(300 * time.Millisecond) // 6 retry periods: none comes
	if n := len(rc.got()); n != 1 || len(as) != 1 || as[0].StatusCode != 410 || !strings.Contains(got.LastError, "410") {
		t.Fatalf("%d requests, attempts %+v, last error %q", n, as, got.LastError)
	}
	if outcome(x, "stopped") != 1 {
		t.Errorf("stopped counter %v", outcome(x, "stopped"))
	}
}

func TestTimeoutRecordedAndRetried(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			select { // longer than the 400ms timeout
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(204)
	})
	r, d := enqueue(t, st, rc.URL, secret)
	x := run(t, st, loopback(), fastConfig())
	x.d.Notify()
	_, as := waitStatus(t, st, r.Slug, d.ID, store.StatusDelivered, 2, 5*time.Second)
	if len(as) != 2 || as[0].StatusCode != 0 || !strings.Contains(as[0].Error, "timeout") ||
		as[0].Duration < 350*time.Millisecond || as[0].Duration > 1500*time.Millisecond || as[1].StatusCode != 204 {
		t.Fatalf("attempts %+v", as)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	for _, code := range []int{429, 503} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			st := openStore(t)
			rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(code)
					return
				}
				w.WriteHeader(200)
			})
			r, d := enqueue(t, st, rc.URL, secret)
			x := run(t, st, loopback(), fastConfig())
			x.d.Notify()
			_, as := waitStatus(t, st, r.Slug, d.ID, store.StatusDelivered, 2, 5*time.Second)
			hits := rc.got()
			if gap := hits[1].at.Sub(hits[0].at); gap < 950*time.Millisecond || gap > 2500*time.Millisecond {
				t.Errorf("second attempt %s after the first; Retry-After: 1 (schedule says 50ms)", gap)
			}
			if as[0].StatusCode != code || !strings.Contains(as[0].Error, "Retry-After: 1") {
				t.Errorf("first attempt %+v", as[0])
			}
		})
	}
}

func TestExhaustedIsFailedAndKept(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	r, d := enqueue(t, st, rc.URL, secret)
	x := run(t, st, loopback(), fastConfig())
	x.d.Notify()
	got, as := waitStatus(t, st, r.Slug, d.ID, store.StatusFailed, 4, 5*time.Second)
	time.Sleep(200 * time.Millisecond)
	if n := len(rc.got()); n != 4 || len(as) != 4 || got.Attempts != 4 || !strings.HasPrefix(got.LastError, "HTTP 500") {
		t.Fatalf("%d requests, %d attempts recorded, delivery %+v", n, len(as), got)
	}
	// Still there for the API, with every attempt.
	kept, err := st.Delivery(context.Background(), testKey, d.ID)
	if err != nil || kept.Status != store.StatusFailed {
		t.Fatalf("kept: %+v %v", kept, err)
	}
	if outcome(x, "retry") != 3 || outcome(x, "failed") != 1 {
		t.Errorf("counters retry %v failed %v", outcome(x, "retry"), outcome(x, "failed"))
	}
}

func TestSSRFRefusalRecorded(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, nil)
	cfg := fastConfig()
	cfg.Schedule = []time.Duration{0}
	r, d := enqueue(t, st, rc.URL, secret)
	x := run(t, st, ssrf.New(nil), cfg) // nothing exempt: loopback is denied at connect time
	x.d.Notify()
	_, as := waitStatus(t, st, r.Slug, d.ID, store.StatusFailed, 1, 5*time.Second)
	if as[0].StatusCode != 0 || !strings.Contains(as[0].Error, "SSRF") || !strings.Contains(as[0].Error, "127.0.0.1") {
		t.Fatalf("attempt %+v", as[0])
	}
	if n := len(rc.got()); n != 0 {
		t.Fatalf("receiver hit %d times", n)
	}
}

func TestConnectionRefusedRecorded(t *testing.T) {
	st := openStore(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	cfg := fastConfig()
	cfg.Schedule = []time.Duration{0, 10 * time.Millisecond}
	r, d := enqueue(t, st, "http://"+addr+"/hook", secret)
	x := run(t, st, loopback(), cfg)
	x.d.Notify()
	_, as := waitStatus(t, st, r.Slug, d.ID, store.StatusFailed, 2, 5*time.Second)
	if as[0].StatusCode != 0 || !strings.Contains(as[0].Error, "refused") {
		t.Fatalf("attempt %+v", as[0])
	}
}

// TestPerEndpointLimit: deliveries to a slow receiver take at most
// PerEndpoint workers; deliveries to a fast one go through meanwhile.
func TestPerEndpointLimit(t *testing.T) {
	st := openStore(t)
	var cur, peak atomic.Int64
	slow := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		c := cur.Add(1)
		for p := peak.Load(); c > p && !peak.CompareAndSwap(p, c); p = peak.Load() {
		}
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		cur.Add(-1)
		w.WriteHeader(200)
	})
	fast := newReceiver(t, nil)
	for range 12 {
		enqueue(t, st, slow.URL, secret)
	}
	type pair struct{ slug, id string }
	var fastOnes []pair
	for range 12 {
		r, d := enqueue(t, st, fast.URL, secret)
		fastOnes = append(fastOnes, pair{r.Slug, d.ID})
	}
	cfg := fastConfig()
	cfg.Workers, cfg.PerEndpoint, cfg.Timeout = 4, 2, 3*time.Second
	start := time.Now()
	x := run(t, st, loopback(), cfg)
	x.d.Notify()
	// Without the limit the 4 workers would spend 3 rounds of 2s on the
	// slow receiver's older deliveries first.
	for _, p := range fastOnes {
		waitStatus(t, st, p.slug, p.id, store.StatusDelivered, 1, 1500*time.Millisecond-time.Since(start))
	}
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Fatalf("fast receiver served after %s", took)
	}
	waitFor(t, 5*time.Second, "slow deliveries", func() bool { return len(slow.got()) >= 4 })
	if p := peak.Load(); p != 2 {
		t.Errorf("slow receiver saw %d concurrent attempts, want the limit 2", p)
	}
	x.stop()
}

// TestExpiredLeaseIsRedelivered: a delivery leased by a host that died
// (never completed) is sent once its lease expires.
func TestExpiredLeaseIsRedelivered(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, nil)
	r, d := enqueue(t, st, rc.URL, secret)
	ds, err := st.LeaseDue(context.Background(), time.Now(), 10, 1500*time.Millisecond)
	if err != nil || len(ds) != 1 {
		t.Fatalf("lease: %d %v", len(ds), err)
	}
	x := run(t, st, loopback(), fastConfig())
	x.d.Notify()
	waitStatus(t, st, r.Slug, d.ID, store.StatusDelivered, 1, 5*time.Second)
	if hits := rc.got(); len(hits) != 1 || hits[0].at.Before(ds[0].LeasedUntil.Add(-10*time.Millisecond)) {
		t.Fatalf("%d requests; first at %s, lease until %s", len(hits), hits[0].at, ds[0].LeasedUntil)
	}
}

// TestNotifyWakesAtOnce: with a long poll interval, Notify starts the
// first attempt right away.
func TestNotifyWakesAtOnce(t *testing.T) {
	st := openStore(t)
	var retried atomic.Int64
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/retry" && retried.Add(1) == 1 {
			w.WriteHeader(500)
			return
		}
		w.WriteHeader(200)
	})
	cfg := fastConfig()
	cfg.PollInterval = time.Minute
	x := run(t, st, loopback(), cfg)
	time.Sleep(50 * time.Millisecond) // the first lease found nothing; the loop sleeps
	r, d := enqueue(t, st, rc.URL, secret)
	start := time.Now()
	x.d.Notify()
	waitStatus(t, st, r.Slug, d.ID, store.StatusDelivered, 1, 2*time.Second)
	if took := time.Since(start); took > time.Second {
		t.Errorf("delivered %s after Notify", took)
	}
	// Retries it scheduled itself wake it too, despite the poll interval.
	r2, d2 := enqueue(t, st, rc.URL+"/retry", secret)
	x.d.Notify()
	waitStatus(t, st, r2.Slug, d2.ID, store.StatusDelivered, 2, 2*time.Second)
}

// TestZeroDelayRetries: a retry due at once is attempted at once (not after
// the poll interval, nor after a lease expiry).
func TestZeroDelayRetries(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 2 {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(200)
	})
	cfg := fastConfig()
	cfg.Schedule = []time.Duration{0, 0, 0}
	cfg.PollInterval = time.Minute
	r, d := enqueue(t, st, rc.URL, secret)
	x := run(t, st, loopback(), cfg)
	x.d.Notify()
	waitStatus(t, st, r.Slug, d.ID, store.StatusDelivered, 3, 2*time.Second)
}

// TestShutdownFinishesInFlight: an attempt running when Run's context ends
// completes, and its outcome is recorded before Run returns.
func TestShutdownFinishesInFlight(t *testing.T) {
	st := openStore(t)
	started := make(chan struct{}, 1)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		time.Sleep(300 * time.Millisecond)
		w.WriteHeader(200)
	})
	r, d := enqueue(t, st, rc.URL, secret)
	x := run(t, st, loopback(), fastConfig())
	x.d.Notify()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("no attempt started")
	}
	x.stop()
	got, as := delivery(t, st, r.Slug, d.ID)
	if got.Status != store.StatusDelivered || len(as) != 1 {
		t.Fatalf("after shutdown: %s, %d attempts", got.Status, len(as))
	}
}

// TestManyExactlyOnceWithoutCrash: hundreds of deliveries, each sent once.
func TestManyExactlyOnceWithoutCrash(t *testing.T) {
	st := openStore(t)
	rc := newReceiver(t, nil)
	const n = 300
	ids := map[string]bool{}
	for range n {
		_, d := enqueue(t, st, rc.URL, secret)
		ids[d.ID] = true
	}
	cfg := fastConfig()
	cfg.Batch = 16
	x := run(t, st, loopback(), cfg)
	x.d.Notify()
	waitFor(t, 20*time.Second, "all delivered", func() bool { return x.d.Stats().Delivered == n })
	seen := map[string]int{}
	for _, h := range rc.got() {
		seen[h.header.Get("webhook-id")]++
	}
	for id := range ids {
		if seen[id] != 1 {
			t.Errorf("%s received %d times", id, seen[id])
		}
	}
	waitFor(t, 5*time.Second, "queue empty", func() bool {
		p, _, err := st.QueueStats(context.Background(), time.Now())
		return err == nil && p == 0
	})
	s := x.d.Stats()
	if s.Attempts != n || s.Leased != n || s.CommitErrors != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestNodeReceiver delivers to the product document's Node.js handler
// (host/webhook/testdata/receiver.mjs), which answers 200 only when both
// signatures verify.
func TestNodeReceiver(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: skipping the Node.js receiver test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, node, filepath.Join("..", "testdata", "receiver.mjs"))
	cmd.Env = append(os.Environ(), "WEBHOOK_SECRET="+secret, "RECEIVER_LIFETIME_MS=50000")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
	}()
	var port int
	select {
	case l := <-line:
		var v struct{ Port int }
		if json.Unmarshal([]byte(l), &v) != nil || v.Port == 0 {
			t.Fatalf("receiver did not report its port: %q", l)
		}
		port = v.Port
	case <-time.After(15 * time.Second):
		t.Fatal("receiver did not start within 15s")
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/hooks/og-complete"

	st := openStore(t)
	good, dg := enqueue(t, st, url, secret)
	bad, db := enqueue(t, st, url, "whsec_not_the_receivers_secret")
	cfg := fastConfig()
	cfg.Timeout = 2 * time.Second
	cfg.Schedule = []time.Duration{0}
	x := run(t, st, loopback(), cfg)
	x.d.Notify()
	_, as := waitStatus(t, st, good.Slug, dg.ID, store.StatusDelivered, 1, 10*time.Second)
	if as[0].StatusCode != 200 {
		t.Fatalf("attempt %+v", as[0])
	}
	_, as = waitStatus(t, st, bad.Slug, db.ID, store.StatusFailed, 1, 10*time.Second)
	if as[0].StatusCode != 401 || !strings.Contains(as[0].Error, "Invalid signature") {
		t.Fatalf("wrong secret: attempt %+v", as[0])
	}
}

func TestQueueStatsFuncCaches(t *testing.T) {
	st := openStore(t)
	f := QueueStatsFunc(st, 300*time.Millisecond)
	if n, _ := f(); n != 0 {
		t.Fatalf("empty queue: %d", n)
	}
	enqueue(t, st, "https://example.com/h", "")
	enqueue(t, st, "https://example.com/h", "")
	if n, _ := f(); n != 0 {
		t.Fatalf("within the TTL: %d, want the cached 0", n)
	}
	time.Sleep(350 * time.Millisecond)
	n, oldest := f()
	if n != 2 || oldest < 300*time.Millisecond {
		t.Fatalf("after the TTL: %d pending, oldest %s", n, oldest)
	}
}

func TestRunTwice(t *testing.T) {
	st := openStore(t)
	d := New(st, loopback(), nil, fastConfig(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Run(ctx); err != nil {
		t.Fatalf("first Run: %v", err)
	}
	if err := d.Run(context.Background()); err == nil {
		t.Fatal("second Run did not fail")
	}
}
