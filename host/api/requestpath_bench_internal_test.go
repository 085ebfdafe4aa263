package api

import (
	"crypto/sha256"
	"io"
	"log/slog"
	"net"
	"net/url"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/cardcache"
	"github.com/ogmint/ogmint/host/metrics"
	"github.com/ogmint/ogmint/internal/benchcard"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
)

// BenchmarkV1CacheHit measures the request path around the render: a V1
// request whose card is cached goes through routing, parameter validation,
// canonicalisation, hashing, the cache, the response, one log line (JSON,
// discarded) and the metrics, with no pool involved.
func BenchmarkV1CacheHit(b *testing.B) {
	set, err := templates.Load()
	if err != nil {
		b.Fatal(err)
	}
	cache := cardcache.New(16 << 20)
	s := New(Options{Templates: set, Cache: cache, Metrics: metrics.New(nil, nil),
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	q := benchcard.Values(7)
	p, perr := params.Parse(q, set)
	if perr != nil {
		b.Fatal(perr)
	}
	key := cardcache.Key(sha256.Sum256([]byte(p.Canonical() + "\x00" + encoderVersion)))
	png := make([]byte, 84<<10)
	cache.Add(key, png)
	var req fasthttp.Request
	req.SetRequestURI("/api/og?" + url.Values(q).Encode())
	req.Header.SetMethod("GET")
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4321}
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ctx.Init(&req, addr, nil)
		s.Handler(&ctx)
		if ctx.Response.StatusCode() != 200 || len(ctx.Response.Body()) != len(png) {
			b.Fatalf("status %d, %d bytes", ctx.Response.StatusCode(), len(ctx.Response.Body()))
		}
	}
}
