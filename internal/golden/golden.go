// Package golden holds the golden-image cases (every template x palette) and
// compares rendered frames with the stored PNGs by decoded pixels, tolerance 0.
// The native renderer test writes them (make golden); the wazero and edge
// tests compare against the same files.
package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/text/unicode/norm"

	"github.com/ogmint/ogmint/templates"
)

// Case is one golden image: a name (file stem) and its request query.
type Case struct {
	Name  string
	Query string
}

// Texts used for every template: long enough to wrap, with a tag and author.
var Texts = url.Values{
	"title":       {"Rendering social images at the edge without a headless browser"},
	"description": {"How a Go renderer compiled to WebAssembly draws Open Graph cards in milliseconds, in wazero and on workers."},
	"tag":         {"Engineering"},
	"author":      {"Ada Lovelace"},
}

// Cases lists every template x palette of the set, plus layout edge cases
// (long text that must shrink and clamp, non-Latin scripts, missing optional
// fields, each font family) on the blog template.
func Cases(set *templates.Set) []Case {
	var out []Case
	for _, t := range set.Names() {
		for _, p := range set.PaletteNames() {
			q := clone(Texts)
			q.Set("template", t)
			q.Set("palette", p)
			out = append(out, Case{Name: t + "-" + p, Query: q.Encode()})
		}
	}
	long := url.Values{"template": {"blog"},
		"title":       {repeat("Exceptionally long headline words keep coming ", 200)},
		"description": {repeat("A description that goes on and on, far beyond two lines of text. ", 500)},
		"tag":         {repeat("Very long category label ", 50)},
		"author":      {repeat("Someone With A Remarkably Long Name ", 100)}}
	out = append(out, Case{"edge-long", long.Encode()})
	out = append(out, Case{"edge-scripts", url.Values{"template": {"blog"},
		"title":       {"Привет, мир — Γειά σου Κόσμε — Zażółć gęślą jaźń"},
		"description": {"Кириллица, ελληνικά, and a glyph no font has: 日本 ☃"}}.Encode()})
	out = append(out, Case{"edge-title-only", url.Values{"template": {"blog"}, "title": {"Just a title"}}.Encode()})
	out = append(out, Case{"edge-unbreakable", url.Values{"template": {"blog"},
		"title": {"Supercalifragilisticexpialidocious-antidisestablishmentarianism-pneumonoultramicroscopic"}}.Encode()})
	for _, f := range set.FamilyNames() {
		q := clone(Texts)
		q.Set("template", "blog")
		q.Set("font", f)
		out = append(out, Case{Name: "font-" + slug(f), Query: q.Encode()})
	}
	for _, w := range World {
		out = append(out, Case{Name: "world-" + w.Name, Query: w.Texts("blog").Encode()})
	}
	for _, name := range []string{"ja", "ar", "hi", "emoji"} {
		w := WorldText(name)
		for _, t := range []string{"article", "profile"} {
			out = append(out, Case{Name: "world-" + name + "-" + t, Query: w.Texts(t).Encode()})
		}
		for _, f := range set.FamilyNames() {
			if f == set.DefaultFamily {
				continue // the blog case above
			}
			q := w.Texts("blog")
			q.Set("font", f)
			out = append(out, Case{Name: "world-" + name + "-font-" + slug(f), Query: q.Encode()})
		}
	}
	return out
}

// Sample is a card's texts in one script (or a typesetting feature).
type Sample struct {
	Name                            string
	Title, Description, Tag, Author string
}

