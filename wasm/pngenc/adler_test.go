package pngenc

import (
	"bytes"
	"hash/adler32"
	"math/rand/v2"
	"testing"
)

// rgbOf returns the RGB bytes of RGBA pixels.
func rgbOf(pix []byte) []byte {
	var out []byte
	for i := 0; i+4 <= len(pix); i += 4 {
		out = append(out, pix[i:i+3]...)
	}
	return out
}

// pixelRows returns RGBA rows of assorted make-up: flat, runs, noise.
func pixelRows(r *rand.Rand) map[string][]byte {
	rows := map[string][]byte{}
	flat := bytes.Repeat([]byte{0x13, 0x13, 0x1a, 0xff}, 1200)
	rows["flat"] = flat
	noise := make([]byte, 4*1201)
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	rows["noise, odd width"] = noise
	runs := append([]byte(nil), flat...)
	for x := 100; x < 1100; x += 37 {
		copy(runs[4*x:], []byte{0xf0, 0xf0, 0xf8, 0xff, 0x80, 0x80, 0x88, 0xff})
	}
	rows["runs"] = runs
	rows["all 0xff"] = bytes.Repeat([]byte{0xff}, 4*70000) // overflow bounds
	rows["one pixel"] = []byte{1, 2, 3, 4}
	rows["seven pixels"] = noise[:28]
	rows["empty"] = nil
	return rows
}

func TestAdlerRGB(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for name, row := range pixelRows(r) {
		for _, start := range []uint32{1, 0xfff0fff0, adler32.Checksum([]byte("prefix"))} {
			a := adler{s1: uint64(start & 0xffff), s2: uint64(start >> 16)}
			a.rgb(row)
			want := adler32Append(start, rgbOf(row))
			if got := a.Sum32(); got != want {
				t.Errorf("%s from %08x: %08x, want %08x", name, start, got, want)
			}
		}
	}
}

// TestAdlerIndices: bytes (a palette image's indices) against the plain
// definition, over the pixel rows' bytes and index-like rows of runs.
func TestAdlerIndices(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rows := pixelRows(r)
	runs := make([]byte, 9000)
	for i := 0; i < len(runs); {
		n := 1 + r.IntN(40)
		c := byte(r.IntN(256))
		for ; n > 0 && i < len(runs); n, i = n-1, i+1 {
			runs[i] = c
		}
	}
	rows["index runs"] = runs
	rows["word runs"] = bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 8}, 9000) // the run path, past reduceBlocks
	for name, row := range rows {
		for _, start := range []uint32{1, 0xfff0fff0, adler32.Checksum([]byte("prefix"))} {
			a := adler{s1: uint64(start & 0xffff), s2: uint64(start >> 16)}
			a.bytes(row)
			want := adler32Append(start, row)
			if got := a.Sum32(); got != want {
				t.Errorf("%s from %08x: %08x, want %08x", name, start, got, want)
			}
		}
	}
}

func TestAdlerBytesRunsZeros(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 8, 9, 100, 5552, 70000} {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(r.IntN(3)) * 0x7f
		}
		a := newAdler()
		a.byte1(9)
		a.zeros(n)
		a.run(n, 0xfe)
		want := adler32.Checksum(append(append([]byte{9}, make([]byte, n)...), bytes.Repeat([]byte{0xfe}, n)...))
		if got := a.Sum32(); got != want {
			t.Errorf("n=%d: byte, zeros, run: %08x, want %08x", n, got, want)
		}
	}
}

// adler32Append continues an Adler-32 over more bytes.
func adler32Append(sum uint32, p []byte) uint32 {
	s1, s2 := uint64(sum&0xffff), uint64(sum>>16)
	for _, c := range p {
		s1 = (s1 + uint64(c)) % adlerMod
		s2 = (s2 + s1) % adlerMod
	}
	return uint32(s2<<16 | s1)
}

func TestAdler32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 2, 100, 65520, 65521, 65522, 200_000} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		for _, cut := range []int{0, n / 3, n / 2, n} {
			got := Adler32Combine(adler32.Checksum(data[:cut]), adler32.Checksum(data[cut:]), int64(n-cut))
			if want := adler32.Checksum(data); got != want {
				t.Errorf("n=%d cut=%d: %08x, want %08x", n, cut, got, want)
			}
		}
	}
	// All-0xff data drives both sums to their maximum.
	data := bytes.Repeat([]byte{0xff}, 300_000)
	if got, want := Adler32Combine(adler32.Checksum(data[:123_457]), adler32.Checksum(data[123_457:]), int64(len(data)-123_457)), adler32.Checksum(data); got != want {
		t.Errorf("0xff: %08x, want %08x", got, want)
	}
}
