package renderpool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/fonts"
)

// redTemplate is a custom template painting the canvas in colour fill.
func redTemplate(fill string) []byte {
	return []byte(`{"name":"mine","version":1,"background":"bg","elements":[
		{"type":"rect","box":[0,0,1200,630],"fill":"` + fill + `"},
		{"type":"text","text":"{title}","box":[100,100,1000,200],"size":[40,60],"color":"text"}]}`)
}

// TestCustomTemplatesThroughThePool: the pool hands the module the custom
// template it asks for, from the context or from Config.Templates, once
// per instance and version; unknown ones are a not-found ModuleError and
// refused ones an invalid one.
func TestCustomTemplatesThroughThePool(t *testing.T) {
	var lookups atomic.Int64
	p := newPool(t, Config{Instances: 1, Templates: func(_ context.Context, name string, version int) ([]byte, error) {
		lookups.Add(1)
		switch {
		case name == "custom_green":
			return redTemplate(fmt.Sprintf("#00%02x00", 0x80+version)), nil
		case name == "custom_bad":
			return []byte(`{"name":"x"}`), nil
		}
		return nil, ErrTemplateNotFound
	}})
	ctx := context.Background()
	firstPixel := func(ctx context.Context, query string) (string, error) {
		var px string
		err := p.RenderFrame(ctx, []byte(query), [abi.NumSlots][]byte{}, func(pix []byte, w, h int) error {
			if w != abi.Width || h != abi.Height || len(pix) != w*h*4 {
				return fmt.Errorf("frame %dx%d, %d bytes", w, h, len(pix))
			}
			px = fmt.Sprintf("%x", pix[:3])
			return nil
		})
		return px, err
	}

	for i, tc := range []struct {
		query, want string
		lookups     int64
	}{
		{"template=custom_green&tv=1&title=Hi", "008100", 1},
		{"template=custom_green&tv=1&title=Again", "008100", 1}, // held: not looked up again
		{"template=custom_green&tv=2&title=Hi", "008200", 2},    // a new version is
	} {
		px, err := firstPixel(ctx, tc.query)
		if err != nil || px != tc.want || lookups.Load() != tc.lookups {
			t.Fatalf("case %d: pixel %s, err %v, %d lookups; want %s, %d", i, px, err, lookups.Load(), tc.want, tc.lookups)
		}
	}

	// A template the context carries wins, without a lookup.
	given := WithTemplate(ctx, "custom_preview", 7, redTemplate("#ff0000"))
	if px, err := firstPixel(given, "template=custom_preview&tv=7&title=Hi"); err != nil || px != "ff0000" {
		t.Fatalf("template from the context: %s %v", px, err)
	}
	if canon, err := p.Validate(WithTemplate(ctx, "custom_v", 1, redTemplate("#ff0000")), []byte("template=custom_v&tv=1&title=Hi")); err != nil ||
		!strings.Contains(string(canon), "template=custom_v") {
		t.Fatalf("validate: %s %v", canon, err)
	}

	var me *ModuleError
	if _, err := firstPixel(ctx, "template=custom_nope&tv=1&title=Hi"); !errors.As(err, &me) || me.Status != abi.StatusNotFound ||
		!strings.Contains(string(me.Body), `no custom template \"custom_nope\"`) && !strings.Contains(string(me.Body), `custom_nope`) {
		t.Fatalf("unknown template: %v", err)
	}
	if _, err := firstPixel(ctx, "template=custom_bad&tv=1&title=Hi"); !errors.As(err, &me) || me.Status != abi.StatusInvalid ||
		!strings.Contains(string(me.Body), "invalid template") {
		t.Fatalf("invalid template: %v", err)
	}
	// The instance is still in service.
	if px, err := firstPixel(ctx, "template=custom_green&tv=2&title=Hi"); err != nil || px != "008200" {
		t.Fatalf("after errors: %s %v", px, err)
	}
}

// familyTemplate is a custom template whose title is set in family fam
// ("" = the request's font).
func familyTemplate(fam string) []byte {
	f := ""
	if fam != "" {
		f = `,"family":"` + fam + `"`
	}
	return []byte(`{"name":"fam","version":1,"background":"#ffffff","elements":[
		{"type":"text","text":"{title}","box":[100,100,1000,300],"size":[60,80],"color":"#000000"` + f + `}]}`)
}

