package ssrf

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// MaxBodySize is how much of a response body Do reads.
const MaxBodySize = 64 << 10

// DefaultTimeout is used when Client is given no timeout.
const DefaultTimeout = 5 * time.Second

// DialContext connects to address ("host:port") the way Client's dialer
// does: literal or resolved addresses, each checked, the first permitted one
// that answers wins. It suits net/http's Transport.DialContext too.
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &Error{Kind: ErrDenied, Reason: "network " + network + " is not allowed"}
	}
	return g.dialHost(ctx, address, false)
}

// dialHost resolves and checks host, then dials the permitted addresses in
// the resolver's order. plainHTTP restricts the candidates to exempt
// addresses (plain http is accepted only to those).
func (g *Guard) dialHost(ctx context.Context, hostport string, plainHTTP bool) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, invalid(hostport, "invalid address")
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		return nil, invalid(host, "invalid port %q", portStr)
	}
	addr, isLiteral, herr := parseHost(host, false)
	if herr != nil {
		return nil, herr
	}
	var candidates []netip.Addr
	if isLiteral {
		candidates = []netip.Addr{addr}
	} else {
		candidates, err = g.resolve(ctx, trimDot(host))
		if err != nil {
			return nil, fmt.Errorf("ssrf: resolve %s: %w", host, err)
		}
	}
	var permitted []netip.Addr
	var refused []string
	for _, a := range candidates {
		err := g.Check(a)
		if err == nil && plainHTTP && !g.exempt(a) {
			err = &Error{Kind: ErrDenied, Addr: a, Reason: "plain http only to exempt addresses"}
		}
		if err != nil {
			refused = append(refused, err.Error())
			continue
		}
		if a.Is4In6() {
			a = a.Unmap()
		}
		dup := false
		for _, p := range permitted {
			dup = dup || p == a
		}
		if !dup {
			permitted = append(permitted, a)
		}
	}
	if len(permitted) == 0 {
		reason := "no address"
		if len(refused) > 0 {
			reason = "no permitted address (" + strings.Join(refused, "; ") + ")"
		}
		return nil, &Error{Kind: ErrDenied, Host: host, Reason: reason}
	}
	var lastErr error
	for i, a := range permitted {
		// Share the remaining time among the remaining addresses, as
		// net.Dialer does.
		actx, cancel := ctx, context.CancelFunc(func() {})
		if dl, ok := ctx.Deadline(); ok {
			per := time.Until(dl) / time.Duration(len(permitted)-i)
			actx, cancel = context.WithTimeout(ctx, per)
		}
		conn, err := g.dial(actx, "tcp", netip.AddrPortFrom(a, uint16(port)).String())
		cancel()
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// control re-checks the address the socket is about to connect to: a last
// line of defence should a name ever reach the default dialer.
func (g *Guard) control(_ context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &Error{Kind: ErrDenied, Host: address, Reason: "connect to a non-literal address"}
	}
	return g.Check(ap.Addr())
}

// fasthttpDial adapts dialHost to fasthttp.
func (g *Guard) fasthttpDial(timeout time.Duration, plainHTTP bool) fasthttp.DialFuncWithTimeout {
	return func(addr string, t time.Duration) (net.Conn, error) {
		if t <= 0 || t > timeout {
			t = timeout
		}
		ctx, cancel := context.WithTimeout(context.Background(), t)
		defer cancel()
		return g.dialHost(ctx, addr, plainHTTP)
	}
}

