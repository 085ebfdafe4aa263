// Package abi is the contract between the ogmint render module (a WASI
// reactor built from wasm/cmd/ogmint-render) and the hosts that run it: the Go
// host in wazero and the JavaScript edge adapter. It has no dependencies so
// both sides, and the docs, can refer to one place.
//
// A call sequence for one render:
//
//  1. ptr := ogmint_request(len)  reserve len bytes for the request; write the
//     request (a URL-encoded query string, e.g. "template=blog&title=Hi")
//     into linear memory at ptr.
//     1b. optionally, for each image the request names (avatar, logo) and the
//     host fetched: ptr := ogmint_image(slot<<24 | n) reserves n bytes in
//     image slot SlotAvatar or SlotLogo; write the image file (PNG, JPEG or
//     GIF) at ptr. ogmint_request empties every slot. A named image whose
//     slot is empty is not drawn (the avatar falls back to initials); one
//     that does not decode, has more than MaxImagePixels pixels or needs more
//     than MaxImageDecodeBytes to decode makes ogmint_render fail with
//     StatusInvalid naming the parameter.
//     1c. fonts beyond the built-in families are handed over on demand: when
//     the text needs glyphs no font of the instance has, ogmint_render
//     returns StatusNeedFonts and the output buffer holds the runes it lacks
//     (UTF-8). The host picks the fallback families that own those runes
//     (package wasm/fonts, Catalog.Needed), and for each:
//     ptr := ogmint_font(n), writes the packed family (fonts.Family.Pack) at
//     ptr, st := ogmint_font_add(n). Then it calls ogmint_render again: within
//     one request the module asks at most once and draws what it still lacks
//     as missing-glyph boxes. An instance keeps the families it was given.
//     1d. custom templates are handed over on demand too: a request for a
//     template named custom_* carries its version as tv=N. When the
//     instance does not hold that template at that version,
//     ogmint_render (and ogmint_validate) return StatusNeedTemplate and the
//     output buffer holds the name. The host then writes the template JSON
//     (templates.ParseWith with Custom) at ptr := ogmint_template(n), calls
//     st := ogmint_template_add(n) (the template takes the name and
//     version of the pending request; a StatusInvalid output is the
//     validation error) and calls ogmint_render again. An instance keeps
//     up to MaxHeldTemplates of them, the least recently used leaving
//     first.
//     1e. user font families (fonts an API key uploaded) travel with the
//     custom templates that name them. The host names such a family in
//     the template JSON by a name unique to its font files, starting with
//     UserFamilyPrefix (the Go host: "u:" + the regular's font id + ":" +
//     the bold's, "-" for a missing one), so two keys' families of the
//     same name never meet inside an instance, and sets tf=<tag> in the
//     request: a tag of the template's family bindings (they change when
//     the key uploads or deletes a font while the template version stays).
//     An instance holds a template per name, version and tf (a template
//     naming user families without a tf is invalid). When
//     ogmint_template_add meets a user family the instance does not hold,
//     it returns StatusNeedFamilies and the output buffer holds their
//     names, one a line; the template buffer is kept. The host hands each
//     over as a packed family (fonts.Family.Pack with that name; rank and
//     ranges are ignored; Bold may be empty, then the regular font draws
//     bold text too) with ogmint_font / ogmint_font_add, and calls
//     ogmint_template_add(n) again. An instance keeps user families up to
//     MaxUserFontBytes (packed bytes), the least recently used leaving
//     first, never those of the template being added; a template whose
//     family leaves is dropped too, so a held template always has its
//     families and ogmint_render never asks for one.
//  2. st := ogmint_render(len)    validate and draw. On StatusOK the frame is
//     ready; otherwise the output buffer holds a JSON error body (or, for
//     StatusNeedFonts, the runes it lacks).
//  3. ogmint_pixels()             pointer to the frame: w*h*4 bytes, RGBA,
//     opaque, row-major, stride w*4, where ogmint_frame_size() returns
//     w<<16 | h (Width x Height unless the template sets its canvas size).
//     Valid until the next call.
//  4. optionally ogmint_encode_png() then ogmint_output()/ogmint_output_len()
//     to get a PNG from the module's portable encoder (hosts with a native
//     deflate encode the pixels themselves; both give identical pixels).
//
// ogmint_validate(len) parses the request without drawing; on StatusOK the
// output buffer holds the canonical query string (the cache/dedup key input),
// otherwise the JSON error body. ogmint_info() puts a JSON description of the
// templates, palettes and fonts in the output buffer.
//
// Every export takes and returns i32. The module is single-threaded; hosts run
// one call at a time per instance.
package abi

// Version of this contract. Bumped on any incompatible change.
const Version = 3

// Frame geometry of the built-in templates (a custom template may set its
// own canvas size, up to MaxFrameSide a side and MaxFramePixels).
const (
	Width  = 1200
	Height = 630
	// MaxFrameSide and MaxFramePixels bound a custom canvas.
	MaxFrameSide   = 2400
	MaxFramePixels = 4_000_000
	// BytesPerPixel of the frame (RGBA).
	BytesPerPixel = 4
	FrameSize     = Width * Height * BytesPerPixel
)

