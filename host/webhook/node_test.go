package webhook

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/jsjson"
	"github.com/ogmint/ogmint/host/ssrf"
)

type corpusEntry struct {
	Name string `json:"name"`
	JSON string `json:"json"`
	Want string `json:"want"`
}

// hostileMetadata returns canonical metadata objects built from the jsjson
// corpus: each accepted corpus value wrapped as {"v": value, ...}.
func hostileMetadata(t *testing.T) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "jsjson", "testdata", "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var corpus []corpusEntry
	if err := json.Unmarshal(b, &corpus); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range corpus {
		if e.Want != "ok" {
			continue
		}
		raw := `{"10":1,"v":` + e.JSON + `,"2":"<\u2028>","v2":-0}`
		meta, err := jsjson.Object([]byte(raw), jsjson.Limits{MaxDepth: jsjson.DefaultLimits.MaxDepth + 1})
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		out[e.Name] = meta
	}
	if len(out) < 40 {
		t.Fatalf("only %d hostile metadata objects", len(out))
	}
	return out
}

type receiver struct {
	url string
}

// startReceiver runs testdata/receiver.mjs with secret and returns its URL
// on 127.0.0.1.
func startReceiver(t *testing.T, secret string) *receiver {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; skipping the Node.js receiver test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "receiver.mjs"))
	cmd.Env = append(os.Environ(), "WEBHOOK_SECRET="+secret, "RECEIVER_LIFETIME_MS=80000")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
	}()
	select {
	case l, ok := <-line:
		var v struct{ Port int }
		if !ok || json.Unmarshal([]byte(l), &v) != nil || v.Port == 0 {
			t.Fatalf("receiver did not report its port: %q", l)
		}
		return &receiver{url: "http://127.0.0.1:" + strconv.Itoa(v.Port) + "/hooks/og-complete"}
	case <-time.After(15 * time.Second):
		t.Fatal("receiver did not start within 15s")
	}
	return nil
}

type reply struct {
	status int
	Error  string   `json:"error"`
	Scheme string   `json:"scheme"`
	OK     bool     `json:"ok"`
	Slug   string   `json:"slug"`
	Cached bool     `json:"cached"`
	Keys   []string `json:"metadataKeys"`
	UA     string   `json:"userAgent"`
}

func post(t *testing.T, c *fasthttp.Client, url string, headers map[string]string, body []byte) reply {
	t.Helper()
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(url)
	req.Header.SetMethod(fasthttp.MethodPost)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.SetBody(body)
	respBody, _, err := ssrf.Do(c, req, resp)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	var r reply
	if err := json.Unmarshal(respBody, &r); err != nil {
		t.Fatalf("reply %q: %v", respBody, err)
	}
	r.status = resp.StatusCode()
	return r
}

