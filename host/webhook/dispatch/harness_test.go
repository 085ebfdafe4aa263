package dispatch

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/metrics"
	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/webhook"
)

const testKey = "key-1"

// loopback is the guard used by tests: 127.0.0.1 exempt, as
// OGMINT_WEBHOOK_ALLOW_NETS=127.0.0.1/32 does.
func loopback() *ssrf.Guard { return ssrf.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}) }

func openStore(t testing.TB) *store.SQLite {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fastConfig is a schedule of 4 attempts 50 ms apart.
func fastConfig() Config {
	return Config{Workers: 8, PerEndpoint: 4, Timeout: 400 * time.Millisecond,
		Schedule:     []time.Duration{0, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond},
		PollInterval: 20 * time.Millisecond, UserAgent: webhook.UserAgent("test")}
}

type running struct {
	d    *Dispatcher
	m    *metrics.Metrics
	stop func() // cancels Run and waits for it (also at cleanup)
}

func run(t testing.TB, st store.Store, g *ssrf.Guard, cfg Config) *running {
	t.Helper()
	return runLogged(t, st, g, cfg, io.Discard)
}

// runLogged is run with the dispatcher's log (text, Info and up) going to w.
func runLogged(t testing.TB, st store.Store, g *ssrf.Guard, cfg Config, w io.Writer) *running {
	t.Helper()
	m := metrics.New(nil, nil)
	d := New(st, g, m, cfg, slog.New(slog.NewTextHandler(w, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("Run did not return")
			}
		})
	}
	t.Cleanup(stop)
	return &running{d: d, m: m, stop: stop}
}

var renderSeq atomic.Int64

// enqueue stores a new render with a delivery of a render.completed payload
// to url, the way the API does, and returns the render and the delivery.
func enqueue(t testing.TB, st store.Store, url, secret string) (*store.Render, *store.Delivery) {
	t.Helper()
	slug := fmt.Sprintf("s%07d", renderSeq.Add(1))
	return enqueueRender(t, st, &store.Render{Slug: slug, KeyID: testKey, DedupHash: sha256.Sum256([]byte(slug)),
		Template: "blog", Canonical: slug, PNG: []byte("png")}, url, secret)
}

func enqueueRender(t testing.TB, st store.Store, r *store.Render, url, secret string) (*store.Render, *store.Delivery) {
	t.Helper()
	var d *store.Delivery
	got, _, err := st.CreateRender(context.Background(), r, func(r *store.Render, cached bool) (*store.Delivery, error) {
		body := webhook.Payload{URL: "https://ogmint.test/i/" + r.Slug, Slug: r.Slug, Template: r.Template,
			Metadata: []byte(`{"postId":"p1"}`), CreatedAt: r.CreatedAt, Cached: cached}.Body()
		d = &store.Delivery{URL: url, Secret: secret, Payload: body}
		return d, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, d
}

// hit is one request a receiver got.
type hit struct {
	at     time.Time
	header http.Header
	body   []byte
	path   string
}

// receiver is a net/http server on 127.0.0.1 whose answers a test scripts.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	answer func(n int, w http.ResponseWriter, r *http.Request) // n: 1-based request number
}

func newReceiver(t testing.TB, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.hits = append(rc.hits, hit{at: time.Now(), header: r.Header.Clone(), body: body, path: r.URL.Path})
		n := len(rc.hits)
		rc.mu.Unlock()
		if rc.answer != nil {
			rc.answer(n, w, r)
			return
		}
		w.WriteHeader(200)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// delivery reads one delivery and its attempts back from the store.
func delivery(t testing.TB, st store.Store, slug, id string) (*store.Delivery, []store.Attempt) {
	t.Helper()
	ds, as, err := st.Deliveries(context.Background(), testKey, slug)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.ID == id {
			return d, as[id]
		}
	}
	t.Fatalf("delivery %s of %s not listed", id, slug)
	return nil, nil
}

// waitStatus waits until the delivery has status and at least n attempts.
func waitStatus(t testing.TB, st store.Store, slug, id, status string, n int, timeout time.Duration) (*store.Delivery, []store.Attempt) {
	t.Helper()
	var d *store.Delivery
	var as []store.Attempt
	waitFor(t, timeout, fmt.Sprintf("delivery %s %s after %d attempts", id, status, n), func() bool {
		d, as = delivery(t, st, slug, id)
		return d.Status == status && len(as) >= n
	})
	return d, as
}
