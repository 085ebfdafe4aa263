package imagedec

// convert turns one unfiltered row (src) into 8-bit NRGBA (dst, 4 bytes a
// pixel): sub-byte grey is scaled up, 16-bit samples keep their high byte,
// tRNS makes its colour transparent (compared at full depth) or gives
// palette entries their alpha, and a palette index past the palette is
// opaque black (as image/png draws it).
func (f *pngFile) convert(dst, src []byte) {
	switch {
	case f.ctype == ctPalette:
		f.convertPalette(dst, src)
	case f.ctype == ctGray && f.depth < 8:
		f.convertGrayBits(dst, src)
	case f.depth == 8:
		f.convert8(dst, src)
	default:
		f.convert16(dst, src)
	}
}

// sample is the i-th sample of depth bits (1, 2, 4 or 8) in src.
func sample(src []byte, i, depth int) int {
	bit := i * depth
	return int(src[bit/8]>>(8-depth-bit%8)) & (1<<depth - 1)
}

func (f *pngFile) convertPalette(dst, src []byte) {
	entries := len(f.palette) / 3
	for x := 0; x < len(dst)/4; x++ {
		i := sample(src, x, f.depth)
		p := dst[4*x : 4*x+4]
		if i >= entries {
			p[0], p[1], p[2], p[3] = 0, 0, 0, 0xff
			continue
		}
		p[0], p[1], p[2], p[3] = f.palette[3*i], f.palette[3*i+1], f.palette[3*i+2], 0xff
		if i < len(f.trns) {
			p[3] = f.trns[i]
		}
	}
}

func (f *pngFile) convertGrayBits(dst, src []byte) {
	scale := 255 / (1<<f.depth - 1)
	key := -1
	if len(f.trns) == 2 {
		key = int(f.trns[0])<<8 | int(f.trns[1])
	}
	for x := 0; x < len(dst)/4; x++ {
		s := sample(src, x, f.depth)
		v := uint8(s * scale)
		p := dst[4*x : 4*x+4]
		p[0], p[1], p[2], p[3] = v, v, v, 0xff
		if s == key {
			p[3] = 0
		}
	}
}

// convert8 handles grey, grey+alpha, RGB and RGBA at depth 8.
func (f *pngFile) convert8(dst, src []byte) {
	n := len(dst) / 4
	switch f.ctype {
	case ctRGBA:
		copy(dst, src[:4*n])
	case ctGrayAlpha:
		for x := range n {
			g, a := src[2*x], src[2*x+1]
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = g, g, g, a
		}
	case ctGray:
		key := f.key()
		for x := range n {
			g := src[x]
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = g, g, g, alphaFor(key == [3]int{int(g)})
		}
	case ctRGB:
		key := f.key()
		for x := range n {
			r, g, b := src[3*x], src[3*x+1], src[3*x+2]
			dst[4*x], dst[4*x+1], dst[4*x+2] = r, g, b
			dst[4*x+3] = alphaFor(key == [3]int{int(r), int(g), int(b)})
		}
	}
}

// convert16 handles grey, grey+alpha, RGB and RGBA at depth 16.
func (f *pngFile) convert16(dst, src []byte) {
	n := len(dst) / 4
	switch f.ctype {
	case ctRGBA:
		for x := range n {
			s := src[8*x:]
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = s[0], s[2], s[4], s[6]
		}
	case ctGrayAlpha:
		for x := range n {
			g, a := src[4*x], src[4*x+2]
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = g, g, g, a
		}
	case ctGray:
		key := f.key()
		for x := range n {
			g := src[2*x]
			dst[4*x], dst[4*x+1], dst[4*x+2] = g, g, g
			dst[4*x+3] = alphaFor(key == [3]int{u16(src[2*x:])})
		}
	case ctRGB:
		key := f.key()
		for x := range n {
			s := src[6*x:]
			dst[4*x], dst[4*x+1], dst[4*x+2] = s[0], s[2], s[4]
			dst[4*x+3] = alphaFor(key == [3]int{u16(s), u16(s[2:]), u16(s[4:])})
		}
	}
}

// key is the tRNS colour of a grey or RGB image (samples at full depth),
// or one no pixel has.
func (f *pngFile) key() [3]int {
	switch {
	case f.trns == nil:
		return [3]int{-1, -1, -1}
	case f.ctype == ctGray:
		return [3]int{u16(f.trns)}
	}
	return [3]int{u16(f.trns), u16(f.trns[2:]), u16(f.trns[4:])}
}

func u16(b []byte) int { return int(b[0])<<8 | int(b[1]) }

func alphaFor(transparent bool) uint8 {
	if transparent {
		return 0
	}
	return 0xff
}
