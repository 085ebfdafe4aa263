package api_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/imagefetch"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/internal/golden"
)

// imageServer is a real https server on 127.0.0.1 serving a generated PNG at
// /avatar.png and /logo.png (404 elsewhere), counting requests per path.
type imageServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func (s *imageServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// bluePNG is a 64x64 opaque PNG in a colour no template uses.
func bluePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 0x10, 0xe0, 0x30, 0xff
	}
	img.Set(0, 0, color.RGBA{0xff, 0, 0, 0xff})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func newImageServer(t *testing.T) *imageServer {
	t.Helper()
	img := bluePNG(t)
	s := &imageServer{hits: map[string]int{}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		switch r.URL.Path {
		case "/avatar.png", "/logo.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(img)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// newTestFetcher fetches from 127.0.0.1 only (the allow list), trusting the
// test server's certificate.
func newTestFetcher(t *testing.T, srv *imageServer) *imagefetch.Fetcher {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	f, err := imagefetch.New(ssrf.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}),
		imagefetch.Config{Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: roots}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// metric reads one sample from /metrics (0 when absent).
func (e *env) metric(t *testing.T, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(string(e.do(t, "GET", "/metrics").body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	return 0
}

func fetches(field, outcome string) string {
	return `ogmint_image_fetches_total{field="` + field + `",outcome="` + outcome + `"}`
}

// TestV1FetchesAvatar: the avatar is fetched once, on the render; a card
// cache hit and a 304 fetch nothing; another card with the same avatar takes
// it from the fetcher's cache; the avatar is drawn.
func TestV1FetchesAvatar(t *testing.T) {
	srv := newImageServer(t)
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, fetcher: newTestFetcher(t, srv)})
	q := card("A card with a face")
	q.Set("avatar", srv.URL+"/avatar.png")

	r := e.do(t, "GET", og(q))
	if r.status != 200 || r.header["Content-Type"] != "image/png" {
		t.Fatalf("status %d type %q body %.300s", r.status, r.header["Content-Type"], r.body)
	}
	if n := srv.count("/avatar.png"); n != 1 {
		t.Fatalf("avatar fetched %d times, want 1", n)
	}
	if got := e.metric(t, fetches("avatar", "ok")); got != 1 {
		t.Errorf("%s = %v, want 1", fetches("avatar", "ok"), got)
	}

	// The same card again: a card cache hit, no fetch.
	r2 := e.do(t, "GET", og(q))
	if r2.status != 200 || !bytes.Equal(r2.body, r.body) {
		t.Fatalf("second request: status %d, same PNG %v", r2.status, bytes.Equal(r2.body, r.body))
	}
	// A 304 fetches nothing either.
	if r3 := e.do(t, "GET", og(q), "If-None-Match", r.header["ETag"]); r3.status != 304 {
		t.Fatalf("If-None-Match: status %d", r3.status)
	}
	if n := srv.count("/avatar.png"); n != 1 {
		t.Fatalf("avatar fetched %d times after a cache hit and a 304, want 1", n)
	}
	if got := e.metric(t, `ogmint_cache_hits_total{kind="v1_cache"}`); got != 1 {
		t.Errorf("v1 cache hits %v, want 1", got)
	}

	// Another card with the same avatar renders, with the fetched image
	// from the fetcher's cache.
	other := card("Another card, same face")
	other.Set("avatar", srv.URL+"/avatar.png")
	if r := e.do(t, "GET", og(other)); r.status != 200 {
		t.Fatalf("other card: %d %s", r.status, r.body)
	}
	if n := srv.count("/avatar.png"); n != 1 {
		t.Fatalf("avatar fetched %d times, want 1 (the fetcher's cache)", n)
	}
	if got := e.metric(t, fetches("avatar", "cached")); got != 1 {
		t.Errorf("%s = %v, want 1", fetches("avatar", "cached"), got)
	}

	// The avatar is drawn: the card differs from the one without it (a
	// named avatar the module did not get falls back to the initials, as
	// with no avatar at all).
	plain := card("A card with a face")
	rp := e.do(t, "GET", og(plain))
	if rp.status != 200 {
		t.Fatalf("card without avatar: %d %s", rp.status, rp.body)
	}
	with, err := golden.DecodeRGBA(r.body)
	if err != nil {
		t.Fatal(err)
	}
	without, err := golden.DecodeRGBA(rp.body)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(with, without) {
		t.Fatal("the card with the avatar has the same pixels as the card without it")
	}
}

// errorBody is the contract's error body.
type errorBody struct {
	Error   string `json:"error"`
	Details []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"details"`
}

// TestImageFetchFailureIs400: an image that cannot be fetched is a 400 in
// the contract's error shape naming the parameter; nothing is cached, so a
// retry fetches again.
func TestImageFetchFailureIs400(t *testing.T) {
	srv := newImageServer(t)
	log := &syncBuffer{}
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, fetcher: newTestFetcher(t, srv), keys: []string{keyA}, log: log})
	q := card("Broken avatar")
	q.Set("avatar", srv.URL+"/missing.png")
	for i := 1; i <= 2; i++ {
		r := e.do(t, "GET", og(q))
		if r.status != 400 {
			t.Fatalf("status %d body %s", r.status, r.body)
		}
		if f := errorFields(t, r); len(f) != 1 || f[0] != "avatar" {
			t.Fatalf("fields %v, body %s", f, r.body)
		}
		var body errorBody
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Error != "invalid parameters" || body.Details[0].Message != "could not be fetched: HTTP 404" {
			t.Fatalf("body %s", r.body)
		}
		if r.header["Cache-Control"] != "no-store" {
			t.Errorf("Cache-Control %q", r.header["Cache-Control"])
		}
		if n := srv.count("/missing.png"); n != i {
			t.Fatalf("request %d: %d fetches", i, n)
		}
	}
	if got := e.metric(t, fetches("avatar", "status")); got != 2 {
		t.Errorf("%s = %v, want 2", fetches("avatar", "status"), got)
	}

	// Both images failing: both named, sorted as every field error is.
	both := card("Broken both")
	both.Set("avatar", srv.URL+"/missing.png")
	both.Set("logo", srv.URL+"/gone.png")
	r := e.do(t, "GET", og(both))
	if f := errorFields(t, r); r.status != 400 || strings.Join(f, ",") != "avatar,logo" {
		t.Fatalf("status %d fields %v", r.status, f)
	}

	// A blocked address: refused before any connection. The caller reads
	// the category; the guard's reason (which names addresses) is logged.
	blocked := card("Blocked logo")
	blocked.Set("logo", "https://10.0.0.1/logo.png")
	r = e.do(t, "GET", og(blocked))
	var body errorBody
	if err := json.Unmarshal(r.body, &body); err != nil || r.status != 400 || len(body.Details) != 1 ||
		body.Details[0].Field != "logo" || body.Details[0].Message != "could not be fetched: blocked address" {
		t.Fatalf("blocked: status %d body %s", r.status, r.body)
	}
	if l := log.String(); !strings.Contains(l, "image fetch failed") || !strings.Contains(l, "SSRF guard") || !strings.Contains(l, "10.0.0.1") {
		t.Errorf("the server log lacks the blocked fetch's detail:\n%s", l)
	}

	// V2: the same 400, and no render is stored.
	r, _ = e.v2(t, keyA, map[string]any{"template": "blog", "title": "V2 broken", "avatar": srv.URL + "/missing.png"})
	if f := errorFields(t, r); r.status != 400 || len(f) != 1 || f[0] != "avatar" {
		t.Fatalf("v2: status %d body %s", r.status, r.body)
	}
}

// TestV2FetchesImagesOnce: a new V2 render fetches its avatar and logo; a
// dedup hit fetches nothing.
func TestV2FetchesImagesOnce(t *testing.T) {
	srv := newImageServer(t)
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, fetcher: newTestFetcher(t, srv), keys: []string{keyA}})
	body := map[string]any{"template": "blog", "title": "V2 with images", "author": "Ada Lovelace",
		"avatar": srv.URL + "/avatar.png", "logo": srv.URL + "/logo.png"}
	r1, a1 := e.v2(t, keyA, body)
	if r1.status != 201 {
		t.Fatalf("first: %d %s", r1.status, r1.body)
	}
	r2, a2 := e.v2(t, keyA, body)
	if r2.status != 200 || !a2.Cached || a2.Slug != a1.Slug {
		t.Fatalf("second: %d %s", r2.status, r2.body)
	}
	if a, l := srv.count("/avatar.png"), srv.count("/logo.png"); a != 1 || l != 1 {
		t.Fatalf("fetched avatar %d and logo %d times, want 1 each", a, l)
	}
	img := e.do(t, "GET", "/i/"+a1.Slug)
	if img.status != 200 || img.header["Content-Type"] != "image/png" {
		t.Fatalf("image: %d", img.status)
	}
	// The stored card is the V1 card of the same parameters (both fetched
	// and drawn the same way).
	q := url.Values{}
	for k, v := range body {
		q.Set(k, v.(string))
	}
	v1 := e.do(t, "GET", og(q))
	if v1.status != 200 || !bytes.Equal(v1.body, img.body) {
		t.Fatalf("V1 card of the same parameters: status %d, same bytes %v", v1.status, bytes.Equal(v1.body, img.body))
	}
	if a := srv.count("/avatar.png"); a != 1 {
		t.Fatalf("the V1 card fetched the avatar again (%d): want the fetcher's cache", a)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
