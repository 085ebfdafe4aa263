package imagefetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/wasm/abi"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// testPNG is a small opaque PNG.
func testPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 16), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// server is a real HTTP server on 127.0.0.1 counting requests per path.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *server) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.hits {
		n += v
	}
	return n
}

// newServer serves h (plain http, or TLS) and counts hits. done is closed at
// cleanup, before the server closes, so handlers that wait can leave.
func newServer(t *testing.T, tlsOn bool, h func(s *server, done <-chan struct{}) http.HandlerFunc) *server {
	t.Helper()
	s := &server{hits: map[string]int{}}
	done := make(chan struct{})
	inner := h(s, done)
	hf := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		inner(w, r)
	})
	if tlsOn {
		s.Server = httptest.NewTLSServer(hf)
	} else {
		s.Server = httptest.NewServer(hf)
	}
	t.Cleanup(func() {
		close(done)
		s.Close()
	})
	return s
}

// images serves the routes the tests use.
func images(t *testing.T, pngBytes []byte) func(s *server, done <-chan struct{}) http.HandlerFunc {
	return func(s *server, done <-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/avatar.png":
				w.Header().Set("Content-Type", "image/png")
				w.Write(pngBytes)
			case "/untyped", "/untyped-html":
				// No Content-Type at all (net/http would sniff one in).
				w.Header()["Content-Type"] = nil
				if r.URL.Path == "/untyped" {
					w.Write(pngBytes)
				} else {
					w.Write([]byte("<html>not an image</html>"))
				}
			case "/octet":
				w.Header().Set("Content-Type", "application/octet-stream")
				w.Write(pngBytes)
			case "/html":
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write([]byte("<html>not an image</html>"))
			case "/empty":
				w.Header().Set("Content-Type", "image/png")
			case "/big":
				w.Header().Set("Content-Type", "image/png")
				w.Write(bytes.Repeat([]byte{1}, 2048))
			case "/bigchunked":
				w.Header().Set("Content-Type", "image/png")
				for i := 0; i < 8; i++ {
					w.Write(bytes.Repeat([]byte{1}, 256))
					w.(http.Flusher).Flush()
				}
			case "/exact":
				w.Header().Set("Content-Type", "image/png")
				w.Write(bytes.Repeat([]byte{1}, 1024))
			case "/slow":
				select {
				case <-time.After(5 * time.Second):
				case <-done:
				case <-r.Context().Done():
				}
				w.Header().Set("Content-Type", "image/png")
				w.Write(pngBytes)
			case "/slowbody":
				w.Header().Set("Content-Type", "image/png")
				w.Header().Set("Content-Length", strconv.Itoa(len(pngBytes)))
				w.Write(pngBytes[:10])
				w.(http.Flusher).Flush()
				select {
				case <-time.After(5 * time.Second):
				case <-done:
				case <-r.Context().Done():
				}
				w.Write(pngBytes[10:])
			case "/redirect":
				http.Redirect(w, r, "/avatar.png", http.StatusFound)
			case "/redirect-private":
				http.Redirect(w, r, "http://10.0.0.1/avatar.png", http.StatusFound)
			case "/redirect-metadata":
				http.Redirect(w, r, "https://169.254.169.254/latest/meta-data/", http.StatusMovedPermanently)
			case "/redirect-other-host":
				port := s.Listener.Addr().(*net.TCPAddr).Port
				http.Redirect(w, r, "http://127.0.0.2:"+strconv.Itoa(port)+"/avatar.png", http.StatusTemporaryRedirect)
			case "/redirect-localhost":
				http.Redirect(w, r, "https://localhost/avatar.png", http.StatusFound)
			case "/redirect-plain-public":
				http.Redirect(w, r, "http://93.184.216.34/avatar.png", http.StatusFound)
			case "/loop":
				http.Redirect(w, r, "/loop", http.StatusFound)
			case "/redirect-no-location":
				w.WriteHeader(http.StatusFound)
			default:
				http.NotFound(w, r)
			}
		}
	}
}

func newTLS(roots *x509.CertPool) *tls.Config { return &tls.Config{RootCAs: roots} }

func newFetcher(t *testing.T, allow []netip.Prefix, cfg Config) *Fetcher {
	t.Helper()
	f, err := New(ssrf.New(allow), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.client.CloseIdleConnections)
	return f
}

