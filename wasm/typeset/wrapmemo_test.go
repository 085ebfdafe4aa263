package typeset

import (
	"math"
	"reflect"
	"slices"
	"testing"
)

// TestWrapMemo: a block from the memo is the block laid out afresh and
// reports the same missing runes; Line and a balancing FitStyle, which
// change the block they get, leave the memo's as it was.
func TestWrapMemo(t *testing.T) {
	ts := newBuiltin(t)
	inter := ts.FamilyIndex("Inter")
	for _, c := range []struct {
		text     string
		width    int
		maxLines int
		balance  bool
	}{
		{"Benchmark card number 7: how we render social images at the edge", 600, 3, true},
		{"A long description that will not fit on two short lines at all, so it is clamped", 300, 2, false},
		{"Missing glyphs: \U0001F600 \u0E01\u0E02 \u05D0", 1000, 2, false},
	} {
		st := Style{Family: inter, Size: 40}
		ts.ResetMissing()
		fresh := ts.wrap(c.text, st, 1.2, c.width, c.maxLines, c.balance)
		wantMissing := slices.Clone(ts.Missing())
		ts.Wrap(c.text, st, 1.2, c.width, c.maxLines, c.balance) // into the memo
		ts.ResetMissing()
		got := ts.Wrap(c.text, st, 1.2, c.width, c.maxLines, c.balance)
		if !reflect.DeepEqual(got, fresh) {
			t.Errorf("%q: memo block %+v, fresh %+v", c.text, got, fresh)
		}
		if !slices.Equal(ts.Missing(), wantMissing) {
			t.Errorf("%q: missing %q from the memo, %q fresh", c.text, ts.Missing(), wantMissing)
		}
	}
	st := Style{Family: inter, Size: 40}
	const text = "Benchmark card number 8: how we render social images at the edge with a browser"
	one := ts.Wrap(text, st, 1, math.MaxInt32/64, 1, false) // as Line wraps
	want := *one
	ts.Line(text, st, 99)
	if one.LineHeight != want.LineHeight {
		t.Errorf("Line changed the memo's block: line height %d, was %d", one.LineHeight, want.LineHeight)
	}
	greedy := ts.Wrap(text, Style{Family: inter, Size: 40}, 1.2, 700, 3, false)
	lines := slices.Clone(greedy.Lines)
	ts.FitStyle(text, st, 40, 40, 1.2, 700, 1000, 3, true)
	if !slices.Equal(greedy.Lines, lines) {
		t.Errorf("a balancing FitStyle changed the memo's block: lines %v, were %v", greedy.Lines, lines)
	}
}

// TestWrapKeySame: same is ==, field by field.
func TestWrapKeySame(t *testing.T) {
	if n := reflect.TypeOf(wrapKey{}).NumField(); n != 6 {
		t.Fatalf("wrapKey has %d fields: same compares 6", n)
	}
	base := wrapKey{"title", Style{Family: 1, Bold: true, Size: 60, Spacing: 3}, 1.2, 1000, 3, true}
	for i, change := range []func(k *wrapKey){
		func(k *wrapKey) {},
		func(k *wrapKey) { k.text = "titlf" },
		func(k *wrapKey) { k.st.Family = 2 },
		func(k *wrapKey) { k.st.Bold = false },
		func(k *wrapKey) { k.st.Size = 61 },
		func(k *wrapKey) { k.st.Spacing = 4 },
		func(k *wrapKey) { k.lineHeight = 1.3 },
		func(k *wrapKey) { k.width = 999 },
		func(k *wrapKey) { k.maxLines = 2 },
		func(k *wrapKey) { k.balance = false },
	} {
		k := base
		change(&k)
		if got, want := k.same(&base), k == base; got != want {
			t.Errorf("change %d: same %v, == %v", i, got, want)
		}
	}
}
