package api_test

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawGet sends path exactly as given (no client-side normalisation) and
// returns the status and body.
func rawGet(t *testing.T, base, path string) (int, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		body.WriteString(string(buf[:n]))
		if err != nil {
			break
		}
	}
	return resp.StatusCode, []byte(body.String())
}

// TestRoutingOnPathAsSent: encoded dots and slashes, and dot segments, are
// not decoded into another route. Each path reached /metrics, /healthz or
// /readyz when the router used fasthttp's normalised path.
func TestRoutingOnPathAsSent(t *testing.T) {
	e := start(t, setup{})
	for _, path := range []string{
		"/i/%2e%2e%2fmetrics",
		"/i/..%2fhealthz",
		"/i/%2E%2E%2Freadyz",
		"/i/../metrics",
		"/i/./../healthz",
		"/api/og/..%2f..%2fmetrics",
		"/api/og/../../metrics",
		"/api/og%2f..%2fmetrics",
		"/api/v2/renders/..%2f..%2f..%2fmetrics%2f/deliveries",
		"/api/v2/deliveries/x/..%2f..%2f..%2fhealthz%2f/redeliver",
		"//metrics",
		"/metrics/.",
		"/i/%2e%2e/metrics",
		"/api/og%2F..%2F..%2Fmetrics",
	} {
		t.Run(path, func(t *testing.T) {
			code, body := rawGet(t, e.base, path)
			if code != http.StatusNotFound {
				t.Fatalf("GET %s: status %d, want 404; body %.120q", path, code, body)
			}
			var js struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(body, &js); err != nil || js.Error == "" {
				t.Errorf("GET %s: body %.120q is not a JSON error", path, body)
			}
		})
	}
	// The routes themselves still answer, and an escaped letter is the
	// letter (RFC 3986 6.2.2.2): /%6detrics is /metrics, not a way around it.
	for path, want := range map[string]int{"/healthz": 200, "/metrics": 200, "/%6detrics": 200, "/i/doesnotexist0": 404,
		"/api/og?template=blog&title=Hi": 200, "/api/%6Fg?template=blog&title=Hi": 200} {
		if code, body := rawGet(t, e.base, path); code != want {
			t.Errorf("GET %s: status %d, want %d; body %.120q", path, code, want, body)
		}
	}
}
