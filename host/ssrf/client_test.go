package ssrf

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// recorder is a dial hook that records every address the guard tries and
// connects nowhere: no packet leaves the test.
type recorder struct {
	mu    sync.Mutex
	addrs []string
}

var errNoNetwork = errors.New("test dialer: refused (no network in tests)")

func (r *recorder) dial(_ context.Context, network, address string) (net.Conn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addrs = append(r.addrs, address)
	return nil, errNoNetwork
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.addrs...)
}

func TestDialResolvedAddresses(t *testing.T) {
	dns := fakeResolver(map[string][]string{
		"inward.example":  {"127.0.0.1"},
		"private.example": {"10.0.0.5", "192.168.1.1", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1"},
		"mixed.example":   {"10.0.0.5", "93.184.216.34", "::1", "2606:4700::6810:84e5", "::ffff:172.16.0.1"},
		"mapped.example":  {"::ffff:93.184.216.34", "93.184.216.34"},
		"nat64.example":   {"64:ff9b::a9fe:a9fe"},
		"empty.example":   {},
		"local.example":   {"127.0.0.1", "93.184.216.34"},
	})
	for _, tc := range []struct {
		hostport string
		allow    []netip.Prefix
		dialed   []string // nil: refused before any dial
		errHas   string
	}{
		{"inward.example:443", nil, nil, "no permitted address"},
		{"private.example:443", nil, nil, "no permitted address"},
		{"mixed.example:443", nil, []string{"93.184.216.34:443", "[2606:4700::6810:84e5]:443"}, "test dialer"},
		{"mapped.example:443", nil, []string{"93.184.216.34:443"}, "test dialer"},
		{"nat64.example:443", nil, nil, "NAT64 of 169.254.169.254"},
		{"empty.example:443", nil, nil, "no address"},
		{"nxdomain.example:443", nil, nil, "resolve"},
		{"localhost:443", nil, nil, "localhost"},
		{"db.internal:443", nil, nil, "reserved internal name"},
		{"127.0.0.1:80", nil, nil, "loopback"},
		{"2130706433:80", nil, nil, "loopback"},
		{"[::1]:80", nil, nil, "loopback"},
		{"[fe80::1%eth0]:80", nil, nil, "zoned"},
		{"93.184.216.34:0", nil, nil, "invalid port"},
		{"93.184.216.34", nil, nil, "invalid address"},
		{"0x5d.0xb8.0xd8.0x22:8443", nil, []string{"93.184.216.34:8443"}, "test dialer"},
		{"inward.example:8080", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, []string{"127.0.0.1:8080"}, "test dialer"},
		{"local.example:80", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, []string{"127.0.0.1:80", "93.184.216.34:80"}, "test dialer"},
	} {
		rec := &recorder{}
		g := New(tc.allow, WithResolver(dns), WithDialer(rec.dial))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := g.DialContext(ctx, "tcp", tc.hostport)
		cancel()
		if conn != nil {
			conn.Close()
			t.Fatalf("%s: got a connection", tc.hostport)
		}
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: error %v, want one containing %q", tc.hostport, err, tc.errHas)
		}
		if tc.errHas != "test dialer" && !strings.Contains(err.Error(), "ssrf") {
			t.Errorf("%s: error %q does not name ssrf", tc.hostport, err)
		}
		if got := rec.got(); strings.Join(got, ",") != strings.Join(tc.dialed, ",") {
			t.Errorf("%s: dialed %v, want %v", tc.hostport, got, tc.dialed)
		}
	}
}

// TestDNSRebinding: the name resolves to a public address when the URL is
// submitted and to an internal one at delivery; the dialer re-resolves and
// refuses.
func TestDNSRebinding(t *testing.T) {
	var calls atomic.Int32
	resolver := func(_ context.Context, host string) ([]netip.Addr, error) {
		if calls.Add(1) == 1 {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
	}
	rec := &recorder{}
	g := New(nil, WithResolver(resolver), WithDialer(rec.dial))
	if err := g.CheckURL("https://rebind.example/hook"); err != nil {
		t.Fatal(err)
	}
	_, err := g.DialContext(context.Background(), "tcp", "rebind.example:443")
	if !errors.Is(err, errNoNetwork) {
		t.Fatalf("first dial: %v", err)
	}
	_, err = g.DialContext(context.Background(), "tcp", "rebind.example:443")
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "169.254.169.254") {
		t.Fatalf("second dial: %v", err)
	}
	if got := rec.got(); len(got) != 1 || got[0] != "93.184.216.34:443" {
		t.Fatalf("dialed %v", got)
	}
}

