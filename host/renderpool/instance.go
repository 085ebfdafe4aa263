package renderpool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/ogmint/ogmint/wasm/abi"
)

// Indices of the module exports an instance resolves once.
const (
	fnRequest = iota
	fnRender
	fnValidate
	fnPixels
	fnEncodePNG
	fnOutput
	fnOutputLen
	fnInfo
	fnVersion
	fnImage
	fnFont
	fnFontAdd
	fnTemplate
	fnTemplateAdd
	fnFrameSize
	numExports
)

var exportNames = [numExports]string{
	fnRequest:     abi.ExportRequest,
	fnRender:      abi.ExportRender,
	fnValidate:    abi.ExportValidate,
	fnPixels:      abi.ExportPixels,
	fnEncodePNG:   abi.ExportEncodePNG,
	fnOutput:      abi.ExportOutput,
	fnOutputLen:   abi.ExportOutputLen,
	fnInfo:        abi.ExportInfo,
	fnVersion:     abi.ExportVersion,
	fnImage:       abi.ExportImage,
	fnFont:        abi.ExportFont,
	fnFontAdd:     abi.ExportFontAdd,
	fnTemplate:    abi.ExportTemplate,
	fnTemplateAdd: abi.ExportTemplateAdd,
	fnFrameSize:   abi.ExportFrameSize,
}

// instance is one warm module instance. Used by one goroutine at a time.
type instance struct {
	mod api.Module
	mem api.Memory
	lm  linearMemory // what backs mem; nil when wazero allocated it
	// accounted is the memory size last counted in Pool.memBytes.
	accounted uint64
	fns       [numExports]api.Function
	stack     [1]uint64 // every export takes and returns at most one i32
	stderr    *headBuffer
	// fonts[i] is set once the fallback family Config.Fonts.Families[i] has
	// been handed over (or came with the snapshot the instance was cloned
	// from): the module keeps it, so it is never sent again.
	fonts []bool
	// users is set once a user font family (abi step 1e) was handed over.
	users bool
	// broken is set when a call failed: the instance is never reused.
	broken bool
}

func newInstance(mod api.Module, stderr *headBuffer) (*instance, error) {
	in := &instance{mod: mod, mem: mod.Memory(), stderr: stderr}
	if in.mem == nil {
		return nil, errors.New("renderpool: the module exports no memory")
	}
	for i, name := range exportNames {
		if in.fns[i] = mod.ExportedFunction(name); in.fns[i] == nil {
			return nil, fmt.Errorf("renderpool: the module does not export %s", name)
		}
	}
	return in, nil
}

// call runs export fn with one argument (ignored by exports without
// parameters) and returns its result. Any error marks the instance broken.
func (in *instance) call(ctx context.Context, fn int, arg uint32) (uint32, error) {
	in.stack[0] = api.EncodeU32(arg)
	if err := in.fns[fn].CallWithStack(ctx, in.stack[:]); err != nil {
		in.broken = true
		return 0, in.callError(exportNames[fn], err)
	}
	return api.DecodeU32(in.stack[0]), nil
}

// callError classifies a failed call as ErrDeadline, ErrMemoryCap (the
// module's stderr says it ran out of memory) or ErrTrap.
func (in *instance) callError(export string, err error) error {
	var exit *sys.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == sys.ExitCodeDeadlineExceeded ||
		errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %s: %w", ErrDeadline, export, err)
	}
	tail := in.stderr.String()
	kind := ErrTrap
	if outOfMemory(tail) {
		kind = ErrMemoryCap
	}
	if tail != "" {
		return fmt.Errorf("%w: %s: %w; stderr: %s", kind, export, err, tail)
	}
	return fmt.Errorf("%w: %s: %w", kind, export, err)
}

// trap marks the instance broken for a fault found by the host (e.g. an
// out-of-range pointer from the module).
func (in *instance) trap(format string, args ...any) error {
	in.broken = true
	return fmt.Errorf("%w: %s", ErrTrap, fmt.Sprintf(format, args...))
}

// writeRequest reserves the request buffer and copies query into it.
func (in *instance) writeRequest(ctx context.Context, query []byte) (uint32, error) {
	n := uint32(len(query))
	ptr, err := in.call(ctx, fnRequest, n)
	if err != nil {
		return 0, err
	}
	if ptr == 0 {
		return 0, tooLarge(len(query))
	}
	if !in.mem.Write(ptr, query) {
		return 0, in.trap("%s returned %#x: %d bytes out of memory range", abi.ExportRequest, ptr, n)
	}
	return n, nil
}

