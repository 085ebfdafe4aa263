// Package imagefetch fetches the images a render names (the avatar and logo
// parameters) for the render module, under the SSRF guard (host/ssrf):
// https only (plain http only to addresses in the allow list), every address
// checked when it is dialed, every redirect hop checked again, bounded in
// size and time, image content types only. Fetched images are kept in a
// bounded LRU with a TTL, and concurrent fetches of one URL share a request.
package imagefetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/sync/singleflight"

	"github.com/ogmint/ogmint/host/printable"
	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/wasm/abi"
)

// Defaults used by WithDefaults.
const (
	DefaultMaxBytes     = abi.MaxImageBytes
	DefaultTimeout      = 3 * time.Second
	DefaultCacheMiB     = 32
	DefaultCacheTTL     = 10 * time.Minute
	DefaultMaxRedirects = 3
	// MaxTimeout is the longest Timeout Validate accepts: a fetch holds a
	// request (and, for V1, its client) open.
	MaxTimeout = 30 * time.Second
)

// DefaultUserAgent is sent when Config.UserAgent is empty.
const DefaultUserAgent = "ogmint-image-fetcher (+https://github.com/ogmint/ogmint)"

// Config tunes a Fetcher. The zero value of a field means its default
// (WithDefaults); where a field can be switched off, a negative value does it.
type Config struct {
	// MaxBytes is the largest image accepted (default 4 MiB, at most
	// abi.MaxImageBytes: what the module takes).
	MaxBytes int
	// Timeout bounds one fetch, redirects included: connecting, sending and
	// reading the whole body (default 3 s).
	Timeout time.Duration
	// CacheMiB bounds the cache of fetched images (default 32; negative: no
	// cache).
	CacheMiB int
	// CacheTTL is how long a fetched image is served from the cache
	// (default 10 min).
	CacheTTL time.Duration
	// MaxRedirects is the most redirects followed, each checked by the guard
	// like the first URL (default 3; negative: none followed).
	MaxRedirects int
	// UserAgent is sent with every request (default DefaultUserAgent).
	UserAgent string
	// TLSConfig replaces crypto/tls's defaults (system roots), e.g. to trust
	// a private CA; TLS 1.2 at least is enforced. nil: the defaults.
	TLSConfig *tls.Config
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.MaxBytes == 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.CacheMiB == 0:
		c.CacheMiB = DefaultCacheMiB
	case c.CacheMiB < 0:
		c.CacheMiB = -1
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = DefaultCacheTTL
	}
	switch {
	case c.MaxRedirects == 0:
		c.MaxRedirects = DefaultMaxRedirects
	case c.MaxRedirects < 0:
		c.MaxRedirects = -1
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	return c
}

// Validate names every bad setting (of a configuration with defaults applied).
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("imagefetch: "+format, args...)) }
	if c.MaxBytes < 1 || c.MaxBytes > abi.MaxImageBytes {
		bad("max bytes %d, want 1-%d (what the render module takes)", c.MaxBytes, abi.MaxImageBytes)
	}
	if c.Timeout <= 0 || c.Timeout > MaxTimeout {
		bad("timeout %s, want > 0 and at most %s", c.Timeout, MaxTimeout)
	}
	if c.CacheMiB > 1<<16 {
		bad("cache %d MiB, want at most %d", c.CacheMiB, 1<<16)
	}
	if c.CacheTTL <= 0 {
		bad("cache TTL must be > 0")
	}
	if c.MaxRedirects > 20 {
		bad("max redirects %d, want at most 20", c.MaxRedirects)
	}
	return errors.Join(errs...)
}

// Kind classifies a failed fetch; it is also the metrics outcome.
type Kind string