// TestNodeReceiver posts bodies built by Payload.Body from the hostile
// metadata corpus to a Node.js receiver running the product document's
// verification code, for three kinds of secret, through the SSRF-guarded
// client with 127.0.0.1 exempt.
func TestNodeReceiver(t *testing.T) {
	metas := hostileMetadata(t)
	guard := ssrf.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")})
	client := guard.Client(5*time.Second, UserAgent("test"))
	defer client.CloseIdleConnections()

	secrets := map[string]string{
		"product-doc-example": "whsec_your_secret_here",
		"whsec-base64":        "whsec_" + base64.StdEncoding.EncodeToString([]byte("\x00\xffbinary key material\x80")),
		"non-ascii":           "sécret ✓ \u2028 😀",
	}
	for name, secret := range secrets {
		t.Run(name, func(t *testing.T) {
			rcv := startReceiver(t, secret)
			i := 0
			for metaName, meta := range metas {
				i++
				p := Payload{
					URL:       "https://ogmint.app/i/xK9mQ2pL?q=<script>&x=\u2028",
					Slug:      "xK9mQ2pL",
					Template:  []string{"blog", "custom_<&>\"\\", "é😀"}[i%3],
					Metadata:  meta,
					CreatedAt: time.Date(2025, 3, 8, 0, 0, 0, int(i)*1e6, time.UTC),
					Cached:    i%2 == 0,
				}
				body := p.Body()
				h := Headers(secret, NewID(), time.Now(), body, UserAgent("test"))
				r := post(t, client, rcv.url, h, body)
				if r.status != 200 || !r.OK || r.Cached != p.Cached || r.Slug != p.Slug ||
					r.UA != UserAgent("test") || len(r.Keys) != 4 || r.Keys[0] != "2" {
					t.Errorf("%s: %d %+v\nbody %s", metaName, r.status, r, body)
				}
				// The Go helpers agree with Node.
				if err := Verify(secret, body, h[HeaderSignature]); err != nil {
					t.Errorf("%s: Verify: %v", metaName, err)
				}
				hh := http.Header{}
				for k, v := range h {
					hh.Set(k, v)
				}
				if err := VerifyStandard(secret, hh, body, 0, time.Now()); err != nil {
					t.Errorf("%s: VerifyStandard: %v", metaName, err)
				}
			}
			p := Payload{URL: "https://ogmint.app/i/a", Slug: "a", Template: "blog",
				Metadata: metas["html-chars"], CreatedAt: docTime}
			body := p.Body()
			h := Headers(secret, NewID(), time.Now(), body, UserAgent("test"))

			// A changed value fails the document's check.
			tampered := []byte(strings.Replace(string(body), `"slug":"a"`, `"slug":"b"`, 1))
			if r := post(t, client, rcv.url, h, tampered); r.status != 401 || r.Scheme != HeaderSignature {
				t.Errorf("tampered value: %d %+v", r.status, r)
			}
			// A wrong secret fails.
			bad := Headers(secret+"x", NewID(), time.Now(), body, "ua")
			if r := post(t, client, rcv.url, bad, body); r.status != 401 || r.Scheme != HeaderSignature {
				t.Errorf("wrong secret: %d %+v", r.status, r)
			}
			// No signature: the document's timingSafeEqual throws; 401.
			unsigned := Headers("", NewID(), time.Now(), body, "ua")
			if r := post(t, client, rcv.url, unsigned, body); r.status != 401 {
				t.Errorf("unsigned: %d %+v", r.status, r)
			}
			// Why the raw body is safer: a body with a second "data" member
			// re-serialises to the signed bytes (JSON.parse keeps the last
			// value at the first position), so the document's check passes,
			// while a first-wins parser downstream would read the injected
			// data. The raw-body signature rejects it.
			smuggled := []byte(`{"event":"render.completed","data":{"url":"https://evil.example/x.png"},` +
				strings.TrimPrefix(string(body), `{"event":"render.completed",`))
			if r := post(t, client, rcv.url, h, smuggled); r.status != 401 || r.Scheme != HeaderWebhookSignature {
				t.Errorf("smuggled duplicate key: %d %+v (want the raw-body check to be the one failing)", r.status, r)
			}
			if Verify(secret, smuggled, h[HeaderSignature]) == nil {
				t.Error("Verify accepted the smuggled body")
			}
			// Whitespace added by a proxy: same story, the re-serialising
			// check passes, the raw-body check does not.
			spaced := []byte(strings.Replace(string(body), `{"event"`, "{ \"event\"", 1))
			if r := post(t, client, rcv.url, h, spaced); r.status != 401 || r.Scheme != HeaderWebhookSignature {
				t.Errorf("spaced: %d %+v", r.status, r)
			}
			// A stale timestamp (replay) fails the Standard Webhooks check.
			old := Headers(secret, NewID(), time.Now().Add(-time.Hour), body, "ua")
			if r := post(t, client, rcv.url, old, body); r.status != 401 || r.Scheme != HeaderWebhookSignature {
				t.Errorf("replayed: %d %+v", r.status, r)
			}
			t.Logf("%d hostile bodies verified by node", len(metas))
		})
	}
}
