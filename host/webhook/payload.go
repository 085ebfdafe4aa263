// Package webhook builds, signs and verifies ogmint's render.completed
// webhooks.
//
// A body is built once (Payload.Body), stored, and sent byte for byte on
// every attempt; it is a fixed point of JSON.stringify(JSON.parse(body)), so
// the product document's Node.js example — which re-serialises the parsed
// body before checking the HMAC — verifies it, and so does any receiver that
// hashes the raw body (the safer way; see README.md).
//
// Two signature schemes are sent side by side:
//   - x-ogmint-signature: lowercase hex HMAC-SHA256 of the body, keyed with
//     the UTF-8 bytes of webhookSecret (the product document's scheme);
//   - Standard Webhooks (https://www.standardwebhooks.com): webhook-id,
//     webhook-timestamp and webhook-signature "v1,<base64 HMAC-SHA256 of
//     id.timestamp.body>", which lets receivers reject replays.
//
// Verify and VerifyStandard are the receiving side, for users writing Go.
package webhook

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/ogmint/ogmint/host/jsjson"
)

// Event is the only event type ogmint sends.
const Event = "render.completed"

// Header names, lowercase as the product document writes them (HTTP header
// names are case-insensitive).
const (
	HeaderSignature          = "x-ogmint-signature"
	HeaderWebhookID          = "webhook-id"
	HeaderWebhookTimestamp   = "webhook-timestamp"
	HeaderWebhookSignature   = "webhook-signature"
	HeaderContentType        = "content-type"
	HeaderUserAgent          = "user-agent"
	ContentType              = "application/json"
	createdAtLayout          = "2006-01-02T15:04:05.000Z"
	standardSignaturePrefix  = "v1,"
	standardSecretPrefix     = "whsec_"
	defaultStandardTolerance = 5 * time.Minute
)

// Payload is the content of one render.completed webhook.
type Payload struct {
	URL      string // public image URL, e.g. https://ogmint.app/i/xK9mQ2pL
	Slug     string
	Template string
	// Metadata is the client's metadata object exactly as jsjson.Object
	// returned it at submit time (canonical JSON: compact, JavaScript key
	// order and escaping). It is embedded verbatim; nil or empty means {}.
	// Anything else breaks the JSON.stringify round trip receivers rely on.
	Metadata  []byte
	CreatedAt time.Time // rendered as UTC with milliseconds
	// Cached marks a deduplicated render. It is written as a top-level
	// "cached": true after "data", and omitted when false. Top level because
	// the product document says "the payload includes "cached": true" and
	// calls the whole POST body "the payload" (its "data" object is listed
	// field by field without it); the V2 dedup response likewise carries
	// "cached" beside, not inside, the render's fields. It describes this
	// delivery (it comes from a dedup hit), not the stored render.
	Cached bool
}

// Body returns the JSON body:
//
//	{"event":"render.completed","data":{"url":"…","slug":"…","template":"…","metadata":{…},"createdAt":"2025-03-08T00:00:00.000Z"}}
//
// with ,"cached":true before the final brace for a deduplicated render.
// Strings are escaped as JSON.stringify escapes them, so the body equals
// JSON.stringify(JSON.parse(body)) in JavaScript.
func (p Payload) Body() []byte {
	return p.AppendBody(make([]byte, 0, 160+len(p.URL)+len(p.Slug)+len(p.Template)+len(p.Metadata)))
}

// AppendBody appends Body to dst.
func (p Payload) AppendBody(dst []byte) []byte {
	dst = append(dst, `{"event":`...)
	dst = jsjson.AppendString(dst, Event)
	dst = append(dst, `,"data":{"url":`...)
	dst = jsjson.AppendString(dst, p.URL)
	dst = append(dst, `,"slug":`...)
	dst = jsjson.AppendString(dst, p.Slug)
	dst = append(dst, `,"template":`...)
	dst = jsjson.AppendString(dst, p.Template)
	dst = append(dst, `,"metadata":`...)
	if len(p.Metadata) == 0 {
		dst = append(dst, "{}"...)
	} else {
		dst = append(dst, p.Metadata...)
	}
	dst = append(dst, `,"createdAt":`...)
	dst = jsjson.AppendString(dst, FormatTime(p.CreatedAt))
	dst = append(dst, '}')
	if p.Cached {
		dst = append(dst, `,"cached":true`...)
	}
	return append(dst, '}')
}

// FormatTime formats t as JavaScript's Date.prototype.toISOString does for
// years 0000-9999: UTC, millisecond precision (truncated), trailing Z.
func FormatTime(t time.Time) string {
	return t.UTC().Format(createdAtLayout)
}

// UserAgent is the User-Agent ogmint sends with webhooks:
// "ogmint-webhook/<version> (+https://github.com/ogmint/ogmint)", the
// version being the build's ("dev" when empty), with any character that
// may not appear in an HTTP token replaced by "-" so that receivers can
// match the prefix "ogmint-webhook/".
func UserAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "ogmint-webhook/" + strings.Map(tokenChar, version) + " (+https://github.com/ogmint/ogmint)"
}

// tokenChar keeps r if an HTTP token (RFC 9110 section 5.6.2) may hold it.
func tokenChar(r rune) rune {
	if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r) {
		return r
	}
	return '-'
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a new webhook-id ("msg_" and 26 random base32 characters).
// Create it once per delivery and store it: it must stay the same across
// the retries of that delivery, so receivers can deduplicate.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "msg_" + idEncoding.EncodeToString(b[:])
}
