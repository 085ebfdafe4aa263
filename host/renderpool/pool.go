// Package renderpool runs the render module (wasm/cmd/ogmint-render, ABI in
// wasm/abi) in a pool of warm wazero instances: one compiled module, a fixed
// number of instances, a bounded queue of waiting callers, a deadline and a
// memory cap per instance. An instance whose call traps, exits, runs out of
// memory or passes the deadline is closed and replaced in the background; it
// is never handed out again.
//
// Frames are read in place from the instance's linear memory (no copy) while
// the caller still holds the instance; the host encodes them natively
// (host/pngfast). The module's own PNG encoder (RenderPNG) is the portable,
// much slower path.
//
// Fonts beyond the module's own (world scripts, CJK, emoji, and template
// families kept out of the module) come from Config.Fonts: when a render
// answers abi.StatusNeedFonts, the pool writes the packed families that own
// the missing runes straight into the instance's memory and renders again
// (module.RenderWithFonts is the native reference of this loop). An
// instance keeps what it was given; FontHandovers counts the hand-overs.
package renderpool

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/ogmint/ogmint/wasm/abi"
)

// instantiateTimeout bounds one instantiation (including _initialize), which
// normally takes milliseconds; it only guards against a hung module.
const instantiateTimeout = 30 * time.Second

// warmQuery is rendered once by every new pool instance so that its first
// real render finds the common glyphs cached (a cold first render costs
// about three warm ones).
const warmQuery = "template=blog&title=The+quick+brown+fox+jumps+over+the+lazy+dog&description=Pack+my+box+with+five+dozen+liquor+jugs%2C+0123456789.&tag=Go&author=Ada+Lovelace"

// warmCorpus is rendered by the pool's first instance before its snapshot is
// taken (when there is no snapshot file to start from), so that every clone
// starts with the glyphs of typical cards cached at the sizes they are drawn
// at: each built-in template with a short, a medium and a long title (text
// is fitted by shrinking, so title length picks the size). A cold card costs
// a clone ~25 ms of glyph rasterising; a warm one ~2 ms. Queries for a
// template the module lacks are skipped.
var warmCorpus = func() []string {
	titles := []string{
		"Hello, world: v2.0 is out",
		"Shipping faster builds with incremental caches (and why it matters)",
		"The quick brown fox jumps over the lazy dog: a field guide to kerning, pangrams and text that always fits its box",
	}
	var out []string
	for _, tpl := range []string{"blog", "article", "product", "profile", "docs", "changelog", "minimal"} {
		for _, title := range titles {
			out = append(out, url.Values{
				"template":    {tpl},
				"title":       {title},
				"description": {"Pack my box with five dozen liquor jugs: a deep dive into WebAssembly, glyph caches and JSON, in 0123456789 milliseconds."},
				"tag":         {"Engineering"},
				"author":      {"Ada Lovelace"},
			}.Encode())
		}
	}
	return out
}()

// stderrHead is how much of a call's stderr is kept for trap messages.
const stderrHead = 512

// Pool is a pool of warm render module instances. Safe for concurrent use.
type Pool struct {
	cfg      Config
	rt       wazero.Runtime
	cache    wazero.CompilationCache // owned; nil without CacheDir
	compiled wazero.CompiledModule
	modCfg   wazero.ModuleConfig
	// snap is a warmed instance's state; new instances are its clones. It is
	// retaken from an instance that has served SnapshotEvery more renders,
	// so clones inherit the glyph sizes real traffic uses.
	snap     atomic.Pointer[snapshot]
	snapping atomic.Bool   // a retake is running
	nextSnap atomic.Uint64 // render count at which to retake
	nGlobals int
	snapPath string // where the snapshot is saved; "" = not saved
	snapBoot string
	// startedFromFile: the first instance was cloned from a snapshot file.
	startedFromFile bool

	idle    chan *instance // capacity cfg.Instances: release never blocks
	closing chan struct{}  // closed when Close starts: stop replacement retries
	stopped chan struct{}  // closed when Close gives up waiting: waiters leave

	mu       sync.Mutex // guards closed and inflight.Add
	closed   bool
	inflight sync.WaitGroup // calls in progress (waiting or running) and replacements
	maxMem   atomic.Uint64  // largest instance linear memory seen
	memBytes atomic.Int64   // linear memory of the live instances, as of their last call

	live      atomic.Int64
	busy      atomic.Int64
	waiting   atomic.Int64
	replaced  atomic.Uint64
	snapshots atomic.Uint64 // snapshots retaken from instances that served traffic
	renders   atomic.Uint64
	// handed[i] counts hand-overs of the fallback family cfg.Fonts.Families[i].
	handed []atomic.Uint64
	// userFamilies counts hand-overs of user font families (abi step 1e).
	userFamilies atomic.Uint64
}

