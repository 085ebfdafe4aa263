package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/ratelimit"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/wasm/abi"
	wmodule "github.com/ogmint/ogmint/wasm/module"
)

type v2Answer struct {
	Success           bool   `json:"success"`
	Slug              string `json:"slug"`
	URL               string `json:"url"`
	Cached            bool   `json:"cached"`
	WebhookDispatched bool   `json:"webhook_dispatched"`
}

func (e *env) v2(t *testing.T, key string, body any) (response, v2Answer) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	var headers []string
	if key != "" {
		headers = []string{"x-api-key", key}
	}
	r := e.doBody(t, "POST", "/api/v2/render", raw, headers...)
	var a v2Answer
	if r.status < 300 {
		if err := json.Unmarshal(r.body, &a); err != nil {
			t.Fatalf("answer %q: %v", r.body, err)
		}
	}
	return r, a
}

var slugRE = regexp.MustCompile(`^[0-9A-Za-z]{8}$`)

func TestV2CreateThenCached(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA, keyB}})
	body := map[string]any{"template": "blog", "title": "Stored once", "palette": "forest", "metadata": map[string]any{"postId": "p1"}}
	r1, a1 := e.v2(t, keyA, body)
	if r1.status != 201 || !a1.Success || a1.Cached || !slugRE.MatchString(a1.Slug) || a1.URL != e.base+"/i/"+a1.Slug {
		t.Fatalf("first: %d %s", r1.status, r1.body)
	}
	if a1.WebhookDispatched {
		t.Error("webhook_dispatched true without a webhookUrl")
	}
	if !strings.HasPrefix(string(r1.body), `{"success":true,"slug":`) {
		t.Errorf("key order: %s", r1.body)
	}
	// Same render-affecting parameters, other metadata, aliases, explicit
	// palette colours: the same render.
	same := map[string]any{"title": "Stored once", "template": "blog", "bgColor": "0B1F17", "palette": "forest", "metadata": map[string]any{"postId": "p2"}}
	r2, a2 := e.v2(t, keyA, same)
	if r2.status != 200 || !a2.Cached || a2.Slug != a1.Slug || a2.URL != a1.URL {
		t.Fatalf("second: %d %s (first slug %s)", r2.status, r2.body, a1.Slug)
	}
	if !strings.Contains(string(r2.body), `"cached":true`) {
		t.Errorf("cached answer %s", r2.body)
	}
	// Another key: its own render and slug.
	r3, a3 := e.v2(t, keyB, body)
	if r3.status != 201 || a3.Slug == a1.Slug {
		t.Fatalf("other key: %d %s", r3.status, r3.body)
	}
	// A different render-affecting field: a new render.
	body["tag"] = "New"
	if r4, a4 := e.v2(t, keyA, body); r4.status != 201 || a4.Slug == a1.Slug {
		t.Fatalf("changed tag: %d %s", r4.status, r4.body)
	}

	// The image: PNG, immutable caching, ETag and 304, pixels as rendered natively.
	img := e.do(t, "GET", "/i/"+a1.Slug)
	if img.status != 200 || img.header["Content-Type"] != "image/png" || img.header["Cache-Control"] != "public, max-age=31536000, immutable" {
		t.Fatalf("image: %d %v", img.status, img.header)
	}
	got, err := golden.DecodeRGBA(img.body)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := wmodule.New()
	q := url.Values{"template": {"blog"}, "title": {"Stored once"}, "palette": {"forest"}}.Encode()
	m.Render(copy(m.Request(len(q)), q))
	if d := golden.Diff(got, m.Pixels(), abi.Width); d != "" {
		t.Fatal("stored image differs from the native render:", d)
	}
	if r := e.do(t, "GET", "/i/"+a1.Slug, "If-None-Match", img.header["ETag"]); r.status != 304 {
		t.Errorf("If-None-Match: %d", r.status)
	}
	if r := e.do(t, "HEAD", "/i/"+a1.Slug); r.status != 200 || len(r.body) != 0 || r.header["Content-Length"] != fmt.Sprint(len(img.body)) {
		t.Errorf("HEAD: %d %d %v", r.status, len(r.body), r.header)
	}
	for _, slug := range []string{"zzzzzzzz", "short", "has-dash", "123456789"} {
		r := e.do(t, "GET", "/i/"+slug)
		if r.status != 404 {
			t.Errorf("/i/%s: %d", slug, r.status)
		}
		errorFields(t, r)
	}
}

