package dispatch

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/ssrf"
)

// forgetAfter is how long a closed connection stays known to the tracker:
// long enough for the attempt that saw it fail to ask about it.
const forgetAfter = 10 * time.Second

// clients are the two fasthttp clients an attempt may use, both through
// the SSRF guard.
type clients struct {
	pooled *fasthttp.Client // keeps idle connections for IdleConnTimeout
	fresh  *fasthttp.Client // one new connection per request (Connection: close)
	conns  *connTracker     // when each of pooled's connections was dialed
}

// newClients builds the dispatcher's clients from guard.
func newClients(guard *ssrf.Guard, cfg Config) *clients {
	cs := &clients{
		pooled: guard.Client(cfg.Timeout, cfg.UserAgent),
		fresh:  guard.Client(cfg.Timeout, cfg.UserAgent),
		conns:  &connTracker{dialed: map[string]*dialInfo{}},
	}
	cs.pooled.MaxIdleConnDuration = cfg.IdleConnTimeout
	configure := cs.pooled.ConfigureClient
	cs.pooled.ConfigureClient = func(hc *fasthttp.HostClient) error {
		if configure != nil {
			if err := configure(hc); err != nil {
				return err
			}
		}
		if hc.DialTimeout == nil {
			return errors.New("dispatch: the SSRF client has no dialer to track")
		}
		hc.DialTimeout = cs.conns.wrap(hc.DialTimeout)
		return nil
	}
	return cs
}

// stale reports whether an attempt that got err (and resp) failed on a
// connection the receiver had already closed while it sat in the idle pool:
// the connection was dialed before the attempt began (at), and it broke
// while the request was written or before the first byte of an answer
// (fasthttp.ErrConnectionClosed: EOF or a reset before the first response
// byte). A timeout is never stale: the receiver may be working on the
// request. Such a request never reached a handler (servers close idle
// connections between requests), so it may be sent again at once; the
// webhook-id stays the same, so even a receiver that closed the connection
// while handling the request can drop the repeat.
func (cs *clients) stale(err error, resp *fasthttp.Response, at time.Time) bool {
	if err == nil || isTimeout(err) {
		return false
	}
	if !errors.Is(err, fasthttp.ErrConnectionClosed) && !writeFailed(err) {
		return false
	}
	return cs.conns.dialedBefore(resp.LocalAddr(), resp.RemoteAddr(), at)
}

// writeFailed reports whether err is a failure to write to the connection.
func writeFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "write"
}

// isTimeout reports whether err is a timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, fasthttp.ErrDialTimeout) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// connTracker remembers when each connection of a client was dialed, by
// its local and remote address (what fasthttp.Response reports about the
// connection a request used).
type connTracker struct {
	mu     sync.Mutex
	dialed map[string]*dialInfo
}

type dialInfo struct{ at time.Time }

func connKey(local, remote net.Addr) string { return local.String() + " " + remote.String() }

// wrap returns dial with every connection it makes recorded.
func (t *connTracker) wrap(dial fasthttp.DialFuncWithTimeout) fasthttp.DialFuncWithTimeout {
	return func(addr string, timeout time.Duration) (net.Conn, error) {
		c, err := dial(addr, timeout)
		if err != nil {
			return nil, err
		}
		tc := &trackedConn{Conn: c, t: t, key: connKey(c.LocalAddr(), c.RemoteAddr()), info: &dialInfo{at: time.Now()}}
		t.mu.Lock()
		t.dialed[tc.key] = tc.info
		t.mu.Unlock()
		return tc, nil
	}
}

// dialedBefore reports whether the connection from local to remote was
// dialed before at. Unknown connections were not.
func (t *connTracker) dialedBefore(local, remote net.Addr, at time.Time) bool {
	if local == nil || remote == nil {
		return false
	}
	t.mu.Lock()
	info := t.dialed[connKey(local, remote)]
	t.mu.Unlock()
	return info != nil && info.at.Before(at)
}

// forget drops key's entry unless a newer connection took the same addresses.
func (t *connTracker) forget(key string, info *dialInfo) {
	t.mu.Lock()
	if t.dialed[key] == info {
		delete(t.dialed, key)
	}
	t.mu.Unlock()
}

// size is the number of connections known (open, or closed recently).
func (t *connTracker) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.dialed)
}

// trackedConn forgets its entry a while after it is closed: the attempt
// that saw it break asks about it after fasthttp has closed it.
type trackedConn struct {
	net.Conn
	t    *connTracker
	key  string
	info *dialInfo
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { time.AfterFunc(forgetAfter, func() { c.t.forget(c.key, c.info) }) })
	return c.Conn.Close()
}
