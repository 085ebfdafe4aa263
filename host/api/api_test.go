package api_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/api"
	"github.com/ogmint/ogmint/host/apikeys"
	"github.com/ogmint/ogmint/host/cardcache"
	"github.com/ogmint/ogmint/host/filetemplates"
	"github.com/ogmint/ogmint/host/imagefetch"
	"github.com/ogmint/ogmint/host/jsjson"
	"github.com/ogmint/ogmint/host/metrics"
	"github.com/ogmint/ogmint/host/module"
	"github.com/ogmint/ogmint/host/ratelimit"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/webhook"
	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
	wmodule "github.com/ogmint/ogmint/wasm/module"
)

var debugWasm []byte

func TestMain(m *testing.M) {
	var err error
	// The debug build understands "debug-spin-ms:N" in a title (deadline tests);
	// everything else is the release module.
	debugWasm, err = module.Build(context.Background(), module.BuildOptions{Tags: []string{"ogmint_debug"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

type env struct {
	base  string
	pool  *renderpool.Pool
	store *store.SQLite
	stop  func() // shuts the server, pool and store down (also run at cleanup)
}

type setup struct {
	pool      renderpool.Config
	rate      *ratelimit.Limiter
	keyRate   *ratelimit.Limiter
	keys      []string
	cacheSize int
	dataDir   string // SQLite store directory; default a fresh temp dir
	maxBody   int
	fetcher   *imagefetch.Fetcher                // avatar and logo fetches; nil: none
	log       io.Writer                          // the server's log; nil: discarded
	files     map[string]*filetemplates.Template // OGMINT_TEMPLATES_DIR's templates
	tlimits   templates.Limits                   // custom template limits (zero: the defaults)
	pages     func(*fasthttp.RequestCtx) bool    // Options.Pages
	maxFont   int                                // Options.MaxFontBytes
	signKeys  [][]byte                           // Options.SigningKeys
}

// Two V2 keys used throughout.
const (
	keyA = "key-a-0123456789abcdef"
	keyB = "key-b-0123456789abcdef"
)

// start serves a real API on 127.0.0.1 with a real pool of the debug module.
func start(t *testing.T, s setup) *env {
	t.Helper()
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	if s.pool.CacheDir == "" {
		s.pool.CacheDir = os.TempDir() + "/ogmint-test-wazero-cache"
	}
	pool, err := renderpool.New(context.Background(), debugWasm, s.pool)
	if err != nil {
		t.Fatal(err)
	}
	if s.cacheSize == 0 {
		s.cacheSize = 16 << 20
	}
	keys, err := apikeys.New(s.keys, "test")
	if err != nil {
		t.Fatal(err)
	}
	if s.dataDir == "" {
		s.dataDir = t.TempDir()
	}
	st, err := store.OpenSQLite(context.Background(), s.dataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	srv := api.New(api.Options{Pool: pool, Templates: set, Cache: cardcache.New(s.cacheSize), RateLimit: s.rate, Keys: keys,
		Images: cardcache.New(16 << 20), KeyRateLimit: s.keyRate, Store: st, PublicURL: base,
		Webhooks: ssrf.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}),
		Metadata: func(raw []byte) ([]byte, error) {
			return jsjson.Object(raw, jsjson.Limits{MaxBytes: 4096, MaxDepth: 8})
		},
		Payload: func(url, slug, template string, metadata []byte, created time.Time, cached bool) []byte {
			return webhook.Payload{URL: url, Slug: slug, Template: template, Metadata: metadata, CreatedAt: created, Cached: cached}.Body()
		},
		Logger:          slog.New(slog.NewTextHandler(cmp.Or(s.log, io.Discard), nil)),
		Fetcher:         s.fetcher,
		MaxRequestBytes: 64 << 10,
		FileTemplates:   s.files,
		TemplateLimits:  s.tlimits,
		Pages:           s.pages,
		MaxFontBytes:    s.maxFont,
		SigningKeys:     s.signKeys,
		Metrics: metrics.New(func() (int, int, int, uint64) {
			st := pool.Stats()
			return st.Instances, st.Busy, st.Waiting, st.Replaced
		}, nil),
	})
	if s.maxBody == 0 {
		s.maxBody = 64 << 10
	}
	hs := &fasthttp.Server{Handler: srv.Handler, ReadTimeout: 10 * time.Second, MaxRequestBodySize: s.maxBody, ErrorHandler: api.ParseErrorHandler}
	go hs.Serve(ln)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = hs.Shutdown()
			_ = pool.Close(context.Background())
			_ = st.Close()
		})
	}
	t.Cleanup(stop)
	return &env{base: base, pool: pool, store: st, stop: stop}
}

type response struct {
	status int
	header map[string]string
	body   []byte
}

func (e *env) do(t *testing.T, method, path string, headers ...string) response {
	t.Helper()
	return e.doBody(t, method, path, nil, headers...)
}