// TestUserFamiliesThroughThePool: abi step 1e over wazero. A template
// naming a user font family gets it from the context's FamilySource (else
// Config.Families) once per instance: a held template, and the same
// family under another template or font tag, are not handed over again;
// the family draws the text; a family the source no longer has is an
// invalid-template ModuleError, and the instance stays in service.
func TestUserFamiliesThroughThePool(t *testing.T) {
	mono, err := os.ReadFile("../../templates/fontpack/JetBrainsMono-Regular.ttf")
	if err != nil {
		t.Fatal(err)
	}
	var lookups atomic.Int64
	src := func(_ context.Context, name string) ([]byte, error) {
		lookups.Add(1)
		if name != "u:mono:-" {
			return nil, fmt.Errorf("%w: %s", ErrFamilyNotFound, name)
		}
		return (&fonts.Family{Name: name, Regular: mono}).Pack(), nil
	}
	var fromConfig atomic.Int64
	p := newPool(t, Config{Instances: 1, Families: func(ctx context.Context, name string) ([]byte, error) {
		fromConfig.Add(1)
		return src(ctx, name)
	}})
	ctx := context.Background()
	render := func(ctx context.Context, query string) ([]byte, error) {
		var out []byte
		err := p.RenderFrame(ctx, []byte(query), [abi.NumSlots][]byte{}, func(pix []byte, w, h int) error {
			out = bytes.Clone(pix)
			return nil
		})
		return out, err
	}
	given := func(name string, version int, doc []byte) context.Context {
		return WithFamilies(WithTemplate(ctx, name, version, doc), src)
	}

	monoPix, err := render(given("custom_a", 1, familyTemplate("u:mono:-")), "template=custom_a&tv=1&tf=x&title=Hamburgefonstiv")
	if err != nil || lookups.Load() != 1 || p.Stats().UserFamilyHandovers != 1 {
		t.Fatalf("first render: %v, %d lookups, %d hand-overs", err, lookups.Load(), p.Stats().UserFamilyHandovers)
	}
	interPix, err := render(WithTemplate(ctx, "custom_b", 1, familyTemplate("")), "template=custom_b&tv=1&title=Hamburgefonstiv")
	if err != nil || bytes.Equal(monoPix, interPix) {
		t.Fatalf("the request's font: %v (same pixels as the user family: %v)", err, bytes.Equal(monoPix, interPix))
	}
	for _, q := range []string{
		"template=custom_a&tv=1&tf=x&title=Hamburgefonstiv", // held
		"template=custom_a&tv=1&tf=y&title=Hamburgefonstiv", // another tag: the template again, not the family
		"template=custom_c&tv=3&tf=x&title=Hamburgefonstiv", // another template naming it
	} {
		qv, _ := url.ParseQuery(q)
		v, _ := strconv.Atoi(qv.Get("tv"))
		pix, err := render(given(qv.Get("template"), v, familyTemplate("u:mono:-")), q)
		if err != nil || !bytes.Equal(pix, monoPix) || lookups.Load() != 1 {
			t.Fatalf("%s: %v, same pixels %v, %d lookups", q, err, bytes.Equal(pix, monoPix), lookups.Load())
		}
	}
	if fromConfig.Load() != 0 {
		t.Fatalf("Config.Families asked %d times while the context had a source", fromConfig.Load())
	}

	// Without a source in the context, Config.Families answers.
	if _, err := render(WithTemplate(ctx, "custom_d", 1, familyTemplate("u:gone:-")), "template=custom_d&tv=1&tf=z&title=Hi"); err == nil || fromConfig.Load() != 1 {
		t.Fatalf("Config.Families: %v, asked %d times", err, fromConfig.Load())
	}
	var me *ModuleError
	_, err = render(given("custom_e", 1, familyTemplate("u:gone:-")), "template=custom_e&tv=1&tf=z&title=Hi")
	if !errors.As(err, &me) || me.Status != abi.StatusInvalid || !strings.Contains(string(me.Body), "u:gone:-") {
		t.Fatalf("a family that is gone: %v", err)
	}
	if pix, err := render(given("custom_a", 1, familyTemplate("u:mono:-")), "template=custom_a&tv=1&tf=x&title=Hamburgefonstiv"); err != nil || !bytes.Equal(pix, monoPix) {
		t.Fatalf("after errors: %v", err)
	}
	if p.Stats().Replaced != 0 {
		t.Fatalf("%d instances replaced", p.Stats().Replaced)
	}
}
