package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/api"
	"github.com/ogmint/ogmint/host/apikeys"
	"github.com/ogmint/ogmint/host/cardcache"
	"github.com/ogmint/ogmint/host/jsjson"
	"github.com/ogmint/ogmint/host/metrics"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/webhook"
	"github.com/ogmint/ogmint/host/webhook/dispatch"
	"github.com/ogmint/ogmint/templates"
)

// countingNotifier forwards Notify to the dispatcher and counts the calls.
type countingNotifier struct {
	d *dispatch.Dispatcher
	n atomic.Int64
}

func (c *countingNotifier) Notify() { c.n.Add(1); c.d.Notify() }

// startDelivering serves the API like start, with a real webhook
// dispatcher whose poll interval is an hour: deliveries go out only
// because the API notifies it (or for retries it scheduled itself).
func startDelivering(t *testing.T) (*env, *countingNotifier) {
	t.Helper()
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := renderpool.New(context.Background(), debugWasm, renderpool.Config{Instances: 1, CacheDir: os.TempDir() + "/ogmint-test-wazero-cache"})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := apikeys.New([]string{keyA, keyB}, "test")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	guard := ssrf.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")})
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	m := metrics.New(nil, dispatch.QueueStatsFunc(st, time.Second))
	d := dispatch.New(st, guard, m, dispatch.Config{Workers: 4, Timeout: time.Second, PollInterval: time.Hour,
		Schedule: []time.Duration{0, 50 * time.Millisecond, time.Hour}}, discard)
	dctx, dcancel := context.WithCancel(context.Background())
	ddone := make(chan error, 1)
	go func() { ddone <- d.Run(dctx) }()
	notifier := &countingNotifier{d: d}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	srv := api.New(api.Options{Pool: pool, Templates: set, Keys: keys, Cache: cardcache.New(16 << 20), Images: cardcache.New(16 << 20),
		Store: st, PublicURL: base, Webhooks: guard, Dispatcher: notifier, Logger: discard, Metrics: m,
		Metadata: func(raw []byte) ([]byte, error) {
			return jsjson.Object(raw, jsjson.Limits{MaxBytes: 4096, MaxDepth: 8})
		},
		Payload: func(url, slug, template string, metadata []byte, created time.Time, cached bool) []byte {
			return webhook.Payload{URL: url, Slug: slug, Template: template, Metadata: metadata, CreatedAt: created, Cached: cached}.Body()
		},
	})
	hs := &fasthttp.Server{Handler: srv.Handler, ReadTimeout: 10 * time.Second, ErrorHandler: api.ParseErrorHandler}
	go hs.Serve(ln)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = hs.Shutdown()
			dcancel()
			<-ddone
			_ = pool.Close(context.Background())
			_ = st.Close()
		})
	}
	t.Cleanup(stop)
	return &env{base: base, pool: pool, store: st, stop: stop}, notifier
}

// hookReceiver counts requests by path; /fail always answers 500, /flaky
// answers 500 once then 200, anything else 200.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies map[string][]string
	flaky  atomic.Int64
}