// TestClientDialPolicy drives the fasthttp client with an injected resolver
// and dialer: what it would connect to, per scheme.
func TestClientDialPolicy(t *testing.T) {
	dns := fakeResolver(map[string][]string{
		"mixed.example":   {"10.0.0.1", "93.184.216.34", "fd00::2"},
		"inward.example":  {"127.0.0.1", "10.0.0.1"},
		"hooks.example":   {"127.0.0.1"},
		"private.example": {"10.0.0.1", "192.168.0.1", "fd00::1"},
	})
	allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	for _, tc := range []struct {
		url    string
		dialed string
	}{
		{"https://mixed.example/hook", "93.184.216.34:443"},
		{"https://private.example/hook", ""},
		{"https://inward.example/hook", "127.0.0.1:443"}, // only the exempt address
		{"http://mixed.example/hook", ""},                // plain http to a non-exempt address
		{"http://hooks.example:8080/hook", "127.0.0.1:8080"},
		{"http://inward.example:8080/hook", "127.0.0.1:8080"},
		{"https://hooks.example/hook", "127.0.0.1:443"},
		{"http://10.0.0.1/", ""},
		{"http://[::1]/", ""},
		{"https://169.254.169.254/latest/", ""},
		{"https://0xa9fea9fe/latest/", ""},
	} {
		rec := &recorder{}
		g := New(allow, WithResolver(dns), WithDialer(rec.dial))
		c := g.Client(2*time.Second, "ogmint-test")
		req := fasthttp.AcquireRequest()
		resp := fasthttp.AcquireResponse()
		req.SetRequestURI(tc.url)
		req.Header.SetMethod("POST")
		_, _, err := Do(c, req, resp)
		fasthttp.ReleaseRequest(req)
		fasthttp.ReleaseResponse(resp)
		if err == nil {
			t.Fatalf("%s: no error", tc.url)
		}
		got := strings.Join(rec.got(), ",")
		if got != tc.dialed {
			t.Errorf("%s: dialed %q, want %q (err %v)", tc.url, got, tc.dialed, err)
		}
		if tc.dialed == "" && !strings.Contains(err.Error(), "ssrf") {
			t.Errorf("%s: error %q does not name ssrf", tc.url, err)
		}
	}
}

func TestControlRechecks(t *testing.T) {
	g := New(nil)
	if err := g.control(context.Background(), "tcp4", "127.0.0.1:80", nil); !errors.Is(err, ErrDenied) {
		t.Errorf("control(127.0.0.1) = %v", err)
	}
	if err := g.control(context.Background(), "tcp4", "example.com:80", nil); !errors.Is(err, ErrDenied) {
		t.Errorf("control(name) = %v", err)
	}
	if err := g.control(context.Background(), "tcp4", "93.184.216.34:80", nil); err != nil {
		t.Errorf("control(public) = %v", err)
	}
	if _, err := g.DialContext(context.Background(), "udp", "93.184.216.34:53"); !errors.Is(err, ErrDenied) {
		t.Errorf("udp: %v", err)
	}
}

// localServer serves on 127.0.0.1 only.
func localServer(t *testing.T, h fasthttp.RequestHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fasthttp.Server{Handler: h, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}
	go s.Serve(ln) //nolint:errcheck
	t.Cleanup(func() { _ = s.Shutdown() })
	return ln.Addr().String()
}