// doBody sends a request with a body.
func (e *env) doBody(t *testing.T, method, path string, body []byte, headers ...string) response {
	t.Helper()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(e.base + path)
	req.Header.SetMethod(method)
	if body != nil {
		req.SetBody(body)
		req.Header.SetContentType("application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	c := &fasthttp.Client{ReadTimeout: 10 * time.Second}
	if method == "HEAD" {
		resp.SkipBody = true
	}
	if err := c.DoTimeout(req, resp, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode(), header: map[string]string{}, body: append([]byte(nil), resp.Body()...)}
	for _, k := range []string{"Content-Type", "Cache-Control", "ETag", "Retry-After", "Content-Length", "Allow", "X-Request-Id"} {
		r.header[k] = string(resp.Header.Peek(k))
	}
	return r
}

func og(q url.Values) string { return "/api/og?" + q.Encode() }

func card(title string) url.Values {
	return url.Values{"template": {"blog"}, "title": {title}, "author": {"Ada Lovelace"}, "palette": {"ocean"}}
}

// errorFields decodes a JSON error body and returns its field names.
func errorFields(t *testing.T, r response) []string {
	t.Helper()
	if r.header["Content-Type"] != "application/json" {
		t.Fatalf("error Content-Type %q, body %q", r.header["Content-Type"], r.body)
	}
	var body struct {
		Error   string `json:"error"`
		Details []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"details"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || body.Error == "" {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	var out []string
	for _, d := range body.Details {
		out = append(out, d.Field)
	}
	return out
}

func TestV1RendersPNGWithCachingHeaders(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}})
	q := card("Pixels over HTTP")
	r := e.do(t, "GET", og(q))
	if r.status != 200 || r.header["Content-Type"] != "image/png" {
		t.Fatalf("status %d type %q body %.200s", r.status, r.header["Content-Type"], r.body)
	}
	if r.header["Cache-Control"] != api.V1CacheControl {
		t.Errorf("Cache-Control %q", r.header["Cache-Control"])
	}
	etag := r.header["ETag"]
	if len(etag) < 10 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		t.Errorf("ETag %q is not a strong validator", etag)
	}
	// The PNG decodes to exactly the pixels the native renderer draws.
	got, err := golden.DecodeRGBA(r.body)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wmodule.New()
	if err != nil {
		t.Fatal(err)
	}
	qs := q.Encode()
	if st := m.Render(copy(m.Request(len(qs)), qs)); st != abi.StatusOK {
		t.Fatal(st)
	}
	if d := golden.Diff(got, m.Pixels(), abi.Width); d != "" {
		t.Fatal("HTTP card differs from the native render:", d)
	}

	// Same parameters in another order and through aliases: same ETag.
	alt := url.Values{"palette": {"ocean"}, "author": {"Ada Lovelace"}, "title": {"Pixels over HTTP"}, "template": {"blog"}, "utm_source": {"x"}}
	if r2 := e.do(t, "GET", og(alt)); r2.header["ETag"] != etag || r2.status != 200 {
		t.Errorf("equivalent request: status %d ETag %q, want %q", r2.status, r2.header["ETag"], etag)
	}

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		r304 := e.do(t, "GET", og(q), "If-None-Match", inm)
		if r304.status != 304 || len(r304.body) != 0 || r304.header["ETag"] != etag {
			t.Errorf("If-None-Match %s: status %d, %d body bytes, ETag %q", inm, r304.status, len(r304.body), r304.header["ETag"])
		}
	}
	if r := e.do(t, "GET", og(q), "If-None-Match", `"stale"`); r.status != 200 {
		t.Errorf("stale If-None-Match: status %d", r.status)
	}

	h := e.do(t, "HEAD", og(q))
	if h.status != 200 || len(h.body) != 0 || h.header["ETag"] != etag || h.header["Content-Type"] != "image/png" {
		t.Errorf("HEAD: status %d, %d body bytes, headers %v", h.status, len(h.body), h.header)
	}
	if h.header["Content-Length"] != strconv.Itoa(len(r.body)) {
		t.Errorf("HEAD Content-Length %q, GET body %d bytes", h.header["Content-Length"], len(r.body))
	}
	if h := e.do(t, "HEAD", og(q), "If-None-Match", etag); h.status != 304 {
		t.Errorf("HEAD with If-None-Match: %d", h.status)
	}
}

// TestV1Errors: the error cases themselves are the shared vectors in
// internal/vectors/v1.json (run by TestV1Vectors here and by the edge tests
// in workerd and Deno); this keeps what needs a configured key.
func TestV1Errors(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{"k-good-0123456789abcdef"}})
	if r := e.do(t, "POST", og(card("x"))); r.status != 405 || r.header["Allow"] != "GET, HEAD" {
		t.Errorf("405: status %d, Allow %q", r.status, r.header["Allow"])
	}
	if r := e.do(t, "GET", og(card("with a good key")), "x-api-key", "k-good-0123456789abcdef"); r.status != 200 {
		t.Errorf("good key: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", og(card("with a bad key")), "x-api-key", "k-bad"); r.status != 401 {
		t.Errorf("bad key: %d %s", r.status, r.body)
	}
}

