package typeset

import (
	"reflect"
	"slices"
	"testing"
)

// TestWrapMemo: a block from the memo is the block laid out afresh, is a
// copy (balancing or changing it leaves the memo's as it was), and
// reports the same missing runes.
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
		got.Lines[0].Width = -1
		if again := ts.Wrap(c.text, st, 1.2, c.width, c.maxLines, c.balance); !reflect.DeepEqual(again, fresh) {
			t.Errorf("%q: changing a returned block changed the memo's", c.text)
		}
	}
}