// newFetcherResolving is newFetcher with the names in hosts resolved from
// the map (others fail to resolve).
func newFetcherResolving(t *testing.T, allow []netip.Prefix, hosts map[string][]netip.Addr) *Fetcher {
	t.Helper()
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		if a, ok := hosts[host]; ok {
			return a, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	f, err := New(ssrf.New(allow, ssrf.WithResolver(resolve)), Config{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.client.CloseIdleConnections)
	return f
}

func wantKind(t *testing.T, err error, kind Kind) *Error {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want an *Error of kind %s", err, err, kind)
	}
	if fe.Kind != kind {
		t.Fatalf("kind %s (%v), want %s", fe.Kind, fe, kind)
	}
	return fe
}

func TestConfig(t *testing.T) {
	d := Config{}.WithDefaults()
	if d.MaxBytes != 4<<20 || d.Timeout != 3*time.Second || d.CacheMiB != 32 || d.CacheTTL != 10*time.Minute ||
		d.MaxRedirects != 3 || d.UserAgent == "" {
		t.Fatalf("defaults: %+v", d)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Config{
		{MaxBytes: abi.MaxImageBytes + 1},
		{MaxBytes: -1},
		{Timeout: -time.Second},
		{Timeout: time.Hour},
		{MaxRedirects: 100},
	} {
		if _, err := New(ssrf.New(nil), c); err == nil {
			t.Errorf("New accepted %+v", c)
		}
	}
	if _, err := New(nil, Config{}); err == nil {
		t.Error("New accepted a nil guard")
	}
	if c := (Config{CacheMiB: -5, MaxRedirects: -2}).WithDefaults(); c.CacheMiB != -1 || c.MaxRedirects != -1 {
		t.Errorf("negative settings: %+v", c)
	}
}

func TestFetchOK(t *testing.T) {
	img := testPNG(t)
	srv := newServer(t, false, images(t, img))
	f := newFetcher(t, loopback, Config{})
	got, err := f.Fetch(context.Background(), srv.URL+"/avatar.png")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data, img) || got.Source != SourceNetwork || Outcome(got, err) != "ok" {
		t.Fatalf("got %d bytes from %s, want the %d-byte PNG from the network", len(got.Data), got.Source, len(img))
	}
	if n := srv.count("/avatar.png"); n != 1 {
		t.Fatalf("%d requests", n)
	}
	// No Content-Type header: judged by the body (fasthttp reports a
	// missing one as text/plain, which refused this PNG).
	if got, err := f.Fetch(context.Background(), srv.URL+"/untyped"); err != nil || !bytes.Equal(got.Data, img) {
		t.Fatalf("PNG without a Content-Type: %d bytes, %v", len(got.Data), err)
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/untyped-html"); err == nil {
		t.Fatal("HTML without a Content-Type was accepted as an image")
	}
	// A generic binary type is judged by the body.
	if _, err := f.Fetch(context.Background(), srv.URL+"/octet"); err != nil {
		t.Fatalf("octet-stream PNG: %v", err)
	}
	// A body of exactly MaxBytes is accepted.
	small := newFetcher(t, loopback, Config{MaxBytes: 1024})
	if got, err := small.Fetch(context.Background(), srv.URL+"/exact"); err != nil || len(got.Data) != 1024 {
		t.Fatalf("exact: %d bytes, %v", len(got.Data), err)
	}
}

func TestFetchHTTPS(t *testing.T) {
	img := testPNG(t)
	srv := newServer(t, true, images(t, img))
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	// The test certificate is not trusted by default.
	f := newFetcher(t, loopback, Config{})
	_, err := f.Fetch(context.Background(), srv.URL+"/avatar.png")
	wantKind(t, err, KindNetwork)

	f = newFetcher(t, loopback, Config{TLSConfig: newTLS(roots)})
	got, err := f.Fetch(context.Background(), srv.URL+"/avatar.png")
	if err != nil || !bytes.Equal(got.Data, img) {
		t.Fatalf("https: %d bytes, %v", len(got.Data), err)
	}
	// https to a loopback address needs the allow list too.
	f = newFetcher(t, nil, Config{TLSConfig: newTLS(roots)})
	before := srv.total()
	_, err = f.Fetch(context.Background(), srv.URL+"/avatar.png")
	wantKind(t, err, KindBlocked)
	if srv.total() != before {
		t.Fatal("a blocked fetch reached the server")
	}
}

func TestCacheHitMakesNoRequest(t *testing.T) {
	img := testPNG(t)
	srv := newServer(t, false, images(t, img))
	f := newFetcher(t, loopback, Config{})
	now := time.Unix(1_700_000_000, 0)
	f.now = func() time.Time { return now }
	u := srv.URL + "/avatar.png"
	if _, err := f.Fetch(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	got, err := f.Fetch(context.Background(), u)
	if err != nil || got.Source != SourceCache || !bytes.Equal(got.Data, img) || Outcome(got, err) != "cached" {
		t.Fatalf("second fetch: source %s, %v", got.Source, err)
	}
	if n := srv.count("/avatar.png"); n != 1 {
		t.Fatalf("%d requests, want 1 (the second from the cache)", n)
	}
	if n, b := f.CacheStats(); n != 1 || b != len(img)+len(u) {
		t.Fatalf("cache stats %d entries %d bytes", n, b)
	}
	// After the TTL it is fetched again.
	now = now.Add(DefaultCacheTTL)
	if got, err := f.Fetch(context.Background(), u); err != nil || got.Source != SourceNetwork {
		t.Fatalf("after the TTL: source %s, %v", got.Source, err)
	}
	if n := srv.count("/avatar.png"); n != 2 {
		t.Fatalf("%d requests after the TTL, want 2", n)
	}
	// Errors are not cached.
	for i := 0; i < 2; i++ {
		_, err := f.Fetch(context.Background(), srv.URL+"/missing")
		wantKind(t, err, KindStatus)
	}
	if n := srv.count("/missing"); n != 2 {
		t.Fatalf("a failed fetch was cached: %d requests", n)
	}
	// Without a cache every fetch is a request.
	nc := newFetcher(t, loopback, Config{CacheMiB: -1})
	for i := 0; i < 2; i++ {
		if got, err := nc.Fetch(context.Background(), u); err != nil || got.Source != SourceNetwork {
			t.Fatalf("no cache: source %s, %v", got.Source, err)
		}
	}
	if n := srv.count("/avatar.png"); n != 4 {
		t.Fatalf("no cache: %d requests, want 4", n)
	}
}

func TestCacheBounded(t *testing.T) {
	c := newCache(100, time.Minute)
	now := time.Now()
	c.add("a", make([]byte, 40), now)
	c.add("b", make([]byte, 40), now)
	c.get("a", now) // a is now the most recently used
	c.add("c", make([]byte, 40), now)
	if _, ok := c.get("b", now); ok {
		t.Error("b (least recently used) was kept")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.get(k, now); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	if n, b := c.stats(); n != 2 || b != 82 {
		t.Errorf("stats %d %d", n, b)
	}
	c.add("huge", make([]byte, 200), now)
	if _, ok := c.get("huge", now); ok {
		t.Error("an entry larger than the cache was stored")
	}
	if _, ok := c.get("a", now.Add(time.Minute)); ok {
		t.Error("an expired entry was served")
	}
	if n, _ := c.stats(); n != 1 {
		t.Errorf("the expired entry was not dropped: %d entries", n)
	}
}

func TestConcurrentFetchesShareOneRequest(t *testing.T) {
	img := testPNG(t)
	arrived := make(chan struct{}, 16)
	release := make(chan struct{})
	srv := newServer(t, false, func(s *server, done <-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			select {
			case <-release:
			case <-done:
			}
			w.Header().Set("Content-Type", "image/png")
			w.Write(img)
		}
	})
	f := newFetcher(t, loopback, Config{})
	u := srv.URL + "/avatar.png"
	const n = 8
	var wg sync.WaitGroup
	sources := make([]Source, n)
	errs := make([]error, n)
	wg.Go(func() {
		var got Image
		got, errs[0] = f.Fetch(context.Background(), u)
		sources[0] = got.Source
	})
	<-arrived // the first fetch is at the server
	var started atomic.Int32
	for i := 1; i < n; i++ {
		wg.Go(func() {
			started.Add(1)
			var got Image
			got, errs[i] = f.Fetch(context.Background(), u)
			sources[i] = got.Source
		})
	}
	for started.Load() < n-1 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let them join the flight
	close(release)
	wg.Wait()
	if c := srv.count("/avatar.png"); c != 1 {
		t.Fatalf("%d requests for %d concurrent fetches, want 1", c, n)
	}
	ok := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("fetch %d: %v", i, errs[i])
		}
		if sources[i] == SourceNetwork {
			ok++
		}
	}
	if ok != 1 || sources[0] != SourceNetwork {
		t.Fatalf("sources %v: want exactly the first from the network", sources)
	}
}

