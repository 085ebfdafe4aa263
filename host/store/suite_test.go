package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/store/storetest"
	"github.com/ogmint/ogmint/host/store/storetest/suite"
)

// TestSQLiteSuite runs the implementation-independent suite on SQLite: a
// new data directory per test; Again opens the same directory again.
func TestSQLiteSuite(t *testing.T) {
	open := func(t *testing.T, dir string, now func() time.Time) store.Store {
		s, err := store.OpenSQLite(context.Background(), dir, store.Options{Now: now})
		if err != nil {
			t.Fatalf("OpenSQLite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	suite.Run(t, suite.Backend{
		Open: func(t *testing.T, now func() time.Time) store.Store { return open(t, t.TempDir(), now) },
		Again: func(t *testing.T, s store.Store, now func() time.Time) store.Store {
			return open(t, filepath.Dir(s.(*store.SQLite).Path()), now)
		},
	})
}

// TestPostgresSuite runs the suite on PostgreSQL: a new database per test
// on the throwaway server (storetest.StartPostgres); Again opens another
// pool on the same database, as a second host would.
func TestPostgresSuite(t *testing.T) {
	storetest.StartPostgres(t) // skips the suite, saying why, where no server can run
	var urls sync.Map          // store.Store -> its database's URL
	open := func(t *testing.T, url string, now func() time.Time) store.Store {
		s, err := store.OpenPostgres(context.Background(), url, store.PostgresOptions{Now: now})
		if err != nil {
			t.Fatalf("OpenPostgres: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		urls.Store(store.Store(s), url)
		return s
	}
	suite.Run(t, suite.Backend{
		Open: func(t *testing.T, now func() time.Time) store.Store { return open(t, storetest.StartPostgres(t), now) },
		Again: func(t *testing.T, s store.Store, now func() time.Time) store.Store {
			url, ok := urls.Load(s)
			if !ok {
				t.Fatalf("Again: %T %p was not opened by Open", s, s)
			}
			return open(t, url.(string), now)
		},
	})
}
