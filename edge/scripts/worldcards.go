//go:build ignore

// worldcards renders cards natively, as the Go host does, for the edge
// tests' expected images: each case of a cases file with the fallback
// families of templates/fontpack handed over on demand
// (module.RenderWithFonts), or with "fonts": false without any (what the
// module lacks draws as boxes). Run by edge/scripts/fixtures.mjs:
//
//	go run ./edge/scripts/worldcards.go -cases edge/test/fixtures/cases.json -out edge/test/fixtures
//
// Each case gets a fresh module, and <out>/<name>.png its RGBA frame.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
)

type card struct {
	Name  string `json:"name"`
	Query string `json:"query"`
	Fonts *bool  `json:"fonts,omitempty"`
}

func main() {
	casesFile := flag.String("cases", "", "JSON list of {name, query, fonts}")
	out := flag.String("out", "", "directory for <name>.png")
	flag.Parse()
	if err := run(*casesFile, *out); err != nil {
		fmt.Fprintln(os.Stderr, "worldcards:", err)
		os.Exit(1)
	}
}

func run(casesFile, out string) error {
	b, err := os.ReadFile(casesFile)
	if err != nil {
		return err
	}
	var cards []card
	if err := json.Unmarshal(b, &cards); err != nil {
		return err
	}
	cat, err := fontpack.NewCatalog()
	if err != nil {
		return err
	}
	for _, c := range cards {
		m, err := module.New()
		if err != nil {
			return err
		}
		n := copy(m.Request(len(c.Query)), c.Query)
		var st abi.Status
		if c.Fonts == nil || *c.Fonts {
			st = m.RenderWithFonts(n, cat)
		} else if st = m.Render(n); st == abi.StatusNeedFonts {
			st = m.Render(n) // asked once: boxes now
		}
		if st != abi.StatusOK {
			return fmt.Errorf("%s: %s: %s", c.Name, st, m.Output())
		}
		img := &image.RGBA{Pix: m.Pixels(), Stride: abi.Width * 4, Rect: image.Rect(0, 0, abi.Width, abi.Height)}
		f, err := os.Create(filepath.Join(out, c.Name+".png"))
		if err != nil {
			return err
		}
		err = png.Encode(f, img)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
