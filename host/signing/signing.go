// Package signing signs and verifies V1 render URLs (GET /api/og): with
// OGMINT_SIGNING_KEYS set, a V1 URL needs s, the HMAC-SHA256 under one of
// the keys of the URL's signing form (params.Params.SigningCanonical), in
// base64url without padding.
//
// The signing form is the URL's parameters under their canonical names
// (bgColor, not bg), colours resolved (a palette becomes its colours),
// texts cleaned, the defaults (the midnight colours, the default font) and
// unknown parameters (tracking) left out, sorted by name and form-encoded
// as url.Values.Encode does. It leaves out the template and renderer
// versions, so a signed URL stays valid when its custom template gets a
// new version.
package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
)

// Param is the query parameter that carries a signature.
const Param = "s"

// MinKeyBytes is the shortest signing key accepted.
const MinKeyBytes = 16

// ParseKeys splits a comma-separated list of secrets (OGMINT_SIGNING_KEYS):
// the first signs, all verify. Empty entries are ignored; each key must be
// at least MinKeyBytes long. The error never contains a key.
func ParseKeys(list string) ([][]byte, error) {
	var keys [][]byte
	for i, k := range strings.Split(list, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if len(k) < MinKeyBytes {
			return nil, fmt.Errorf("signing key %d of the list: %d bytes; at least %d", i+1, len(k), MinKeyBytes)
		}
		keys = append(keys, []byte(k))
	}
	return keys, nil
}

// MAC returns the signature of a signing form under key: HMAC-SHA256 in
// base64url without padding.
func MAC(key []byte, form string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(form))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is the signature of form under one of keys;
// the comparisons take constant time.
func Verify(keys [][]byte, form, sig string) bool {
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	ok := false
	for _, k := range keys {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(form))
		if hmac.Equal(m.Sum(nil), got) {
			ok = true
		}
	}
	return ok
}

var builtin = sync.OnceValues(templates.Load)

// Sign returns the signature (the value of s) of a V1 query under key. The
// query is validated like the server does, against the built-in templates;
// for a custom template (custom_…), whose fields Sign does not know, every
// parameter that is not a built-in one is taken as a custom field, so pass
// only the template's parameters (no tracking parameters), and a font is
// taken as named. Any s in query is ignored.
func Sign(key []byte, query url.Values) (string, error) {
	if len(key) < MinKeyBytes {
		return "", fmt.Errorf("signing key: %d bytes; at least %d", len(key), MinKeyBytes)
	}
	set, err := builtin()
	if err != nil {
		return "", err
	}
	q := url.Values{}
	for k, v := range query {
		if k != Param && k != "tv" && k != "rv" && k != "tf" {
			q[k] = v
		}
	}
	if name := q.Get("template"); strings.HasPrefix(name, "custom_") {
		set = customSet(set, name, q)
	}
	p, perr := params.Parse(q, set)
	if perr != nil {
		return "", errors.New(perr.Error())
	}
	return MAC(key, p.SigningCanonical(set.DefaultFamily)), nil
}

// customSet is set with a stand-in for the custom template name: every
// unknown parameter of q a field, and q's font a family.
func customSet(set *templates.Set, name string, q url.Values) *templates.Set {
	t := &templates.Template{Name: name, Fields: map[string]templates.Field{}}
	for k := range q {
		if !isBuiltin(k) {
			t.Fields[k] = templates.Field{MaxLength: templates.MaxFieldLength}
		}
	}
	c := *set
	c.Templates = maps.Clone(set.Templates)
	c.Templates[name] = t
	q.Set("tv", "0")
	if f := q.Get("font"); f != "" && params.FindFamily(set, f) == "" {
		c.Families = maps.Clone(set.Families)
		c.Families[f] = &templates.Family{Name: f}
	}
	return &c
}

func isBuiltin(name string) bool {
	for _, k := range templates.ReservedNames {
		if k == name {
			return true
		}
	}
	return false
}
