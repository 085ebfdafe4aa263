package store

import (
	"os"
	"testing"

	"github.com/ogmint/ogmint/host/store/storetest"
)

// TestMain stops the throwaway PostgreSQL the Postgres tests start (once
// for the whole binary) when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	storetest.StopPostgres()
	os.Exit(code)
}