func TestFetchAllConcurrently(t *testing.T) {
	img := testPNG(t)
	var inFlight, most atomic.Int32
	srv := newServer(t, false, func(s *server, done <-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			// Both requests must be at the server at once for either to end.
			deadline := time.Now().Add(2 * time.Second)
			for most.Load() < 2 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			inFlight.Add(-1)
			if r.URL.Path == "/missing" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "image/png")
			w.Write(img)
		}
	})
	f := newFetcher(t, loopback, Config{})
	imgs, errs := f.FetchAll(context.Background(), []string{srv.URL + "/a.png", "", srv.URL + "/missing"})
	if most.Load() != 2 {
		t.Fatalf("at most %d requests in flight at once, want 2", most.Load())
	}
	if errs[0] != nil || !bytes.Equal(imgs[0].Data, img) {
		t.Fatalf("first: %v", errs[0])
	}
	if errs[1] != nil || imgs[1].Data != nil {
		t.Fatalf("empty URL: %v %d bytes", errs[1], len(imgs[1].Data))
	}
	if fe := wantKind(t, errs[2], KindStatus); fe.Status != 404 || Outcome(imgs[2], errs[2]) != "status" {
		t.Fatalf("third: %v", fe)
	}
}

func TestFetchErrors(t *testing.T) {
	img := testPNG(t)
	srv := newServer(t, false, images(t, img))
	f := newFetcher(t, loopback, Config{MaxBytes: 1024})
	for _, tc := range []struct {
		path   string
		kind   Kind
		status int
		msg    string // what the caller sees, exactly
		detail string // in Detail, for the log
	}{
		{"/missing", KindStatus, 404, "HTTP 404", "HTTP 404"},
		{"/big", KindTooLarge, 0, "too large (over 1024 bytes)", "larger than 1024 bytes"},
		{"/bigchunked", KindTooLarge, 0, "too large (over 1024 bytes)", "larger than 1024 bytes"},
		{"/html", KindNotImage, 0, "not an image", `Content-Type "text/html; charset=utf-8" is not an image`},
		{"/empty", KindEmpty, 0, "empty response", "empty response body"},
		{"/redirect-no-location", KindStatus, 302, "HTTP 302", "HTTP 302 without a Location"},
		{"/loop", KindRedirects, 302, "more than 3 redirects", "more than 3 redirects"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, err := f.Fetch(context.Background(), srv.URL+tc.path)
			fe := wantKind(t, err, tc.kind)
			if tc.status != 0 && fe.Status != tc.status {
				t.Errorf("status %d, want %d", fe.Status, tc.status)
			}
			msg := strings.TrimPrefix(fe.Error(), "after a redirect to "+fe.URL+": ")
			if msg != tc.msg {
				t.Errorf("message %q, want %q", msg, tc.msg)
			}
			if !strings.Contains(fe.Detail, tc.detail) {
				t.Errorf("detail %q, want it to contain %q", fe.Detail, tc.detail)
			}
		})
	}
	if n := srv.count("/loop"); n != 4 {
		t.Errorf("redirect loop: %d requests, want 4 (the first and 3 redirects)", n)
	}
}

