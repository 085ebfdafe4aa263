package render

import (
	"image"
	"math"

	"github.com/fogleman/gg"
	xdraw "golang.org/x/image/draw"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/imagedec"
	"github.com/ogmint/ogmint/wasm/raster"
	"github.com/ogmint/ogmint/wasm/svgpath"
)

// placeImage lays img out in the box x, y, w, h by fit, align and valign
// (see drawImage): the image scaled to its drawn size, and where it goes.
// ok is false for an image of no pixels.
func placeImage(img image.Image, fit, align, valign string, x, y, w, h int) (dst *image.RGBA, dx, dy int, ok bool) {
	pix, size := img, img.Bounds().Size()
	if red, ok := img.(*imagedec.Reduced); ok {
		pix, size = red.RGBA, red.Size
	}
	if size.X <= 0 || size.Y <= 0 || w <= 0 || h <= 0 {
		return nil, 0, 0, false
	}
	src, dw, dh := fitRect(size, fit, w, h)
	if fit != "cover" {
		switch align {
		case "center":
			x += (w - dw) / 2
		case "right":
			x += w - dw
		}
		switch valign {
		case "middle":
			y += (h - dh) / 2
		case "bottom":
			y += h - dh
		}
	}
	dst = image.NewRGBA(image.Rect(0, 0, dw, dh))
	xdraw.CatmullRom.Scale(dst, dst.Rect, pix, pixelRect(src, size, pix.Bounds()), xdraw.Src, nil)
	return dst, x, y, true
}

// drawImageV2 draws an image element with a clip, a rotation or a shadow:
// the image placed as drawImage places it, clipped (to the ellipse its box
// bounds, to its clip path, or else to its rounded corners), turned about
// the box's centre by gg, its shadow below it.
func (c *card) drawImageV2(e *templates.Element, img image.Image) {
	if img == nil {
		return
	}
	c.r.arena.reset()
	x, y, w, h := e.Box[0], e.Box[1], e.Box[2], e.Box[3]
	p := c.place(e, img, e.Fit)
	if !p.usable {
		return
	}
	dst, ix, iy := p.img, p.x, p.y
	dw, dh := dst.Rect.Dx(), dst.Rect.Dy()
	radius := max(0, min(e.Radius, dw/2, dh/2))
	rot := rotation(e, x, y, w, h)
	f := c.r.frame
	if e.Clip == "" && !rot.on {
		// Only a shadow: the image draws as drawImage draws it.
		if e.Shadow != nil {
			a := area{ix, iy, ix + dw, iy + dh}.and(c.region(e.Shadow))
			if !a.empty() {
				sil := c.r.arena.alphaMask(subRGBA(dst, a.x0-ix, a.y0-iy), a)
				if radius > 0 { // the corners DrawImage cuts
					corners := f.RoundRectMask(ix, iy, dw, dh, radius, c.r.arena.get(((dw+7)&^7)*dh))
					sil = multiply(sil, corners, a.x0-ix, a.y0-iy)
				}
				c.shadow(e.Shadow, sil, nil)
			}
		}
		f.DrawImage(dst, ix, iy, radius)
		return
	}
	// The clip, in frame coordinates, not turned.
	var clip svgpath.Path
	switch e.Clip {
	case "ellipse":
		clip = svgpath.Ellipse(float64(x)+float64(w)/2, float64(y)+float64(h)/2, float64(w)/2, float64(h)/2)
	case "path":
		fx, fy := float64(x), float64(y)
		clip = c.st.path(e.ClipPath).Map(func(q svgpath.Point) svgpath.Point { return svgpath.Point{X: fx + q.X, Y: fy + q.Y} })
	default:
		if radius > 0 {
			clip = svgpath.RoundRect(float64(ix), float64(iy), float64(dw), float64(dh), float64(radius))
		}
	}
	if e.Clip == "path" && len(clip) == 0 {
		return // nothing inside
	}
	clip = clip.Map(func(q svgpath.Point) svgpath.Point { return svgpath.Point{X: clampCoord(q.X), Y: clampCoord(q.Y)} })
	// The pixels the image can reach, turned.
	corners := []svgpath.Point{{X: float64(ix), Y: float64(iy)}, {X: float64(ix + dw), Y: float64(iy)}, {X: float64(ix), Y: float64(iy + dh)}, {X: float64(ix + dw), Y: float64(iy + dh)}}
	lo := svgpath.Point{X: math.Inf(1), Y: math.Inf(1)}
	hi := svgpath.Point{X: math.Inf(-1), Y: math.Inf(-1)}
	for _, q := range corners {
		q = rot.apply(q)
		lo.X, lo.Y, hi.X, hi.Y = min(lo.X, q.X), min(lo.Y, q.Y), max(hi.X, q.X), max(hi.Y, q.Y)
	}
	a := around(lo, hi, 1).and(c.region(e.Shadow))
	if a.empty() {
		return
	}
	layer := c.r.rgba(&c.r.layer, a.w(), a.h())
	if !rot.on {
		for j := max(a.y0, iy); j < min(a.y1, iy+dh); j++ {
			i0, i1 := max(a.x0, ix), min(a.x1, ix+dw)
			copy(layer.Pix[(j-a.y0)*layer.Stride+4*(i0-a.x0):], dst.Pix[(j-iy)*dst.Stride+4*(i0-ix):(j-iy)*dst.Stride+4*(i1-ix)])
		}
	} else {
		turnImage(layer, a, dst, ix, iy, rot)
	}
	if len(clip) > 0 {
		// Scale the image by the clip's coverage (the clip turned with it).
		lines := clip.Map(rot.apply).Flatten(flatTolerance, maxPoints)
		cov := c.coverage(a, func(dc *gg.Context) {
			addLines(dc, lines)
			dc.Fill()
		})
		for j := range a.h() {
			row := layer.Pix[j*layer.Stride : j*layer.Stride+4*a.w()]
			cr := cov.Pix[j*cov.W:]
			for i := range a.w() {
				if k := uint32(cr[i]); k < 255 {
					p := row[4*i : 4*i+4 : 4*i+4]
					p[0], p[1], p[2], p[3] = scale8(p[0], k), scale8(p[1], k), scale8(p[2], k), scale8(p[3], k)
				}
			}
		}
	}
	if e.Shadow != nil {
		c.shadow(e.Shadow, c.r.arena.alphaMask(layer, a), nil)
	}
	f.DrawImage(layer, a.x0, a.y0, 0)
}