func TestV2ConcurrentIdenticalRenderOnce(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 2}, keys: []string{keyA}})
	before := e.pool.Stats().Renders
	body := map[string]any{"template": "blog", "title": "A hundred callers", "author": "Grace Hopper"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	slugs := map[string]int{}
	statuses := map[int]int{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, a := e.v2(t, keyA, body)
			mu.Lock()
			statuses[r.status]++
			slugs[a.Slug]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(slugs) != 1 || statuses[201] != 1 || statuses[200] != 99 {
		t.Fatalf("slugs %v statuses %v", slugs, statuses)
	}
	if n := e.pool.Stats().Renders - before; n != 1 {
		t.Errorf("100 identical requests rendered %d times", n)
	}
}

func TestV2Errors(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}, maxBody: 8 << 10,
		keyRate: ratelimit.New(1, time.Hour, 100)})
	// No case below renders: every one is rejected before the pool.
	ok := `{"template":"blog","title":"x"}`
	for _, tc := range []struct {
		name   string
		key    string
		body   string
		status int
		fields []string
	}{
		{"no key", "", ok, 401, []string{"x-api-key"}},
		{"wrong key", "key-zzz-0123456789abcdef", ok, 401, []string{"x-api-key"}},
		{"empty body", keyA, "", 400, []string{"body"}},
		{"not JSON", keyA, `{"template":`, 400, []string{"body"}},
		{"array body", keyA, `[1,2]`, 400, []string{"body"}},
		{"missing title", keyA, `{"template":"blog"}`, 400, []string{"title"}},
		{"title not a string", keyA, `{"template":"blog","title":5}`, 400, []string{"title"}},
		{"unknown field", keyA, `{"template":"blog","title":"x","colour":"red"}`, 400, []string{"colour"}},
		{"bad colour", keyA, `{"template":"blog","title":"x","bgColor":"#000"}`, 400, []string{"bgColor"}},
		{"webhook not https", keyA, `{"template":"blog","title":"x","webhookUrl":"http://example.com/h"}`, 400, []string{"webhookUrl"}},
		{"webhook private", keyA, `{"template":"blog","title":"x","webhookUrl":"https://10.0.0.1/h"}`, 400, []string{"webhookUrl"}},
		{"webhook odd loopback", keyA, `{"template":"blog","title":"x","webhookUrl":"https://167772161/h"}`, 400, []string{"webhookUrl"}},
		{"webhook userinfo", keyA, `{"template":"blog","title":"x","webhookUrl":"https://u:p@example.com/h"}`, 400, []string{"webhookUrl"}},
		{"webhook metadata host", keyA, `{"template":"blog","title":"x","webhookUrl":"https://metadata.google.internal/h"}`, 400, []string{"webhookUrl"}},
		{"secret too long", keyA, `{"template":"blog","title":"x","webhookUrl":"https://example.com/h","webhookSecret":"` + strings.Repeat("s", 101) + `"}`, 400, []string{"webhookSecret"}},
		{"secret without url", keyA, `{"template":"blog","title":"x","webhookSecret":"s"}`, 400, []string{"webhookSecret"}},
		{"metadata not object", keyA, `{"template":"blog","title":"x","metadata":[1]}`, 400, []string{"metadata"}},
		{"metadata lone surrogate", keyA, `{"template":"blog","title":"x","metadata":{"a":"\ud800"}}`, 400, []string{"metadata"}},
		{"metadata too deep", keyA, `{"template":"blog","title":"x","metadata":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}}`, 400, []string{"metadata"}},
		{"several at once", keyA, `{"template":"blog","title":"","bg":"zz","webhookUrl":"ftp://x"}`, 400, []string{"bg", "title", "webhookUrl"}},
		{"custom template", keyA, `{"template":"custom_abc","title":"x"}`, 404, []string{"template"}},
		{"body too large", keyA, `{"template":"blog","title":"` + strings.Repeat("x", 9000) + `"}`, 413, []string{"body"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := e.v2(t, tc.key, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			got := errorFields(t, r)
			if fmt.Sprint(got) != fmt.Sprint(tc.fields) {
				t.Errorf("fields %v, want %v (%s)", got, tc.fields, r.body)
			}
		})
	}
	if r := e.do(t, "GET", "/api/v2/render"); r.status != 405 || r.header["Allow"] != "POST" {
		t.Errorf("GET /api/v2/render: %d Allow %q", r.status, r.header["Allow"])
	}
	// The per-key limit counts renders, not dedup hits.
	limited := `{"template":"blog","title":"under the limit"}`
	if r, _ := e.v2(t, keyA, limited); r.status != 201 {
		t.Fatalf("first render: %d %s", r.status, r.body)
	}
	if r, _ := e.v2(t, keyA, limited); r.status != 200 {
		t.Fatalf("dedup hit under the limit: %d %s", r.status, r.body)
	}
	r, _ := e.v2(t, keyA, `{"template":"blog","title":"another"}`)
	if r.status != 429 || r.header["Retry-After"] == "" {
		t.Fatalf("second render: %d %v", r.status, r.header)
	}
	errorFields(t, r)
}