func TestV1RateLimitCountsRendersNotHits(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, rate: ratelimit.New(2, time.Hour, 1000), keys: []string{"k-0123456789abcdef"}})
	first := e.do(t, "GET", og(card("one")))
	if first.status != 200 {
		t.Fatal(first.status)
	}
	if r := e.do(t, "GET", og(card("two"))); r.status != 200 {
		t.Fatal(r.status)
	}
	r := e.do(t, "GET", og(card("three")))
	if r.status != 429 {
		t.Fatalf("third render: %d, want 429", r.status)
	}
	if ra, _ := strconv.Atoi(r.header["Retry-After"]); ra < 1 {
		t.Errorf("Retry-After %q", r.header["Retry-After"])
	}
	errorFields(t, r)
	// Cache hits and 304s are not renders: still served.
	if r := e.do(t, "GET", og(card("one"))); r.status != 200 {
		t.Errorf("cache hit after the limit: %d", r.status)
	}
	if r := e.do(t, "GET", og(card("one")), "If-None-Match", first.header["ETag"]); r.status != 304 {
		t.Errorf("304 after the limit: %d", r.status)
	}
	// A valid API key is not limited per IP.
	if r := e.do(t, "GET", og(card("three")), "x-api-key", "k-0123456789abcdef"); r.status != 200 {
		t.Errorf("keyed render after the limit: %d", r.status)
	}
}

func TestV1CacheAndSingleflight(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 2}})
	before := e.pool.Stats().Renders
	path := og(card("many callers, one render"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do(t, "GET", path)
			mu.Lock()
			statuses[r.status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	e.do(t, "GET", path)
	if statuses[200] != 20 {
		t.Fatalf("statuses %v", statuses)
	}
	if n := e.pool.Stats().Renders - before; n != 1 {
		t.Errorf("21 requests for one card rendered %d times, want 1", n)
	}
}

func TestV1DeadlineReplacesInstance(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1, Deadline: 300 * time.Millisecond}})
	t0 := time.Now()
	r := e.do(t, "GET", og(card("slow debug-spin-ms:5000")))
	if r.status != 500 {
		t.Fatalf("over-deadline render: %d %s", r.status, r.body)
	}
	if el := time.Since(t0); el > 3*time.Second {
		t.Errorf("deadline of 300ms answered after %v", el)
	}
	errorFields(t, r)
	if r := e.do(t, "GET", og(card("the next render"))); r.status != 200 {
		t.Fatalf("render after a timeout: %d %s", r.status, r.body)
	}
	if st := e.pool.Stats(); st.Replaced < 1 || st.Instances != 1 {
		t.Errorf("stats after a timeout: %+v", st)
	}
}

func TestV1QueueFullIs503(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1, QueueSize: 1, Deadline: 10 * time.Second}})
	var wg sync.WaitGroup
	results := make(chan response, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- e.do(t, "GET", og(card(fmt.Sprintf("busy %d debug-spin-ms:800", i))))
		}(i)
		time.Sleep(20 * time.Millisecond)
	}
	wg.Wait()
	close(results)
	counts := map[int]int{}
	for r := range results {
		counts[r.status]++
		if r.status == 503 {
			if r.header["Retry-After"] == "" {
				t.Error("503 without Retry-After")
			}
			errorFields(t, r)
		}
	}
	// One renders, one waits, the other four find the queue full.
	if counts[503] < 3 || counts[200] < 1 || counts[200]+counts[503] != 6 {
		t.Errorf("statuses %v, want some 200s and >=3 503s", counts)
	}
}

func TestTemplatesAndHealth(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}})
	r := e.do(t, "GET", "/api/templates")
	var info wmodule.Info
	if err := json.Unmarshal(r.body, &info); err != nil || r.status != 200 {
		t.Fatalf("templates: %d %v", r.status, err)
	}
	set, _ := templates.Load()
	if len(info.Templates) != len(set.Templates) || len(info.Palettes) != 5 {
		t.Errorf("templates %d (want %d), palettes %d", len(info.Templates), len(set.Templates), len(info.Palettes))
	}
	for _, ti := range info.Templates {
		if len(ti.Params) == 0 || ti.Description == "" {
			t.Errorf("template %s lacks params or description", ti.Name)
		}
	}
	h := e.do(t, "GET", "/healthz")
	var health map[string]any
	if err := json.Unmarshal(h.body, &health); err != nil || h.status != 200 || health["status"] != "ok" {
		t.Fatalf("healthz %d %s", h.status, h.body)
	}
}