// Stats is a snapshot of the pool for metrics.
type Stats struct {
	// Instances is the number of live instances (Config.Instances, minus any
	// being replaced).
	Instances int
	// Busy instances are running a call for a caller.
	Busy int
	// Waiting callers are queued for an instance.
	Waiting int
	// Replaced counts instances replaced after a trap or a missed deadline.
	Replaced uint64
	// Renders counts successful renders (abi.StatusOK).
	Renders uint64
	// Snapshots counts snapshots retaken from instances that served traffic.
	Snapshots uint64
	// MaxMemoryBytes is the largest linear memory of any instance seen after
	// a call (it only grows within an instance; fresh instances start small).
	MaxMemoryBytes uint64
	// MemoryBytes is the linear memory of the live instances, summed, as of
	// their last call (a clone's starts at its snapshot's size). Where the
	// pool reserves it with mmap (64-bit Linux), only what the module has
	// touched is resident.
	MemoryBytes uint64
	// FontHandovers counts fallback font families handed over to instances
	// (all families; FontHandovers() has them one by one).
	FontHandovers uint64
	// UserFamilyHandovers counts user font families (fonts an API key
	// uploaded) handed over to instances with custom templates.
	UserFamilyHandovers uint64
}

// New compiles wasm (the render module) and instantiates cfg.Instances
// instances, each warmed by one render. cfg is completed with WithDefaults and validated.
func New(ctx context.Context, wasm []byte, cfg Config) (*Pool, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rc := cfg.runtimeConfig()
	// Optional (diskfiles.go): an unusable cache is logged and left out.
	cache := openCache(cfg.CacheDir, cfg.logger())
	if cache != nil {
		rc = rc.WithCompilationCache(cache)
	}
	p := &Pool{
		cfg:     cfg,
		rt:      wazero.NewRuntimeWithConfig(ctx, rc),
		cache:   cache,
		idle:    make(chan *instance, cfg.Instances),
		closing: make(chan struct{}),
		stopped: make(chan struct{}),
		// A reactor: _initialize runs the Go runtime and package init once.
		// No name, so several instances of one module coexist; no fs, env or
		// stdout; stderr to a bounded buffer per instance; real clocks.
		modCfg: wazero.NewModuleConfig().
			WithName("").
			WithStartFunctions("_initialize").
			WithSysNanotime().
			WithSysWalltime(),
	}
	if cfg.Fonts != nil {
		p.handed = make([]atomic.Uint64, len(cfg.Fonts.Families))
	}
	if err := p.start(ctx, wasm); err != nil {
		p.shutdown()
		return nil, err
	}
	return p, nil
}

func (p *Pool) start(ctx context.Context, wasm []byte) error {
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, p.rt); err != nil {
		return fmt.Errorf("renderpool: instantiating WASI: %w", err)
	}
	// Export the module's globals so warmed instances can be cloned (see
	// snapshot); a module that cannot be patched is used as it is.
	patched, nGlobals, perr := exportGlobals(wasm)
	if perr == nil {
		wasm = patched
	}
	// One data segment instead of Go's tens of thousands (datamerge.go).
	if merged, ok, err := mergeDataSegments(wasm); err == nil && ok {
		wasm = merged
	}
	var err error
	if p.compiled, err = p.compile(ctx, wasm); err != nil {
		return fmt.Errorf("renderpool: compiling the module: %w", err)
	}
	// The first instance is made here, so New fails fast on a broken
	// module; the others warm up concurrently (one per core) while the pool
	// already serves, which halves start-up on two cores.
	in, err := p.firstInstance(ctx, wasm, nGlobals, perr == nil)
	if err != nil {
		return err
	}
	p.goLive(in)
	p.idle <- in
	for i := 1; i < p.cfg.Instances; i++ {
		p.inflight.Add(1)
		go p.add(false)
	}
	return nil
}

