package renderpool

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tetratelabs/wazero/sys"

	"github.com/ogmint/ogmint/wasm/abi"
)

// TestCauseOf: a failed call is classified by what wazero returned and what
// the module wrote to stderr: the Go runtime's out-of-memory report is the
// memory cap (still an ErrTrap), a deadline exit or context deadline is the
// deadline, anything else a trap; errors that keep the instance have no
// cause.
func TestCauseOf(t *testing.T) {
	const oom = "runtime: out of memory: cannot allocate 209715200-byte block (20283392 in use)\nfatal error: out of memory"
	unreachable := errors.New("wasm error: unreachable")
	for _, tc := range []struct {
		name   string
		err    error
		stderr string
		want   error
		cause  Cause
	}{
		{"deadline exit", sys.NewExitError(sys.ExitCodeDeadlineExceeded), "", ErrDeadline, CauseDeadline},
		{"context deadline", fmt.Errorf("closed: %w", context.DeadlineExceeded), "", ErrDeadline, CauseDeadline},
		{"out of memory", unreachable, oom, ErrMemoryCap, CauseMemoryCap},
		{"out of memory, exit", sys.NewExitError(2), "fatal error: out of memory\n\ngoroutine 1 [running]:", ErrMemoryCap, CauseMemoryCap},
		{"panic", unreachable, "panic: runtime error: index out of range [3] with length 3", ErrTrap, CauseTrap},
		{"out of bounds", errors.New("wasm error: out of bounds memory access"), "", ErrTrap, CauseTrap},
		{"stack overflow", unreachable, "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow", ErrTrap, CauseTrap},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &instance{stderr: newHeadBuffer(stderrHead)}
			in.stderr.Write([]byte(tc.stderr))
			err := in.callError(abi.ExportRender, tc.err)
			if !errors.Is(err, tc.want) || !errors.Is(err, tc.err) {
				t.Fatalf("err %v: want it to wrap %v and %v", err, tc.want, tc.err)
			}
			if tc.want == ErrMemoryCap && !errors.Is(err, ErrTrap) {
				t.Errorf("a memory cap error is not an ErrTrap")
			}
			if got := CauseOf(err); got != tc.cause {
				t.Errorf("CauseOf = %v, want %v", got, tc.cause)
			}
		})
	}
	for _, err := range []error{nil, ErrQueueFull, ErrClosed, ErrImageRefused, &ModuleError{Status: abi.StatusInvalid}, context.Canceled} {
		if c := CauseOf(err); c != CauseNone {
			t.Errorf("CauseOf(%v) = %v, want none", err, c)
		}
	}
	for c, want := range map[Cause][2]string{CauseMemoryCap: {"memory_cap", "memory cap"}, CauseDeadline: {"deadline", "deadline"}, CauseTrap: {"trap", "trap"}} {
		if c.Label() != want[0] || c.String() != want[1] {
			t.Errorf("cause %d: label %q, text %q; want %q", c, c.Label(), c.String(), want)
		}
	}
}
