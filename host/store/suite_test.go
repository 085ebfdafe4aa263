package store_test

import (
	"context"
	"testing"

	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/store/storetest/suite"
)

// TestSQLiteSuite runs the implementation-independent suite (templates and
// fonts) on SQLite, a new database per test.
func TestSQLiteSuite(t *testing.T) {
	suite.Run(t, func(t *testing.T) store.Store {
		s, err := store.OpenSQLite(context.Background(), t.TempDir(), store.Options{})
		if err != nil {
			t.Fatalf("OpenSQLite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
