package render_test

import (
	"bytes"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/wasm/params"
	"github.com/ogmint/ogmint/wasm/render"
)

// binaryFirstFit is the stack's search before guesses: fits(0), then a
// binary search of [1, steps].
func binaryFirstFit(steps int, fits func(int) bool) int {
	if fits(0) {
		return 0
	}
	lo, hi := 1, steps
	for lo < hi {
		mid := (lo + hi) / 2
		if fits(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// TestFirstFit: for every step count up to 30, every monotonic predicate
// (the first step that fits, or none) and every guess (none, out of range
// too), firstFit gives the binary search's step; a right guess costs two
// calls (one at step 0).
func TestFirstFit(t *testing.T) {
	for steps := 0; steps <= 30; steps++ {
		for first := 0; first <= steps+1; first++ { // steps+1: nothing fits
			fits := func(s int) bool { return s >= first }
			want := max(binaryFirstFit(steps, fits), 0)
			if steps == 0 {
				want = 0
			}
			for guess := -1; guess <= steps+1; guess++ {
				calls := 0
				got := render.FirstFit(steps, guess, func(s int) bool { calls++; return fits(s) })
				if got != want {
					t.Fatalf("steps %d, first fit %d, guess %d: %d, want %d", steps, first, guess, got, want)
				}
				if guess == want && guess < steps && calls > 2 {
					t.Errorf("steps %d, right guess %d: %d calls", steps, guess, calls)
				}
			}
		}
	}
}

// TestStackGuessSamePixels: blog cards of random titles and descriptions,
// each laid out with the previous card's steps as guesses, give the very
// pixels of the same cards laid out without guesses.
func TestStackGuessSamePixels(t *testing.T) {
	guessed, plain := newRenderer(t, 0), newRenderer(t, 0)
	words := strings.Fields("a an the of edge WebAssembly wazero glyph caches render Open Graph cards milliseconds headless browser social images 2026: number extraordinarily incomprehensibilities")
	rng := rand.New(rand.NewPCG(9, 2))
	text := func(n int) string { // n words, at most 180 bytes
		var b strings.Builder
		for i := 0; i < n && b.Len() < 150; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	w := 0
	draw := func(r *render.Renderer, q url.Values) []byte {
		p, perr := params.Parse(q, r.Set)
		if perr != nil {
			t.Fatal(perr)
		}
		fr, err := r.Render(p)
		if err != nil {
			t.Fatal(err)
		}
		w = fr.W
		return bytes.Clone(fr.Pix)
	}
	for i := range 120 {
		q := url.Values{"template": {"blog"}, "title": {text(1 + rng.IntN(30))}, "author": {"Ada Lovelace"}}
		if rng.IntN(4) > 0 {
			q.Set("description", text(rng.IntN(40)))
		}
		if rng.IntN(2) > 0 {
			q.Set("tag", text(1+rng.IntN(3)))
		}
		a := draw(guessed, q)
		render.ForgetFitSteps(plain)
		b := draw(plain, q)
		if d := golden.Diff(a, b, w); d != "" {
			t.Fatalf("card %d %v: %s", i, q, d)
		}
	}
}