// The kinds of Error.
const (
	KindNotHTTPS   Kind = "not_https"   // not an https URL (plain http only to allow-listed addresses)
	KindInvalidURL Kind = "invalid_url" // the URL (or a redirect's Location) is malformed
	KindBlocked    Kind = "blocked"     // refused by the SSRF guard (a denied address or name)
	KindStatus     Kind = "status"      // an HTTP status other than 200
	KindRedirects  Kind = "redirects"   // more redirects than MaxRedirects
	KindTooLarge   Kind = "too_large"   // a body over MaxBytes
	KindTimeout    Kind = "timeout"     // no complete answer within Timeout
	KindEmpty      Kind = "empty"       // an empty body
	KindNotImage   Kind = "not_image"   // a Content-Type that is not an image
	KindNetwork    Kind = "network"     // connecting, TLS or reading failed
)

// Error is a failed fetch. Error() is meant for the API's callers, who may
// be anonymous: a stable category ("blocked address", "could not connect",
// "timed out", "HTTP 404", ...) that names nothing they could not see
// themselves — not the addresses a name resolved to, nor whether a
// connection was refused or failed its TLS handshake, which would let anyone
// resolve internal names and probe ports through the server. Detail holds
// all of that for the server's log.
type Error struct {
	Kind Kind
	// URL is the URL that failed: the one given, or the redirect target.
	URL string
	// Redirected: URL is a redirect target, not the URL given.
	Redirected bool
	// Status is the HTTP status for KindStatus (and KindRedirects).
	Status int
	// Limit is MaxBytes for KindTooLarge, MaxRedirects for KindRedirects.
	Limit int
	// Detail says exactly what happened, for the server's log only.
	Detail string
	// Err is the underlying error, if any.
	Err error
}

func (e *Error) Error() string {
	if e.Redirected {
		return "after a redirect to " + printable.Clip(e.URL, 200) + ": " + e.category()
	}
	return e.category()
}

// category is the caller's message for the error's Kind.
func (e *Error) category() string {
	switch e.Kind {
	case KindNotHTTPS:
		return "not an https URL"
	case KindInvalidURL:
		return "invalid URL"
	case KindBlocked:
		return "blocked address"
	case KindStatus:
		return "HTTP " + strconv.Itoa(e.Status)
	case KindRedirects:
		return "more than " + strconv.Itoa(e.Limit) + " redirects"
	case KindTooLarge:
		return "too large (over " + strconv.Itoa(e.Limit) + " bytes)"
	case KindTimeout:
		return "timed out"
	case KindEmpty:
		return "empty response"
	case KindNotImage:
		return "not an image"
	}
	return "could not connect"
}

func (e *Error) Unwrap() error { return e.Err }

// Source says where a fetched image came from.
type Source uint8

const (
	// SourceNetwork: fetched by this call.
	SourceNetwork Source = iota
	// SourceCache: from the cache, no request made.
	SourceCache
	// SourceShared: the result of a concurrent call's fetch of the same URL.
	SourceShared
)

// String is the metrics outcome of a successful fetch.
func (s Source) String() string {
	switch s {
	case SourceCache:
		return "cached"
	case SourceShared:
		return "shared"
	}
	return "ok"
}

// Image is a fetched image file.
type Image struct {
	// Data is the body (PNG, JPEG, GIF, ...): shared with the cache and
	// other callers, it must not be modified.
	Data   []byte
	Source Source
}

// Outcome is the metrics label of a Fetch result: "ok", "cached", "shared",
// the error's Kind, or "canceled" (the caller's context ended first).
func Outcome(img Image, err error) string {
	var fe *Error
	switch {
	case err == nil:
		return img.Source.String()
	case errors.As(err, &fe):
		return string(fe.Kind)
	}
	return "canceled"
}

// Fetcher fetches images; safe for concurrent use.
type Fetcher struct {
	cfg    Config
	guard  *ssrf.Guard
	client *fasthttp.Client
	cache  *cache
	flight singleflight.Group
	now    func() time.Time
}

