package typeset

import "golang.org/x/image/math/fixed"

// Line breaking a word at a time. breakClusters decides cluster by cluster;
// between two break opportunities it only adds widths and compares them
// with the limit, so a run of clusters with no opportunity inside (a word)
// can be taken whole: its width, and the largest width any of its
// prefixes reaches (letter spacing may be negative), tell whether one of
// its clusters would overflow the line. Balancing breaks the same text a
// dozen times at one size, so the words' widths are summed once per size.
// When a line has to break inside a word (no opportunity on it), the
// general breakClusters decides. TestBreakSegmentsMatchesClusters compares
// the two.

// seg is a run of clusters a line never breaks inside: spaces, or a word
// from a cluster that may start a line (a break opportunity, or the first
// after spaces) to the next.
type seg struct {
	from, to int32 // clusters [from, to)
	space    bool  // every cluster is a space
	brk      bool  // a line may break before it (its first cluster's brk)
}

// segWidth is a segment's width at a size and the largest width of its
// prefixes (a word's clusters one by one).
type segWidth struct {
	sum, max, first fixed.Int26_6
}

// segments splits a paragraph's clusters into segs.
func segments(cs []cluster) []seg {
	out := make([]seg, 0, countSegments(cs))
	for i := 0; i < len(cs); {
		space := cs[i].face == kindSpace
		j := i + 1
		for j < len(cs) && (cs[j].face == kindSpace) == space && (space || !cs[j].brk) {
			j++
		}
		out = append(out, seg{from: int32(i), to: int32(j), space: space, brk: cs[i].brk})
		i = j
	}
	return out
}

// countSegments is len(segments(cs)), for one allocation of them.
func countSegments(cs []cluster) int {
	n := 0
	for i := range cs {
		space := cs[i].face == kindSpace
		if i == 0 || space != (cs[i-1].face == kindSpace) || !space && cs[i].brk {
			n++
		}
	}
	return n
}

// segmentWidths sums the cluster widths w over p's segments (a shared
// buffer).
func (t *Typesetter) segmentWidths(p *para, w []fixed.Int26_6) []segWidth {
	t.segWidths = appendSegmentWidths(t.segWidths[:0], p, w)
	return t.segWidths
}

// appendSegmentWidths appends segmentWidths(p, w) to out.
func appendSegmentWidths(out []segWidth, p *para, w []fixed.Int26_6) []segWidth {
	for _, s := range p.segs {
		ws := w[s.from:s.to]
		sw := segWidth{first: ws[0], max: ws[0]}
		for _, x := range ws {
			sw.sum += x
			sw.max = max(sw.max, sw.sum)
		}
		out = append(out, sw)
	}
	return out
}

// breakSegments is breakClusters a word at a time (sw: segmentWidths of
// the same widths). It reports false, with lines as they came, when a
// line would break inside a word: breakClusters decides those.
func breakSegments(p *para, sw []segWidth, limit fixed.Int26_6, maxLines int, lines []Line) ([]Line, int, bool, bool) {
	segs := p.segs
	n0 := len(lines)
	k := skipSpaceSeg(segs, 0)
	for k < len(segs) && len(lines) < maxLines {
		start := k
		var lineW, trimW fixed.Int26_6
		end, endW := -1, fixed.Int26_6(0)
		for k < len(segs) {
			s, w := &segs[k], &sw[k]
			if s.space {
				lineW += w.sum
				k++
				continue
			}
			if k > start && s.brk {
				end, endW = k, trimW
			}
			if lineW+w.max > limit {
				break
			}
			lineW += w.sum
			trimW = lineW
			k++
		}
		switch {
		case k == len(segs):
			lines = append(lines, Line{From: int(segs[start].from), To: segEnd(segs, start, k), Width: trimW})
		case end > start:
			lines = append(lines, Line{From: int(segs[start].from), To: segEnd(segs, start, end), Width: endW})
			k = end
		case k == start && sw[k].first > limit:
			// Not even one cluster fits: stop here rather than draw past the box.
			return lines, int(segs[k].from), true, true
		default:
			return lines[:n0], 0, false, false // the line breaks inside a word
		}
		k = skipSpaceSeg(segs, k)
	}
	rest := len(p.clusters)
	if k < len(segs) {
		rest = int(segs[k].from)
	}
	return lines, rest, false, true
}

// skipSpaceSeg skips the space segment at k, if any (spaces are one
// segment).
func skipSpaceSeg(segs []seg, k int) int {
	if k < len(segs) && segs[k].space {
		k++
	}
	return k
}

// segEnd is the cluster a line of segments [start, end) ends at, trailing
// spaces left out.
func segEnd(segs []seg, start, end int) int {
	if end > start && segs[end-1].space {
		end--
	}
	if end == start {
		return int(segs[start].from)
	}
	return int(segs[end-1].to)
}
