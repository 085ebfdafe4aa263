package render

import (
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/raster"
)

// Static layers. The elements of a template that do not depend on the
// request (no placeholder, no condition, no avatar or logo; state.static
// counts them) and that come before the first one that does are drawn once
// per template, version (and font tag), colours, font and canvas size, saved with the
// frame's ink record (raster.Layer), and loaded into the frame at the next
// such render: drawing on from there gives the very pixels drawing them
// again would. A layer is kept only when it saves work (a gradient, a
// shape, a stroke, a shadow, a rotation, a clip or an asset among them).

// Default bounds of the static layers: 3 layers of at most 12 MiB in all
// (a 1200x630 layer is 2.9 MiB).
const (
	DefaultMaxLayers     = 3
	DefaultMaxLayerBytes = 12 << 20
)

// layerKey is everything a static layer's pixels depend on. The palette
// colours are the resolved ones (a palette ref draws the request's colour).
type layerKey struct {
	name                   string
	version                int
	bg, text, accent, surf string
	font                   string
	fontTag                string // the template's user families (abi step 1e)
	width, height          int
}

func (c *card) layerKey(t *templates.Template) layerKey {
	return layerKey{name: t.Name, version: t.Version, bg: c.p.Bg, text: c.p.Text, accent: c.p.Accent, surf: c.p.Surface,
		font: c.p.Font, fontTag: t.FontTag, width: c.r.frame.W, height: c.r.frame.H}
}

// layerCache keeps layers, most recently used first.
type layerCache struct {
	keys   []layerKey
	layers []*raster.Layer
	bytes  int
}

// get returns the layer of k, now the most recently used, or nil.
func (lc *layerCache) get(k layerKey) *raster.Layer {
	for i, kk := range lc.keys {
		if kk == k {
			l := lc.layers[i]
			copy(lc.keys[1:i+1], lc.keys[:i])
			copy(lc.layers[1:i+1], lc.layers[:i])
			lc.keys[0], lc.layers[0] = k, l
			return l
		}
	}
	return nil
}

// put saves f as the layer of k, within maxLayers layers and maxBytes
// bytes: least recently used layers go first, and the buffers of one of
// the frame's size are reused.
func (lc *layerCache) put(k layerKey, f *raster.Frame, maxLayers, maxBytes int) {
	lc.trim(maxLayers, maxBytes) // bounds lowered since
	need := len(f.Pix) + 8*f.H
	if maxLayers <= 0 || need > maxBytes {
		return
	}
	l := f.Save(lc.trim(maxLayers-1, maxBytes-need))
	lc.keys = append([]layerKey{k}, lc.keys...)
	lc.layers = append([]*raster.Layer{l}, lc.layers...)
	lc.bytes += l.Bytes()
}

// trim drops the least recently used layers until at most n are kept in at
// most bytes, and returns the last one dropped (for its buffers), or nil.
func (lc *layerCache) trim(n, bytes int) *raster.Layer {
	var dropped *raster.Layer
	for len(lc.keys) > 0 && (len(lc.keys) > n || lc.bytes > bytes) {
		last := len(lc.keys) - 1
		dropped = lc.layers[last]
		lc.bytes -= dropped.Bytes()
		lc.keys, lc.layers = lc.keys[:last], lc.layers[:last]
	}
	return dropped
}

// DropLayers forgets every static layer.
func (r *Renderer) DropLayers() { r.layers.trim(0, 0) }

// Layers reports the static layers kept and their bytes.
func (r *Renderer) Layers() (n, bytes int) { return len(r.layers.keys), r.layers.bytes }
