package api_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/draw"
	"image/png"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/host/api"
	"github.com/ogmint/ogmint/host/renderpool"
)

// Font files of the repository (OFL): the WOFF2 in testdata is
// JetBrainsMono-Regular.ttf compressed (testdata/README.md).
const (
	monoWOFF2 = "testdata/JetBrainsMono-Regular.woff2"
	monoTTF   = "../../templates/fontpack/JetBrainsMono-Regular.ttf"
	monoBold  = "../../templates/fontpack/JetBrainsMono-Bold.ttf"
	serifTTF  = "../../templates/fontpack/DejaVuSerif.ttf"
	interOTF  = "../../templates/fonts/Inter-Regular.otf"
	interWOFF = "../fontcat/testdata/inter-latin-400-normal.woff"
	emojiTTF  = "../../templates/fontpack/NotoColorEmoji.ttf"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fontSetup is a server that takes font uploads of up to maxFont bytes.
func fontSetup(maxFont int) setup {
	return setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA, keyB}, maxBody: 12 << 20, maxFont: maxFont}
}

// upload posts a font file as key (none when ""), with the query's family
// and weight (left out when "") and a Content-Type.
func (e *env) upload(t *testing.T, key, family, weight, contentType string, body []byte) response {
	t.Helper()
	q := url.Values{}
	if family != "" {
		q.Set("family", family)
	}
	if weight != "" {
		q.Set("weight", weight)
	}
	h := []string{"Content-Type", contentType}
	if key != "" {
		h = append(h, "x-api-key", key)
	}
	path := "/api/v2/fonts"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return e.doBody(t, "POST", path, body, h...)
}

type fontAnswer struct {
	ID, Family, Weight, Format string
	Size                       int
	Fonts                      []fontAnswer
}

func decodeFont(t *testing.T, r response) fontAnswer {
	t.Helper()
	var a fontAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatalf("answer %q: %v", r.body, err)
	}
	return a
}

