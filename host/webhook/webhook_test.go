package webhook

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/jsjson"
)

var docTime = time.Date(2025, 3, 8, 0, 0, 0, 0, time.UTC)

func TestBodyProductDocExample(t *testing.T) {
	meta, err := jsjson.Object([]byte(`{
      "postId": "post_abc123",
      "userId": "user_456"
    }`), jsjson.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	p := Payload{URL: "https://ogmint.app/i/xK9mQ2pL", Slug: "xK9mQ2pL", Template: "blog", Metadata: meta, CreatedAt: docTime}
	want := `{"event":"render.completed","data":{"url":"https://ogmint.app/i/xK9mQ2pL","slug":"xK9mQ2pL","template":"blog","metadata":{"postId":"post_abc123","userId":"user_456"},"createdAt":"2025-03-08T00:00:00.000Z"}}`
	if got := string(p.Body()); got != want {
		t.Errorf("Body:\n got %s\nwant %s", got, want)
	}
	p.Cached = true
	want = strings.TrimSuffix(want, "}") + `,"cached":true}`
	if got := string(p.Body()); got != want {
		t.Errorf("cached Body:\n got %s\nwant %s", got, want)
	}
}

func TestBodyIsCanonical(t *testing.T) {
	for _, p := range []Payload{
		{},
		{URL: "https://x.example/i/a?b=<c>&d=\u2028\u2029", Slug: "\x00\x1f\x7f\"\\/", Template: "custom_<&>",
			Metadata: []byte(`{"2":1,"a":"<\u0001>"}`), CreatedAt: time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.FixedZone("x", 3600)), Cached: true},
		{URL: "bad\xffutf8", Slug: "😀", Template: "é", Metadata: []byte(`{}`)},
	} {
		body := p.Body()
		canon, err := jsjson.Canonical(body, jsjson.Limits{MaxBytes: 1 << 20})
		if err != nil {
			t.Errorf("%q: %v", body, err)
			continue
		}
		if string(canon) != string(body) {
			t.Errorf("not canonical:\n%q\n%q", body, canon)
		}
	}
}

func TestFormatTime(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{docTime, "2025-03-08T00:00:00.000Z"},
		{time.Date(2025, 3, 8, 1, 2, 3, 456789999, time.FixedZone("CET", 3600)), "2025-03-08T00:02:03.456Z"},
		{time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC), "1999-12-31T23:59:59.999Z"},
	} {
		if got := FormatTime(tc.t); got != tc.want {
			t.Errorf("FormatTime(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestSignVectors(t *testing.T) {
	// RFC 4231 test case 2.
	if got := Sign("Jefe", []byte("what do ya want for nothing?")); got != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Errorf("Sign = %s", got)
	}
	// The Standard Webhooks / Svix reference example.
	got := StandardSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Errorf("StandardSignature = %s", got)
	}
}

func TestStandardKey(t *testing.T) {
	raw := []byte{0, 1, 2, 250, 251, 252, 253, 254, 255}
	b64 := base64.StdEncoding.EncodeToString(raw)
	for _, tc := range []struct {
		secret string
		want   []byte
	}{
		{"whsec_" + b64, raw},
		{"whsec_your_secret_here", []byte("whsec_your_secret_here")},
		{"whsec_", []byte("whsec_")},
		{"whsec_AAE", []byte("whsec_AAE")},       // unpadded
		{"whsec_AAF=", []byte("whsec_AAF=")},     // non-zero padding bits
		{"whsec_AA\nAA", []byte("whsec_AA\nAA")}, // Go's decoder would skip the newline
		{b64, []byte(b64)},                       // base64 without the prefix is not decoded
		{"ünïcødé ✓", []byte("ünïcødé ✓")},
	} {
		if got := StandardKey(tc.secret); string(got) != string(tc.want) {
			t.Errorf("StandardKey(%q) = %x, want %x", tc.secret, got, tc.want)
		}
	}
}

