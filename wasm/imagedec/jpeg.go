package imagedec

import (
	"encoding/binary"
	"errors"
	"image"
)

// jpegInfo is what a JPEG's markers before its first scan say about the
// memory image/jpeg will need.
type jpegInfo struct {
	progressive bool
	jfif        bool
	adobe       int // APP14 transform, -1 without the marker
	comps       []jpegComp
}

type jpegComp struct{ id, h, v int }

// scanJPEG reads the markers up to the frame header (SOFn), skipping fill
// and extraneous bytes as image/jpeg does.
func scanJPEG(b []byte) (*jpegInfo, error) {
	if len(b) < 4 || b[0] != 0xff || b[1] != 0xd8 {
		return nil, errors.New("missing SOI marker")
	}
	info := &jpegInfo{adobe: -1}
	for i := 2; i+1 < len(b); {
		m := b[i+1]
		switch {
		case b[i] != 0xff || m == 0x00 || m == 0xff:
			i++ // not a marker yet
			continue
		case m == 0x01 || m >= 0xd0 && m <= 0xd8:
			i += 2 // a marker without a segment
			continue
		}
		if i+4 > len(b) {
			break
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil, errors.New("short segment")
		}
		seg := b[i+4 : i+2+n]
		i += 2 + n
		switch {
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			return info, info.frame(m, seg)
		case m == 0xe0 && len(seg) >= 5 && string(seg[:5]) == "JFIF\x00":
			info.jfif = true
		case m == 0xee && len(seg) >= 12 && string(seg[:5]) == "Adobe":
			info.adobe = int(seg[11])
		case m == 0xda:
			return nil, errors.New("scan before the frame header")
		}
	}
	return nil, errors.New("no frame header")
}

// frame reads a SOFn segment.
func (j *jpegInfo) frame(m byte, seg []byte) error {
	j.progressive = m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce
	if len(seg) < 6 {
		return errors.New("short frame header")
	}
	n := int(seg[5])
	if n < 1 || len(seg) < 6+3*n {
		return errors.New("bad frame header")
	}
	for c := range n {
		p := seg[6+3*c:]
		h, v := int(p[1]>>4), int(p[1]&15)
		if n == 1 {
			h, v = 1, 1 // image/jpeg ignores them for one component
		}
		j.comps = append(j.comps, jpegComp{id: int(p[0]), h: max(h, 1), v: max(v, 1)})
	}
	return nil
}

// decodeBytes is what image/jpeg allocates for an image of size: every
// component's plane padded to whole MCUs, for a progressive file its DCT
// coefficients too (an int32 per sample), and a full RGBA or CMYK copy for
// 4-component and RGB files.
func (j *jpegInfo) decodeBytes(size image.Point) int {
	hmax, vmax := 1, 1
	for _, c := range j.comps {
		hmax, vmax = max(hmax, c.h), max(vmax, c.v)
	}
	mxx, myy := ceilDiv(size.X, 8*hmax), ceilDiv(size.Y, 8*vmax)
	var samples int
	for _, c := range j.comps {
		samples += 8 * c.h * mxx * 8 * c.v * myy
	}
	n := samples
	if j.progressive {
		n += 4 * samples
	}
	if len(j.comps) == 4 || len(j.comps) == 3 && j.isRGB() {
		n += 4 * size.X * size.Y
	}
	return n
}

// isRGB is image/jpeg's test for a 3-component file stored as RGB.
func (j *jpegInfo) isRGB() bool {
	if j.jfif {
		return false
	}
	if j.adobe == 0 {
		return true
	}
	return j.comps[0].id == 'R' && j.comps[1].id == 'G' && j.comps[2].id == 'B'
}