// TestFontAPIStatuses: POST, GET and DELETE /api/v2/fonts, every answer:
// 201 for each format (a WOFF2 larger than the other routes' body limit
// too), 400 naming the field for a bad family, weight, Content-Type or
// file, 401 without a valid key, 404 for another key's font, 409 for a
// family and weight the key has, 413 past the limit.
func TestFontAPIStatuses(t *testing.T) {
	e := start(t, fontSetup(300<<10))
	woff2 := readFile(t, monoWOFF2)
	if len(woff2) <= 64<<10 {
		t.Fatalf("the WOFF2 is %d bytes: no longer past the other routes' 64 KiB", len(woff2))
	}

	r := e.upload(t, keyA, "Brand", "", "font/woff2", woff2)
	if r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	a := decodeFont(t, r)
	if !strings.HasPrefix(a.ID, "font_") || a.Family != "Brand" || a.Weight != "regular" || a.Format != "woff2" || a.Size != len(woff2) {
		t.Fatalf("answer %s", r.body)
	}
	for _, tc := range []struct {
		family, weight, ctype, path, format string
	}{
		{"Brand", "bold", "font/ttf", monoBold, "ttf"},
		{"Brand OTF", "", "font/otf", interOTF, "otf"},
		{"Brand WOFF", "regular", "font/woff", interWOFF, "woff"},
		{"Brand Armenian", "", "application/octet-stream", "../../templates/fontpack/NotoSansArmenian-Regular.ttf", "ttf"},
	} {
		r := e.upload(t, keyA, tc.family, tc.weight, tc.ctype, readFile(t, tc.path))
		if got := decodeFont(t, r); r.status != 201 || got.Format != tc.format || got.Family != tc.family {
			t.Errorf("%s: %d %s", tc.path, r.status, r.body)
		}
	}

	ttf := readFile(t, monoTTF)
	for _, tc := range []struct {
		name, key, family, weight, ctype string
		body                             []byte
		status                           int
		field                            string
	}{
		{"no key", "", "X", "", "font/ttf", ttf, 401, "x-api-key"},
		{"unknown key", "key-z-0123456789abcdef", "X", "", "font/ttf", ttf, 401, "x-api-key"},
		{"no family", keyA, "", "", "font/ttf", ttf, 400, "family"},
		{"long family", keyA, strings.Repeat("x", 65), "", "font/ttf", ttf, 400, "family"},
		{"built-in family", keyA, "Inter", "", "font/ttf", ttf, 400, "family"},
		{"built-in alias", keyA, "Monospace", "", "font/ttf", ttf, 400, "family"},
		{"control character", keyA, "a\tb", "", "font/ttf", ttf, 400, "family"},
		{"bad weight", keyA, "X", "heavy", "font/ttf", ttf, 400, "weight"},
		{"bad Content-Type", keyA, "X", "", "text/plain", ttf, 400, "Content-Type"},
		{"form Content-Type", keyA, "X", "", "application/x-www-form-urlencoded", ttf, 400, "Content-Type"},
		{"Content-Type of another format", keyA, "X", "", "font/woff2", ttf, 400, "Content-Type"},
		{"not a font", keyA, "X", "", "application/octet-stream", []byte("GIF89a, not a font at all"), 400, "body"},
		{"empty", keyA, "X", "", "font/ttf", []byte{}, 400, "body"},
		{"broken WOFF2", keyA, "X", "", "font/woff2", woff2[:len(woff2)/2], 400, "body"},
		{"broken TTF", keyA, "X", "", "font/ttf", ttf[:200], 400, "body"},
		{"collection", keyA, "X", "", "application/octet-stream", append([]byte("ttcf\x00\x01\x00\x00"), make([]byte, 64)...), 400, "body"},
		{"taken family and weight", keyA, "Brand", "regular", "font/ttf", ttf, 409, "family"},
		{"too large", keyA, "X", "", "font/ttf", readFile(t, serifTTF)[:300<<10+1], 413, "body"},
	} {
		r := e.upload(t, tc.key, tc.family, tc.weight, tc.ctype, tc.body)
		if r.status != tc.status || !strings.Contains(string(r.body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s, want %d naming %s", tc.name, r.status, r.body, tc.status, tc.field)
		}
	}
	if r := e.upload(t, keyA, "Emoji", "", "font/ttf", readFile(t, emojiTTF)); r.status != 413 {
		t.Errorf("an 11 MB file: %d %s", r.status, r.body) // also past the store's 10 MiB
	}

	ka, kb := []string{"x-api-key", keyA}, []string{"x-api-key", keyB}
	if r := e.do(t, "GET", "/api/v2/fonts", ka...); r.status != 200 || len(decodeFont(t, r).Fonts) != 5 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v2/fonts", kb...); r.status != 200 || string(r.body) != `{"fonts":[]}` {
		t.Fatalf("another key's list: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v2/fonts"); r.status != 401 {
		t.Fatalf("list without a key: %d", r.status)
	}
	if r := e.do(t, "GET", "/api/v2/fonts/"+a.ID, ka...); r.status != 200 || decodeFont(t, r).ID != a.ID {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		method, path string
		key          []string
		status       int
	}{
		{"GET", "/api/v2/fonts/" + a.ID, kb, 404},
		{"DELETE", "/api/v2/fonts/" + a.ID, kb, 404},
		{"DELETE", "/api/v2/fonts/" + a.ID, nil, 401},
		{"DELETE", "/api/v2/fonts/font_nope", ka, 404},
		{"PUT", "/api/v2/fonts/" + a.ID, ka, 405},
		{"DELETE", "/api/v2/fonts/" + a.ID, ka, 204},
		{"DELETE", "/api/v2/fonts/" + a.ID, ka, 404},
	} {
		if r := e.do(t, tc.method, tc.path, tc.key...); r.status != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, r.status, r.body, tc.status)
		}
	}
	// The family and weight are free again.
	if r := e.upload(t, keyA, "Brand", "regular", "font/ttf", ttf); r.status != 201 {
		t.Fatalf("upload after delete: %d %s", r.status, r.body)
	}
	if n := api.MaxBodyBytes(api.Options{}); n <= api.DefaultMaxFontBytes {
		t.Errorf("MaxBodyBytes %d does not let a font of %d bytes through", n, api.DefaultMaxFontBytes)
	}
}

