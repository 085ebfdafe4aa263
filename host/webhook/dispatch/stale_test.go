package dispatch

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

// action is what a scripted server does with one request.
type action int

const (
	answer          action = iota // 200, keep-alive
	answerIdleClose               // 200, keep-alive, then close the connection 50 ms later
	closeUnanswered               // read the request, close without a byte
	answerPartly                  // part of a status line, then close
	hang                          // read the request, answer nothing for 2 s
)

// scripted is a raw HTTP/1.1 server on 127.0.0.1 that does script(conn,
// req) with the req-th request (1-based) on its conn-th connection.
type scripted struct {
	addr   string
	mu     sync.Mutex
	conns  int
	served []string // webhook-id of every request read, in order
}

func newScripted(t *testing.T, script func(conn, req int) action) *scripted {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scripted{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			n := s.conns
			s.mu.Unlock()
			go s.serve(c, n, script)
		}
	}()
	return s
}

func (s *scripted) serve(c net.Conn, conn int, script func(conn, req int) action) {
	defer c.Close()
	br := bufio.NewReader(c)
	for req := 1; ; req++ {
		r, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		var body bytes.Buffer
		_, _ = body.ReadFrom(r.Body)
		s.mu.Lock()
		s.served = append(s.served, r.Header.Get("webhook-id"))
		s.mu.Unlock()
		switch script(conn, req) {
		case answer:
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
		case answerIdleClose:
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
			time.Sleep(50 * time.Millisecond)
			return
		case closeUnanswered:
			return
		case answerPartly:
			_, _ = c.Write([]byte("HTTP/1.1 200 O"))
			return
		case hang:
			time.Sleep(2 * time.Second)
			return
		}
	}
}

func (s *scripted) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.served...)
}

// syncBuffer is a log sink safe for the dispatcher's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) lines(has ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range strings.Split(b.b.String(), "\n") {
		ok := l != ""
		for _, h := range has {
			ok = ok && strings.Contains(l, h)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// TestStaleConnectionResent: a request that fails on a connection from the
// idle pool before any byte of an answer is sent again at once on a new
// connection, in the same attempt; one that got part of an answer, timed out,
// or failed on a connection dialed for it is a failed attempt, not resent.
// The first delivery opens a kept-alive connection; the second is sent on
// it 150 ms later.
func TestStaleConnectionResent(t *testing.T) {
	for _, tc := range []struct {
		name       string
		script     func(conn, req int) action
		deliveries int    // 2: the second goes out on the first's connection
		delivered  bool   // the last delivery's first attempt succeeded
		served     int    // requests the server read
		resends    uint64 // Stats.StaleResends
		errHas     string // the failed attempt's error
	}{
		{"closed while idle", func(conn, req int) action { return answerIdleClose }, 2, true, 2, 1, ""},
		{"closed on reading the request", func(conn, req int) action {
			if conn == 1 && req == 2 {
				return closeUnanswered
			}
			return answer
		}, 2, true, 3, 1, ""},
		{"part of an answer", func(conn, req int) action {
			if req == 2 {
				return answerPartly
			}
			return answer
		}, 2, false, 2, 0, "response"},
		{"timeout", func(conn, req int) action {
			if req == 2 {
				return hang
			}
			return answer
		}, 2, false, 2, 0, "timeout"},
		{"new connection closed", func(conn, req int) action { return closeUnanswered }, 1, false, 1, 0, "closed connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newScripted(t, tc.script)
			st := openStore(t)
			cfg := fastConfig()
			cfg.Schedule = []time.Duration{0, time.Hour} // a failed attempt stays failed for the test
			cfg.IdleConnTimeout = 30 * time.Second       // keep the connection whatever the server does
			var log syncBuffer
			x := runLogged(t, st, loopback(), cfg, &log)
			url := "http://" + srv.addr + "/hook"
			var r *store.Render
			var d *store.Delivery
			for i := range tc.deliveries {
				if i > 0 {
					time.Sleep(150 * time.Millisecond)
				}
				r, d = enqueue(t, st, url, secret)
				x.d.Notify()
				status, errHas := store.StatusDelivered, ""
				if i == tc.deliveries-1 && !tc.delivered {
					status, errHas = store.StatusPending, tc.errHas
				}
				_, as := waitStatus(t, st, r.Slug, d.ID, status, 1, 5*time.Second)
				if len(as) != 1 || !strings.Contains(as[0].Error, errHas) || (errHas == "") != (as[0].Error == "") {
					t.Fatalf("delivery %d: attempts %+v, want one (error containing %q)", i+1, as, errHas)
				}
			}
			if got := srv.got(); len(got) != tc.served {
				t.Errorf("server read %d requests %v, want %d", len(got), got, tc.served)
			}
			if n := x.d.Stats().StaleResends; n != tc.resends {
				t.Errorf("%d stale resends, want %d", n, tc.resends)
			}
			if tc.resends > 0 && len(log.lines("level=INFO", "closed the idle connection", "delivery="+d.ID, "host="+srv.addr)) != 1 {
				t.Errorf("no log line for the resend:\n%s", strings.Join(log.lines(), "\n"))
			}
			// Every failed attempt is one log line: delivery, URL host, error.
			failed := log.lines("level=WARN", `msg="webhook attempt failed"`, "delivery="+d.ID, "host="+srv.addr, "error=")
			if want := map[bool]int{true: 0, false: 1}[tc.delivered]; len(failed) != want {
				t.Errorf("%d log lines for failed attempts, want %d:\n%s", len(failed), want, strings.Join(log.lines(), "\n"))
			}
		})
	}
}