// New returns a Fetcher that connects through guard (whose allow list
// decides where plain http may go), with cfg's defaults applied.
func New(guard *ssrf.Guard, cfg Config) (*Fetcher, error) {
	if guard == nil {
		return nil, errors.New("imagefetch: no SSRF guard")
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := guard.Client(cfg.Timeout, cfg.UserAgent)
	if cfg.TLSConfig != nil {
		tc := cfg.TLSConfig.Clone()
		tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
		c.TLSConfig = tc
	}
	f := &Fetcher{cfg: cfg, guard: guard, client: c, now: time.Now}
	if cfg.CacheMiB > 0 {
		f.cache = newCache(cfg.CacheMiB<<20, cfg.CacheTTL)
	}
	return f, nil
}

// Config returns the fetcher's configuration, defaults applied.
func (f *Fetcher) Config() Config { return f.cfg }

// CacheStats returns the number of cached images and the bytes they count
// against the cache's bound.
func (f *Fetcher) CacheStats() (entries, bytes int) { return f.cache.stats() }

// Fetch returns the image at rawURL: from the cache, from a concurrent
// fetch of the same URL, or fetched now. A failed fetch is an *Error (and
// is not cached); if ctx ends first, ctx's error is returned while the
// fetch, bounded by Config.Timeout, still completes for the cache.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Image, error) {
	if data, ok := f.cache.get(rawURL, f.now()); ok {
		return Image{Data: data, Source: SourceCache}, nil
	}
	leader := false // written by the leader's fn before its result is sent
	ch := f.flight.DoChan(rawURL, func() (any, error) {
		leader = true
		data, err := f.fetch(rawURL)
		if err == nil {
			f.cache.add(rawURL, data, f.now())
		}
		return data, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return Image{}, r.Err
		}
		src := SourceNetwork
		if !leader {
			src = SourceShared
		}
		return Image{Data: r.Val.([]byte), Source: src}, nil
	case <-ctx.Done():
		return Image{}, ctx.Err()
	}
}

// FetchAll fetches every non-empty URL of urls concurrently; images[i] and
// errs[i] are Fetch's results for urls[i] (zero for an empty URL).
func (f *Fetcher) FetchAll(ctx context.Context, urls []string) (images []Image, errs []error) {
	images, errs = make([]Image, len(urls)), make([]error, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		if u == "" {
			continue
		}
		wg.Go(func() { images[i], errs[i] = f.Fetch(ctx, u) })
	}
	wg.Wait()
	return images, errs
}

// fetch GETs rawURL, following at most MaxRedirects redirects, within
// Timeout.
func (f *Fetcher) fetch(rawURL string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), f.cfg.Timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)

	cur := rawURL
	for hop := 0; ; hop++ {
		fail := func(kind Kind, status int, err error, format string, args ...any) *Error {
			return &Error{Kind: kind, URL: cur, Redirected: hop > 0, Status: status, Err: err, Detail: fmt.Sprintf(format, args...)}
		}
		if err := f.check(ctx, cur); err != nil {
			err.URL, err.Redirected = cur, hop > 0
			return nil, err
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil, fail(KindTimeout, 0, context.DeadlineExceeded, "no complete answer within %s", f.cfg.Timeout)
		}
		req.Reset()
		req.Header.SetMethod(fasthttp.MethodGet)
		req.SetRequestURI(cur)
		req.Header.Set(fasthttp.HeaderAccept, "image/png, image/jpeg, image/gif, image/*;q=0.8")
		req.SetTimeout(remaining)
		body, truncated, err := ssrf.DoLimit(f.client, req, resp, f.cfg.MaxBytes)
		if err != nil {
			switch {
			case isTimeout(err) || time.Until(deadline) <= 0:
				return nil, fail(KindTimeout, 0, err, "no complete answer within %s", f.cfg.Timeout)
			case errors.Is(err, ssrf.ErrDenied):
				return nil, fail(KindBlocked, 0, err, "refused by the SSRF guard: %s", printable.Clip(err.Error(), 300))
			case errors.Is(err, ssrf.ErrInvalidURL):
				return nil, fail(KindInvalidURL, 0, err, "invalid URL: %s", printable.Clip(err.Error(), 300))
			}
			return nil, fail(KindNetwork, 0, err, "request failed: %s", printable.Clip(err.Error(), 300))
		}
		code := resp.StatusCode()
		if isRedirect(code) {
			loc := string(resp.Header.Peek(fasthttp.HeaderLocation))
			if loc == "" {
				return nil, fail(KindStatus, code, nil, "HTTP %d without a Location", code)
			}
			if hop >= f.cfg.MaxRedirects {
				e := fail(KindRedirects, code, nil, "more than %d redirects", max(f.cfg.MaxRedirects, 0))
				e.Limit = max(f.cfg.MaxRedirects, 0)
				return nil, e
			}
			next, err := resolve(cur, loc)
			if err != nil {
				return nil, fail(KindInvalidURL, code, err, "HTTP %d to an invalid Location %q", code, printable.Clip(loc, 200))
			}
			cur = next
			continue
		}
		if code != fasthttp.StatusOK {
			return nil, fail(KindStatus, code, nil, "HTTP %d", code)
		}
		if truncated {
			e := fail(KindTooLarge, code, nil, "larger than %d bytes", f.cfg.MaxBytes)
			e.Limit = f.cfg.MaxBytes
			return nil, e
		}
		if len(body) == 0 {
			return nil, fail(KindEmpty, code, nil, "empty response body")
		}
		// A missing header must read as "" (sniffed), not as fasthttp's
		// default "text/plain; charset=utf-8".
		resp.Header.SetNoDefaultContentType(true)
		if ct := string(resp.Header.ContentType()); !isImage(ct, body) {
			return nil, fail(KindNotImage, code, nil, "Content-Type %q is not an image", printable.Clip(ct, 100))
		}
		return body, nil
	}
}

