// Package fontcat builds the host's catalogue of fallback font families
// (wasm/fonts.Catalog): the families of templates/fontpack (world scripts,
// CJK, colour emoji) and, after them, every font file of an operator's
// directory (OGMINT_FONTS_DIR). The render pool hands an instance the
// families its text needs (see wasm/abi and host/renderpool).
package fontcat

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/fonts"
)

// Load builds the catalogue: the fontpack's families, then those of the font
// files in dir ("" = none; see ReadDir). Every family is parsed and packed
// once, here.
func Load(dir string) (*fonts.Catalog, error) {
	builtin, err := fontpack.Builtin()
	if err != nil {
		return nil, err
	}
	files, err := fontpack.Files()
	if err != nil {
		return nil, err
	}
	if dir != "" {
		more, err := ReadDir(dir)
		if err != nil {
			return nil, err
		}
		files = append(files, more...)
	}
	return New(builtin, files)
}

// New is fonts.NewCatalog with the checks a host needs at start-up: family
// names are unique (they label metrics) and every packed family fits
// ogmint_font (abi.MaxFontBytes).
func New(builtin fonts.Ranges, files []fonts.Files) (*fonts.Catalog, error) {
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f.Name] {
			return nil, fmt.Errorf("fallback fonts: two families are named %q", f.Name)
		}
		seen[f.Name] = true
	}
	cat, err := fonts.NewCatalog(builtin, files)
	if err != nil {
		return nil, fmt.Errorf("fallback fonts: %w", err)
	}
	for i, f := range cat.Families {
		if n := len(cat.Packed(i)); n > abi.MaxFontBytes {
			return nil, fmt.Errorf("fallback fonts: family %s is %d bytes packed; the render module takes at most %d", f.Name, n, abi.MaxFontBytes)
		}
	}
	return cat, nil
}

// Extensions are the font files ReadDir takes (case-insensitive).
var Extensions = []string{".ttf", ".otf", ".ttc", ".woff", ".woff2"}

// ReadDir reads every font file of dir (not its subdirectories) as one
// fallback family each, in file name order. A family is named after its
// file, without the extension and a "-Regular" suffix; a "<stem>-Bold"
// file is the bold of "<stem>" or "<stem>-Regular" when that file is there
// (else a family of its own). Other files are ignored. A WOFF2 file (by its
// signature, whatever its name) is decoded to TrueType/OpenType here
// (DecodeWOFF2), so the render module gets a font it parses. A font file
// that does not decode or parse is an error naming the file.
func ReadDir(dir string) ([]fonts.Files, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("fonts dir: %w", err)
	}
	type file struct{ name, stem string }
	var list []file
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		ext := strings.ToLower(filepath.Ext(name))
		for _, x := range Extensions {
			if ext == x {
				list = append(list, file{name, strings.TrimSuffix(name, filepath.Ext(name))})
				break
			}
		}
	}
	read := func(f file) ([]byte, error) {
		path := filepath.Join(dir, f.name)
		b, err := os.ReadFile(path)
		if err == nil && IsWOFF2(b) {
			b, err = DecodeWOFF2(b)
		}
		if err == nil {
			_, err = fonts.Parse(b)
		}
		if err != nil {
			return nil, fmt.Errorf("fonts dir: %s: %w", path, err)
		}
		return b, nil
	}
	// A bold file pairs with its regular when one is there.
	stems := map[string]int{}
	for i, f := range list {
		stems[f.stem] = i
	}
	boldOf := map[int]int{} // regular index -> bold index
	paired := map[int]bool{}
	for i, f := range list {
		base, ok := strings.CutSuffix(f.stem, "-Bold")
		if !ok {
			continue
		}
		for _, s := range []string{base, base + "-Regular"} {
			if r, ok := stems[s]; ok {
				if _, taken := boldOf[r]; !taken {
					boldOf[r], paired[i] = i, true
				}
				break
			}
		}
	}
	var out []fonts.Files
	for i, f := range list {
		if paired[i] {
			continue
		}
		reg, err := read(f)
		if err != nil {
			return nil, err
		}
		ff := fonts.Files{Name: strings.TrimSuffix(f.stem, "-Regular"), Regular: reg}
		if ff.Name == "" {
			ff.Name = f.stem
		}
		if b, ok := boldOf[i]; ok {
			if ff.Bold, err = read(list[b]); err != nil {
				return nil, err
			}
		}
		out = append(out, ff)
	}
	return out, nil
}

// Size is the total size of the catalogue's packed families: what an
// instance holds once it has been handed every family.
func Size(cat *fonts.Catalog) int {
	if cat == nil {
		return 0
	}
	n := 0
	for i := range cat.Families {
		n += len(cat.Packed(i))
	}
	return n
}

// Names lists the catalogue's family names, in its order.
func Names(cat *fonts.Catalog) []string {
	if cat == nil {
		return nil
	}
	out := make([]string, len(cat.Families))
	for i, f := range cat.Families {
		out[i] = f.Name
	}
	return out
}