// Texts returns the sample's parameters on template t.
func (s Sample) Texts(t string) url.Values {
	q := url.Values{"template": {t}, "title": {s.Title}}
	for k, v := range map[string]string{"description": s.Description, "tag": s.Tag, "author": s.Author} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// WorldText returns the sample of a name in World.
func WorldText(name string) Sample {
	for _, w := range World {
		if w.Name == name {
			return w
		}
	}
	panic("golden: no world sample " + name)
}

// World is a card in every script the fallback families cover, and the
// typesetting features of the world-text engine.
var World = []Sample{
	{"ja", "東京で開催されるGo言語カンファレンスの見どころ、今年の注目セッションを紹介します。", "エッジで動くレンダラーの設計と、WebAssemblyでの最適化について。", "技術", "山田 太郎"},
	{"zh-hans", "用 WebAssembly 在边缘渲染社交分享图片：无需无头浏览器的实践与性能优化", "一个 Go 渲染器如何在毫秒内生成开放图谱卡片。", "工程", "李 明"},
	{"zh-hant", "用 WebAssembly 在邊緣渲染社交分享圖片：無需無頭瀏覽器的實踐與效能最佳化", "一個 Go 渲染器如何在毫秒內產生開放圖譜卡片。", "工程", "陳 美玲"},
	{"ko", "헤드리스 브라우저 없이 엣지에서 소셜 이미지를 렌더링하는 방법", "Go 렌더러가 WebAssembly로 컴파일되어 밀리초 만에 카드를 그립니다.", "엔지니어링", "김 민준"},
	{"ar", "كيف نبني خدمة سريعة لصور المشاركة الاجتماعية على الحافة", "مُصيِّر مكتوب بلغة Go يرسم البطاقات في أجزاء من الثانية.", "هندسة", "أحمد علي"},
	{"fa", "چگونه تصاویر اشتراک‌گذاری را بدون مرورگر در لبه شبکه می‌سازیم", "یک موتور گرافیکی پژوهشی برای کارت‌های گراف باز، با گچ و ژرفا.", "مهندسی", "پرویز گلچین"},
	{"he", "איך מרנדרים תמונות שיתוף בקצה הרשת בלי דפדפן", "מנוע שנכתב ב-Go מצייר כרטיסים באלפיות שנייה.", "הנדסה", "דנה לוי"},
	{"mixed", "إصدار 2.5 من ogmint: دعم RTL و Hebrew עברית مع 1,234 بطاقة", "The release adds العربية and עברית next to English, with 3 digits 456 in line.", "v2.5", "Sara سارة"},
	{"hi", "बिना हेडलेस ब्राउज़र के एज पर सोशल इमेज कैसे बनाएं: क्षत्रिय संयुक्ताक्षर", "गो में लिखा रेंडरर मिलीसेकंड में कार्ड बनाता है।", "इंजीनियरिंग", "राम शर्मा"},
	{"bn", "হেডলেস ব্রাউজার ছাড়াই এজে সোশ্যাল ছবি তৈরি করার উপায়", "গো-তে লেখা রেন্ডারার মিলিসেকেন্ডে কার্ড আঁকে।", "প্রকৌশল", "অমিত রায়"},
	{"ta", "ஹெட்லெஸ் உலாவி இல்லாமல் விளிம்பில் சமூகப் படங்களை உருவாக்குவது எப்படி", "கோ மொழியில் எழுதப்பட்ட ரெண்டரர் மில்லி விநாடிகளில் அட்டைகளை வரைகிறது.", "பொறியியல்", "கார்த்திக்"},
	{"th", "วิธีสร้างภาพสำหรับแชร์บนโซเชียลที่ขอบเครือข่ายโดยไม่ต้องใช้เบราว์เซอร์", "ตัวเรนเดอร์ที่เขียนด้วยภาษา Go วาดการ์ดได้ในระดับมิลลิวินาที", "วิศวกรรม", "สมชาย ใจดี"},
	{"hy", "Ինչպես ստեղծել սոցիալական պատկերներ առանց բրաուզերի", "Go-ով գրված ռենդերերը քարտերը նկարում է միլիվայրկյաններում։", "Ճարտարագիտություն", "Արամ Պետրոսյան"},
	{"ka", "როგორ შევქმნათ სოციალური სურათები ბრაუზერის გარეშე", "Go-ზე დაწერილი რენდერერი ბარათებს მილიწამებში ხატავს.", "ინჟინერია", "ნინო ბერიძე"},
	{"vi", "Tiếng Việt có dấu: Hướng dẫn tạo ảnh chia sẻ mạng xã hội", "Bộ kết xuất viết bằng Go vẽ thẻ trong vài mili giây.", "Kỹ thuật", "Nguyễn Văn Ân"},
	{"vi-nfd", norm.NFD.String("Tiếng Việt có dấu: Hướng dẫn tạo ảnh chia sẻ mạng xã hội"), norm.NFD.String("Bộ kết xuất viết bằng Go vẽ thẻ trong vài mili giây."), norm.NFD.String("Kỹ thuật"), norm.NFD.String("Nguyễn Văn Ân")},
	{"el-ru", "Γειά σου Κόσμε και Привет, мир: ελληνικά και кириллица σε μία κάρτα", "Ελληνικό και русский текст с кернингом и переносом строк.", "Ελληνικά", "Алексей Иванов"},
	{"emoji", "Launch day 👋🏽 with the family 👨‍👩‍👧, flags 🇯🇵 🇫🇷 🏴󠁧󠁢󠁳󠁣󠁴󠁿 and keycaps 1️⃣ #️⃣ ❤️", "Emoji in the description too 🎉🚀 and skin tones 👍🏿👍🏻.", "🎉 News", "😀 Ada Lovelace"},
	{"kerning", "AV To Wa Ya Te LT P. Vo Kerning at sixty-eight pixels", "Pairs like AV, To, Wa and Ya close up as a typesetter sets them.", "Type", "Tom Yarrow"},
	{"url", "Deploy https://example.com/docs/app-render.tsx without breaking inside words", "Long paths like /usr/local/share/ogmint/templates/custom-template.json wrap at slashes.", "URLs", "Ada Lovelace"},
	{"balanced", "Balanced titles never leave a single lonely word on the last line", "Greedy wrapping fills lines in order; balanced wrapping evens them out.", "Layout", "Ada Lovelace"},
	{"no-letters", "An author name with no letters shows the neutral avatar", "", "", "🎉🎉"},
}

// ImageCase is a golden image drawn with image files in the module's slots
// (abi.SlotAvatar, abi.SlotLogo), as a host puts them there after fetching.
type ImageCase struct {
	Case
	Images map[int]string // slot -> file name under testdata/images
}

// Image slots, as in wasm/abi (not imported: golden has no module deps).
const (
	slotAvatar = 0
	slotLogo   = 1
)

// ImageCases draws the avatar (a landscape JPEG, cropped into the initials'
// disc) and the logo (a PNG with transparency, fitted into its box) on every
// template that shows them.
func ImageCases(set *templates.Set) []ImageCase {
	var out []ImageCase
	for _, t := range set.Names() {
		q := clone(Texts)
		q.Set("template", t)
		q.Set("avatar", "https://images.example.com/avatar.jpg")
		q.Set("logo", "https://images.example.com/logo.png")
		out = append(out, ImageCase{Case{Name: "image-" + t, Query: q.Encode()},
			map[int]string{slotAvatar: "avatar.jpg", slotLogo: "logo.png"}})
	}
	return out
}

// ImageFile reads a test image from testdata/images.
func ImageFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(Dir(), "images", name))
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func repeat(s string, maxRunes int) string {
	var b []rune
	for len(b) < maxRunes {
		b = append(b, []rune(s)...)
	}
	return string(b[:maxRunes])
}

