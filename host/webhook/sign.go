package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sign returns the x-ogmint-signature value: lowercase hex HMAC-SHA256 of
// body keyed with the UTF-8 bytes of secret (whsec_ prefix included, as the
// product document's crypto.createHmac("sha256", secret) does).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// StandardKey returns the Standard Webhooks HMAC key for secret: the
// base64-decoded part after "whsec_" when that part is canonical standard
// base64 (padded, as re-encoding gives it back), otherwise the UTF-8 bytes of
// the whole secret. The product document's example secret
// "whsec_your_secret_here" is not base64, so its key is the whole string;
// CheckSecret refuses such whsec_ secrets when a render is submitted, and
// this fallback keeps signing deliveries queued before it did.
func StandardKey(secret string) []byte {
	if rest, ok := strings.CutPrefix(secret, standardSecretPrefix); ok && rest != "" {
		if k, err := base64.StdEncoding.DecodeString(rest); err == nil && len(k) > 0 &&
			base64.StdEncoding.EncodeToString(k) == rest {
			return k
		}
	}
	return []byte(secret)
}

func standardMAC(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// StandardSignature returns the webhook-signature value
// "v1,<base64 HMAC-SHA256 of id.ts.body>".
func StandardSignature(secret, id string, ts int64, body []byte) string {
	return standardSignaturePrefix + base64.StdEncoding.EncodeToString(standardMAC(StandardKey(secret), id, strconv.FormatInt(ts, 10), body))
}

// Headers returns the headers of one delivery attempt: content-type,
// user-agent, webhook-id (the delivery's stable id), webhook-timestamp (this
// attempt's time, unix seconds) and, when secret is not empty,
// x-ogmint-signature and webhook-signature.
func Headers(secret, id string, ts time.Time, body []byte, userAgent string) map[string]string {
	unix := ts.Unix()
	h := map[string]string{
		HeaderContentType:      ContentType,
		HeaderUserAgent:        userAgent,
		HeaderWebhookID:        id,
		HeaderWebhookTimestamp: strconv.FormatInt(unix, 10),
	}
	if secret != "" {
		h[HeaderSignature] = Sign(secret, body)
		h[HeaderWebhookSignature] = StandardSignature(secret, id, unix, body)
	}
	return h
}

// Verification errors (errors.Is).
var (
	ErrMissingSignature = errors.New("webhook: missing signature")
	ErrInvalidSignature = errors.New("webhook: invalid signature")
	ErrMissingHeaders   = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature")
	ErrTimestamp        = errors.New("webhook: timestamp outside the tolerance")
)

// Verify checks an x-ogmint-signature header against the raw request body
// (the bytes received, before any JSON parsing), in constant time.
func Verify(secret string, body []byte, signatureHex string) error {
	signatureHex = strings.TrimSpace(signatureHex)
	if signatureHex == "" {
		return ErrMissingSignature
	}
	got, err := hex.DecodeString(signatureHex)
	if err != nil {
		return ErrInvalidSignature
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrInvalidSignature
	}
	return nil
}

// VerifyStandard checks the Standard Webhooks headers in h against the raw
// body. tolerance bounds how far webhook-timestamp may be from now (5
// minutes when zero); replays older than that are rejected. Store the
// webhook-id of processed deliveries to drop duplicates within it.
func VerifyStandard(secret string, h http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	return VerifyStandardParts(secret, h.Get(HeaderWebhookID), h.Get(HeaderWebhookTimestamp),
		h.Get(HeaderWebhookSignature), body, tolerance, now)
}

// VerifyStandardParts is VerifyStandard with the three header values given
// directly. signatures is a space-separated list; any "v1," entry that
// matches is enough (senders rotating secrets send several), other versions
// are ignored.
func VerifyStandardParts(secret, id, timestamp, signatures string, body []byte, tolerance time.Duration, now time.Time) error {
	if id == "" || timestamp == "" || signatures == "" {
		return ErrMissingHeaders
	}
	timestamp = strings.TrimSpace(timestamp)
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	if tolerance <= 0 {
		tolerance = defaultStandardTolerance
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrTimestamp
	}
	want := standardMAC(StandardKey(secret), id, timestamp, body)
	for _, s := range strings.Fields(signatures) {
		b64, ok := strings.CutPrefix(s, standardSignaturePrefix)
		if !ok {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrInvalidSignature
}
