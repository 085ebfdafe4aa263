package renderpool

import (
	"strings"
	"testing"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// TestRoomForKeepsTheReserve: a start-up file is written only when the
// disk keeps diskReserve free after it, so it cannot take the space the
// store needs (the snapshot is written while the store takes its first
// writes).
func TestRoomForKeepsTheReserve(t *testing.T) {
	small := storetest.MountTmpfs(t, 80<<20)
	for _, tc := range []struct {
		name    string
		dir     string
		size    uint64
		wantErr bool
	}{
		{"fits above the reserve", small, 8 << 20, false},
		{"would eat into the reserve", small, 24 << 20, true},
		{"directory not made yet", small + "/snapshots/x", 24 << 20, true},
		{"large disk", t.TempDir(), 1 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := roomFor(tc.dir, tc.size)
			if (err != nil) != tc.wantErr {
				t.Fatalf("roomFor(%s, %d MiB) = %v, want error %v", tc.dir, tc.size>>20, err, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "MiB free") {
				t.Fatalf("error %q does not say the free space", err)
			}
		})
	}
}