func slug(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == ' ' {
			b[i] = '-'
		}
	}
	return string(bytes.ToLower(b))
}

// Dir is the directory of the golden PNGs.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
}

// Path is the golden PNG of a case.
func Path(name string) string { return filepath.Join(Dir(), name+".png") }

// Updating reports whether tests should rewrite the golden files.
func Updating() bool { return os.Getenv("OGMINT_UPDATE_GOLDEN") != "" }

// Load decodes a golden PNG into RGBA bytes (w*h*4).
func Load(name string) ([]byte, error) {
	b, err := os.ReadFile(Path(name))
	if err != nil {
		return nil, fmt.Errorf("golden %s: %w (run `make golden` after an intended change)", name, err)
	}
	return DecodeRGBA(b)
}

// DecodeRGBA decodes a PNG into opaque RGBA bytes.
func DecodeRGBA(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	r := img.Bounds()
	out := make([]byte, 0, r.Dx()*r.Dy()*4)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			out = append(out, uint8(cr>>8), uint8(cg>>8), uint8(cb>>8), uint8(ca>>8))
		}
	}
	return out, nil
}

// Diff compares two RGBA frames of width w and describes the first
// difference, or returns "" when every pixel is identical.
func Diff(got, want []byte, w int) string {
	if len(got) != len(want) {
		return fmt.Sprintf("size differs: %d vs %d bytes", len(got), len(want))
	}
	n, first := 0, -1
	for i := 0; i < len(got); i += 4 {
		if !bytes.Equal(got[i:i+4], want[i:i+4]) {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	if n == 0 {
		return ""
	}
	px := first / 4
	return fmt.Sprintf("%d pixels differ; first at (%d,%d): got %v want %v", n, px%w, px/w, got[first:first+4], want[first:first+4])
}

// Save writes an RGBA frame as the golden PNG of a case.
func Save(name string, pix []byte, w, h int) error {
	img := &image.RGBA{Pix: pix, Stride: w * 4, Rect: image.Rect(0, 0, w, h)}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return err
	}
	if err := os.MkdirAll(Dir(), 0o755); err != nil {
		return err
	}
	return os.WriteFile(Path(name), buf.Bytes(), 0o644)
}

// CasesFile lists the cases as JSON ([{"name","query"}]) for tests outside
// Go (the edge runtimes), next to the PNGs.
func CasesFile() string { return filepath.Join(Dir(), "cases.json") }

// CasesJSON encodes cases for CasesFile.
func CasesJSON(cases []Case) []byte {
	type jc struct {
		Name  string `json:"name"`
		Query string `json:"query"`
	}
	out := make([]jc, len(cases))
	for i, c := range cases {
		out[i] = jc{c.Name, c.Query}
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return append(b, '\n')
}

// TemplateCase is a golden image of a template that is not built in
// (format version 2): its file under testdata/templates, the request's
// query (naming it by its "name"), and the images a host would fetch for
// it, by parameter ("avatar", "logo") -> file under testdata/images. The
// cases are listed in TemplateCasesFile, read by the Go tests and, once the
// module takes custom templates, by the wazero and edge runs.
type TemplateCase struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	Query    string            `json:"query"`
	Images   map[string]string `json:"images,omitempty"`
}

// TemplateCasesFile is the list of template cases (JSON, [TemplateCase]).
func TemplateCasesFile() string { return filepath.Join(Dir(), "template-cases.json") }

// TemplateDir holds the template files of the template cases.
func TemplateDir() string { return filepath.Join(Dir(), "templates") }

// TemplateCases reads TemplateCasesFile.
func TemplateCases() ([]TemplateCase, error) {
	b, err := os.ReadFile(TemplateCasesFile())
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var cases []TemplateCase
	if err := dec.Decode(&cases); err != nil {
		return nil, fmt.Errorf("%s: %w", TemplateCasesFile(), err)
	}
	return cases, nil
}

// LoadTemplate reads a template file of TemplateDir, parsed and validated
// as a user's template (its name is the one in the file).
func LoadTemplate(file string) (*templates.Template, error) {
	b, err := os.ReadFile(filepath.Join(TemplateDir(), file))
	if err != nil {
		return nil, err
	}
	t, err := templates.ParseWith(b, templates.Options{Custom: true})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return t, nil
}

// LoadImage decodes a golden PNG into RGBA bytes with its size.
func LoadImage(name string) (pix []byte, w, h int, err error) {
	b, err := os.ReadFile(Path(name))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("golden %s: %w (run `make golden` after an intended change)", name, err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, 0, 0, err
	}
	pix, err = DecodeRGBA(b)
	return pix, cfg.Width, cfg.Height, err
}
