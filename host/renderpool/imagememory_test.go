package renderpool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ogmint/ogmint/internal/testimages"
	"github.com/ogmint/ogmint/wasm/abi"
)

// bigImages are the files of issue 10, item 2: a 2048x2048 16-bit RGBA PNG
// (38 KB, 32 MiB as image/png decodes it) and a 2048x2048 JPEG.
var bigImages = sync.OnceValues(func() ([]byte, []byte) { return testimages.PNG16(), testimages.JPEG() })

// worldText is a description in three scripts: its fallback families are
// handed over, so the instance holds more fonts (as a busy one does).
const worldText = "مرحبا 你好 नमस्ते"

// bigImageCard is the i-th card of the test: the templates that draw
// images in turn, the PNG and the JPEG as avatar and logo and the other way
// round, every third card with world text.
func bigImageCard(i int) ([]byte, [abi.NumSlots][]byte) {
	png16, jpg := bigImages()
	tpl := []string{"blog", "profile", "article", "docs", "minimal"}[i%5]
	images := [abi.NumSlots][]byte{abi.SlotAvatar: png16, abi.SlotLogo: jpg}
	if i%2 == 1 {
		images = [abi.NumSlots][]byte{abi.SlotAvatar: jpg, abi.SlotLogo: png16}
	}
	desc := "Two large images"
	if i%3 == 2 {
		desc = worldText
	}
	return q("template", tpl, "title", fmt.Sprintf("Large images, card %d", i), "description", desc, "author", "Ada Lovelace",
		"avatar", "https://images.example.com/a", "logo", "https://images.example.com/l"), images
}

// TestLargeLegalImagesRender (issue 10, item 2): 12 cards in a row, then 16
// at once, each with the 2048x2048 16-bit PNG and the 2048x2048 JPEG as
// avatar and logo (both within the documented limits), on two instances
// with the default 128 MiB cap: every render succeeds, no instance is
// replaced, and no instance's linear memory passes half its cap. Before
// images were decoded within a byte budget, instances reached 116-122 MiB
// here.
func TestLargeLegalImagesRender(t *testing.T) {
	p := newPool(t, Config{Instances: 2, Fonts: testFonts(t)})
	render := func(i int) error {
		query, images := bigImageCard(i)
		return p.RenderImages(context.Background(), query, images, func([]byte) error { return nil })
	}
	for i := range 12 {
		if err := render(i); err != nil {
			t.Errorf("sequential card %d: %v", i, err)
		}
	}
	t.Logf("after 12 cards in a row: peak instance memory %.1f MiB", mib(p.Stats().MaxMemoryBytes))
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() { errs[i] = render(12 + i) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent card %d: %v", i, err)
		}
	}
	st := p.Stats()
	t.Logf("after 16 cards at once: peak instance memory %.1f MiB, instances replaced %d", mib(st.MaxMemoryBytes), st.Replaced)
	if st.Replaced != 0 {
		t.Errorf("%d instances replaced", st.Replaced)
	}
	if st.MaxMemoryBytes > DefaultMemoryLimitMiB<<20/2 {
		t.Errorf("peak instance memory %.1f MiB, want at most half the %d MiB cap", mib(st.MaxMemoryBytes), DefaultMemoryLimitMiB)
	}
}

// TestWorstLegalImageMemory: the legal files that need the most memory to
// decode, each as the profile template's 260 px avatar (its largest image)
// with the 16-bit PNG as logo on the blog template, keep a fresh instance
// far below its cap. The progressive 4:2:0 JPEG is the worst legal file
// (~31 MiB: image/jpeg keeps its DCT coefficients).
func TestWorstLegalImageMemory(t *testing.T) {
	png16, jpg := bigImages()
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"16-bit png", png16},
		{"baseline jpeg", jpg},
		{"progressive 4:2:0 jpeg", testimages.ProgressiveJPEG420()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, Config{Instances: 1})
			if err := p.Render(context.Background(), q("template", "profile", "title", "Warm", "author", "Ada Lovelace"), nil); err != nil {
				t.Fatal(err)
			}
			base := p.Stats().MaxMemoryBytes
			for _, tpl := range []string{"profile", "blog"} {
				query := q("template", tpl, "title", "Worst image", "author", "Ada Lovelace",
					"avatar", "https://images.example.com/a", "logo", "https://images.example.com/l")
				images := [abi.NumSlots][]byte{abi.SlotAvatar: tc.file, abi.SlotLogo: png16}
				if err := p.RenderImages(context.Background(), query, images, nil); err != nil {
					t.Fatalf("%s: %v", tpl, err)
				}
			}
			peak := p.Stats().MaxMemoryBytes
			t.Logf("instance memory %.1f MiB warm, %.1f MiB after the images", mib(base), mib(peak))
			if peak > DefaultMemoryLimitMiB<<20/2 {
				t.Errorf("peak %.1f MiB, want at most half the cap", mib(peak))
			}
		})
	}
}

// TestImagePastLimitsNamesField: a file past the decode budget (a
// progressive 4:4:4 2048x2048 JPEG needs 60 MiB) or the pixel limit is the
// module's field error naming the parameter, and the instance stays.
func TestImagePastLimitsNamesField(t *testing.T) {
	p := newPool(t, Config{Instances: 1})
	query := q("template", "blog", "title", "Past the limits", "author", "Ada Lovelace",
		"avatar", "https://images.example.com/a", "logo", "https://images.example.com/l")
	for _, tc := range []struct {
		slot           int
		field, message string
	}{
		{abi.SlotLogo, "logo", "2048x2048 progressive JPEG needs 60.0 MiB to decode; at most 32 MiB"},
		{abi.SlotAvatar, "avatar", "2048x2048 progressive JPEG needs 60.0 MiB to decode; at most 32 MiB"},
	} {
		var images [abi.NumSlots][]byte
		images[tc.slot] = testimages.ProgressiveJPEG444()
		err := p.RenderImages(context.Background(), query, images, nil)
		var me *ModuleError
		if !errors.As(err, &me) || me.Status != abi.StatusInvalid ||
			!strings.Contains(string(me.Body), `{"field":"`+tc.field+`","message":"`+tc.message+`"}`) {
			t.Errorf("%s: %v, want a field error %q", tc.field, err, tc.message)
		}
	}
	if st := p.Stats(); st.Replaced != 0 {
		t.Errorf("an image error replaced the instance: %+v", st)
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