func TestFetchTimeout(t *testing.T) {
	img := testPNG(t)
	srv := newServer(t, false, images(t, img))
	f := newFetcher(t, loopback, Config{Timeout: 200 * time.Millisecond})
	for _, path := range []string{"/slow", "/slowbody"} {
		start := time.Now()
		_, err := f.Fetch(context.Background(), srv.URL+path)
		took := time.Since(start)
		fe := wantKind(t, err, KindTimeout)
		if fe.Error() != "timed out" || !strings.Contains(fe.Detail, "200ms") {
			t.Errorf("%s: message %q, detail %q", path, fe.Error(), fe.Detail)
		}
		if took > 2*time.Second {
			t.Errorf("%s: took %s with a 200ms timeout", path, took)
		}
	}
}

func TestCallerContextEndsWait(t *testing.T) {
	img := testPNG(t)
	srv := newServer(t, false, images(t, img))
	f := newFetcher(t, loopback, Config{Timeout: 500 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := f.Fetch(ctx, srv.URL+"/slow")
	if !errors.Is(err, context.DeadlineExceeded) || Outcome(Image{}, err) != "canceled" {
		t.Fatalf("err = %v", err)
	}
}

func TestRedirects(t *testing.T) {
	img := testPNG(t)
	srv := newServer(t, false, images(t, img))
	f := newFetcher(t, loopback, Config{})
	got, err := f.Fetch(context.Background(), srv.URL+"/redirect")
	if err != nil || !bytes.Equal(got.Data, img) {
		t.Fatalf("allowed redirect: %v", err)
	}
	if srv.count("/avatar.png") != 1 {
		t.Fatal("the redirect was not followed")
	}
	for _, tc := range []struct {
		path string
		kind Kind
		msg  string
	}{
		{"/redirect-private", KindBlocked, "10.0.0.1"},
		{"/redirect-metadata", KindBlocked, "169.254.169.254"},
		{"/redirect-other-host", KindBlocked, "127.0.0.2"},
		{"/redirect-localhost", KindBlocked, "localhost"},
		{"/redirect-plain-public", KindNotHTTPS, "not an https URL"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, err := f.Fetch(context.Background(), srv.URL+tc.path)
			fe := wantKind(t, err, tc.kind)
			if !fe.Redirected || !strings.Contains(fe.Error(), "after a redirect to") || !strings.Contains(fe.Error(), tc.msg) {
				t.Fatalf("message %q, want one naming the redirect and %q", fe.Error(), tc.msg)
			}
		})
	}
	if n := srv.count("/avatar.png"); n != 1 {
		t.Fatalf("a refused redirect reached the server (%d requests)", n)
	}
	// No redirects followed at all.
	none := newFetcher(t, loopback, Config{MaxRedirects: -1})
	_, err = none.Fetch(context.Background(), srv.URL+"/redirect")
	wantKind(t, err, KindRedirects)
}

func TestNotHTTPSOrBlocked(t *testing.T) {
	img := testPNG(t)
	srv := newServer(t, false, images(t, img))
	for _, tc := range []struct {
		name  string
		allow []netip.Prefix
		url   string
		kind  Kind
	}{
		// Plain http to a public address: only the scheme is wrong.
		{"http public", nil, "http://93.184.216.34/a.png", KindNotHTTPS},
		{"http public with allow list", loopback, "http://93.184.216.34/a.png", KindNotHTTPS},
		{"ftp", nil, "ftp://93.184.216.34/a.png", KindNotHTTPS},
		{"relative", nil, "/a.png", KindInvalidURL},
		{"userinfo", nil, "https://user@93.184.216.34/a.png", KindInvalidURL},
		// The local server without an allow list, or with another one.
		{"local http not allow-listed", nil, srv.URL + "/avatar.png", KindBlocked},
		{"local http other allow list", []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, srv.URL + "/avatar.png", KindBlocked},
		{"metadata", loopback, "https://169.254.169.254/latest/meta-data/", KindBlocked},
		{"private", loopback, "https://10.0.0.1/a.png", KindBlocked},
		{"internal name", loopback, "https://db.internal/a.png", KindBlocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFetcher(t, tc.allow, Config{Timeout: time.Second})
			_, err := f.Fetch(context.Background(), tc.url)
			wantKind(t, err, tc.kind)
		})
	}
	if n := srv.total(); n != 0 {
		t.Fatalf("refused fetches reached the server %d times", n)
	}
}

