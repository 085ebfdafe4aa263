package pngfast

import (
	"testing"

	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
)

// goldenFrames returns every golden case's frame (the golden PNGs hold the
// renderer's exact pixels) and the benchmark card's, by name.
func goldenFrames(tb testing.TB) (names []string, frames [][]byte) {
	tb.Helper()
	set, err := templates.Load()
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range golden.Cases(set) {
		names = append(names, c.Name)
	}
	for _, c := range golden.ImageCases(set) {
		names = append(names, c.Name)
	}
	for _, name := range names {
		pix, err := golden.Load(name)
		if err != nil {
			tb.Fatal(err)
		}
		frames = append(frames, pix)
	}
	return append(names, "benchcard"), append(frames, card(tb))
}

// TestGoldenPixelsAsBefore: for every golden case, the PNG of this encoder
// decodes (image/png) to exactly the pixels of the previous encoder's PNG
// (pngfast-1), which are the frame's.
func TestGoldenPixelsAsBefore(t *testing.T) {
	names, frames := goldenFrames(t)
	var before, after int
	for i, pix := range frames {
		for _, bands := range []int{1, 2} {
			ref, err := encodeReference(nil, pix, abi.Width, abi.Height, bands)
			if err != nil {
				t.Fatal(err)
			}
			out, err := encode(nil, pix, abi.Width, abi.Height, bands)
			if err != nil {
				t.Fatal(err)
			}
			want, err := golden.DecodeRGBA(ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := golden.DecodeRGBA(out)
			if err != nil {
				t.Fatalf("%s: %v", names[i], err)
			}
			if d := golden.Diff(got, want, abi.Width); d != "" {
				t.Errorf("%s, %d bands: %s", names[i], bands, d)
			}
			if d := golden.Diff(want, pix, abi.Width); d != "" {
				t.Errorf("%s, reference: %s", names[i], d)
			}
			if bands == 2 {
				before += len(ref)
				after += len(out)
			}
		}
	}
	t.Logf("%d frames: %d bytes before, %d after (%.2fx)", len(frames), before, after, float64(after)/float64(before))
}
