package module_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"testing"

	"github.com/ogmint/ogmint/internal/benchcard"
	"github.com/ogmint/ogmint/internal/golden"
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
		{"custom template", "template=custom_abc&title=Hi", abi.StatusNotFound, []string{"template"}},
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
