package typeset

import (
	"testing"
)

// TestASCIIFace: for every ASCII rune alone, asciiFace gives what
// paragraph's general cases give.
func TestASCIIFace(t *testing.T) {
	ts := newBuiltin(t)
	for _, st := range []Style{{Family: ts.FamilyIndex("Inter")}, {Family: ts.FamilyIndex("Inter"), Bold: true}} {
		for r := rune(0); r < 0x80; r++ {
			g := []rune{r}
			want := kindMissing
			switch {
			case allSpace(g):
				want = kindSpace
			case allInvisible(g):
				want = kindInvisible
			case emojiCluster(g):
				t.Fatalf("%U: an emoji", r)
			default:
				want = ts.faceFor(st, r)
			}
			if got := ts.asciiFace(st, r); got != want {
				t.Errorf("%U: asciiFace %d, want %d", r, got, want)
			}
		}
	}
}
