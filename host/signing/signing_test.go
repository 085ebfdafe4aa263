package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

var key = []byte("a-signing-key-0123456789")

func mustSign(t *testing.T, q url.Values) string {
	t.Helper()
	s, err := Sign(key, q)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignFormAndMAC(t *testing.T) {
	// The signing form of a built-in template: canonical names, defaults
	// and unknown parameters left out, sorted, url.Values.Encode.
	q := url.Values{"title": {"  Hello   world "}, "template": {"blog"}, "bg": {"AABBCC"}, "textColor": {"f0f0f8"},
		"font": {"sans"}, "utm_source": {"x"}, "s": {"old"}, "tv": {"9"}}
	const form = "bgColor=aabbcc&template=blog&title=Hello+world"
	m := hmac.New(sha256.New, key)
	m.Write([]byte(form))
	want := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	if got := mustSign(t, q); got != want || MAC(key, form) != want || len(got) != 43 {
		t.Fatalf("Sign %s, MAC %s, want %s", got, MAC(key, form), want)
	}
}

func TestSignVariationsAgree(t *testing.T) {
	base := mustSign(t, url.Values{"template": {"blog"}, "title": {"T"}, "palette": {"ocean"}, "tag": {"go"}})
	set, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	ocean := set.Palettes["ocean"]
	for name, q := range map[string]url.Values{
		"tracking": {"template": {"blog"}, "title": {"T"}, "palette": {"ocean"}, "tag": {"go"}, "ref": {"x"}},
		"explicit colours, aliases": {"tag": {"go"}, "title": {"T"}, "template": {"blog"}, "bg": {ocean.Bg},
			"text": {ocean.Text}, "accentColor": {strings.ToUpper(ocean.Accent)}, "surfaceColor": {ocean.Surface}},
		"palette overridden by its own colour": {"template": {"blog"}, "title": {"T"}, "palette": {"ocean"}, "tag": {"go"},
			"bgColor": {ocean.Bg}},
	} {
		if got := mustSign(t, q); got != base {
			t.Errorf("%s: %s != %s", name, got, base)
		}
	}
	if got := mustSign(t, url.Values{"template": {"blog"}, "title": {"T"}, "tag": {"go"}}); got == base {
		t.Error("palette ignored")
	}
}

func TestSignCustomTemplate(t *testing.T) {
	// Unknown parameters are the custom fields, sorted with the rest.
	q := url.Values{"template": {"custom_0123456789"}, "title": {"T"}, "price": {" $9 "}, "font": {"My Font"}}
	form := "font=My+Font&price=%249&template=custom_0123456789&title=T"
	if got := mustSign(t, q); got != MAC(key, form) {
		t.Fatalf("custom: %s, want MAC of %s", got, form)
	}
}

func TestSignErrors(t *testing.T) {
	if _, err := Sign([]byte("short"), url.Values{"template": {"blog"}, "title": {"T"}}); err == nil {
		t.Error("short key accepted")
	}
	if _, err := Sign(key, url.Values{"template": {"blog"}}); err == nil || !strings.Contains(err.Error(), "title") {
		t.Errorf("no title: %v", err)
	}
}

func TestVerify(t *testing.T) {
	other := []byte("another-key-0123456789")
	s := MAC(other, "form")
	for _, tc := range []struct {
		name string
		keys [][]byte
		sig  string
		want bool
	}{
		{"second key", [][]byte{key, other}, s, true},
		{"rotated out", [][]byte{key}, s, false},
		{"padded", [][]byte{other}, s + "=", false},
		{"standard base64", [][]byte{other}, strings.NewReplacer("-", "+", "_", "/").Replace(s), strings.IndexAny(s, "-_") < 0},
		{"truncated", [][]byte{other}, s[:40], false},
		{"empty", [][]byte{other}, "", false},
		{"no keys", nil, s, false},
	} {
		if got := Verify(tc.keys, "form", tc.sig); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
	if Verify([][]byte{other}, "form2", s) {
		t.Error("another form verified")
	}
}

func TestParseKeys(t *testing.T) {
	keys, err := ParseKeys(" first-key-0123456789 ,, second-key-0123456789")
	if err != nil || len(keys) != 2 || string(keys[1]) != "second-key-0123456789" {
		t.Fatalf("%q %v", keys, err)
	}
	if _, err := ParseKeys("first-key-0123456789,secret"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("short key: %v", err)
	}
	if keys, err := ParseKeys(""); err != nil || keys != nil {
		t.Fatalf("empty: %q %v", keys, err)
	}
}
