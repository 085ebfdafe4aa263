package module_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/internal/benchcard"
	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/internal/testimages"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
)

func newModule(t testing.TB) *module.Module {
	t.Helper()
	m, err := module.New()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func call(m *module.Module, f func(int) abi.Status, q string) abi.Status {
	n := copy(m.Request(len(q)), q)
	return f(n)
}

func TestStatuses(t *testing.T) {
	m := newModule(t)
	for _, tc := range []struct {
		name   string
		query  string
		want   abi.Status
		fields []string
	}{
		{"ok", "template=blog&title=Hi", abi.StatusOK, nil},
		{"missing title", "template=blog", abi.StatusInvalid, []string{"title"}},
		{"two bad fields", "template=nope&title=Hi&bg=zzz", abi.StatusInvalid, []string{"template", "bg"}},
		{"custom template without a version", "template=custom_abc&title=Hi", abi.StatusNotFound, []string{"template"}},
		{"bad query", "template=blog&title=%zz", abi.StatusInvalid, []string{"query"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := call(m, m.Render, tc.query)
			if st != tc.want {
				t.Fatalf("status %s, want %s (%s)", st, tc.want, m.Output())
			}
			if tc.want == abi.StatusOK {
				return
			}
			var body module.ErrorBody
			if err := json.Unmarshal(m.Output(), &body); err != nil || body.Error == "" {
				t.Fatalf("error body %q: %v", m.Output(), err)
			}
			var got []string
			for _, f := range body.Details {
				got = append(got, f.Field)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.fields) {
				t.Errorf("fields %v, want %v", got, tc.fields)
			}
		})
	}
}

func TestRequestLimit(t *testing.T) {
	m := newModule(t)
	if m.Request(abi.MaxRequest+1) != nil {
		t.Fatal("a request over abi.MaxRequest got a buffer")
	}
	if len(m.Request(abi.MaxRequest)) != abi.MaxRequest {
		t.Fatal("a request of abi.MaxRequest bytes got no buffer")
	}
}

func TestValidateIsCanonical(t *testing.T) {
	m := newModule(t)
	a := call(m, m.Validate, "title=Hi&template=blog&palette=midnight")
	ca := string(m.Output())
	b := call(m, m.Validate, "template=blog&bg=0A0A0F&title=Hi")
	cb := string(m.Output())
	if a != abi.StatusOK || b != abi.StatusOK || ca != cb {
		t.Fatalf("canonical forms differ: %q vs %q", ca, cb)
	}
}

func TestEncodePNGMatchesPixels(t *testing.T) {
	m := newModule(t)
	if st := m.EncodePNG(); st != abi.StatusInternal {
		t.Fatalf("encode before render: %s", st)
	}
	if st := call(m, m.Render, "template=blog&title=Pixels&palette=sunset"); st != abi.StatusOK {
		t.Fatal(st)
	}
	if st := m.EncodePNG(); st != abi.StatusOK {
		t.Fatal(st, string(m.Output()))
	}
	img, err := png.Decode(bytes.NewReader(m.Output()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != abi.Width || b.Dy() != abi.Height {
		t.Fatalf("size %v", b)
	}
	got, _ := golden.DecodeRGBA(m.Output())
	if d := golden.Diff(got, m.Pixels(), abi.Width); d != "" {
		t.Fatal(d)
	}
}

func TestInfo(t *testing.T) {
	m := newModule(t)
	if st := m.Info(); st != abi.StatusOK {
		t.Fatal(st)
	}
	var info module.Info
	if err := json.Unmarshal(m.Output(), &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Templates) < 1 || len(info.Palettes) != 5 || len(info.Fonts) < 3 {
		t.Fatalf("info: %+v", info)
	}
}

// BenchmarkRenderBlogNative draws the benchmark blog card natively (distinct
// titles, warm caches): the baseline for the wazero/native ratio.
func BenchmarkRenderBlogNative(b *testing.B) {
	m := newModule(b)
	for i := 0; b.Loop(); i++ {
		q := benchcard.Query(i)
		if st := call(m, m.Render, q); st != abi.StatusOK {
			b.Fatal(st)
		}
	}
}

// TestImages: images in the slots are drawn; a named image whose slot is
// empty is left out (the avatar falls back to initials); files that do not
// decode or are too large are field errors naming the parameter; a request
// empties the slots; slot and size limits hold.
func TestImages(t *testing.T) {
	m := newModule(t)
	var pngBuf, bigBuf bytes.Buffer
	small := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for i := range small.Pix {
		small.Pix[i] = 200
	}
	if err := png.Encode(&pngBuf, small); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&bigBuf, image.NewGray(image.Rect(0, 0, 2100, 2100))); err != nil { // 4.41 Mpx
		t.Fatal(err)
	}
	q := "template=blog&title=Images&author=Ada+Lovelace&avatar=https%3A%2F%2Fexample.com%2Fa.png&logo=https%3A%2F%2Fexample.com%2Fl.png"
	render := func(images map[int][]byte) (abi.Status, []byte) {
		n := copy(m.Request(len(q)), q)
		for slot, b := range images {
			copy(m.Image(slot, len(b)), b)
		}
		st := m.Render(n)
		return st, append([]byte(nil), m.Pixels()...)
	}
	stNone, none := render(nil)
	stBoth, both := render(map[int][]byte{abi.SlotAvatar: pngBuf.Bytes(), abi.SlotLogo: pngBuf.Bytes()})
	stAgain, again := render(nil) // the request emptied the slots
	if stNone != abi.StatusOK || stBoth != abi.StatusOK || stAgain != abi.StatusOK {
		t.Fatalf("statuses %v %v %v: %s", stNone, stBoth, stAgain, m.Output())
	}
	if bytes.Equal(none, both) {
		t.Error("images in the slots were not drawn")
	}
	if !bytes.Equal(none, again) {
		t.Error("a new request did not empty the image slots")
	}
	for _, tc := range []struct {
		name  string
		slot  int
		file  []byte
		field string
		msg   string
	}{
		{"garbage avatar", abi.SlotAvatar, []byte("<html>not an image</html>"), "avatar", "not a PNG, JPEG or GIF image"},
		{"huge logo", abi.SlotLogo, bigBuf.Bytes(), "logo", "2100x2100"},
	} {
		st, _ := render(map[int][]byte{tc.slot: tc.file})
		if st != abi.StatusInvalid {
			t.Errorf("%s: status %v, want invalid", tc.name, st)
			continue
		}
		var body struct {
			Details []struct{ Field, Message string } `json:"details"`
		}
		if err := json.Unmarshal(m.Output(), &body); err != nil || len(body.Details) != 1 ||
			body.Details[0].Field != tc.field || !strings.Contains(body.Details[0].Message, tc.msg) {
			t.Errorf("%s: body %s, want details.%s containing %q", tc.name, m.Output(), tc.field, tc.msg)
		}
	}
	if m.Image(2, 10) != nil || m.Image(-1, 10) != nil || m.Image(abi.SlotAvatar, abi.MaxImageBytes+1) != nil {
		t.Error("bad slot or oversized image accepted")
	}
}

// TestImageLimitsConfigurable: the decode budget is the module's
// ImageLimits (abi's by default): the 2048x2048 JPEG renders within the
// default 32 MiB and is a field error naming the parameter within 4 MiB.
func TestImageLimitsConfigurable(t *testing.T) {
	jpg := testimages.JPEG()
	q := "template=blog&title=Budget&author=Ada+Lovelace&logo=https%3A%2F%2Fexample.com%2Fl.jpg"
	for _, tc := range []struct {
		name    string
		maxMiB  int
		want    abi.Status
		message string
	}{
		{"default", 0, abi.StatusOK, ""},
		{"4 MiB", 4, abi.StatusInvalid, `{"field":"logo","message":"2048x2048 JPEG needs 6.0 MiB to decode; at most 4 MiB"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newModule(t)
			if m.ImageLimits != module.DefaultImageLimits || m.ImageLimits.Validate() != nil {
				t.Fatalf("limits %+v, want the ABI's", m.ImageLimits)
			}
			if tc.maxMiB > 0 {
				m.ImageLimits.MaxBytes, m.ImageLimits.DirectBytes = tc.maxMiB<<20, 1<<20
			}
			n := copy(m.Request(len(q)), q)
			copy(m.Image(abi.SlotLogo, len(jpg)), jpg)
			if st := m.Render(n); st != tc.want || !strings.Contains(string(m.Output()), tc.message) {
				t.Fatalf("status %v, output %s; want %v with %s", st, m.Output(), tc.want, tc.message)
			}
		})
	}
}
