// Package fontpack holds the fallback font families for world scripts and
// emoji, in priority order. They are too large for the render module (a CJK
// font alone is 4 MB): the host embeds them and hands a module the families
// its text needs (see wasm/fonts and wasm/abi). Licences sit next to the
// files: Noto (OFL-1.1), Noto Color Emoji (OFL-1.1), Droid Sans Fallback
// (Apache-2.0), NanumSquare (OFL-1.1), all from Debian's packages.
package fontpack

import (
	"embed"
	"fmt"
	"slices"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/fonts"
)

//go:embed *.ttf
var files embed.FS

// Entry is one family and its files in this directory.
type Entry struct {
	Name          string
	Regular, Bold string // file names; Bold "" when the family has none
	License       string
}

// Entries lists the families in fallback order: scripts with one font
// first, then the CJK font (Han and kana), then Hangul, then emoji.
var Entries = []Entry{
	{"Noto Sans Arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "LICENSE-Noto.txt"},
	{"Noto Sans Hebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf", "LICENSE-Noto.txt"},
	{"Noto Sans Devanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf", "LICENSE-Noto.txt"},
	{"Noto Sans Bengali", "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf", "LICENSE-Noto.txt"},
	{"Noto Sans Tamil", "NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf", "LICENSE-Noto.txt"},
	{"Noto Sans Thai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf", "LICENSE-Noto.txt"},
	{"Noto Sans Armenian", "NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Bold.ttf", "LICENSE-Noto.txt"},
	{"Noto Sans Georgian", "NotoSansGeorgian-Regular.ttf", "NotoSansGeorgian-Bold.ttf", "LICENSE-Noto.txt"},
	{"Droid Sans Fallback", "DroidSansFallbackFull.ttf", "", "LICENSE-DroidSansFallback.txt"},
	{"NanumSquare", "NanumSquareR.ttf", "NanumSquareB.ttf", "LICENSE-Nanum.txt"},
	{"Noto Color Emoji", "NotoColorEmoji.ttf", "", "LICENSE-NotoColorEmoji.txt"},
	// Template families kept out of the render module (fonts.json "pack"):
	// last, so they own only what no script family draws.
	{"DejaVu Serif", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "LICENSE-DejaVu.txt"},
	{"JetBrains Mono", "JetBrainsMono-Regular.ttf", "JetBrainsMono-Bold.ttf", "LICENSE-JetBrainsMono.txt"},
}

// Files returns the families' font files in fallback order; a template
// family (fonts.json "pack") carries its token (fonts.FamilyToken).
func Files() ([]fonts.Files, error) {
	set, err := templates.Load()
	if err != nil {
		return nil, err
	}
	var out []fonts.Files
	for _, e := range Entries {
		reg, err := files.ReadFile(e.Regular)
		if err != nil {
			return nil, err
		}
		var bold []byte
		if e.Bold != "" {
			if bold, err = files.ReadFile(e.Bold); err != nil {
				return nil, err
			}
		}
		ff := fonts.Files{Name: e.Name, Regular: reg, Bold: bold}
		if i := slices.Index(set.FamilyNames(), e.Name); i >= 0 {
			ff.Token = fonts.FamilyToken(i)
		}
		out = append(out, ff)
	}
	return out, nil
}

// NewCatalog is the catalogue of these families behind the ones inside the
// render module (Builtin): which runes each owns, and each packed for a
// module.
func NewCatalog() (*fonts.Catalog, error) {
	builtin, err := Builtin()
	if err != nil {
		return nil, err
	}
	files, err := Files()
	if err != nil {
		return nil, err
	}
	return fonts.NewCatalog(builtin, files)
}

// Builtin returns the runes the families inside the render module draw
// (templates.Load's families that are not "pack", regular and bold): no
// fallback family owns them.
func Builtin() (fonts.Ranges, error) {
	set, err := templates.Load()
	if err != nil {
		return nil, err
	}
	var builtin fonts.Ranges
	for _, name := range set.FamilyNames() {
		fam := set.Families[name]
		if fam.Pack {
			continue
		}
		for _, file := range []string{fam.Regular, fam.Bold} {
			b, err := templates.FontFile(file)
			if err != nil {
				return nil, err
			}
			f, err := fonts.Parse(b)
			if err != nil {
				return nil, fmt.Errorf("built-in font %s: %w", file, err)
			}
			builtin = builtin.Union(fonts.Coverage(f))
		}
	}
	return builtin, nil
}
