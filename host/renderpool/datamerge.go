package renderpool

import (
	"encoding/binary"
	"errors"
)

// mergeDataSegments returns a copy of the wasm binary whose data section
// holds one active segment instead of many: the bytes of every segment at
// their offsets, the gaps between them zero (as linear memory starts). Go's
// linker emits one segment per symbol, ~90,000 for the render module, and
// wazero keeps a decoded struct for each in the compiled module and a slice
// header per segment in every instance (~15 MB of heap here, for bytes that
// only the first instance ever copies: clones start from a snapshot). A
// module with any other kind of segment (passive, another memory, an offset
// that is not a constant) is returned as it is, with ok false.
func mergeDataSegments(wasm []byte) (out []byte, ok bool, err error) {
	if len(wasm) < 8 || string(wasm[:4]) != "\x00asm" {
		return nil, false, errors.New("not a wasm binary")
	}
	var data, count [3]int // section id offset, contents start, end; 0 when absent
	for off := 8; off < len(wasm); {
		size, n := uleb(wasm[off+1:])
		if n <= 0 {
			return nil, false, errors.New("bad section size")
		}
		start := off + 1 + n
		end := start + int(size)
		if end > len(wasm) || end < start {
			return nil, false, errors.New("section past the end")
		}
		switch wasm[off] {
		case 11:
			data = [3]int{off, start, end}
		case 12:
			count = [3]int{off, start, end}
		}
		off = end
	}
	if data[0] == 0 {
		return wasm, false, nil
	}
	type segment struct{ off, start, end int } // memory offset; bytes in wasm
	sec := wasm[data[1]:data[2]]
	n, k := uleb(sec)
	if k <= 0 || n < 2 {
		return wasm, false, nil
	}
	segs := make([]segment, 0, n)
	lo, hi := int64(1)<<32, int64(0)
	for i := uint64(0); i < n; i++ {
		// Active, memory 0, offset (i32.const c) end.
		if k+2 > len(sec) || sec[k] != 0 || sec[k+1] != 0x41 {
			return wasm, false, nil
		}
		c, m := sleb32(sec[k+2:])
		if m <= 0 || k+2+m >= len(sec) || sec[k+2+m] != 0x0b || c < 0 {
			return wasm, false, nil
		}
		k += 2 + m + 1
		l, m := uleb(sec[k:])
		if m <= 0 || k+m+int(l) > len(sec) {
			return nil, false, errors.New("data segment past its section")
		}
		k += m
		segs = append(segs, segment{int(c), k, k + int(l)})
		lo, hi = min(lo, c), max(hi, c+int64(l))
		k += int(l)
	}
	if k != len(sec) || hi <= lo {
		return wasm, false, nil
	}
	image := make([]byte, hi-lo)
	for _, s := range segs {
		copy(image[s.off-int(lo):], sec[s.start:s.end])
	}
	var body []byte
	body = binary.AppendUvarint(body, 1)
	body = append(body, 0, 0x41)
	body = appendSleb(body, lo)
	body = append(body, 0x0b)
	body = binary.AppendUvarint(body, uint64(len(image)))
	out = make([]byte, 0, len(wasm)-len(sec)+len(body)+len(image)+16)
	for off := 0; off < len(wasm); {
		switch {
		case off == 0:
			out = append(out, wasm[:8]...)
			off = 8
			continue
		case off == data[0]:
			out = append(out, 11)
			out = binary.AppendUvarint(out, uint64(len(body)+len(image)))
			out = append(out, body...)
			out = append(out, image...)
			off = data[2]
			continue
		case count[0] != 0 && off == count[0]:
			out = append(out, 12, 1, 1) // data count: 1
			off = count[2]
			continue
		}
		size, n := uleb(wasm[off+1:])
		end := off + 1 + n + int(size)
		out = append(out, wasm[off:end]...)
		off = end
	}
	return out, true, nil
}

// sleb32 reads a signed LEB128 of at most five bytes (an i32) and returns
// it with its length; length 0 when malformed.
func sleb32(b []byte) (int64, int) {
	var v int64
	var shift uint
	for i := 0; i < len(b) && i < 5; i++ {
		v |= int64(b[i]&0x7f) << shift
		shift += 7
		if b[i]&0x80 == 0 {
			if b[i]&0x40 != 0 {
				v |= -1 << shift
			}
			return v, i + 1
		}
	}
	return 0, 0
}

// appendSleb appends v as signed LEB128.
func appendSleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
