package renderpool

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/ogmint/ogmint/wasm/fonts"
)

// Config tunes a Pool. The zero value is valid: WithDefaults fills it in.
type Config struct {
	// Templates looks up custom templates the module asks for (nil: only
	// those a context carries, see WithTemplate).
	Templates TemplateSource
	// Families looks up the user font families the module asks for when
	// a custom template names them (nil: only a context's, see
	// WithFamilies).
	Families FamilySource
	// Instances is the number of warm module instances; one renders on one
	// core (wasip1 has no threads), so about one per core. Default
	// runtime.NumCPU().
	Instances int
	// QueueSize is the most callers that may wait for a busy instance; one
	// more gets ErrQueueFull at once. Default 64.
	QueueSize int
	// Deadline bounds each call into the module (render, encode, validate,
	// info); a call past it is aborted and its instance replaced. Default 2s.
	Deadline time.Duration
	// MemoryLimitMiB caps each instance's linear memory. Default 128: an
	// instance handed every fallback family of templates/fontpack (19 MB
	// packed) has been measured at ~67 MiB.
	MemoryLimitMiB int
	// CacheDir is the wazero compilation cache directory; "" means none
	// (compiling the module then takes seconds at every start). A cache
	// that cannot be created or written (a full disk) is left out, with a
	// warning: it only makes starts faster.
	CacheDir string
	// SnapshotDir, when set, keeps the snapshot of a warmed instance on disk
	// so that the next start clones its first instance from it instead of
	// starting the Go runtime and rendering cold. "" keeps it in memory only.
	// A snapshot file that cannot be written is logged and skipped.
	SnapshotDir string
	// SnapshotEvery retakes the snapshot from an instance after this many
	// renders (its glyph cache then holds the sizes real cards use), then
	// after 10x, 19x, ... as many; 0 means the default, a negative value
	// never retakes it. The default is never: the first instance renders a
	// warm-up corpus before the snapshot, which covers typical cards (a
	// clone's first card: ~4.6 ms, against ~1.3 ms after a retake), while a
	// retaken snapshot grows with traffic (32 instead of 21 MiB here) and
	// makes every clone and every start slower (~+100 ms to start). A
	// retaken snapshot keeps the fallback families its instance was handed
	// (its clones need no hand-over for them) and is then kept in memory
	// only: the file is always free of them.
	SnapshotEvery int
	// Fonts is the catalogue of fallback font families (world scripts, CJK,
	// emoji; see host/fontcat) handed over to an instance whose text needs
	// glyphs its built-in fonts lack (abi.StatusNeedFonts). An instance
	// keeps the families it was given, so each is sent to it at most once.
	// nil hands over none: the module then draws missing-glyph boxes. The
	// warm-up renders hand over none either, so snapshots stay small.
	Fonts *fonts.Catalog
	// Logger receives warnings (a compilation cache or snapshot file that
	// cannot be used); nil: slog.Default().
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultQueueSize      = 64
	DefaultDeadline       = 2 * time.Second
	DefaultMemoryLimitMiB = 128
	DefaultSnapshotEvery  = -1
)

// Bounds for MemoryLimitMiB: a warm instance needs about 9 MiB; wasm32
// addresses at most 4 GiB.
const (
	MinMemoryLimitMiB = 16
	MaxMemoryLimitMiB = 4096
)

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Instances == 0 {
		c.Instances = runtime.NumCPU()
	}
	if c.QueueSize == 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.Deadline == 0 {
		c.Deadline = DefaultDeadline
	}
	if c.MemoryLimitMiB == 0 {
		c.MemoryLimitMiB = DefaultMemoryLimitMiB
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = DefaultSnapshotEvery
	}
	return c
}

// Validate reports every invalid field (after WithDefaults, zero values are
// invalid too).
func (c Config) Validate() error {
	var errs []error
	if c.Instances < 1 {
		errs = append(errs, fmt.Errorf("renderpool: Instances %d: want at least 1", c.Instances))
	}
	if c.QueueSize < 0 {
		errs = append(errs, fmt.Errorf("renderpool: QueueSize %d: want 0 or more", c.QueueSize))
	}
	if c.Deadline <= 0 {
		errs = append(errs, fmt.Errorf("renderpool: Deadline %s: want a positive duration", c.Deadline))
	}
	if c.MemoryLimitMiB < MinMemoryLimitMiB || c.MemoryLimitMiB > MaxMemoryLimitMiB {
		errs = append(errs, fmt.Errorf("renderpool: MemoryLimitMiB %d: want %d to %d", c.MemoryLimitMiB, MinMemoryLimitMiB, MaxMemoryLimitMiB))
	}
	return errors.Join(errs...)
}

// memoryLimitPages converts MemoryLimitMiB to 64 KiB wasm pages.
func (c Config) memoryLimitPages() uint32 { return uint32(c.MemoryLimitMiB) * 16 }