// TestErrorsTellCallersOnlyCategories: what a refused or failed fetch tells
// the (possibly anonymous) caller names no resolved address and does not
// tell a refused connection from a TLS failure; the detail keeps both for
// the log. Before, the caller read "db.internal resolved to 10.1.2.3" and
// "connection refused".
func TestErrorsTellCallersOnlyCategories(t *testing.T) {
	// A local port with nothing listening: connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	// A plain-HTTP server spoken to over TLS: a handshake failure.
	plain := newServer(t, false, images(t, testPNG(t)))
	resolver := map[string][]netip.Addr{"private.example": {netip.MustParseAddr("10.1.2.3")}}
	for _, tc := range []struct {
		name, url string
		kind      Kind
		msg       string
		detail    string // a fact only the log may know
	}{
		{"name of a private address", "https://private.example/a.png", KindBlocked, "blocked address", "10.1.2.3"},
		{"reserved name", "https://db.internal/a.png", KindBlocked, "blocked address", ".internal"},
		{"unknown name", "https://nowhere.example/a.png", KindNetwork, "could not connect", "no such host"},
		{"private address", "https://10.1.2.3/a.png", KindBlocked, "blocked address", "10.1.2.3"},
		{"refused", "http://" + closed + "/a.png", KindNetwork, "could not connect", "refused"},
		{"tls to plain http", "https://" + strings.TrimPrefix(plain.URL, "http://") + "/avatar.png", KindNetwork, "could not connect", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFetcherResolving(t, loopback, resolver)
			_, err := f.Fetch(context.Background(), tc.url)
			fe := wantKind(t, err, tc.kind)
			if fe.Error() != tc.msg {
				t.Errorf("caller's message %q, want %q", fe.Error(), tc.msg)
			}
			for _, leak := range []string{"10.1.2.3", "refused", "tls", "TLS", "handshake", "resolved", "dial"} {
				if strings.Contains(fe.Error(), leak) {
					t.Errorf("caller's message %q names %q", fe.Error(), leak)
				}
			}
			if tc.detail != "" && !strings.Contains(fe.Detail, tc.detail) {
				t.Errorf("detail %q lacks %q", fe.Detail, tc.detail)
			}
		})
	}
}