// writeImages fills the module's image slots (after writeRequest, which
// empties them) with images[slot]; an empty entry leaves its slot empty. A
// slot the module refuses (ogmint_image returned 0) is an ErrImageRefused.
func (in *instance) writeImages(ctx context.Context, images *[abi.NumSlots][]byte) error {
	if images == nil {
		return nil
	}
	for slot, b := range images {
		if len(b) == 0 {
			continue
		}
		if len(b) > abi.MaxImageBytes {
			return fmt.Errorf("%w: slot %d: %d bytes, at most %d", ErrImageRefused, slot, len(b), abi.MaxImageBytes)
		}
		ptr, err := in.call(ctx, fnImage, abi.ImageArg(slot, len(b)))
		if err != nil {
			return err
		}
		if ptr == 0 {
			return fmt.Errorf("%w: %s refused slot %d (%d bytes)", ErrImageRefused, abi.ExportImage, slot, len(b))
		}
		if !in.mem.Write(ptr, b) {
			return in.trap("%s returned %#x: %d bytes out of memory range", abi.ExportImage, ptr, len(b))
		}
	}
	return nil
}

// hasFont reports whether fallback family i was handed over.
func (in *instance) hasFont(i int) bool { return i < len(in.fonts) && in.fonts[i] }

// holdsFonts reports whether any fallback family was handed over.
func (in *instance) holdsFonts() bool { return slices.Contains(in.fonts, true) }

// addFont hands a packed fallback family (fonts.Family.Pack) to the module:
// ogmint_font reserves its bytes, which are written straight into linear
// memory, and ogmint_font_add takes them. A refusal is an ErrFontRefused;
// the instance stays in service.
func (in *instance) addFont(ctx context.Context, name string, packed []byte) error {
	n := uint32(len(packed))
	ptr, err := in.call(ctx, fnFont, n)
	if err != nil {
		return err
	}
	if ptr == 0 {
		return fmt.Errorf("%w: %s refused family %s (%d bytes)", ErrFontRefused, abi.ExportFont, name, n)
	}
	if !in.mem.Write(ptr, packed) {
		return in.trap("%s returned %#x: %d bytes out of memory range", abi.ExportFont, ptr, n)
	}
	st, err := in.call(ctx, fnFontAdd, n)
	if err != nil {
		return err
	}
	if st := abi.Status(st); st != abi.StatusOK {
		body, err := in.output(ctx)
		if err != nil {
			return err
		}
		return fmt.Errorf("%w: %s: family %s: %s: %s", ErrFontRefused, abi.ExportFontAdd, name, st, body)
	}
	return nil
}

// output returns a view of the output buffer (aliasing wasm memory, valid
// until the next call).
func (in *instance) output(ctx context.Context) ([]byte, error) {
	n, err := in.call(ctx, fnOutputLen, 0)
	if err != nil || n == 0 {
		return nil, err
	}
	ptr, err := in.call(ctx, fnOutput, 0)
	if err != nil {
		return nil, err
	}
	b, ok := in.mem.Read(ptr, n)
	if !ok {
		return nil, in.trap("output %#x+%d out of memory range", ptr, n)
	}
	return b, nil
}

// statusError turns a non-OK status into a *ModuleError with a copy of the
// output buffer.
func (in *instance) statusError(ctx context.Context, st abi.Status) error {
	body, err := in.output(ctx)
	if err != nil {
		return err
	}
	return &ModuleError{Status: st, Body: append([]byte(nil), body...)}
}

// pixels returns a view of the frame (aliasing wasm memory) and its size.
func (in *instance) pixels(ctx context.Context) (pix []byte, w, h int, err error) {
	size, err := in.call(ctx, fnFrameSize, 0)
	if err != nil {
		return nil, 0, 0, err
	}
	w, h = abi.UnpackFrameSize(size)
	if w <= 0 || h <= 0 || w > abi.MaxFrameSide || h > abi.MaxFrameSide || w*h > abi.MaxFramePixels {
		return nil, 0, 0, in.trap("frame size %dx%d out of bounds", w, h)
	}
	ptr, err := in.call(ctx, fnPixels, 0)
	if err != nil {
		return nil, 0, 0, err
	}
	n := uint32(w * h * abi.BytesPerPixel)
	b, ok := in.mem.Read(ptr, n)
	if !ok {
		return nil, 0, 0, in.trap("frame %#x+%d out of memory range", ptr, n)
	}
	return b, w, h, nil
}

// close closes the module and frees its memory; no call may be running.
func (in *instance) close() {
	_ = in.mod.Close(context.Background())
	if in.lm != nil {
		in.lm.release()
	}
}

// headBuffer keeps the first bytes a module writes to stderr since the last
// reset (the Go runtime prints "fatal error: ..." or "panic: ..." first,
// then goroutine dumps) for trap messages.
type headBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func newHeadBuffer(max int) *headBuffer { return &headBuffer{max: max} }

func (h *headBuffer) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if room := h.max - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (h *headBuffer) Reset() {
	h.mu.Lock()
	h.b = h.b[:0]
	h.mu.Unlock()
}

// String returns what was kept, trimmed.
func (h *headBuffer) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.TrimSpace(string(h.b))
}