func newHookReceiver(t *testing.T) *hookReceiver {
	rc := &hookReceiver{bodies: map[string][]string{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.bodies[r.URL.Path] = append(rc.bodies[r.URL.Path], string(body))
		rc.mu.Unlock()
		switch {
		case r.URL.Path == "/fail", r.URL.Path == "/flaky" && rc.flaky.Add(1) == 1:
			w.WriteHeader(500)
			w.Write([]byte("not now"))
		default:
			w.WriteHeader(200)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) got(path string) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies[path]...)
}

type deliveryList struct {
	Deliveries []struct {
		ID            string  `json:"id"`
		URL           string  `json:"url"`
		Status        string  `json:"status"`
		Attempts      int     `json:"attempts"`
		NextAttemptAt *string `json:"next_attempt_at"`
		CreatedAt     string  `json:"created_at"`
		LastError     string  `json:"last_error"`
		AttemptLog    []struct {
			N          int     `json:"n"`
			At         string  `json:"at"`
			StatusCode *int    `json:"status_code"`
			DurationMS float64 `json:"duration_ms"`
			Error      string  `json:"error"`
		} `json:"attempt_log"`
	} `json:"deliveries"`
}

func (e *env) deliveries(t *testing.T, key, slug string) (response, deliveryList) {
	t.Helper()
	r := e.do(t, "GET", "/api/v2/renders/"+slug+"/deliveries", "x-api-key", key)
	var l deliveryList
	if r.status == 200 {
		if err := json.Unmarshal(r.body, &l); err != nil {
			t.Fatalf("%s: %v", r.body, err)
		}
	}
	return r, l
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDeliveriesListAndRedeliver(t *testing.T) {
	e, notifier := startDelivering(t)
	rc := newHookReceiver(t)
	const secret = "whsec_bmV2ZXIgc2hvd24gYW55d2hlcmU=" // base64 of "never shown anywhere"
	body := map[string]any{"template": "blog", "title": "Delivered", "webhookUrl": rc.URL + "/flaky",
		"webhookSecret": secret, "metadata": map[string]any{"postId": "p1"}}
	r, a := e.v2(t, keyA, body)
	if r.status != 201 || !a.WebhookDispatched {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if notifier.n.Load() != 1 {
		t.Errorf("Notify called %d times after one enqueue", notifier.n.Load())
	}
	// 500, then 200 on the retry 50ms later; no poll: Notify started it.
	waitUntil(t, 5*time.Second, "two attempts", func() bool { return len(rc.got("/flaky")) == 2 })

	var l deliveryList
	waitUntil(t, 5*time.Second, "delivered status", func() bool {
		_, l = e.deliveries(t, keyA, a.Slug)
		return len(l.Deliveries) == 1 && l.Deliveries[0].Status == "delivered"
	})
	resp, _ := e.deliveries(t, keyA, a.Slug)
	if strings.Contains(string(resp.body), secret) || strings.Contains(string(resp.body), "secret") ||
		resp.header["Content-Type"] != "application/json" || resp.header["Cache-Control"] != "no-store" {
		t.Fatalf("listing leaks the secret or has wrong headers: %v %s", resp.header, resp.body)
	}
	d := l.Deliveries[0]
	if !strings.HasPrefix(d.ID, "msg_") || d.URL != rc.URL+"/flaky" || d.Attempts != 2 || d.NextAttemptAt != nil ||
		d.LastError != "" || len(d.AttemptLog) != 2 || d.CreatedAt == "" {
		t.Fatalf("delivery %+v", d)
	}
	a1, a2 := d.AttemptLog[0], d.AttemptLog[1]
	if a1.N != 1 || a1.StatusCode == nil || *a1.StatusCode != 500 || !strings.Contains(a1.Error, "HTTP 500") ||
		a2.N != 2 || a2.StatusCode == nil || *a2.StatusCode != 200 || a2.Error != "" || a1.DurationMS <= 0 || a1.At == "" {
		t.Fatalf("attempt log %+v", d.AttemptLog)
	}
	if _, err := time.Parse(time.RFC3339Nano, a2.At); err != nil {
		t.Errorf("attempt time %q: %v", a2.At, err)
	}

	// Another key sees nothing: 404, like an unknown slug.
	for _, tc := range []struct{ key, slug string }{{keyB, a.Slug}, {keyA, "zzzzzzzz"}, {keyA, "bad-slug"}} {
		r, _ := e.deliveries(t, tc.key, tc.slug)
		if r.status != 404 {
			t.Errorf("%s %s: %d %s", tc.key, tc.slug, r.status, r.body)
		}
		errorFields(t, r)
	}
	if r, _ := e.deliveries(t, "", a.Slug); r.status != 401 {
		t.Errorf("no key: %d", r.status)
	}
	if r := e.do(t, "POST", "/api/v2/renders/"+a.Slug+"/deliveries", "x-api-key", keyA); r.status != 405 || r.header["Allow"] != "GET" {
		t.Errorf("POST listing: %d %v", r.status, r.header)
	}

	// Redeliver: another key's id is not found; the owner's re-sends now.
	path := "/api/v2/deliveries/" + d.ID + "/redeliver"
	for _, tc := range []struct{ key, path string }{{keyB, path}, {keyA, "/api/v2/deliveries/msg_01ARZ3NDEKTSV4RRFFQ69G5FAV/redeliver"},
		{keyA, "/api/v2/deliveries/nope/redeliver"}} {
		r := e.do(t, "POST", tc.path, "x-api-key", tc.key)
		if r.status != 404 {
			t.Errorf("%s %s: %d %s", tc.key, tc.path, r.status, r.body)
		}
		errorFields(t, r)
	}
	if r := e.do(t, "GET", path, "x-api-key", keyA); r.status != 405 {
		t.Errorf("GET redeliver: %d", r.status)
	}
	if r := e.do(t, "POST", path); r.status != 401 {
		t.Errorf("redeliver without key: %d", r.status)
	}
	if n := len(rc.got("/flaky")); n != 2 {
		t.Fatalf("refused redeliveries sent something: %d requests", n)
	}
	rr := e.do(t, "POST", path, "x-api-key", keyA)
	var ack map[string]string
	if rr.status != 202 || json.Unmarshal(rr.body, &ack) != nil || ack["id"] != d.ID || ack["status"] != "pending" {
		t.Fatalf("redeliver: %d %s", rr.status, rr.body)
	}
	waitUntil(t, 5*time.Second, "the redelivery", func() bool { return len(rc.got("/flaky")) == 3 })
	waitUntil(t, 5*time.Second, "third attempt recorded", func() bool {
		_, l = e.deliveries(t, keyA, a.Slug)
		return l.Deliveries[0].Attempts == 3 && l.Deliveries[0].Status == "delivered"
	})
	if bodies := rc.got("/flaky"); bodies[2] != bodies[0] {
		t.Errorf("redelivered body differs: %s vs %s", bodies[2], bodies[0])
	}
}

func TestDeliveriesPendingFailedAndCached(t *testing.T) {
	e, _ := startDelivering(t)
	rc := newHookReceiver(t)
	body := map[string]any{"template": "blog", "title": "Never accepted", "webhookUrl": rc.URL + "/fail"}
	r, a := e.v2(t, keyA, body)
	if r.status != 201 {
		t.Fatal(r.status, string(r.body))
	}
	// Attempt 1 and 2 fail 50ms apart; attempt 3 is an hour away: pending.
	var l deliveryList
	waitUntil(t, 5*time.Second, "two failed attempts", func() bool {
		_, l = e.deliveries(t, keyA, a.Slug)
		return len(l.Deliveries) == 1 && l.Deliveries[0].Attempts == 2
	})
	d := l.Deliveries[0]
	if d.Status != "pending" || d.NextAttemptAt == nil || !strings.HasPrefix(d.LastError, "HTTP 500") {
		t.Fatalf("pending delivery %+v", d)
	}
	next, err := time.Parse(time.RFC3339Nano, *d.NextAttemptAt)
	if err != nil || time.Until(next) < 40*time.Minute {
		t.Fatalf("next_attempt_at %q: %v", *d.NextAttemptAt, err)
	}
	// Redeliver now: the third and last attempt fails too -> failed, kept.
	if rr := e.do(t, "POST", "/api/v2/deliveries/"+d.ID+"/redeliver", "x-api-key", keyA); rr.status != 202 {
		t.Fatalf("redeliver: %d %s", rr.status, rr.body)
	}
	waitUntil(t, 5*time.Second, "failed", func() bool {
		_, l = e.deliveries(t, keyA, a.Slug)
		return l.Deliveries[0].Status == "failed"
	})
	if d := l.Deliveries[0]; d.Attempts != 3 || len(d.AttemptLog) != 3 || d.NextAttemptAt != nil || len(rc.got("/fail")) != 3 {
		t.Fatalf("failed delivery %+v, %d requests", d, len(rc.got("/fail")))
	}

	// The same render again with a webhook: 200 cached, a second delivery
	// whose payload says cached.
	body["webhookUrl"] = rc.URL + "/cached"
	r2, a2 := e.v2(t, keyA, body)
	if r2.status != 200 || !a2.Cached || !a2.WebhookDispatched || a2.Slug != a.Slug {
		t.Fatalf("dedup: %d %s", r2.status, r2.body)
	}
	waitUntil(t, 5*time.Second, "cached delivery", func() bool { return len(rc.got("/cached")) == 1 })
	if got := rc.got("/cached")[0]; !strings.HasSuffix(got, `,"cached":true}`) || !strings.Contains(got, `"slug":"`+a.Slug+`"`) {
		t.Errorf("cached payload %s", got)
	}
	_, l = e.deliveries(t, keyA, a.Slug)
	if len(l.Deliveries) != 2 {
		t.Fatalf("%d deliveries listed", len(l.Deliveries))
	}
	// Without a webhook: nothing enqueued, and the listing is empty, not 404.
	r3, a3 := e.v2(t, keyA, map[string]any{"template": "blog", "title": "No hook"})
	if r3.status != 201 || a3.WebhookDispatched {
		t.Fatalf("no hook: %d %s", r3.status, r3.body)
	}
	if resp, l := e.deliveries(t, keyA, a3.Slug); resp.status != 200 || string(resp.body) != `{"deliveries":[]}` || len(l.Deliveries) != 0 {
		t.Fatalf("empty listing: %d %s", resp.status, resp.body)
	}
}