// MaxRequest is the largest request, in bytes, the module accepts.
const MaxRequest = 64 << 10

// Image slots for ogmint_image.
const (
	SlotAvatar = 0
	SlotLogo   = 1
	NumSlots   = 2
)

// MaxImageBytes is the largest image file a slot takes; MaxImagePixels the
// most pixels (width x height) an image may decode to.
const (
	MaxImageBytes  = 4 << 20
	MaxImagePixels = 4 << 20
)

// Image decoding budget (package wasm/imagedec), in bytes. An image whose
// plain decode and drawing need at most DirectImageBytes is decoded as it
// is; a larger one is box-reduced while it decodes, to the smallest size
// that still has the pixels the template draws, in 8 bits a channel, and
// what that needs (decoder buffers, reduced image, scaling scratch) must be
// at most MaxImageDecodeBytes, or the image is a field error. A 2048x2048
// 16-bit PNG then needs under 1 MiB, a 2048x2048 JPEG 6-7 MiB, a progressive
// 4:2:0 one ~31 MiB; a progressive 4:4:4 one (~60 MiB) is refused.
const (
	MaxImageDecodeBytes = 32 << 20
	DirectImageBytes    = 8 << 20
)

// MaxTemplateBytes is the largest template JSON ogmint_template takes
// (assets included, base64); MaxHeldTemplates the most custom templates an
// instance keeps.
const (
	MaxTemplateBytes = 4 << 20
	MaxHeldTemplates = 8
)

// User font families (abi step 1e): their prefix, the request parameter
// carrying a custom template's family bindings, the most packed bytes of
// them an instance keeps, and the most of them one template may name.
const (
	UserFamilyPrefix    = "u:"
	ParamFontTag        = "tf"
	MaxUserFontBytes    = 32 << 20
	MaxTemplateFamilies = 4
)

// UnpackFrameSize unpacks ogmint_frame_size's result.
func UnpackFrameSize(v uint32) (w, h int) { return int(v >> 16), int(v & 0xffff) }

// MaxFontBytes is the largest packed font family ogmint_font takes.
const MaxFontBytes = 48 << 20

// ImageArg packs a slot and a length into ogmint_image's argument.
func ImageArg(slot, n int) uint32 { return uint32(slot)<<24 | uint32(n) }

// Export names.
const (
	ExportRequest   = "ogmint_request"
	ExportRender    = "ogmint_render"
	ExportValidate  = "ogmint_validate"
	ExportPixels    = "ogmint_pixels"
	ExportEncodePNG = "ogmint_encode_png"
	ExportOutput    = "ogmint_output"
	ExportOutputLen = "ogmint_output_len"
	ExportInfo      = "ogmint_info"
	ExportImage     = "ogmint_image"
	ExportVersion   = "ogmint_abi_version"
	ExportFont      = "ogmint_font"
	ExportFontAdd   = "ogmint_font_add"
	// Custom templates (abi step 1d) and the frame's size (step 3).
	ExportTemplate    = "ogmint_template"
	ExportTemplateAdd = "ogmint_template_add"
	ExportFrameSize   = "ogmint_frame_size"
	// ExportCollect runs a full garbage collection (optional for hosts: the
	// Go host calls it before it snapshots a warmed instance, so clones do
	// not all start with the same pending collection).
	ExportCollect = "ogmint_collect"
)

// Status codes returned by ogmint_render, ogmint_validate and ogmint_encode_png.
type Status uint32

const (
	StatusOK Status = 0
	// StatusInvalid: bad parameters; output is {"error","details"} (HTTP 400).
	StatusInvalid Status = 1
	// StatusNotFound: unknown custom template; output is an error body (HTTP 404).
	StatusNotFound Status = 2
	// StatusTooLarge: the request exceeds MaxRequest (HTTP 413/400).
	StatusTooLarge Status = 3
	// StatusInternal: a bug; output is an error body (HTTP 500).
	StatusInternal Status = 4
	// StatusNeedFonts: the text needs fonts the instance lacks; output is
	// the runes (UTF-8) that no font of the instance draws. Not an error:
	// hand over the families that own them and render again.
	StatusNeedFonts Status = 5
	// StatusNeedTemplate: the request names a custom template (at a
	// version) the instance does not hold; output is its name. Not an
	// error: hand it over (ogmint_template_add) and call again.
	StatusNeedTemplate Status = 6
	// StatusNeedFamilies: ogmint_template_add met user font families
	// (UserFamilyPrefix) the instance does not hold; output is their
	// names, one a line. Not an error: hand them over (ogmint_font_add)
	// and call ogmint_template_add again.
	StatusNeedFamilies Status = 7
)

// String names a status for logs and errors.
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusInvalid:
		return "invalid"
	case StatusNotFound:
		return "not_found"
	case StatusTooLarge:
		return "too_large"
	case StatusInternal:
		return "internal"
	case StatusNeedFonts:
		return "need_fonts"
	case StatusNeedTemplate:
		return "need_template"
	case StatusNeedFamilies:
		return "need_families"
	}
	return "unknown"
}