// TestV2RestartKeepsSlugs stops everything (server, pool, store) and serves
// the same data directory again: every slug and dedup entry is still there.
func TestV2RestartKeepsSlugs(t *testing.T) {
	dir := t.TempDir()
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}, dataDir: dir})
	images := map[string][]byte{}
	for i := 0; i < 5; i++ {
		r, a := e.v2(t, keyA, map[string]any{"template": "blog", "title": fmt.Sprintf("Kept %d", i)})
		if r.status != 201 {
			t.Fatal(r.status, string(r.body))
		}
		images[a.Slug] = e.do(t, "GET", "/i/"+a.Slug).body
	}
	e.stop()
	e2 := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}, dataDir: dir})
	for slug, png := range images {
		r := e2.do(t, "GET", "/i/"+slug)
		if r.status != 200 || string(r.body) != string(png) {
			t.Errorf("after restart /i/%s: %d, %d bytes (want %d)", slug, r.status, len(r.body), len(png))
		}
	}
	r, a := e2.v2(t, keyA, map[string]any{"template": "blog", "title": "Kept 3"})
	if r.status != 200 || !a.Cached || images[a.Slug] == nil {
		t.Errorf("dedup after restart: %d %s", r.status, r.body)
	}
}

func TestMetricsMove(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}})
	metric := func(name string) float64 {
		body := string(e.do(t, "GET", "/metrics").body)
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, name+" ") {
				var v float64
				fmt.Sscan(strings.TrimPrefix(line, name+" "), &v)
				return v
			}
		}
		return 0
	}
	renders := `ogmint_renders_total{outcome="ok",template="blog"}`
	dedup := `ogmint_cache_hits_total{kind="v2_dedup"}`
	v1hits := `ogmint_cache_hits_total{kind="v1_cache"}`
	created := `ogmint_http_responses_total{code="201",route="/api/v2/render"}`
	before := map[string]float64{}
	for _, n := range []string{renders, dedup, v1hits, created} {
		before[n] = metric(n)
	}
	e.v2(t, keyA, map[string]any{"template": "blog", "title": "Counted"})
	e.v2(t, keyA, map[string]any{"template": "blog", "title": "Counted"})
	e.do(t, "GET", og(card("counted v1")))
	e.do(t, "GET", og(card("counted v1")))
	for n, want := range map[string]float64{renders: 2, dedup: 1, v1hits: 1, created: 1} {
		if got := metric(n) - before[n]; got != want {
			t.Errorf("%s moved by %v, want %v", n, got, want)
		}
	}
	for _, g := range []string{"ogmint_pool_instances", "ogmint_render_duration_seconds_count{template=\"blog\"}"} {
		if metric(g) < 1 {
			t.Errorf("%s not reported", g)
		}
	}
	if r := e.do(t, "GET", "/readyz"); r.status != 200 {
		t.Errorf("readyz %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/healthz", "X-Request-Id", "trace-123"); r.header["X-Request-Id"] != "trace-123" {
		t.Errorf("request id not echoed: %q", r.header["X-Request-Id"])
	}
}