func TestClientLocalServer(t *testing.T) {
	// Proxy variables must be ignored: if the client honoured them it would
	// try these dead proxies and fail.
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"} {
		t.Setenv(k, "http://127.0.0.1:1")
	}
	t.Setenv("NO_PROXY", "")
	var hits, redirectTargetHits atomic.Int32
	big := bytes.Repeat([]byte("x"), MaxBodySize+10000)
	addr := localServer(t, func(ctx *fasthttp.RequestCtx) {
		hits.Add(1)
		switch string(ctx.Path()) {
		case "/ok":
			ctx.SetBodyString("ok " + string(ctx.Request.Header.UserAgent()))
		case "/redirect":
			ctx.Redirect("/target", fasthttp.StatusFound)
		case "/target":
			redirectTargetHits.Add(1)
			ctx.SetBodyString("followed")
		case "/big":
			ctx.SetBody(big)
		case "/exact":
			ctx.SetBody(big[:MaxBodySize])
		case "/bigchunked":
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
				for i := 0; i < 20; i++ {
					w.Write(big[:10000]) //nolint:errcheck
					w.Flush()            //nolint:errcheck
				}
			})
		default:
			if string(ctx.RequestURI()) == "/a//b/../c?q=%2F" {
				ctx.SetBodyString("raw path")
				return
			}
			ctx.SetStatusCode(404)
		}
	})
	allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	do := func(g *Guard, path string) (int, []byte, bool, error) {
		c := g.Client(3*time.Second, "ogmint-test/1")
		defer c.CloseIdleConnections()
		req := fasthttp.AcquireRequest()
		defer fasthttp.ReleaseRequest(req)
		resp := fasthttp.AcquireResponse()
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI("http://" + addr + path)
		body, trunc, err := Do(c, req, resp)
		return resp.StatusCode(), body, trunc, err
	}

	t.Run("allowed", func(t *testing.T) {
		st, body, trunc, err := do(New(allow), "/ok")
		if err != nil || st != 200 || string(body) != "ok ogmint-test/1" || trunc {
			t.Fatalf("got %d %q %v %v", st, body, trunc, err)
		}
	})
	t.Run("refused-without-allow", func(t *testing.T) {
		before := hits.Load()
		_, _, _, err := do(New(nil), "/ok")
		if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "ssrf") {
			t.Fatalf("err = %v", err)
		}
		if hits.Load() != before {
			t.Fatal("the server was reached")
		}
	})
	t.Run("refused-other-exemption", func(t *testing.T) {
		_, _, _, err := do(New([]netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}), "/ok")
		if !errors.Is(err, ErrDenied) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("redirect-not-followed", func(t *testing.T) {
		st, _, _, err := do(New(allow), "/redirect")
		if err != nil || st != fasthttp.StatusFound {
			t.Fatalf("got %d %v, want 302", st, err)
		}
		if redirectTargetHits.Load() != 0 {
			t.Fatal("redirect was followed")
		}
	})
	t.Run("body-bounded", func(t *testing.T) {
		for _, path := range []string{"/big", "/bigchunked"} {
			st, body, trunc, err := do(New(allow), path)
			if err != nil || st != 200 || len(body) != MaxBodySize || !trunc {
				t.Fatalf("%s: got %d len=%d trunc=%v err=%v", path, st, len(body), trunc, err)
			}
		}
		st, body, trunc, err := do(New(allow), "/exact")
		if err != nil || st != 200 || len(body) != MaxBodySize || trunc {
			t.Fatalf("/exact: got %d len=%d trunc=%v err=%v", st, len(body), trunc, err)
		}
	})
	t.Run("do-limit", func(t *testing.T) {
		doLimit := func(path string, limit int) (int, []byte, bool, error) {
			c := New(allow).Client(3*time.Second, "ogmint-test/1")
			defer c.CloseIdleConnections()
			req := fasthttp.AcquireRequest()
			defer fasthttp.ReleaseRequest(req)
			resp := fasthttp.AcquireResponse()
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://" + addr + path)
			body, trunc, err := DoLimit(c, req, resp, limit)
			return resp.StatusCode(), body, trunc, err
		}
		// A declared length over the limit: not read at all.
		if st, body, trunc, err := doLimit("/big", 1000); err != nil || st != 200 || len(body) != 0 || !trunc {
			t.Fatalf("/big: got %d len=%d trunc=%v err=%v", st, len(body), trunc, err)
		}
		// A chunked body: read up to the limit.
		if st, body, trunc, err := doLimit("/bigchunked", 1000); err != nil || st != 200 || len(body) != 1000 || !trunc {
			t.Fatalf("/bigchunked: got %d len=%d trunc=%v err=%v", st, len(body), trunc, err)
		}
		// A limit above MaxBodySize reads more than Do would.
		if st, body, trunc, err := doLimit("/big", 1<<20); err != nil || st != 200 || len(body) != len(big) || trunc {
			t.Fatalf("/big under a 1 MiB limit: got %d len=%d trunc=%v err=%v", st, len(body), trunc, err)
		}
		if st, body, trunc, err := doLimit("/exact", MaxBodySize); err != nil || st != 200 || len(body) != MaxBodySize || trunc {
			t.Fatalf("/exact: got %d len=%d trunc=%v err=%v", st, len(body), trunc, err)
		}
	})
	t.Run("buffered-do-limit", func(t *testing.T) {
		// Without Do's streaming, fasthttp's MaxResponseBodySize turns an
		// over-limit body into an error even on a 200.
		c := New(allow).Client(3*time.Second, "ogmint-test/1")
		defer c.CloseIdleConnections()
		req := fasthttp.AcquireRequest()
		defer fasthttp.ReleaseRequest(req)
		resp := fasthttp.AcquireResponse()
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI("http://" + addr + "/big")
		if err := c.Do(req, resp); !errors.Is(err, fasthttp.ErrBodyTooLarge) {
			t.Fatalf("Client.Do over the limit: %v", err)
		}
	})
	t.Run("path-sent-as-given", func(t *testing.T) {
		st, body, _, err := do(New(allow), "/a//b/../c?q=%2F")
		if err != nil || st != 200 || string(body) != "raw path" {
			t.Fatalf("got %d %q %v", st, body, err)
		}
	})
	t.Run("keepalive-reuse", func(t *testing.T) {
		g := New(allow)
		c := g.Client(3*time.Second, "ogmint-test/1")
		defer c.CloseIdleConnections()
		for i := 0; i < 3; i++ {
			req := fasthttp.AcquireRequest()
			resp := fasthttp.AcquireResponse()
			req.SetRequestURI("http://" + addr + "/ok")
			_, _, err := Do(c, req, resp)
			fasthttp.ReleaseRequest(req)
			fasthttp.ReleaseResponse(resp)
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}
