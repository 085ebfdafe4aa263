package suite

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
)

// APIKeys: PutAPIKey inserts or updates (keeping CreatedAt); a hash taken
// by another key is refused; APIKeys lists them by ID.
func APIKeys(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.open(t)
	if ks, err := s.APIKeys(ctx); err != nil || len(ks) != 0 {
		t.Fatalf("no keys: %v, %v", ks, err)
	}
	if err := s.PutAPIKey(ctx, store.APIKey{ID: "key_b", Hash: hashOf("sk_b"), Name: "B"}); err != nil {
		t.Fatal(err)
	}
	created := t0.Add(-time.Hour)
	if err := s.PutAPIKey(ctx, store.APIKey{ID: "key_a", Hash: hashOf("sk_a"), Name: "A", CreatedAt: created}); err != nil {
		t.Fatal(err)
	}
	// Rename/rotate key_a: CreatedAt stays.
	if err := s.PutAPIKey(ctx, store.APIKey{ID: "key_a", Hash: hashOf("sk_a2"), Name: "A2"}); err != nil {
		t.Fatal(err)
	}
	// Unchanged: fine.
	if err := s.PutAPIKey(ctx, store.APIKey{ID: "key_b", Hash: hashOf("sk_b"), Name: "B"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAPIKey(ctx, store.APIKey{ID: "key_c", Hash: hashOf("sk_b")}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("duplicate hash: %v", err)
	}
	if err := s.PutAPIKey(ctx, store.APIKey{Hash: hashOf("sk_d")}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no ID: %v", err)
	}
	// IDs sort by bytes: "key_B" before "key_a".
	if err := s.PutAPIKey(ctx, store.APIKey{ID: "key_B", Hash: hashOf("sk_B"), Name: "upper"}); err != nil {
		t.Fatal(err)
	}
	ks, err := s.APIKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.APIKey{
		{ID: "key_B", Hash: hashOf("sk_B"), Name: "upper", CreatedAt: t0},
		{ID: "key_a", Hash: hashOf("sk_a2"), Name: "A2", CreatedAt: created},
		{ID: "key_b", Hash: hashOf("sk_b"), Name: "B", CreatedAt: t0},
	}
	if !slices.Equal(ks, want) {
		t.Errorf("APIKeys = %+v, want %+v", ks, want)
	}
}
