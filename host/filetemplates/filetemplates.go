// Package filetemplates loads custom templates kept as files (for teams who
// keep their templates in git): every <name>.json in a directory is the
// template custom_<name>, validated like an uploaded one. Its version is
// derived from its bytes, so editing a file changes every cache key and
// ETag of its cards without anyone bumping a number.
package filetemplates

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
)

// Template is one file's template.
type Template struct {
	Name     string // custom_<file name without .json>
	Version  int    // from the file's bytes (ContentVersion)
	JSON     []byte
	Template *templates.Template // parsed; Name and Version set as above
}

// Limits bound a directory.
type Limits struct {
	MaxFiles int // default 256
	MaxBytes int // per file; default 2 MiB, at most abi.MaxTemplateBytes
}

// nameRE is what a file's base name may be.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// ContentVersion is the version of a template file with these bytes: the
// first 31 bits of their SHA-256, plus one (never 0).
func ContentVersion(b []byte) int {
	sum := sha256.Sum256(b)
	return int(binary.BigEndian.Uint32(sum[:4])>>1) + 1
}

// Load reads every *.json file in dir. Any invalid file fails the load,
// naming the file and every problem, so a bad commit is caught at start.
func Load(dir string, lim Limits) (map[string]*Template, error) {
	if lim.MaxFiles <= 0 {
		lim.MaxFiles = 256
	}
	if lim.MaxBytes <= 0 || lim.MaxBytes > abi.MaxTemplateBytes {
		lim.MaxBytes = min(2<<20, abi.MaxTemplateBytes)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("templates dir: %w", err)
	}
	if len(paths) > lim.MaxFiles {
		return nil, fmt.Errorf("templates dir %s: %d files, at most %d", dir, len(paths), lim.MaxFiles)
	}
	sort.Strings(paths)
	out := map[string]*Template{}
	for _, path := range paths {
		base := strings.TrimSuffix(filepath.Base(path), ".json")
		if !nameRE.MatchString(base) {
			return nil, fmt.Errorf("%s: the file name must be 1-32 of [a-z0-9_-] then .json (it names the template custom_<name>)", path)
		}
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if st.Size() > int64(lim.MaxBytes) {
			return nil, fmt.Errorf("%s: %d bytes, at most %d", path, st.Size(), lim.MaxBytes)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		t, err := templates.ParseWith(b, templates.Options{Custom: true, Limits: templates.Limits{MaxBytes: lim.MaxBytes}})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		name := "custom_" + base
		t.Name, t.Version = name, ContentVersion(b)
		out[name] = &Template{Name: name, Version: t.Version, JSON: b, Template: t}
	}
	return out, nil
}