// instantiate creates a warm instance and checks its ABI version.
func (p *Pool) instantiate(ctx context.Context) (*instance, error) {
	return p.instantiateWith(ctx, p.modCfg, 0, func(in *instance) error {
		v, err := in.call(ctx, fnVersion, 0)
		if err == nil && v != abi.Version {
			err = fmt.Errorf("renderpool: module ABI version %d, host speaks %d", v, abi.Version)
		}
		return err
	})
}

// instantiateWith instantiates the module with modCfg (stderr captured,
// linear memory from newLinearMemory, with room for at least minCap bytes
// where it is a slice) and prepares the instance with setup; the module is
// closed if either fails.
func (p *Pool) instantiateWith(ctx context.Context, modCfg wazero.ModuleConfig, minCap uint64, setup func(*instance) error) (*instance, error) {
	stderr := newHeadBuffer(stderrHead)
	var lm linearMemory
	ctx = experimental.WithMemoryAllocator(ctx, experimental.MemoryAllocatorFunc(func(capBytes, maxBytes uint64) experimental.LinearMemory {
		lm = newLinearMemory(max(capBytes, minCap), maxBytes)
		return lm
	}))
	mod, err := p.rt.InstantiateModule(ctx, p.compiled, modCfg.WithStderr(stderr))
	if err != nil {
		if lm != nil {
			lm.release()
		}
		if tail := stderr.String(); tail != "" {
			return nil, fmt.Errorf("renderpool: instantiating the module: %w; stderr: %s", err, tail)
		}
		return nil, fmt.Errorf("renderpool: instantiating the module: %w", err)
	}
	in, err := newInstance(mod, stderr)
	if err == nil {
		in.lm = lm
		err = setup(in)
	}
	if err != nil {
		_ = mod.Close(context.Background())
		if lm != nil {
			lm.release()
		}
		return nil, err
	}
	return in, nil
}

// firstInstance makes the pool's first instance: a clone of this boot's
// snapshot file when there is a valid one (checked with a render), else a
// new instance warmed by one render, whose snapshot is then kept (and saved)
// for every later instance.
func (p *Pool) firstInstance(ctx context.Context, wasm []byte, nGlobals int, cloneable bool) (*instance, error) {
	if !cloneable {
		return p.instantiateWarm(ctx)
	}
	boot, path := bootID(), ""
	if p.cfg.SnapshotDir != "" && boot != "" {
		path = snapshotPath(p.cfg.SnapshotDir, wasm)
		if s, err := loadSnapshot(path, nGlobals, boot); err == nil {
			p.snap.Store(s)
			if in, err := p.instantiateClone(ctx); err == nil {
				wctx, cancel := context.WithTimeout(ctx, instantiateTimeout)
				err = p.renderOnce(wctx, in, []byte(warmQuery), nil, false)
				cancel()
				if err == nil {
					p.startedFromFile = true
					return in, nil
				}
				in.close()
			}
			p.snap.Store(nil)
			_ = os.Remove(path) // unusable: start cold and write a new one
		}
	}
	in, err := p.instantiateWarm(ctx)
	if err != nil {
		return nil, err
	}
	var me *ModuleError
	for _, q := range warmCorpus {
		wctx, cancel := context.WithTimeout(ctx, instantiateTimeout)
		// No fallback families: the snapshot (and every clone) stays small.
		err := p.renderOnce(wctx, in, []byte(q), nil, false)
		cancel()
		if err != nil && !errors.As(err, &me) {
			in.close()
			return nil, fmt.Errorf("renderpool: warming the first instance: %w", err)
		}
	}
	// Later instances (the rest of the pool, replacements) are clones of
	// this warmed one: ~10 ms instead of start-up plus cold renders.
	p.nGlobals, p.snapPath, p.snapBoot = nGlobals, path, boot
	p.nextSnap.Store(uint64(p.cfg.SnapshotEvery))
	if snap, err := takeSnapshot(in, nGlobals); err == nil {
		p.snap.Store(snap)
		if path != "" {
			go p.saveSnapshot(snap, path, boot)
		}
	}
	return in, nil
}