func TestHeaders(t *testing.T) {
	body := []byte(`{"a":1}`)
	ts := time.Unix(1741392000, 0)
	h := Headers("s3cret", "msg_1", ts, body, UserAgent("1.2.3"))
	want := map[string]string{
		"content-type":       "application/json",
		"user-agent":         "ogmint-webhook/1.2.3 (+https://github.com/ogmint/ogmint)",
		"webhook-id":         "msg_1",
		"webhook-timestamp":  "1741392000",
		"x-ogmint-signature": Sign("s3cret", body),
		"webhook-signature":  StandardSignature("s3cret", "msg_1", 1741392000, body),
	}
	if len(h) != len(want) {
		t.Errorf("headers %v", h)
	}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("%s = %q, want %q", k, h[k], v)
		}
	}
	h = Headers("", "msg_1", ts, body, "ua")
	if _, ok := h[HeaderSignature]; ok {
		t.Error("x-ogmint-signature without a secret")
	}
	if _, ok := h[HeaderWebhookSignature]; ok {
		t.Error("webhook-signature without a secret")
	}
	if h[HeaderWebhookID] != "msg_1" || h[HeaderWebhookTimestamp] != "1741392000" {
		t.Errorf("headers %v", h)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"event":"render.completed"}`)
	sig := Sign("k", body)
	for _, tc := range []struct {
		secret, sig string
		body        []byte
		want        error
	}{
		{"k", sig, body, nil},
		{"k", strings.ToUpper(sig), body, nil},
		{"k", " " + sig + " ", body, nil},
		{"k2", sig, body, ErrInvalidSignature},
		{"k", sig, append([]byte(" "), body...), ErrInvalidSignature},
		{"k", sig[:62], body, ErrInvalidSignature},
		{"k", "zz" + sig[2:], body, ErrInvalidSignature},
		{"k", "", body, ErrMissingSignature},
	} {
		if err := Verify(tc.secret, tc.body, tc.sig); !errors.Is(err, tc.want) {
			t.Errorf("Verify(%q, %q) = %v, want %v", tc.secret, tc.sig, err, tc.want)
		}
	}
}

func TestVerifyStandard(t *testing.T) {
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	body := []byte(`{"event":"render.completed","data":{}}`)
	now := time.Unix(1741392000, 0)
	good := StandardSignature(secret, "msg_1", now.Unix(), body)
	other := StandardSignature("whsec_other", "msg_1", now.Unix(), body)
	mk := func(id, ts, sig string) http.Header {
		h := http.Header{}
		if id != "" {
			h.Set("webhook-id", id)
		}
		if ts != "" {
			h.Set("webhook-timestamp", ts)
		}
		if sig != "" {
			h.Set("webhook-signature", sig)
		}
		return h
	}
	for _, tc := range []struct {
		name string
		h    http.Header
		body []byte
		now  time.Time
		want error
	}{
		{"good", mk("msg_1", "1741392000", good), body, now, nil},
		{"rotation-list", mk("msg_1", "1741392000", other+" v2,abc "+good), body, now, nil},
		{"only-other", mk("msg_1", "1741392000", other), body, now, ErrInvalidSignature},
		{"v2-only", mk("msg_1", "1741392000", "v2,"+strings.TrimPrefix(good, "v1,")), body, now, ErrInvalidSignature},
		{"tampered-body", mk("msg_1", "1741392000", good), append(body, ' '), now, ErrInvalidSignature},
		{"other-id", mk("msg_2", "1741392000", good), body, now, ErrInvalidSignature},
		{"within-tolerance", mk("msg_1", "1741392000", good), body, now.Add(299 * time.Second), nil},
		{"too-old", mk("msg_1", "1741392000", good), body, now.Add(301 * time.Second), ErrTimestamp},
		{"future", mk("msg_1", "1741392000", good), body, now.Add(-301 * time.Second), ErrTimestamp},
		{"bad-timestamp", mk("msg_1", "17413920OO", good), body, now, ErrTimestamp},
		{"missing-id", mk("", "1741392000", good), body, now, ErrMissingHeaders},
		{"missing-sig", mk("msg_1", "1741392000", ""), body, now, ErrMissingHeaders},
		{"garbage-sig", mk("msg_1", "1741392000", "v1,!!!"), body, now, ErrInvalidSignature},
	} {
		if err := VerifyStandard(secret, tc.h, tc.body, 0, tc.now); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewID()
		if len(id) != 30 || !strings.HasPrefix(id, "msg_") || strings.ContainsAny(id, ".= ") {
			t.Fatalf("bad id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}
