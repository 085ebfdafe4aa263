package renderpool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ogmint/ogmint/wasm/abi"
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