// instantiateFresh returns a ready instance: a clone of the snapshot when
// there is one, else a new instance warmed by one render.
func (p *Pool) instantiateFresh(ctx context.Context) (*instance, error) {
	if p.snap.Load() == nil {
		return p.instantiateWarm(ctx)
	}
	return p.instantiateClone(ctx)
}

// instantiateClone instantiates the module without running _initialize and
// restores the snapshot into it.
func (p *Pool) instantiateClone(ctx context.Context) (*instance, error) {
	snap := p.snap.Load()
	if snap == nil {
		return nil, errors.New("renderpool: no snapshot")
	}
	// Without data segments, memory stays zero and restore writes all of
	// it; a slice memory is allocated at the snapshot's size at once, so it
	// is never regrown (and copied) on the way.
	ctx = experimental.WithoutDataSegments(ctx)
	return p.instantiateWith(ctx, p.modCfg.WithStartFunctions(), uint64(snap.size), func(in *instance) error {
		if err := snap.restore(in); err != nil {
			return fmt.Errorf("renderpool: restoring the snapshot: %w", err)
		}
		return nil
	})
}

// instantiateWarm instantiates and renders warmQuery once.
func (p *Pool) instantiateWarm(ctx context.Context) (*instance, error) {
	in, err := p.instantiate(ctx)
	if err != nil {
		return nil, err
	}
	// Not Config.Deadline: this cold render of a known query may take longer
	// than a warm one, and failing it would fail New.
	wctx, cancel := context.WithTimeout(ctx, instantiateTimeout)
	defer cancel()
	var me *ModuleError
	if err := p.renderOnce(wctx, in, []byte(warmQuery), nil, false); err != nil && !errors.As(err, &me) {
		in.close()
		return nil, fmt.Errorf("renderpool: warming a new instance: %w", err)
	}
	return in, nil
}

// Config returns the pool's configuration, defaults applied.
func (p *Pool) Config() Config { return p.cfg }

// Render renders the card for query (a URL-encoded query string) and calls fn
// with the frame: abi.FrameSize bytes of RGBA, stride abi.Width*4. The slice
// aliases the instance's memory: it is valid only until fn returns, and fn
// must not keep or modify it. fn's error is returned as is; a nil fn only
// renders.
//
// Errors: ErrQueueFull, ctx's error while waiting, *ModuleError for a
// rejected request, ErrDeadline or ErrTrap (the instance is replaced),
// ErrClosed. Once the module runs, cancelling ctx no longer aborts it (a
// render takes milliseconds, a replacement instance more); Config.Deadline
// bounds it.
func (p *Pool) Render(ctx context.Context, query []byte, fn func(pixels []byte) error) error {
	return p.RenderImages(ctx, query, [abi.NumSlots][]byte{}, fn)
}

// RenderImages is Render with image files for the module's image slots:
// images[abi.SlotAvatar] and images[abi.SlotLogo] (PNG, JPEG or GIF bytes,
// at most abi.MaxImageBytes each; nil or empty leaves a slot empty, so the
// module does not draw that image). The images are only read. An image the
// module cannot decode, with more than abi.MaxImagePixels pixels or needing
// more than abi.MaxImageDecodeBytes to decode, is a *ModuleError with
// abi.StatusInvalid naming the parameter; one the module refuses to take is
// ErrImageRefused.
func (p *Pool) RenderImages(ctx context.Context, query []byte, images [abi.NumSlots][]byte, fn func(pixels []byte) error) error {
	if fn == nil {
		return p.RenderFrame(ctx, query, images, nil)
	}
	return p.RenderFrame(ctx, query, images, func(pix []byte, _, _ int) error { return fn(pix) })
}

// RenderFrame is RenderImages for frames of any size: fn gets the frame's
// width and height (a custom template may set its canvas size), stride w*4.
// A custom template the query names (template=custom_…&tv=N) comes from
// the context (WithTemplate) or Config.Templates.
func (p *Pool) RenderFrame(ctx context.Context, query []byte, images [abi.NumSlots][]byte, fn func(pix []byte, w, h int) error) error {
	return p.with(ctx, len(query), func(cctx context.Context, in *instance) error {
		if err := p.render(cctx, in, query, &images); err != nil || fn == nil {
			return err
		}
		pix, w, h, err := in.pixels(cctx)
		if err != nil {
			return err
		}
		return fn(pix, w, h)
	})
}

