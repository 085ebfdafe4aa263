package renderpool

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ogmint/ogmint/wasm/abi"
)

// Errors of the pool itself. Handlers map ErrQueueFull to 429/503 and
// ErrDeadline/ErrTrap to 500/503; *ModuleError carries the module's own
// status and JSON body.
var (
	// ErrQueueFull: every instance is busy and QueueSize callers already wait.
	ErrQueueFull = errors.New("renderpool: queue full")
	// ErrDeadline: a call ran past Config.Deadline; its instance was replaced.
	ErrDeadline = errors.New("renderpool: render deadline exceeded")
	// ErrTrap: the module trapped, exited or hit its memory cap; its instance
	// was replaced.
	ErrTrap = errors.New("renderpool: module trapped")
	// ErrMemoryCap: the module ran out of memory under
	// Config.MemoryLimitMiB (the Go runtime's "out of memory" fatal error).
	// It is an ErrTrap too (errors.Is holds for both).
	ErrMemoryCap = fmt.Errorf("%w: out of memory under the instance's cap", ErrTrap)
	// ErrImageRefused: an image passed to RenderImages is larger than
	// abi.MaxImageBytes or the module refused its slot. The instance stays in
	// service.
	ErrImageRefused = errors.New("renderpool: image refused by the module")
	// ErrFontRefused: the module refused a fallback font family from
	// Config.Fonts (ogmint_font returned 0 or ogmint_font_add failed): a
	// host configuration problem, not the request's. The instance stays in
	// service.
	ErrFontRefused = errors.New("renderpool: font family refused by the module")
	// ErrClosed: the pool is closed.
	ErrClosed = errors.New("renderpool: closed")
)

// ModuleError is a non-OK status from the module: bad parameters
// (abi.StatusInvalid), unknown custom template (abi.StatusNotFound), request
// too large (abi.StatusTooLarge) or a module bug (abi.StatusInternal). The
// instance stays in service.
type ModuleError struct {
	Status abi.Status
	// Body is the module's JSON error body ({"error", "details"}), copied.
	Body []byte
}

func (e *ModuleError) Error() string {
	return fmt.Sprintf("renderpool: module status %s: %s", e.Status, e.Body)
}

// tooLarge is returned without calling the module for requests over
// abi.MaxRequest (the module would refuse them the same way).
func tooLarge(n int) *ModuleError {
	return &ModuleError{Status: abi.StatusTooLarge,
		Body: fmt.Appendf(nil, `{"error":"request too large","details":[{"field":"query","message":"%d bytes; at most %d"}]}`, n, abi.MaxRequest)}
}

// Cause is why a call failed its instance (which was then replaced): for
// logs and metrics.
type Cause int

// Causes of instance failures.
const (
	// CauseNone: the error did not fail an instance (a module status, a
	// full queue, a closed pool...).
	CauseNone Cause = iota
	CauseMemoryCap
	CauseDeadline
	CauseTrap
)

var causeNames = [...][2]string{
	CauseNone:      {"", ""},
	CauseMemoryCap: {"memory_cap", "memory cap"},
	CauseDeadline:  {"deadline", "deadline"},
	CauseTrap:      {"trap", "trap"},
}

// CauseOf classifies an error of the pool.
func CauseOf(err error) Cause {
	switch {
	case errors.Is(err, ErrMemoryCap):
		return CauseMemoryCap
	case errors.Is(err, ErrDeadline):
		return CauseDeadline
	case errors.Is(err, ErrTrap):
		return CauseTrap
	}
	return CauseNone
}

// Label is the cause as a metric label value: memory_cap, deadline, trap.
func (c Cause) Label() string { return causeNames[c][0] }

// String is the cause for logs: "memory cap", "deadline", "trap".
func (c Cause) String() string { return causeNames[c][1] }

// outOfMemory reports whether a trapped module's stderr is the Go
// runtime's report of a failed allocation (memory.grow refused at the cap).
func outOfMemory(stderr string) bool {
	return strings.Contains(stderr, "fatal error: out of memory") || strings.HasPrefix(stderr, "runtime: out of memory")
}
