package apikeys

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLookup(t *testing.T) {
	s, err := New([]string{"first-key-0123456789", " second-key-0123456789 ", "first-key-0123456789"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 2 {
		t.Fatalf("duplicates kept: %d keys", s.Len())
	}
	for _, tc := range []struct {
		presented string
		ok        bool
	}{
		{"first-key-0123456789", true},
		{"second-key-0123456789", true},
		{"first-key-012345678", false},
		{"", false},
		{"FIRST-KEY-0123456789", false},
	} {
		k, ok := s.Lookup([]byte(tc.presented))
		if ok != tc.ok {
			t.Errorf("Lookup(%q) = %v, want %v", tc.presented, ok, tc.ok)
		}
		if ok && (k.ID == "" || k.ID[:4] != "key_") {
			t.Errorf("Lookup(%q) ID %q", tc.presented, k.ID)
		}
	}
	a, _ := s.Lookup([]byte("first-key-0123456789"))
	b, _ := s.Lookup([]byte("second-key-0123456789"))
	if a.ID == b.ID {
		t.Error("two keys share an ID")
	}
}

func TestShortKeyRejected(t *testing.T) {
	if _, err := New([]string{"short"}, "env"); err == nil {
		t.Fatal("a 5-character key was accepted")
	}
}

func TestDevKeyPersists(t *testing.T) {
	dir := t.TempDir()
	k1, created, err := DevKey(dir)
	if err != nil || !created || len(k1) < MinLength {
		t.Fatalf("first DevKey: %q %v %v", k1, created, err)
	}
	k2, created, err := DevKey(dir)
	if err != nil || created || k2 != k1 {
		t.Fatalf("second DevKey: %q %v %v, want %q", k2, created, err, k1)
	}
	st, err := os.Stat(filepath.Join(dir, DevKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("dev key file mode: %v %v", st.Mode(), err)
	}
}

func TestReadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(p, []byte("# comment\n\nkey-one-0123456789abcdef\n  key-two-0123456789abcdef  \n"), 0o600)
	keys, err := ReadFile(p)
	if err != nil || len(keys) != 2 || keys[1] != "key-two-0123456789abcdef" {
		t.Fatalf("ReadFile: %q %v", keys, err)
	}
}
