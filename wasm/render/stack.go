package render

import (
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/typeset"
)

// item is one laid-out child of a stack.
type item struct {
	e     *templates.Element
	block *typeset.Block // nil for rects
	lines int            // line budget for text children
}

func (it *item) height() int {
	switch it.e.Type {
	case templates.KindRect:
		return it.e.Box[3]
	case templates.KindPill:
		return it.block.Height() + 2*it.e.PadY
	}
	return it.block.Height()
}

// stack lays children out top to bottom inside the stack's box. Text
// children shrink together from their largest to their smallest sizes until
// all fit unclamped; failing that they are clamped at their smallest sizes,
// then later children give up lines, and finally whole later children are
// dropped, so the stack never overflows its box.
func (c *card) stack(s *templates.Element) {
	x, y, w, h := s.Box[0], s.Box[1], s.Box[2], s.Box[3]
	// The items in one array (room for every child: pointers into it stay
	// valid), the list of them in another.
	store := make([]item, 0, len(s.Children))
	items := make([]*item, 0, len(s.Children))
	steps := 0
	for _, e := range s.Children {
		if !c.shown(e) {
			continue
		}
		store = append(store, item{e: e, lines: max(e.MaxLines, 1)})
		it := &store[len(store)-1]
		if e.Type == templates.KindText {
			steps = max(steps, e.Size[1]-e.Size[0])
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return
	}
	// layout lays the children out at a step; final balances the texts
	// that ask for it (balancing never changes a text's line count).
	layout := func(step int, final bool) (total int, clamped bool) {
		for i, it := range items {
			switch it.e.Type {
			case templates.KindText:
				size := it.e.Size[1]
				if steps > 0 {
					size -= (it.e.Size[1] - it.e.Size[0]) * step / steps
				}
				st := c.style(it.e, size)
				it.block = c.r.ts.Wrap(c.text(it.e), st, lineHeight(it.e, defaultLineHeight), w, it.lines, final && it.e.Wrap == "balance")
				clamped = clamped || it.block.Clamped
			case templates.KindPill:
				it.block = c.pill(it.e, w)
			}
			if i > 0 {
				total += s.Gap
			}
			total += it.height()
		}
		return total, clamped
	}
	// The largest sizes that fit: fitting is monotonic in the step (smaller
	// text never needs more room), so search for the first step that fits,
	// asking first at the step this stack took last time. Negative letter
	// spacing can make glyph widths negative, and then fitting is not
	// monotonic: the step would depend on the guess, so on the card drawn
	// before. Such a stack searches without one.
	fits := func(step int) bool {
		total, clamped := layout(step, false)
		return !clamped && total <= h
	}
	guess := c.lastStep(s)
	if negativeSpacing(items) {
		guess = -1
	}
	best := firstFit(steps, guess, fits)
	c.setLastStep(s, best)
	total, _ := layout(best, true)
	// Still too tall at the smallest sizes: take lines from the last
	// multi-line text child, then drop trailing children.
	for total > h {
		shrunk := false
		for i := len(items) - 1; i >= 0 && !shrunk; i-- {
			if items[i].e.Type == templates.KindText && items[i].lines > 1 && len(items[i].block.Lines) > 1 {
				items[i].lines = len(items[i].block.Lines) - 1
				shrunk = true
			}
		}
		if !shrunk {
			if len(items) == 1 {
				break // a single line at the minimum size; the template guarantees it fits
			}
			items = items[:len(items)-1]
		}
		total, _ = layout(steps, true)
	}
	top := y
	switch s.Anchor {
	case "middle":
		top += (h - total) / 2
	case "bottom":
		top += h - total
	}
	for _, it := range items {
		switch it.e.Type {
		case templates.KindRect:
			rw := it.e.Box[2]
			if rw <= 0 || rw > w {
				rw = w
			}
			c.rect(it.e, x+offset(it.e.Align, false, w, rw), top, rw, it.e.Box[3])
		case templates.KindPill:
			c.drawPill(it.e, it.block, x, top, w)
		case templates.KindText:
			c.drawText(it.e, it.block, x, top, w)
		}
		top += it.height() + s.Gap
	}
}

// negativeSpacing reports whether a text of items has negative letter
// spacing.
func negativeSpacing(items []*item) bool {
	for _, it := range items {
		if it.e.LetterSpacing < 0 {
			return true
		}
	}
	return false
}

// firstFit is the least step in [0, steps) at which fits holds, or steps
// when there is none (fits is monotonic: once it holds at a step it holds
// at every larger one). It asks at guess and guess-1 first, so a right
// guess costs two calls; then it binary-searches what is left. Any guess,
// -1 for none, gives the same step (TestFirstFit).
func firstFit(steps, guess int, fits func(int) bool) int {
	lo, hi := 0, steps // the answer is in [lo, hi]
	if guess >= 0 && guess < steps {
		if !fits(guess) {
			lo = guess + 1
		} else if guess == 0 || !fits(guess-1) {
			return guess
		} else {
			hi = guess - 1
		}
	}
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

// lastStep is the step stack s took on its template's previous card, or
// -1.
func (c *card) lastStep(s *templates.Element) int {
	if st, ok := c.st.fitSteps[s]; ok {
		return st
	}
	return -1
}

// setLastStep remembers step as the one stack s took.
func (c *card) setLastStep(s *templates.Element, step int) {
	if c.st.fitSteps == nil {
		c.st.fitSteps = map[*templates.Element]int{}
	}
	c.st.fitSteps[s] = step
}
