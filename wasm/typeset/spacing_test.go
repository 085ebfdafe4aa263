package typeset

import (
	"testing"

	"golang.org/x/image/math/fixed"
)

// TestLetterSpacing: spacing s widens a line of n clusters by exactly
// (n-1)*s (none after the last), for positive and negative s; a line wraps
// at the spaced width; and the glyphs are drawn spaced: the ink of each
// letter moves right by its index times s.
func TestLetterSpacing(t *testing.T) {
	ts := shared(t)
	st := Style{Family: family(t, ts, "Inter"), Size: 40}
	const text = "Hello world" // 11 clusters (the space is one), no ligature
	plain := measure(ts, text, st)
	for _, px := range []float64{10, 2.5, -3} {
		sp := fixed.Int26_6(px * 64)
		st := st
		st.Spacing = sp
		got := measure(ts, text, st)
		if want := plain + 10*sp; got != want {
			t.Errorf("spacing %g: width %v, want %v (+10 spacings)", px, got, want)
		}
		// Wrapping: the spaced width fits on one line, 1 px less does not.
		w := got.Ceil()
		if b := ts.Wrap(text, st, 1.2, w, 3, false); len(b.Lines) != 1 || b.Lines[0].Width != got {
			t.Errorf("spacing %g, width %d: %q, want one line", px, w, lineTexts(b))
		}
		if b := ts.Wrap(text, st, 1.2, w-1, 3, false); len(b.Lines) != 2 {
			t.Errorf("spacing %g, width %d: %q, want two lines", px, w-1, lineTexts(b))
		} else if want := measure(ts, "Hello", st); b.Lines[0].Width != want {
			t.Errorf("spacing %g: first line %v wide, want %v (no spacing after its last letter)", px, b.Lines[0].Width, want)
		}
		// Fit and balance with spacing keep the same measure.
		if b := ts.FitStyle(text, st, 40, 40, 1.2, w, 200, 2, true); len(b.Lines) != 1 || b.Lines[0].Width != got {
			t.Errorf("spacing %g: FitStyle %q %v", px, lineTexts(b), b.Lines[0].Width)
		}
	}
	// Drawing: "l l l" with its letters 100 px apart more; each letter's
	// ink is the same, shifted by exactly 100 px per cluster.
	spaced := st
	spaced.Spacing = fixed.I(100)
	b0 := ts.Line("ll", st, 48)
	b1 := ts.Line("ll", spaced, 48)
	f0 := draw(ts, b0, 400, 60, 20, 5, 400, Left)
	f1 := draw(ts, b1, 400, 60, 20, 5, 400, Left)
	i0, i1 := ink(f0, black), ink(f1, black)
	if i1.x0 != i0.x0 || i1.x1 != i0.x1+100 || i1.y0 != i0.y0 || i1.y1 != i0.y1 {
		t.Errorf("ink %+v spaced, %+v plain: want the second letter 100 px right", i1, i0)
	}
	// The first letter's pixels are unchanged.
	mid := (i0.x0 + i0.x1) / 2
	if a, b := inkIn(f0, black, 0, 0, mid, 60), inkIn(f1, black, 0, 0, mid, 60); a != b {
		t.Errorf("first letter moved: %+v vs %+v", b, a)
	}
}