// TestConnTrackerForgets: a closed connection is forgotten once forgetAfter
// has passed, not at once (the attempt that saw it break asks after fasthttp
// closed it).
func TestConnTrackerForgets(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tr := &connTracker{dialed: map[string]*dialInfo{}}
	dial := tr.wrap(func(addr string, timeout time.Duration) (net.Conn, error) {
		var d net.Dialer
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return d.DialContext(ctx, "tcp4", addr)
	})
	before := time.Now()
	c, err := dial(ln.Addr().String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if tr.dialedBefore(c.LocalAddr(), c.RemoteAddr(), before) || !tr.dialedBefore(c.LocalAddr(), c.RemoteAddr(), time.Now().Add(time.Millisecond)) {
		t.Fatal("dial time not recorded")
	}
	c.Close()
	c.Close()
	if tr.size() != 1 || !tr.dialedBefore(c.LocalAddr(), c.RemoteAddr(), time.Now().Add(time.Millisecond)) {
		t.Fatal("forgotten at once on Close")
	}
	tr.forget(connKey(c.LocalAddr(), c.RemoteAddr()), &dialInfo{}) // another connection's entry: kept
	if tr.size() != 1 {
		t.Fatal("forget dropped a newer entry")
	}
	if tr.dialedBefore(nil, c.RemoteAddr(), time.Now()) {
		t.Fatal("unknown connection reported as reused")
	}
}

// TestStaleTLSConnectionResent: the same over TLS, where the receiver's
// close comes as a close_notify alert before the connection's end.
func TestStaleTLSConnectionResent(t *testing.T) {
	var mu sync.Mutex
	var ids []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ids = append(ids, r.Header.Get("webhook-id"))
		mu.Unlock()
		w.WriteHeader(200)
	}))
	srv.Config.IdleTimeout = 50 * time.Millisecond
	srv.StartTLS()
	t.Cleanup(srv.Close)

	st := openStore(t)
	cfg := fastConfig()
	cfg.Schedule = []time.Duration{0, time.Hour}
	cfg.IdleConnTimeout = 30 * time.Second
	x := run(t, st, loopback(), cfg)
	// Trust the test server's certificate (set before the first request).
	x.d.http.pooled.TLSConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig
	x.d.http.fresh.TLSConfig = x.d.http.pooled.TLSConfig
	for i := range 2 {
		if i > 0 {
			time.Sleep(200 * time.Millisecond)
		}
		r, d := enqueue(t, st, srv.URL+"/hook", secret)
		x.d.Notify()
		if _, as := waitStatus(t, st, r.Slug, d.ID, store.StatusDelivered, 1, 5*time.Second); len(as) != 1 {
			t.Fatalf("delivery %d: attempts %+v", i+1, as)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ids) != 2 || x.d.Stats().StaleResends != 1 {
		t.Fatalf("server got %v, %d stale resends; want 2 requests, 1 resend", ids, x.d.Stats().StaleResends)
	}
}
