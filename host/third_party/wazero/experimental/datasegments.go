package experimental

import (
	"context"

	"github.com/tetratelabs/wazero/internal/expctxkeys"
)

// WithoutDataSegments returns a context that makes instantiation leave linear
// memory zero instead of copying the module's active data segments into it,
// for a caller that writes a snapshot of an initialised instance's memory
// right after instantiating (ogmint patch, see PATCHES.md).
func WithoutDataSegments(ctx context.Context) context.Context {
	return context.WithValue(ctx, expctxkeys.SkipDataSegmentsKey{}, struct{}{})
}
