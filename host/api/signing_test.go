package api_test

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/host/signing"
	"github.com/ogmint/ogmint/templates"
)

// Signing keys: the server verifies with the first two; the third was
// rotated out.
var (
	signKey1   = []byte("first-signing-key-0123")
	signKey2   = []byte("second-signing-key-0123")
	signKeyOld = []byte("rotated-out-signing-key")
)

// signedQuery is q, signed with key, as a query string in q's encoding.
func signedQuery(t *testing.T, key []byte, q url.Values) string {
	t.Helper()
	sig, err := signing.Sign(key, q)
	if err != nil {
		t.Fatal(err)
	}
	return q.Encode() + "&s=" + sig
}

func signedEnv(t *testing.T) *env {
	return start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA},
		signKeys: [][]byte{signKey1, signKey2}})
}

// TestV1Signatures: with signing keys, a V1 URL needs a valid s, computed
// over the canonical parameters: order, aliases, palettes and tracking
// parameters do not matter; a valid x-api-key needs none.
func TestV1Signatures(t *testing.T) {
	e := signedEnv(t)
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	ocean := set.Palettes["ocean"]
	base := url.Values{"template": {"blog"}, "title": {"Signed  card "}, "author": {"Ada"}, "palette": {"ocean"}}
	good := signedQuery(t, signKey1, base)
	sig := good[strings.LastIndex(good, "=")+1:]
	withBg := url.Values{"template": {"blog"}, "title": {"Colours"}, "bgColor": {"112233"}}
	bgSig, _ := signing.Sign(signKey1, withBg)
	tests := []struct {
		name    string
		query   string
		headers []string
		status  int
	}{
		{"valid", good, nil, 200},
		{"second key of the list", signedQuery(t, signKey2, base), nil, 200},
		{"rotated-out key", signedQuery(t, signKeyOld, base), nil, 403},
		{"wrong", base.Encode() + "&s=" + strings.Repeat("A", 43), nil, 403},
		{"not base64url", base.Encode() + "&s=%2F%2F%2B", nil, 403},
		{"missing", base.Encode(), nil, 403},
		{"empty", base.Encode() + "&s=", nil, 403},
		{"another title", strings.Replace(good, "Signed", "Forged", 1), nil, 403},
		{"parameter order", "s=" + sig + "&title=Signed++card+&palette=ocean&author=Ada&template=blog", nil, 200},
		{"texts as drawn", "template=blog&title=Signed+card&author=Ada&palette=ocean&s=" + sig, nil, 200},
		{"palette as explicit colours", url.Values{"template": {"blog"}, "title": {"Signed card"}, "author": {"Ada"},
			"bg": {strings.ToUpper(ocean.Bg)}, "textColor": {ocean.Text}, "accent": {ocean.Accent},
			"surfaceColor": {ocean.Surface}, "s": {sig}}.Encode(), nil, 200},
		{"tracking parameters", good + "&utm_source=news&fbclid=abc&ref=x", nil, 200},
		{"bgColor signed, bg given", "template=blog&title=Colours&bg=112233&s=" + bgSig, nil, 200},
		{"bg and bgColor", "template=blog&title=Colours&bg=112233&bgColor=112233&s=" + bgSig, nil, 200},
		{"default colour given", "template=blog&title=Colours&bg=112233&textColor=F0F0F8&s=" + bgSig, nil, 200},
		{"another colour", "template=blog&title=Colours&bg=112234&s=" + bgSig, nil, 403},
		{"valid API key, no s", base.Encode(), []string{"x-api-key", keyA}, 200},
		{"valid API key, wrong s", base.Encode() + "&s=nope", []string{"x-api-key", keyA}, 200},
		{"wrong API key", base.Encode(), []string{"x-api-key", "nope-0123456789abcdef"}, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(t, "GET", "/api/og?"+tc.query, tc.headers...)
			if r.status != tc.status {
				t.Fatalf("%s: %d %s", tc.query, r.status, r.body)
			}
			if tc.status == 403 {
				if f := errorFields(t, r); !slices.Equal(f, []string{"s"}) {
					t.Fatalf("403 details %v: %s", f, r.body)
				}
				if r.header["ETag"] != "" {
					t.Fatalf("403 with an ETag %s", r.header["ETag"])
				}
			}
		})
	}
}

