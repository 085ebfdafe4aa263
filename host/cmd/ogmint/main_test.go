package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/module"
	"github.com/ogmint/ogmint/host/store/storetest"
	"github.com/ogmint/ogmint/host/webhook"
)

// These tests run the real binary as a child process: crash safety and
// graceful shutdown are properties of the process, not of a handler.

var (
	binPath    string // the ogmint binary
	modulePath string // the render module (debug build: "debug-spin-ms:N" in a title)
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ogmint-cmd-test-")
	if err != nil {
		panic(err)
	}
	binPath, modulePath = filepath.Join(dir, "ogmint"), filepath.Join(dir, "ogmint.wasm")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building ogmint: %v\n%s", err, out)
		os.Exit(1)
	}
	wasm, err := module.Build(context.Background(), module.BuildOptions{Tags: []string{"ogmint_debug"}})
	if err == nil {
		err = os.WriteFile(modulePath, wasm, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	storetest.StopPostgres()
	os.RemoveAll(dir)
	os.Exit(code)
}

const testKey = "cmd-test-key-0123456789"

type server struct {
	cmd  *exec.Cmd
	base string
	log  *bytes.Buffer
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServer runs `ogmint serve` on dataDir and waits until /readyz is 200.
func startServer(t *testing.T, dataDir string, port int, env ...string) *server {
	t.Helper()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(binPath, "serve")
	cmd.Env = append(os.Environ(), "OGMINT_ADDR="+fmt.Sprintf("127.0.0.1:%d", port), "OGMINT_DATA_DIR="+dataDir,
		"OGMINT_PUBLIC_URL="+base, "OGMINT_API_KEYS="+testKey, "OGMINT_MODULE="+modulePath, "OGMINT_INSTANCES=1")
	cmd.Env = append(cmd.Env, env...)
	s := &server{cmd: cmd, base: base, log: &bytes.Buffer{}}
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if st, _, err := fasthttp.GetTimeout(nil, base+"/readyz", time.Second); err == nil && st == 200 {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server did not become ready; log:\n%s", s.log)
	return nil
}

func post(t *testing.T, base string, body string) (int, map[string]any) {
	t.Helper()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(base + "/api/v2/render")
	req.Header.SetMethod("POST")
	req.Header.Set("x-api-key", testKey)
	req.SetBodyString(body)
	if err := fasthttp.DoTimeout(req, resp, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	_ = json.Unmarshal(resp.Body(), &out)
	return resp.StatusCode(), out
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	st, body, err := fasthttp.GetTimeout(nil, url, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return st, body
}

// TestKill9AfterCreateLosesNothing: kill -9 right after a 201; the restarted
// process serves the image and answers the same request as a dedup hit.
func TestKill9AfterCreateLosesNothing(t *testing.T) {
	dir, port := t.TempDir(), freePort(t)
	s := startServer(t, dir, port)
	body := `{"template":"blog","title":"Survives kill -9","author":"Ada"}`
	st, out := post(t, s.base, body)
	if st != 201 {
		t.Fatalf("create: %d %v", st, out)
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Wait()
	slug := out["slug"].(string)

	s2 := startServer(t, dir, port)
	st, png := get(t, s2.base+"/i/"+slug)
	if st != 200 || len(png) < 1000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("image after kill -9: %d, %d bytes", st, len(png))
	}
	st, out2 := post(t, s2.base, body)
	if st != 200 || out2["slug"] != slug || out2["cached"] != true {
		t.Fatalf("dedup after kill -9: %d %v (slug %s)", st, out2, slug)
	}
}

// TestSIGTERMFinishesInFlightRenders: a render in progress when SIGTERM
// arrives is answered, then the process exits 0.
func TestSIGTERMFinishesInFlightRenders(t *testing.T) {
	dir, port := t.TempDir(), freePort(t)
	s := startServer(t, dir, port)
	type result struct {
		st  int
		out map[string]any
	}
	done := make(chan result, 1)
	go func() {
		st, out := post(t, s.base, `{"template":"blog","title":"slow debug-spin-ms:1500"}`)
		done <- result{st, out}
	}()
	time.Sleep(400 * time.Millisecond) // the render is running
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.st != 201 {
		t.Fatalf("in-flight render during shutdown: %d %v", r.st, r.out)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v; log:\n%s", err, s.log)
	}
	// Its image was stored before the process exited.
	s2 := startServer(t, dir, port)
	if st, _ := get(t, s2.base+"/i/"+r.out["slug"].(string)); st != 200 {
		t.Fatalf("image of the render finished during shutdown: %d", st)
	}
}

// deliveries lists a render's webhook deliveries through the API.
func deliveries(t *testing.T, base, slug string) []map[string]any {
	t.Helper()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(base + "/api/v2/renders/" + slug + "/deliveries")
	req.Header.Set("x-api-key", testKey)
	if err := fasthttp.DoTimeout(req, resp, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	var out struct{ Deliveries []map[string]any }
	if resp.StatusCode() != 200 || json.Unmarshal(resp.Body(), &out) != nil {
		t.Fatalf("deliveries of %s: %d %s", slug, resp.StatusCode(), resp.Body())
	}
	return out.Deliveries
}

// hookServer is a webhook receiver on a fixed 127.0.0.1 port that checks
// the signatures and counts deliveries by webhook-id.
type hookServer struct {
	srv   *http.Server
	mu    sync.Mutex
	ids   map[string]int
	bad   int
	delay time.Duration
	hit   chan struct{}
}

func startHookServer(t *testing.T, port int, secret string, delay time.Duration) *hookServer {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	h := &hookServer{ids: map[string]int{}, delay: delay, hit: make(chan struct{}, 100)}
	h.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case h.hit <- struct{}{}:
		default:
		}
		time.Sleep(h.delay)
		h.mu.Lock()
		defer h.mu.Unlock()
		if webhook.Verify(secret, body, r.Header.Get("x-ogmint-signature")) != nil ||
			webhook.VerifyStandard(secret, r.Header, body, time.Minute, time.Now()) != nil {
			h.bad++
			w.WriteHeader(401)
			return
		}
		h.ids[r.Header.Get("webhook-id")]++
	})}
	go h.srv.Serve(ln)
	t.Cleanup(func() { h.srv.Close() })
	return h
}

func (h *hookServer) distinct() (ids, bad int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ids), h.bad
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// webhookEnv: loopback receivers allowed, 1 s attempts, 25 attempts about
// a second apart.
func webhookEnv() []string {
	return []string{"OGMINT_WEBHOOK_ALLOW_NETS=127.0.0.1/32", "OGMINT_WEBHOOK_TIMEOUT=1s",
		"OGMINT_WEBHOOK_RETRY_SCHEDULE=0s,200ms,500ms" + strings.Repeat(",1s", 22)}
}

// TestKill9WithPendingDeliveriesLosesNone: renders whose receiver is down
// have pending deliveries (failed attempts recorded) when the host is
// killed with SIGKILL; the receiver comes up, the host restarts, and every
// delivery arrives.
func TestKill9WithPendingDeliveriesLosesNone(t *testing.T) {
	dir, port, hookPort := t.TempDir(), freePort(t), freePort(t) // nobody listens on hookPort yet
	const secret = "whsec_a2lsbCAtOSBrZXk="
	hookURL := fmt.Sprintf("http://127.0.0.1:%d/hooks/og-complete", hookPort)
	s := startServer(t, dir, port, webhookEnv()...)
	const n = 20
	var slugs []string
	for i := range n {
		st, out := post(t, s.base, fmt.Sprintf(`{"template":"blog","title":"Hook %d","webhookUrl":%q,"webhookSecret":%q,"metadata":{"i":%d}}`,
			i, hookURL, secret, i))
		if st != 201 || out["webhook_dispatched"] != true {
			t.Fatalf("create %d: %d %v", i, st, out)
		}
		slugs = append(slugs, out["slug"].(string))
	}
	// Every delivery has been tried (connection refused) and is pending.
	waitUntil(t, 20*time.Second, "a failed attempt on every delivery", func() bool {
		for _, slug := range slugs {
			ds := deliveries(t, s.base, slug)
			if len(ds) != 1 || ds[0]["status"] != "pending" || ds[0]["attempts"].(float64) < 1 {
				return false
			}
		}
		return true
	})
	ds := deliveries(t, s.base, slugs[0])
	if log := ds[0]["attempt_log"].([]any); !strings.Contains(fmt.Sprint(log[0]), "refused") {
		t.Errorf("first attempt: %v", log[0])
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Wait()

	hooks := startHookServer(t, hookPort, secret, 0)
	start := time.Now()
	s2 := startServer(t, dir, port, webhookEnv()...)
	// Leases taken just before the kill expire after 2*timeout+5s = 7s.
	waitUntil(t, 30*time.Second, fmt.Sprintf("%d distinct deliveries", n), func() bool {
		got, _ := hooks.distinct()
		return got == n
	})
	if _, bad := hooks.distinct(); bad != 0 {
		t.Errorf("%d requests failed signature checks", bad)
	}
	t.Logf("all %d deliveries arrived %s after the restart began", n, time.Since(start).Round(time.Millisecond))
	waitUntil(t, 10*time.Second, "every delivery marked delivered", func() bool {
		for _, slug := range slugs {
			if ds := deliveries(t, s2.base, slug); ds[0]["status"] != "delivered" {
				return false
			}
		}
		return true
	})
}

// TestSIGTERMFinishesInFlightWebhook: an attempt in flight when SIGTERM
// arrives completes and is recorded; the process exits 0 and the restarted
// host does not send it again.
func TestSIGTERMFinishesInFlightWebhook(t *testing.T) {
	dir, port, hookPort := t.TempDir(), freePort(t), freePort(t)
	const secret = "whsec_c2lndGVybSBrZXk="
	hooks := startHookServer(t, hookPort, secret, 800*time.Millisecond)
	s := startServer(t, dir, port, webhookEnv()...)
	st, out := post(t, s.base, fmt.Sprintf(`{"template":"blog","title":"Slow receiver","webhookUrl":"http://127.0.0.1:%d/h","webhookSecret":%q}`,
		hookPort, secret))
	if st != 201 {
		t.Fatalf("create: %d %v", st, out)
	}
	select {
	case <-hooks.hit:
	case <-time.After(10 * time.Second):
		t.Fatal("no attempt started")
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v; log:\n%s", err, s.log)
	}
	s2 := startServer(t, dir, port, webhookEnv()...)
	ds := deliveries(t, s2.base, out["slug"].(string))
	if len(ds) != 1 || ds[0]["status"] != "delivered" || ds[0]["attempts"].(float64) != 1 {
		t.Fatalf("after SIGTERM and restart: %v", ds)
	}
	time.Sleep(300 * time.Millisecond)
	hooks.mu.Lock()
	defer hooks.mu.Unlock()
	if len(hooks.ids) != 1 || hooks.ids[ds[0]["id"].(string)] != 1 {
		t.Fatalf("receiver got %v", hooks.ids)
	}
}
