package webhook_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/ogmint/ogmint/host/jsjson"
	"github.com/ogmint/ogmint/host/webhook"
)

// Build a body from client metadata and sign it.
func ExamplePayload_Body() {
	// At submit time: validate and canonicalise the client's metadata.
	meta, err := jsjson.Object([]byte(`{"postId": "post_abc123", "userId": "user_456"}`), jsjson.DefaultLimits)
	if err != nil {
		panic(err) // a 400 in the API
	}
	p := webhook.Payload{
		URL:       "https://ogmint.app/i/xK9mQ2pL",
		Slug:      "xK9mQ2pL",
		Template:  "blog",
		Metadata:  meta,
		CreatedAt: time.Date(2025, 3, 8, 0, 0, 0, 0, time.UTC),
	}
	body := p.Body()
	fmt.Println(string(body))
	fmt.Println(webhook.Sign("whsec_your_secret_here", body) != "")
	// Output:
	// {"event":"render.completed","data":{"url":"https://ogmint.app/i/xK9mQ2pL","slug":"xK9mQ2pL","template":"blog","metadata":{"postId":"post_abc123","userId":"user_456"},"createdAt":"2025-03-08T00:00:00.000Z"}}
	// true
}

// A receiver verifies x-ogmint-signature against the raw body bytes,
// before parsing them.
func ExampleVerify() {
	const secret = "whsec_your_secret_here"
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := webhook.Verify(secret, raw, r.Header.Get("x-ogmint-signature")); err != nil {
			http.Error(w, `{"error":"Invalid signature"}`, http.StatusUnauthorized)
			return
		}
		// Only now parse raw (encoding/json or anything else) and process it.
		w.Write([]byte(`{"ok":true}`))
	})

	// Simulate a delivery.
	body := []byte(`{"event":"render.completed","data":{"url":"https://ogmint.app/i/xK9mQ2pL","slug":"xK9mQ2pL","template":"blog","metadata":{},"createdAt":"2025-03-08T00:00:00.000Z"}}`)
	for _, sig := range []string{webhook.Sign(secret, body), "forged"} {
		req := httptest.NewRequest("POST", "/hooks/og-complete", strings.NewReader(string(body)))
		req.Header.Set("x-ogmint-signature", sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// 200
	// 401
}

// The Standard Webhooks headers add a timestamp (replay protection) and an
// id (deduplication of retries).
func ExampleVerifyStandard() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"event":"render.completed","data":{}}`)
	sent := time.Unix(1741392000, 0)

	// What ogmint sends ...
	h := http.Header{}
	for k, v := range webhook.Headers(secret, "msg_2Lq9", sent, body, webhook.UserAgent("1.0.0")) {
		h.Set(k, v)
	}

	// ... and what a receiver checks, 10 seconds and 1 hour later.
	fmt.Println(webhook.VerifyStandard(secret, h, body, 5*time.Minute, sent.Add(10*time.Second)))
	fmt.Println(webhook.VerifyStandard(secret, h, body, 5*time.Minute, sent.Add(time.Hour)))
	// Output:
	// <nil>
	// webhook: timestamp outside the tolerance
}