// RenderPNG renders the card for query and encodes it with the module's own
// portable encoder (standard library deflate in wasm; slower than the host's
// native encoder, used for parity and tests). The PNG is a copy.
func (p *Pool) RenderPNG(ctx context.Context, query []byte) ([]byte, error) {
	var out []byte
	err := p.with(ctx, len(query), func(cctx context.Context, in *instance) error {
		if err := p.render(cctx, in, query, nil); err != nil {
			return err
		}
		st, err := in.call(cctx, fnEncodePNG, 0)
		if err != nil {
			return err
		}
		if st := abi.Status(st); st != abi.StatusOK {
			return in.statusError(cctx, st)
		}
		b, err := in.output(cctx)
		out = append([]byte(nil), b...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Validate parses query without drawing and returns the canonical query
// string (the input of the dedup key), or a *ModuleError.
func (p *Pool) Validate(ctx context.Context, query []byte) (canonical []byte, err error) {
	err = p.with(ctx, len(query), func(cctx context.Context, in *instance) error {
		n, err := in.writeRequest(cctx, query)
		if err != nil {
			return err
		}
		st, err := p.callWithTemplate(cctx, in, fnValidate, n, query)
		if err != nil {
			return err
		}
		if st := abi.Status(st); st != abi.StatusOK {
			return in.statusError(cctx, st)
		}
		b, err := in.output(cctx)
		canonical = append([]byte(nil), b...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return canonical, nil
}

// Info returns the module's JSON description of templates, palettes, fonts
// and defaults.
func (p *Pool) Info(ctx context.Context) ([]byte, error) {
	var info []byte
	err := p.with(ctx, 0, func(cctx context.Context, in *instance) error {
		st, err := in.call(cctx, fnInfo, 0)
		if err != nil {
			return err
		}
		if st := abi.Status(st); st != abi.StatusOK {
			return in.statusError(cctx, st)
		}
		b, err := in.output(cctx)
		info = append([]byte(nil), b...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

// render is renderOnce with the fallback families, counted in the pool's
// renders (which drive snapshot retakes).
func (p *Pool) render(ctx context.Context, in *instance, query []byte, images *[abi.NumSlots][]byte) error {
	if err := p.renderOnce(ctx, in, query, images, true); err != nil {
		return err
	}
	p.renders.Add(1)
	return nil
}

// renderOnce writes the request, then the images for the module's slots
// (nil: none; ogmint_request has emptied every slot), and draws. When the
// module asks for fonts (abi.StatusNeedFonts), it hands over the families of
// Config.Fonts that own the runes it lacks (none unless fallback, or without
// a catalogue) and draws again: the module asks once per request, then draws
// boxes for what it still lacks. This is module.RenderWithFonts over the
// ABI. A non-OK status is a *ModuleError.
func (p *Pool) renderOnce(ctx context.Context, in *instance, query []byte, images *[abi.NumSlots][]byte, fallback bool) error {
	n, err := in.writeRequest(ctx, query)
	if err != nil {
		return err
	}
	if err := in.writeImages(ctx, images); err != nil {
		return err
	}
	st, err := p.callWithTemplate(ctx, in, fnRender, n, query)
	if err != nil {
		return err
	}
	if abi.Status(st) == abi.StatusNeedFonts {
		if fallback {
			if err := p.handOver(ctx, in); err != nil {
				return err
			}
		}
		if st, err = in.call(ctx, fnRender, n); err != nil {
			return err
		}
		if abi.Status(st) == abi.StatusNeedFonts {
			return &ModuleError{Status: abi.StatusInternal, Body: []byte(`{"error":"the render module asked for fonts twice in one request"}`)}
		}
	}
	if st := abi.Status(st); st != abi.StatusOK {
		return in.statusError(ctx, st)
	}
	return nil
}

// handOver gives in the families of Config.Fonts that own the runes the
// module lacks (the output buffer after abi.StatusNeedFonts), each packed
// bytes of the catalogue written straight into the module's memory; a family
// the instance already holds is not sent again.
func (p *Pool) handOver(ctx context.Context, in *instance) error {
	cat := p.cfg.Fonts
	if cat == nil {
		return nil
	}
	missing, err := in.output(ctx)
	if err != nil {
		return err
	}
	for _, i := range cat.Needed([]rune(string(missing))) {
		if in.hasFont(i) {
			continue
		}
		if err := in.addFont(ctx, cat.Families[i].Name, cat.Packed(i)); err != nil {
			return err
		}
		if in.fonts == nil {
			in.fonts = make([]bool, len(cat.Families))
		}
		in.fonts[i] = true
		p.handed[i].Add(1)
	}
	return nil
}

// with runs body on an instance under the per-call deadline. The deadline
// context keeps ctx's values but not its cancellation.
func (p *Pool) with(ctx context.Context, queryLen int, body func(context.Context, *instance) error) error {
	if queryLen > abi.MaxRequest {
		return tooLarge(queryLen)
	}
	if err := p.enter(); err != nil {
		return err
	}
	defer p.inflight.Done()
	in, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer p.release(in)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.Deadline)
	defer cancel()
	in.stderr.Reset()
	return body(cctx, in)
}

// enter admits a call unless the pool is closed.
func (p *Pool) enter() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	p.inflight.Add(1)
	return nil
}

// acquire takes an idle instance, waiting in a bounded queue when all are busy.
func (p *Pool) acquire(ctx context.Context) (*instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case in := <-p.idle:
		p.busy.Add(1)
		return in, nil
	default:
	}
	if p.waiting.Add(1) > int64(p.cfg.QueueSize) {
		p.waiting.Add(-1)
		return nil, ErrQueueFull
	}
	defer p.waiting.Add(-1)
	select {
	case in := <-p.idle:
		p.busy.Add(1)
		return in, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.stopped:
		return nil, ErrClosed
	}
}

// release returns a healthy instance to the pool, or discards a broken one
// and starts its replacement.
func (p *Pool) release(in *instance) {
	p.busy.Add(-1)
	p.account(in)
	if !in.broken {
		if every := uint64(max(p.cfg.SnapshotEvery, 0)); every > 0 && p.snap.Load() != nil &&
			p.renders.Load() >= p.nextSnap.Load() && p.snapping.CompareAndSwap(false, true) {
			// Retake at every, then 10x further each time: the glyph cache
			// settles quickly, and each snapshot copies the whole memory.
			p.nextSnap.Store(p.renders.Load() + every*p.snapshots.Load()*9 + every)
			p.inflight.Add(1)
			go p.retakeSnapshot(in)
			return
		}
		p.idle <- in
		return
	}
	p.goDead(in)
	p.inflight.Add(1) // the caller's call is still counted: safe with Close's Wait
	go p.replace()
}

// goLive counts a new instance in the pool's statistics.
func (p *Pool) goLive(in *instance) {
	p.live.Add(1)
	p.account(in)
}

// account records in's linear memory size (after a call, or when it goes
// live) in the pool's statistics.
func (p *Pool) account(in *instance) {
	size := uint64(in.mem.Size())
	p.memBytes.Add(int64(size) - int64(in.accounted))
	in.accounted = size
	if size > p.maxMem.Load() {
		p.maxMem.Store(size) // a racy max is fine for a statistic
	}
}

// goDead closes an instance that was live and takes it out of the
// statistics.
func (p *Pool) goDead(in *instance) {
	in.close()
	p.live.Add(-1)
	p.memBytes.Add(-int64(in.accounted))
	in.accounted = 0
}

// retakeSnapshot snapshots in (which has served traffic, so its glyph cache
// holds the sizes real cards use) for later clones and the snapshot file,
// then returns it to the pool.
func (p *Pool) retakeSnapshot(in *instance) {
	defer p.inflight.Done()
	defer p.snapping.Store(false)
	if snap, err := takeSnapshot(in, p.nGlobals); err == nil {
		p.snap.Store(snap)
		// A snapshot holding fallback families stays in memory: a later
		// start may have another catalogue (and the file stays small); so
		// does one holding fonts an API key uploaded (they stay off disk).
		if p.snapPath != "" && !slices.Contains(snap.fonts, true) && !snap.users {
			p.saveSnapshot(snap, p.snapPath, p.snapBoot)
		}
		p.snapshots.Add(1)
	} else {
		in.broken = true // a failed collection leaves the instance in doubt
		p.goDead(in)
		p.inflight.Add(1)
		go p.replace()
		return
	}
	p.idle <- in
}

// replace instantiates a fresh instance, retrying with backoff until it
// succeeds or the pool closes, so the pool never shrinks for good.
func (p *Pool) replace() { p.add(true) }

// add instantiates one more instance (counted as a replacement or not).
func (p *Pool) add(replacement bool) {
	defer p.inflight.Done()
	backoff := 50 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(context.Background(), instantiateTimeout)
		in, err := p.instantiateFresh(ctx)
		cancel()
		if err == nil {
			p.goLive(in)
			if replacement {
				p.replaced.Add(1)
			}
			p.idle <- in
			return
		}
		select {
		case <-time.After(backoff):
		case <-p.closing:
			return
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// FreshTiming is what a new instance costs before it is warm.
type FreshTiming struct {
	// Instantiate: InstantiateModule, including _initialize (Go runtime and
	// package init: templates, fonts).
	Instantiate time.Duration
	// FirstRender: request + render of the first card (cold glyph cache).
	FirstRender time.Duration
}

// Total is Instantiate + FirstRender.
func (t FreshTiming) Total() time.Duration { return t.Instantiate + t.FirstRender }

// MeasureFresh instantiates a new instance outside the pool, renders query
// once, closes it and reports the timings: the cost of a replacement or of a
// cold start (benchmarks, start-up logs).
func (p *Pool) MeasureFresh(ctx context.Context, query []byte) (FreshTiming, error) {
	var t FreshTiming
	if err := p.enter(); err != nil {
		return t, err
	}
	defer p.inflight.Done()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), instantiateTimeout)
	defer cancel()
	start := time.Now()
	var in *instance
	var err error
	if p.snap.Load() != nil {
		in, err = p.instantiateClone(cctx) // what replacements and extra instances pay
	} else {
		in, err = p.instantiate(cctx) // no snapshot: start-up plus a cold first render
	}
	if err != nil {
		return t, err
	}
	defer in.close()
	t.Instantiate = time.Since(start)
	start = time.Now()
	rctx, rcancel := context.WithTimeout(cctx, p.cfg.Deadline)
	defer rcancel()
	if err := p.renderOnce(rctx, in, query, nil, true); err != nil {
		return t, err
	}
	t.FirstRender = time.Since(start)
	return t, nil
}

// Stats returns a snapshot of the pool's counters.
func (p *Pool) Stats() Stats {
	return Stats{
		Instances: int(p.live.Load()),
		Busy:      int(p.busy.Load()),
		Waiting:   int(p.waiting.Load()),
		Replaced:  p.replaced.Load(),
		Renders:   p.renders.Load(),

		MaxMemoryBytes: p.maxMem.Load(),
		MemoryBytes:    uint64(max(p.memBytes.Load(), 0)),
		Snapshots:      p.snapshots.Load(),
		FontHandovers:  p.fontHandovers(),

		UserFamilyHandovers: p.userFamilies.Load(),
	}
}

// FontHandovers returns how many times each fallback family of
// Config.Fonts (by index in Families) was handed over to an instance;
// nil without a catalogue.
func (p *Pool) FontHandovers() []uint64 {
	if p.handed == nil {
		return nil
	}
	out := make([]uint64, len(p.handed))
	for i := range p.handed {
		out[i] = p.handed[i].Load()
	}
	return out
}

// fontHandovers is the sum of FontHandovers.
func (p *Pool) fontHandovers() uint64 {
	var n uint64
	for i := range p.handed {
		n += p.handed[i].Load()
	}
	return n
}

// Close stops admitting calls, waits for the calls already admitted (running
// or queued) until ctx is done, then closes every instance and the runtime.
// After ctx is done, queued callers get ErrClosed and running calls are
// aborted; Close then returns ctx's error.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	close(p.closing)

	drained := make(chan struct{})
	go func() {
		p.inflight.Wait()
		close(drained)
	}()
	var err error
	select {
	case <-drained:
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.shutdown()
	return err
}

// shutdown closes every idle instance, the runtime (which ends any call still
// running) and the compilation cache.
func (p *Pool) shutdown() {
	select {
	case <-p.stopped:
		return
	default:
		close(p.stopped)
	}
	for {
		select {
		case in := <-p.idle:
			p.goDead(in)
			continue
		default:
		}
		break
	}
	ctx := context.Background()
	_ = p.rt.Close(ctx)
	if p.cache != nil {
		_ = p.cache.Close(ctx)
	}
}