// TestV1SignatureBeforeCaches: a 304 and a cache hit need a valid
// signature too.
func TestV1SignatureBeforeCaches(t *testing.T) {
	e := signedEnv(t)
	q := card("Cached")
	good := "/api/og?" + signedQuery(t, signKey1, q)
	r := e.do(t, "GET", good)
	if r.status != 200 || r.header["ETag"] == "" {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	etag := r.header["ETag"]
	bad := og(q) + "&s=" + strings.Repeat("x", 43)
	tests := []struct {
		name    string
		path    string
		headers []string
		status  int
	}{
		{"304, valid", good, []string{"If-None-Match", etag}, 304},
		{"304, bad signature", bad, []string{"If-None-Match", etag}, 403},
		{"304, no signature", og(q), []string{"If-None-Match", etag}, 403},
		{"cache hit, valid", good, nil, 200},
		{"cache hit, bad signature", bad, nil, 403},
		{"cache hit, HEAD, bad signature", bad, nil, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := "GET"
			if strings.Contains(tc.name, "HEAD") {
				method = "HEAD"
			}
			if r := e.do(t, method, tc.path, tc.headers...); r.status != tc.status {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
}

// TestV1UnsignedWithoutKeys: without signing keys, s is ignored like a
// tracking parameter.
func TestV1UnsignedWithoutKeys(t *testing.T) {
	e := start(t, setup{pool: renderpool.Config{Instances: 1}})
	q := card("Unsigned")
	a := e.do(t, "GET", og(q))
	b := e.do(t, "GET", og(q)+"&s=anything")
	if a.status != 200 || b.status != 200 || a.header["ETag"] != b.header["ETag"] {
		t.Fatalf("without keys: %d %s / %d %s", a.status, a.header["ETag"], b.status, b.header["ETag"])
	}
}

// TestV1SignatureSurvivesTemplatePut: a signed custom template URL stays
// valid (and follows the template) when the template gets a new version.
func TestV1SignatureSurvivesTemplatePut(t *testing.T) {
	e := signedEnv(t)
	ka := []string{"x-api-key", keyA}
	r := e.doBody(t, "POST", "/api/v2/templates", []byte(fullRect("#ff0000", "price")), ka...)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := decodeTemplate(t, r).ID
	path := "/api/og?" + signedQuery(t, signKey1, url.Values{"template": {id}, "title": {"Custom"}, "price": {"$9"}})
	if px := firstPixel(t, e.do(t, "GET", path)); px != "1200x630 #ff0000" {
		t.Fatalf("v1: %s", px)
	}
	if r := e.doBody(t, "PUT", "/api/v2/templates/"+id, []byte(fullRect("#00ff00", "price")), append(ka, "If-Match", `"1"`)...); r.status != 200 {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	if px := firstPixel(t, e.do(t, "GET", path)); px != "1200x630 #00ff00" {
		t.Fatalf("after the PUT: %s", px)
	}
	forged := strings.Replace(path, "%249", "%240", 1)
	if r := e.do(t, "GET", forged); r.status != 403 {
		t.Fatalf("another price: %d %s", r.status, r.body)
	}
}

// TestV1SignatureJavaScript runs the README's JavaScript example with node
// and checks the server accepts what it signs (and that it is what
// signing.Sign gives).
func TestV1SignatureJavaScript(t *testing.T) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found: the README's JavaScript example is not checked")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- signing-js -->\\s*```js\\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README: no ```js block after <!-- signing-js -->")
	}
	q := url.Values{"template": {"blog"}, "title": {"Héllo, world (it's ~fine*)! 100% & more"},
		"tag": {"Go+JS"}, "bgColor": {"112233"}, "author": {"A/B?c=d"}}
	obj := map[string]string{}
	for k := range q {
		obj[k] = q.Get(k)
	}
	args, _ := json.Marshal(obj) // a JavaScript object literal
	script := string(m[1]) + "\nsignOg(process.argv[2], " + string(args) + ").then((q) => console.log(q));\n"
	file := filepath.Join(t.TempDir(), "sign.js")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(nodeBin, file, string(signKey2)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	query := strings.TrimSpace(string(out))
	if want := signedQuery(t, signKey2, q); query != want {
		t.Fatalf("JavaScript gave\n%s\nGo gives\n%s", query, want)
	}
	e := signedEnv(t)
	if r := e.do(t, "GET", "/api/og?"+query); r.status != 200 {
		t.Fatalf("server: %d %s", r.status, r.body)
	}
}