// check applies the guard's submit-time checks to one URL (the dialer
// checks the address again when it connects): https, or plain http to an
// allow-listed address.
func (f *Fetcher) check(ctx context.Context, raw string) *Error {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return &Error{Kind: KindInvalidURL, Detail: "invalid URL: not absolute"}
	}
	switch strings.ToLower(scheme) {
	case "https":
		return guardError(f.guard.CheckURLContext(ctx, raw))
	case "http":
		if f.guard.CheckURLContext(ctx, raw) == nil {
			return nil // an allow-listed address
		}
		// Refused: because of the scheme alone, or for another reason too?
		if err := guardError(f.guard.CheckURLContext(ctx, "https:"+rest)); err != nil {
			return err
		}
		return &Error{Kind: KindNotHTTPS, Detail: "not an https URL (plain http only to allow-listed addresses)"}
	}
	return &Error{Kind: KindNotHTTPS, Detail: "not an https URL"}
}

func guardError(err error) *Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ssrf.ErrDenied):
		return &Error{Kind: KindBlocked, Err: err, Detail: "refused by the SSRF guard: " + printable.Clip(err.Error(), 300)}
	}
	return &Error{Kind: KindInvalidURL, Err: err, Detail: "invalid URL: " + printable.Clip(err.Error(), 300)}
}

func isRedirect(code int) bool {
	switch code {
	case fasthttp.StatusMovedPermanently, fasthttp.StatusFound, fasthttp.StatusSeeOther,
		fasthttp.StatusTemporaryRedirect, fasthttp.StatusPermanentRedirect:
		return true
	}
	return false
}

// resolve makes a redirect's Location absolute against the current URL.
func resolve(cur, loc string) (string, error) {
	base, err := url.Parse(cur)
	if err != nil {
		return "", err
	}
	u, err := base.Parse(loc)
	if err != nil {
		return "", err
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

// isImage accepts an image/* Content-Type; a missing or generic binary one
// is judged by sniffing the body (http.DetectContentType).
func isImage(contentType string, body []byte) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType == "" || err == nil && (mt == "application/octet-stream" || mt == "binary/octet-stream") {
		return strings.HasPrefix(http.DetectContentType(body), "image/")
	}
	return err == nil && strings.HasPrefix(mt, "image/")
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, fasthttp.ErrDialTimeout) ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