// Client returns a fasthttp client for requests to user-supplied URLs:
//   - every connection goes through the guard's dialer (the host is
//     resolved and every address checked at connect time; plain http only
//     to exempt addresses);
//   - no proxy: fasthttp reads no proxy environment variables (that only
//     happens through the fasthttpproxy package, not used here) and the
//     dialer connects directly;
//   - no redirects: use Do or Client.Do, which return a 3xx as it is (never
//     DoRedirects, Get or Post, which follow them);
//   - no retries inside fasthttp (one attempt per Do; retrying is the
//     caller's policy);
//   - timeout bounds dialing, writing the request and reading the response
//     (ReadTimeout/WriteTimeout);
//   - MaxResponseBodySize is MaxBodySize: a buffered read of a larger body
//     fails with fasthttp.ErrBodyTooLarge even on a 2xx. Do streams instead
//     and returns a truncated body without an error;
//   - TLS: crypto/tls defaults (system roots, certificate checked against
//     the URL's host name), TLS 1.2 at least.
//
// userAgent becomes the default User-Agent.
func (g *Guard) Client(timeout time.Duration, userAgent string) *fasthttp.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &fasthttp.Client{
		Name:        userAgent,
		DialTimeout: g.fasthttpDial(timeout, true),
		ConfigureClient: func(hc *fasthttp.HostClient) error {
			// Per host and scheme: plain http only to exempt addresses.
			hc.Dial = nil
			hc.DialTimeout = g.fasthttpDial(timeout, !hc.IsTLS)
			hc.DialDualStack = false
			return nil
		},
		TLSConfig:                 &tls.Config{MinVersion: tls.VersionTLS12},
		ReadTimeout:               timeout,
		WriteTimeout:              timeout,
		MaxResponseBodySize:       MaxBodySize,
		ReadBufferSize:            16 << 10, // response headers up to 16 KiB
		MaxIdemponentCallAttempts: 1,
		RetryIfErr: func(*fasthttp.Request, int, error) (bool, bool) {
			return false, false
		},
		DisablePathNormalizing: true, // send the path the user gave
		MaxIdleConnDuration:    30 * time.Second,
	}
}

// Do sends req once with c (a 3xx is returned, not followed) and reads at
// most MaxBodySize bytes of the response body. A longer body is not an
// error: body holds its first MaxBodySize bytes, truncated is true, and the
// connection is closed instead of drained. resp's headers and status are
// valid after Do; its body is in the returned slice, not in resp.Body().
func Do(c *fasthttp.Client, req *fasthttp.Request, resp *fasthttp.Response) (body []byte, truncated bool, err error) {
	return do(c, req, resp, MaxBodySize, false)
}

// DoLimit is Do with a body limit of limit bytes (instead of MaxBodySize)
// for callers that need the whole body, e.g. image fetches. A body longer
// than limit is not an error: truncated is true and body holds at most limit
// bytes; when the response declares a Content-Length beyond limit, the body
// is not read at all (body is empty) and the connection is closed.
func DoLimit(c *fasthttp.Client, req *fasthttp.Request, resp *fasthttp.Response, limit int) (body []byte, truncated bool, err error) {
	return do(c, req, resp, max(limit, 0), true)
}

func do(c *fasthttp.Client, req *fasthttp.Request, resp *fasthttp.Response, limit int, skipDeclared bool) (body []byte, truncated bool, err error) {
	resp.StreamBody = true
	if err := c.Do(req, resp); err != nil {
		return nil, false, err
	}
	stream := resp.BodyStream()
	if stream == nil { // HEAD, 204, 304
		b := resp.Body()
		if len(b) > limit {
			return append([]byte(nil), b[:limit]...), true, nil
		}
		return append([]byte(nil), b...), false, nil
	}
	abort := func(cause error) {
		if cw, ok := stream.(fasthttp.ReadCloserWithError); ok {
			_ = cw.CloseWithError(cause)
		} else {
			_ = resp.CloseBodyStream()
		}
	}
	if skipDeclared && resp.Header.ContentLength() > limit {
		abort(fasthttp.ErrBodyTooLarge)
		return nil, true, nil
	}
	body, err = io.ReadAll(io.LimitReader(stream, int64(limit)+1))
	if err != nil {
		abort(err)
		return body, false, err
	}
	if len(body) > limit {
		abort(fasthttp.ErrBodyTooLarge)
		return body[:limit], true, nil
	}
	if err := resp.CloseBodyStream(); err != nil && !errors.Is(err, io.EOF) {
		return body, false, err
	}
	return body, false, nil
}
