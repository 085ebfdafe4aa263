package pngenc

import "slices"

// huffLengths sets lens[i] to the length of a length-limited Huffman code for
// symbol i with frequency freq[i] (0 for unused symbols), at most maxBits.
// Used symbols get lengths forming a complete code (two symbols at least:
// callers make sure of that). Moffat-Katajainen in place, then lengths
// beyond maxBits are folded back as miniz does.
func huffLengths(lens []uint8, freq []uint32, maxBits int, scratch []uint64) []uint64 {
	// Each entry: frequency<<16 | symbol, sorted by frequency.
	syms := scratch[:0]
	for i, f := range freq {
		lens[i] = 0
		if f > 0 {
			syms = append(syms, uint64(f)<<16|uint64(i))
		}
	}
	slices.Sort(syms)
	n := len(syms)
	if n == 0 {
		return syms
	}
	if n == 1 {
		lens[syms[0]&0xffff] = 1
		return syms
	}
	a := make([]int, n, 320) // on the stack: n <= 286
	for i, s := range syms {
		a[i] = int(s >> 16)
	}
	minRedundancy(a)
	// a[i] is now the depth of the i-th least frequent symbol.
	var count [16]int
	for _, d := range a {
		count[min(d, maxBits)]++
	}
	limitLengths(&count, maxBits)
	j := n
	for l := 1; l <= maxBits; l++ {
		for k := count[l]; k > 0; k-- {
			j--
			lens[syms[j]&0xffff] = uint8(l)
		}
	}
	return syms
}

// minRedundancy turns a (weights sorted ascending, n >= 2) into code
// lengths, in place (Moffat and Katajainen, "In-place calculation of
// minimum-redundancy codes", 1995).
func minRedundancy(a []int) {
	n := len(a)
	a[0] += a[1]
	root, leaf := 0, 2
	for next := 1; next < n-1; next++ {
		if leaf >= n || a[root] < a[leaf] {
			a[next] = a[root]
			a[root] = next
			root++
		} else {
			a[next] = a[leaf]
			leaf++
		}
		if leaf >= n || (root < next && a[root] < a[leaf]) {
			a[next] += a[root]
			a[root] = next
			root++
		} else {
			a[next] += a[leaf]
			leaf++
		}
	}
	a[n-2] = 0
	for next := n - 3; next >= 0; next-- {
		a[next] = a[a[next]] + 1
	}
	avail, used, depth := 1, 0, 0
	root, next := n-2, n-1
	for avail > 0 {
		for root >= 0 && a[root] == depth {
			used++
			root--
		}
		for avail > used {
			a[next] = depth
			next--
			avail--
		}
		avail, depth, used = 2*used, depth+1, 0
	}
}

// limitLengths adjusts count (count[l] codes of length l, the longer ones
// already counted at maxBits) until the lengths form a complete code again.
func limitLengths(count *[16]int, maxBits int) {
	total := 0
	for l := maxBits; l > 0; l-- {
		total += count[l] << (maxBits - l)
	}
	for total > 1<<maxBits {
		count[maxBits]--
		for l := maxBits - 1; l > 0; l-- {
			if count[l] > 0 {
				count[l]--
				count[l+1] += 2
				break
			}
		}
		total--
	}
}

// huffCodes sets codes[i] to the canonical code of length lens[i], bit
// reversed for deflate's LSB-first packing.
func huffCodes(codes []uint16, lens []uint8) {
	var count [16]uint16
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [16]uint16
	code := uint16(0)
	for l := 1; l < 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	for i, l := range lens {
		if l == 0 {
			codes[i] = 0
			continue
		}
		codes[i] = reverse(next[l], l)
		next[l]++
	}
}

func reverse(c uint16, n uint8) uint16 {
	r := uint16(0)
	for i := uint8(0); i < n; i++ {
		r = r<<1 | c&1
		c >>= 1
	}
	return r
}
