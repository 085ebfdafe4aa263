package store

import (
	"context"
	"errors"
	"fmt"
	"github.com/ogmint/ogmint/host/store/storetest"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestIsFull(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"ENOSPC", syscall.ENOSPC, true},
		{"EDQUOT", syscall.EDQUOT, true},
		{"ENOSPC in a PathError", &fs.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, true},
		{"wrapped EDQUOT", fmt.Errorf("store: commit: %w", &fs.PathError{Op: "write", Err: syscall.EDQUOT}), true},
		{"EACCES", &fs.PathError{Op: "open", Path: "x", Err: syscall.EACCES}, false},
		{"not found", ErrNotFound, false},
		{"message only", errors.New("no space left on device"), false}, // codes, not strings
	} {
		if got := isFull(tc.err); got != tc.want {
			t.Errorf("%s: isFull = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestDiskFull fills a real (tmpfs) file system under a store: a write
// fails with ErrNoSpace (SQLITE_FULL underneath), Writable reports it,
// reads go on, and after the space is freed the same store writes again
// and Writable clears, without reopening it.
func TestDiskFull(t *testing.T) {
	dir := storetest.MountTmpfs(t, 4<<20)
	ctx := context.Background()
	s := openTest(t, dir)
	s.space.every = 50 * time.Millisecond
	before, _ := mustCreate(t, s, newRender("before00", "k1", "before"), false)
	key := APIKey{ID: "k1", Hash: hashOf("k1"), Name: "config"}
	if err := s.PutAPIKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := s.Writable(ctx); err != nil {
		t.Fatalf("Writable on an empty disk: %v", err)
	}

	filler := storetest.FillDisk(t, dir)
	r := newRender("full0000", "k1", "full")
	r.PNG = pngBytes(7, 64<<10)
	_, _, err := s.CreateRender(ctx, r, nil)
	t.Logf("CreateRender on a full disk: %v", err)
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("CreateRender on a full disk: %v, want ErrNoSpace", err)
	}
	if err := s.Writable(ctx); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Writable after a failed write: %v, want ErrNoSpace", err)
	}
	time.Sleep(2 * s.space.every)
	if err := s.Writable(ctx); !errors.Is(err, ErrNoSpace) { // the probe agrees
		t.Fatalf("Writable (probe) on a full disk: %v, want ErrNoSpace", err)
	}
	if png, err := s.Image(ctx, before.Slug); err != nil || len(png) != len(before.PNG) {
		t.Fatalf("Image on a full disk: %d bytes, %v", len(png), err)
	}
	if _, err := s.RenderByDedup(ctx, "k1", r.DedupHash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the failed render was stored: %v", err)
	}
	// A restart on the full disk: opening and storing the same keys write nothing.
	again, err := OpenSQLite(ctx, dir, Options{})
	if err != nil {
		t.Fatalf("OpenSQLite on a full disk: %v", err)
	}
	defer again.Close()
	if err := again.PutAPIKey(ctx, key); err != nil {
		t.Fatalf("PutAPIKey of an unchanged key on a full disk: %v", err)
	}
	key.Name = "renamed"
	if err := again.PutAPIKey(ctx, key); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("PutAPIKey of a changed key on a full disk: %v, want ErrNoSpace", err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * s.space.every)
	if err := s.Writable(ctx); err != nil {
		t.Fatalf("Writable after freeing space: %v", err)
	}
	if _, created, err := s.CreateRender(ctx, r, nil); err != nil || !created {
		t.Fatalf("CreateRender after freeing space: created %v, %v", created, err)
	}
	if png, err := s.Image(ctx, r.Slug); err != nil || len(png) != len(r.PNG) {
		t.Fatalf("Image of the render stored after recovery: %d bytes, %v", len(png), err)
	}
}

// TestWritableProbeFindsAFullDisk: with no write failing first, the
// readiness probe itself sees the full disk, at most once per interval.
func TestWritableProbeFindsAFullDisk(t *testing.T) {
	dir := storetest.MountTmpfs(t, 2<<20)
	ctx := context.Background()
	s := openTest(t, dir)
	s.space.every = time.Hour
	if err := s.Writable(ctx); err != nil {
		t.Fatalf("Writable: %v", err)
	}
	filler := storetest.FillDisk(t, dir)
	if err := s.Writable(ctx); err != nil {
		t.Fatalf("Writable probed again within its interval: %v", err)
	}
	s.space.every = time.Nanosecond
	if err := s.Writable(ctx); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Writable on a full disk: %v, want ErrNoSpace", err)
	}
	if _, err := os.Stat(filepath.Join(dir, spaceProbeFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("probe file left behind: %v", err)
	}
	os.Remove(filler)
	if err := s.Writable(ctx); err != nil {
		t.Fatalf("Writable after freeing space: %v", err)
	}
}