// brandTemplate is a custom template whose texts are set in family fam
// (one in a stack, bold); "" = the request's font.
func brandTemplate(fam string) []byte {
	f := ""
	if fam != "" {
		f = `,"family":"` + fam + `"`
	}
	return []byte(`{"name":"Brand card","background":"#ffffff","elements":[
		{"type":"rect","box":[0,0,1200,8],"fill":"#3366ff"},
		{"type":"text","text":"{title}","box":[100,100,1000,260],"size":[56,72],"color":"#111111"` + f + `},
		{"type":"stack","box":[100,400,1000,160],"children":[
			{"type":"text","text":"{author}","box":[0,0,1000,60],"size":[36,36],"color":"#111111","weight":"bold"` + f + `}]}]}`)
}

// saveTemplate stores a template as key and returns its id.
func (e *env) saveTemplate(t *testing.T, key string, doc []byte) string {
	t.Helper()
	r := e.doBody(t, "POST", "/api/v2/templates", doc, "x-api-key", key)
	if r.status != 201 {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	return decodeTemplate(t, r).ID
}

// pixels renders template id through V1 (no key: the fonts are the
// owner's) and returns its RGBA pixels.
func (e *env) pixels(t *testing.T, id string) []byte {
	t.Helper()
	r := e.do(t, "GET", og(url.Values{"template": {id}, "title": {"Quartz sphinx, judge my vow: 0123456789"}, "author": {"Ada Lovelace"}}))
	return decodePixels(t, r)
}

func decodePixels(t *testing.T, r response) []byte {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("render: %d %s", r.status, r.body)
	}
	img, err := png.Decode(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	return rgba.Pix
}

// TestUploadedFontRenders: a template naming a family its owner uploaded
// as WOFF2 renders, through V1 for anyone with its id, with the very
// pixels of the same card drawn from the TTF the WOFF2 was made of, and
// not those of a built-in family; unknown families are refused at their
// element's pointer; the binding follows the owner's fonts (a font
// replaced redraws the card, a family deleted draws the request's font).
func TestUploadedFontRenders(t *testing.T) {
	e := start(t, fontSetup(0))
	for _, f := range []struct{ family, weight, ctype, path string }{
		{"Brand", "", "font/woff2", monoWOFF2},
		{"Brand TTF", "regular", "font/ttf", monoTTF},
	} {
		if r := e.upload(t, keyA, f.family, f.weight, f.ctype, readFile(t, f.path)); r.status != 201 {
			t.Fatalf("upload %s: %d %s", f.path, r.status, r.body)
		}
	}
	woff2ID := e.saveTemplate(t, keyA, brandTemplate("Brand"))
	ttfID := e.saveTemplate(t, keyA, brandTemplate("Brand TTF"))
	interID := e.saveTemplate(t, keyA, brandTemplate("Inter"))
	woff2Pix, ttfPix, interPix := e.pixels(t, woff2ID), e.pixels(t, ttfID), e.pixels(t, interID)
	if !bytes.Equal(woff2Pix, ttfPix) {
		t.Error("the WOFF2 family drew other pixels than the TTF it was made of")
	}
	if bytes.Equal(woff2Pix, interPix) {
		t.Error("the uploaded family drew Inter's pixels")
	}
	// V2 renders it for the owner.
	if r, _ := e.v2(t, keyA, map[string]any{"template": woff2ID, "title": "Hi"}); r.status != 201 {
		t.Errorf("V2: %d %s", r.status, r.body)
	}
	// A preview binds the key's fonts too.
	body, _ := json.Marshal(map[string]any{"template": json.RawMessage(brandTemplate("Brand")),
		"params": map[string]string{"title": "Quartz sphinx, judge my vow: 0123456789", "author": "Ada Lovelace"}})
	if pix := decodePixels(t, e.doBody(t, "POST", "/api/v2/templates/preview", body, "x-api-key", keyA)); !bytes.Equal(pix, woff2Pix) {
		t.Error("the preview drew other pixels than the saved template")
	}

	// Families neither built-in nor the key's are refused where they are.
	for _, tc := range []struct {
		key     string
		doc     []byte
		pointer string
	}{
		{keyB, brandTemplate("Brand"), "/elements/1/family"}, // another key's family
		{keyA, bytes.Replace(brandTemplate("Brand"), []byte(`"weight":"bold","family":"Brand"`), []byte(`"weight":"bold","family":"Nope"`), 1), "/elements/2/children/0/family"},
	} {
		r := e.doBody(t, "POST", "/api/v2/templates", tc.doc, "x-api-key", tc.key)
		if r.status != 400 || !strings.Contains(string(r.body), `"pointer":"`+tc.pointer+`"`) {
			t.Errorf("unknown family: %d %s, want 400 at %s", r.status, r.body, tc.pointer)
		}
	}

	// The owner replaces the font: the card follows (another binding, so
	// another cache key), here to DejaVu Serif.
	var list fontAnswer
	r := e.do(t, "GET", "/api/v2/fonts", "x-api-key", keyA)
	if err := json.Unmarshal(r.body, &list); err != nil {
		t.Fatal(err)
	}
	var brandID string
	for _, f := range list.Fonts {
		if f.Family == "Brand" {
			brandID = f.ID
		}
	}
	if r := e.do(t, "DELETE", "/api/v2/fonts/"+brandID, "x-api-key", keyA); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	// With its family gone, the template draws in the request's font
	// (Inter by default): the pixels of the Inter template.
	if pix := e.pixels(t, woff2ID); !bytes.Equal(pix, interPix) {
		t.Error("with its family deleted, the card is not drawn in the request's font")
	}
	if r := e.upload(t, keyA, "Brand", "", "font/ttf", readFile(t, serifTTF)); r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	serifPix := e.pixels(t, woff2ID)
	if bytes.Equal(serifPix, woff2Pix) || bytes.Equal(serifPix, interPix) {
		t.Error("the replaced font did not redraw the card")
	}
}

// TestSameFamilyTwoKeys: two keys' families of the same name, in one
// instance, each draw their own key's font, each handed over once.
func TestSameFamilyTwoKeys(t *testing.T) {
	e := start(t, fontSetup(0))
	if r := e.upload(t, keyA, "Brand", "", "font/woff2", readFile(t, monoWOFF2)); r.status != 201 {
		t.Fatalf("upload A: %d %s", r.status, r.body)
	}
	if r := e.upload(t, keyB, "Brand", "", "font/ttf", readFile(t, serifTTF)); r.status != 201 {
		t.Fatalf("upload B: %d %s", r.status, r.body)
	}
	if r := e.upload(t, keyB, "Code", "", "font/ttf", readFile(t, monoTTF)); r.status != 201 {
		t.Fatalf("upload B: %d %s", r.status, r.body)
	}
	idA, idB := e.saveTemplate(t, keyA, brandTemplate("Brand")), e.saveTemplate(t, keyB, brandTemplate("Brand"))
	monoB := e.saveTemplate(t, keyB, brandTemplate("Code"))
	a1, b1 := e.pixels(t, idA), e.pixels(t, idB)
	a2 := e.pixels(t, idA)
	if bytes.Equal(a1, b1) {
		t.Fatal("two keys' families named alike drew the same pixels")
	}
	if !bytes.Equal(a1, a2) {
		t.Fatal("key A's card changed after key B's was drawn")
	}
	if !bytes.Equal(a1, e.pixels(t, monoB)) {
		t.Fatal("key A's Brand is not JetBrains Mono")
	}
	if st := e.pool.Stats(); st.Instances != 1 || st.UserFamilyHandovers != 3 {
		t.Fatalf("%d instances, %d user family hand-overs; want 1 and 3 (each family once)", st.Instances, st.UserFamilyHandovers)
	}
}
