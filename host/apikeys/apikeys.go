// Package apikeys holds the V2 API keys: loaded from configuration (a list
// and/or a key file) or, when none is configured, a development key that is
// generated once, kept in the data directory and printed at start. Keys are
// kept only as SHA-256 digests and compared in constant time.
package apikeys

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Key is one configured key, without its secret.
type Key struct {
	ID   string   // "key_" + 12 hex chars of the digest: stable, safe to log
	Hash [32]byte // SHA-256 of the key
	Name string   // where it came from
}

// Set is an immutable set of keys, safe for concurrent use.
type Set struct{ keys []Key }

// MinLength is the shortest key accepted from configuration.
const MinLength = 16

// DevKeyFile is the file in the data directory that holds the development key.
const DevKeyFile = "dev-api-key"

// IDOf returns the stable ID of a key.
func IDOf(hash [32]byte) string { return "key_" + hex.EncodeToString(hash[:6]) }

// New builds a set from plain keys.
func New(keys []string, name string) (*Set, error) {
	s := &Set{}
	seen := map[[32]byte]bool{}
	for i, k := range keys {
		k = strings.TrimSpace(k)
		if len(k) < MinLength {
			return nil, fmt.Errorf("apikeys: %s key #%d is shorter than %d characters", name, i+1, MinLength)
		}
		h := sha256.Sum256([]byte(k))
		if seen[h] {
			continue
		}
		seen[h] = true
		s.keys = append(s.keys, Key{ID: IDOf(h), Hash: h, Name: name})
	}
	return s, nil
}

// ReadFile reads one key per line (blank lines and # comments skipped).
func ReadFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		keys = append(keys, line)
	}
	return keys, sc.Err()
}

// DevKey returns the development key kept in dataDir, generating and storing
// it (mode 0600) on first use. created reports a new key.
func DevKey(dataDir string) (key string, created bool, err error) {
	path := filepath.Join(dataDir, DevKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		if k := strings.TrimSpace(string(b)); len(k) >= MinLength {
			return k, false, nil
		}
		return "", false, fmt.Errorf("apikeys: %s is malformed; delete it to generate a new key", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", false, err
	}
	key = "ogm_dev_" + hex.EncodeToString(raw[:])
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(key+"\n"), 0o600); err != nil {
		return "", false, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", false, err
	}
	return key, true, nil
}

// Lookup returns the key matching the presented secret. Every configured
// digest is compared, in constant time, whatever matches.
func (s *Set) Lookup(presented []byte) (Key, bool) {
	h := sha256.Sum256(presented)
	match := -1
	for i := range s.keys {
		if subtle.ConstantTimeCompare(h[:], s.keys[i].Hash[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return Key{}, false
	}
	return s.keys[match], true
}

// Keys lists the keys (no secrets).
func (s *Set) Keys() []Key { return append([]Key(nil), s.keys...) }

// Len is the number of keys.
func (s *Set) Len() int { return len(s.keys) }