// turnImage draws src, placed at (ix, iy) and turned by rot, into layer
// over area a: each pixel samples src bilinearly at its centre turned back
// (16.16 fixed point, stepped along the row), transparent past src's edges
// (which come out anti-aliased), premultiplied as src is.
func turnImage(layer *image.RGBA, a area, src *image.RGBA, ix, iy int, rot turn) {
	const one = 1 << 16
	sw, sh := int64(src.Rect.Dx()), int64(src.Rect.Dy())
	at := func(x, y int64) uint64 { // a source pixel, 0 outside, RGBA in 16-bit lanes
		if x < 0 || y < 0 || x >= sw || y >= sh {
			return 0
		}
		p := src.Pix[y*int64(src.Stride)+4*x:]
		return uint64(p[0]) | uint64(p[1])<<16 | uint64(p[2])<<32 | uint64(p[3])<<48
	}
	stepX, stepY := int64(math.Round(rot.cos*one)), int64(math.Round(-rot.sin*one))
	for j := range a.h() {
		dx, dy := float64(a.x0)+0.5-rot.cx, float64(a.y0+j)+0.5-rot.cy
		// The row's first pixel centre turned back, in src's pixel
		// coordinates less half a pixel (bilinear weights from there).
		sx := rot.cx + float64(dx*rot.cos) + float64(dy*rot.sin) - float64(ix) - 0.5
		sy := rot.cy - float64(dx*rot.sin) + float64(dy*rot.cos) - float64(iy) - 0.5
		fx, fy := int64(math.Round(sx*one)), int64(math.Round(sy*one))
		row := layer.Pix[j*layer.Stride:]
		for i := range a.w() {
			x0, y0 := fx>>16, fy>>16
			if x0 >= -1 && y0 >= -1 && x0 < sw && y0 < sh {
				wx, wy := uint64(fx&0xffff), uint64(fy&0xffff)
				p00, p10, p01, p11 := at(x0, y0), at(x0+1, y0), at(x0, y0+1), at(x0+1, y0+1)
				out := row[4*i : 4*i+4 : 4*i+4]
				for ch := range 4 {
					k := 16 * ch
					v := ((p00>>k&0xffff)*(one-wx)+(p10>>k&0xffff)*wx)*(one-wy) +
						((p01>>k&0xffff)*(one-wx)+(p11>>k&0xffff)*wx)*wy
					out[ch] = uint8((v + 1<<31) >> 32)
				}
			}
			fx += stepX
			fy += stepY
		}
	}
}

// subRGBA is the part of img from (x, y) on, origin (0, 0).
func subRGBA(img *image.RGBA, x, y int) *image.RGBA {
	w, h := img.Rect.Dx()-x, img.Rect.Dy()-y
	return &image.RGBA{Pix: img.Pix[y*img.Stride+4*x:], Stride: img.Stride, Rect: image.Rect(0, 0, w, h)}
}

// multiply scales m's coverage by k's, m's first pixel being k's (dx, dy),
// rounded.
func multiply(m, k *raster.Mask, dx, dy int) *raster.Mask {
	for j := range m.H {
		row, kr := m.Pix[j*m.W:(j+1)*m.W], k.Pix[(j+dy)*k.W+dx:]
		for i := range row {
			if i < len(kr) {
				row[i] = scale8(row[i], uint32(kr[i]))
			}
		}
	}
	return m
}

// scale8 is v*k/255, rounded.
func scale8(v uint8, k uint32) uint8 { return uint8((uint32(v)*k + 127) / 255) }
