package pngenc

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"testing"
)

// kraft returns the Kraft sum of the lengths, scaled by 1<<15 (a complete
// code sums to exactly 1<<15).
func kraft(lens []uint8) int {
	sum := 0
	for _, l := range lens {
		if l > 0 {
			sum += 1 << (15 - l)
		}
	}
	return sum
}

func TestHuffLengths(t *testing.T) {
	fib := []uint32{1, 1}
	for len(fib) < 30 {
		fib = append(fib, fib[len(fib)-1]+fib[len(fib)-2])
	}
	for _, tc := range []struct {
		name    string
		freq    []uint32
		maxBits int
		want    []uint8 // nil: only check completeness and the limit
	}{
		{"two symbols", []uint32{5, 0, 9}, 15, []uint8{1, 0, 1}},
		{"one symbol", []uint32{0, 0, 7, 0}, 15, []uint8{0, 0, 1, 0}},
		{"none", []uint32{0, 0}, 15, []uint8{0, 0}},
		{"equal", []uint32{3, 3, 3, 3}, 15, []uint8{2, 2, 2, 2}},
		{"textbook", []uint32{45, 13, 12, 16, 9, 5}, 15, []uint8{1, 3, 3, 3, 4, 4}},
		{"fibonacci, unlimited", fib[:16], 15, nil},
		{"fibonacci, limited to 15", fib, 15, nil},
		{"fibonacci, limited to 7", fib[:19], 7, nil},
		{"many equal", make286(1), 15, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lens := make([]uint8, len(tc.freq))
			huffLengths(lens, tc.freq, tc.maxBits, nil)
			if tc.want != nil && !bytes.Equal(lens, tc.want) {
				t.Fatalf("lengths %v, want %v", lens, tc.want)
			}
			used := 0
			for i, l := range lens {
				if int(l) > tc.maxBits {
					t.Fatalf("symbol %d: length %d over %d", i, l, tc.maxBits)
				}
				if (l > 0) != (tc.freq[i] > 0) {
					t.Fatalf("symbol %d: length %d for frequency %d", i, l, tc.freq[i])
				}
				if l > 0 {
					used++
				}
			}
			if used >= 2 && kraft(lens) != 1<<15 {
				t.Fatalf("incomplete code: Kraft sum %d/%d, lengths %v", kraft(lens), 1<<15, lens)
			}
		})
	}
}

func make286(f uint32) []uint32 {
	out := make([]uint32, 286)
	for i := range out {
		out[i] = f
	}
	return out
}

// TestWriteBlockDecodes: dynamic blocks of random tokens decode (with
// compress/flate) to the bytes the tokens stand for.
func TestWriteBlockDecodes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 50 {
		var want []byte
		var toks []token
		var lit [286]uint32
		var dist [30]uint32
		var w bitWriter
		var h huffman
		blocks := 1 + round%3
		for b := range blocks {
			toks = toks[:0]
			lit, dist = [286]uint32{}, [30]uint32{}
			for range r.IntN(3000) {
				switch k := r.IntN(10); {
				case k < 4 || len(want) == 0:
					c := byte(r.IntN(1 + round*5%256))
					want = append(want, c)
					toks = append(toks, token(c))
					lit[c]++
				case k < 6:
					px := [3]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())}
					want = append(want, px[:]...)
					toks = append(toks, rgbToken(px[0], px[1], px[2]))
					lit[px[0]]++
					lit[px[1]]++
					lit[px[2]]++
				default:
					d := 1 + r.IntN(min(len(want), maxDist))
					n := minMatch + r.IntN(maxMatch-minMatch+1)
					for range n { // a byte at a time: the copy may overlap itself
						want = append(want, want[len(want)-d])
					}
					dc := distCode(uint32(d - 1))
					toks = append(toks, matchToken(n, dc, d))
					lit[257+int(lengthCode[n-minMatch])]++
					dist[dc]++
				}
			}
			w.writeBlock(&h, toks, &lit, &dist, b == blocks-1)
		}
		w.align()
		got, err := io.ReadAll(flate.NewReader(bytes.NewReader(w.out)))
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("round %d: %d bytes decoded, want %d", round, len(got), len(want))
		}
	}
}

func TestRunLengths(t *testing.T) {
	for _, tc := range []struct {
		seq  []uint8
		want []uint16 // symbol | extra<<8
	}{
		{[]uint8{5}, []uint16{5}},
		{[]uint8{5, 5, 5, 5}, []uint16{5, 16}},
		{[]uint8{5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, []uint16{5, 16 | 3<<8, 16}},
		{[]uint8{0, 0}, []uint16{0, 0}},
		{[]uint8{0, 0, 0}, []uint16{17}},
		{[]uint8{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, []uint16{18}},
		{make([]uint8, 140), []uint16{18 | 127<<8, 0, 0}},
		{[]uint8{3, 3, 7}, []uint16{3, 3, 7}},
	} {
		var freq [19]uint32
		got := runLengths(nil, tc.seq, &freq)
		if len(got) != len(tc.want) {
			t.Errorf("%v: %v, want %v", tc.seq, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%v: %v, want %v", tc.seq, got, tc.want)
				break
			}
		}
	}
}
