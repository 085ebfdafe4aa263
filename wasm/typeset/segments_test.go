package typeset

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/math/fixed"
)

// TestBreakSegmentsMatchesClusters: whenever the word-at-a-time breaker
// decides, its lines, the cluster left over and the forced flag are the
// cluster-at-a-time breaker's, over random texts (spaces, punctuation,
// words longer than a line, other scripts, emoji), sizes, letter spacings
// (negative too), widths and line counts; and it decides most of them.
func TestBreakSegmentsMatchesClusters(t *testing.T) {
	ts := newBuiltin(t)
	inter := ts.FamilyIndex("Inter")
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"Benchmark", "card", "1234:", "a", "WebAssembly,", "(wazero)", "—", "don't", "x-y", "日本語の見出し", "مرحبا", "👋🏽", "supercalifragilisticexpialidocious", "!", "", "  "}
	decided, all := 0, 0
	for range 3000 {
		var sb strings.Builder
		for n := rng.IntN(25); n >= 0; n-- {
			sb.WriteString(words[rng.IntN(len(words))])
			sb.WriteString(strings.Repeat(" ", rng.IntN(3)))
		}
		st := Style{Family: inter, Bold: rng.IntN(2) == 0, Size: 10 + rng.IntN(80), Spacing: fixed.Int26_6(rng.IntN(1600) - 1200)}
		p := ts.paragraph(sb.String(), st)
		if len(p.segs) != cap(p.segs) {
			t.Fatalf("%q: %d segments in room for %d", sb.String(), len(p.segs), cap(p.segs))
		}
		w := ts.clusterWidths(p, st)
		sw := ts.segmentWidths(p, w)
		limit := fixed.I(rng.IntN(1200))
		maxLines := 1 + rng.IntN(6)
		all++
		got, gotRest, gotForced, ok := breakSegments(p, sw, limit, maxLines, nil)
		want, wantRest, wantForced := breakClusters(p, w, limit, maxLines, nil)
		if !ok {
			if len(got) != 0 {
				t.Fatalf("%q: undecided with %d lines", sb.String(), len(got))
			}
			continue
		}
		decided++
		if !slices.Equal(got, want) || gotRest != wantRest || gotForced != wantForced {
			t.Fatalf("%q at %d px, spacing %d, limit %d, %d lines:\nsegments %v rest %d forced %v\nclusters %v rest %d forced %v",
				sb.String(), st.Size, st.Spacing, limit, maxLines, got, gotRest, gotForced, want, wantRest, wantForced)
		}
	}
	t.Logf("segments decided %d of %d", decided, all)
	if decided < all/2 {
		t.Errorf("segments decided only %d of %d", decided, all)
	}
}

// TestSegments: words and spaces, a word starting at each break opportunity.
func TestSegments(t *testing.T) {
	ts := newBuiltin(t)
	st := Style{Family: ts.FamilyIndex("Inter"), Size: 20}
	for _, c := range []struct{ text, want string }{
		{"ab  cd", "ab|  |cd"},
		{"  ab", "  |ab"},
		{"x-y z", "x-|y| |z"},
		{"ab", "ab"},
		{"", ""},
	} {
		p := ts.paragraph(c.text, st)
		var parts []string
		segs := segments(p.clusters)
		if len(segs) != cap(segs) || len(segs) != countSegments(p.clusters) {
			t.Errorf("%q: %d segments, counted %d, room for %d", c.text, len(segs), countSegments(p.clusters), cap(segs))
		}
		for _, s := range segs {
			parts = append(parts, string(p.runes[p.clusters[s.from].start:p.clusters[s.to-1].end]))
		}
		if got := strings.Join(parts, "|"); got != c.want {
			t.Errorf("%q: segments %q, want %q", c.text, got, c.want)
		}
	}
}
