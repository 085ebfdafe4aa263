// Command edgefonts writes the fallback font families (templates/fontpack)
// for the edge adapter (edge/), which hands them to the render module on
// demand (ABI v2, wasm/abi):
//
//	go run ./internal/cmd/edgefonts -out DIR
//
// DIR/<index>.ogf is family index packed for ogmint_font (fonts.Family.Pack),
// and DIR/manifest.json lists the families in catalogue order:
//
//	{"families":[{"name":"Noto Sans Arabic","file":"0.ogf","bytes":123,"ranges":[[1536,1791],...]},...]}
//
// ranges are the runes each family owns (fonts.Catalog: its coverage minus
// the built-in families' and earlier families'), inclusive and sorted. Which
// family owns a rune is decided here, in Go; the adapter only looks runes up.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ogmint/ogmint/templates/fontpack"
)

type family struct {
	Name   string     `json:"name"`
	File   string     `json:"file"`
	Bytes  int        `json:"bytes"`
	Ranges [][2]int32 `json:"ranges"`
}

func main() {
	out := flag.String("out", "", "directory to write manifest.json and the packed families into (created)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: edgefonts -out DIR")
		os.Exit(2)
	}
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "edgefonts:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	cat, err := fontpack.NewCatalog()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var m struct {
		Families []family `json:"families"`
	}
	for i, f := range cat.Families {
		b := cat.Packed(i)
		fam := family{Name: f.Name, File: fmt.Sprintf("%d.ogf", i), Bytes: len(b), Ranges: [][2]int32{}}
		for _, r := range f.Owns {
			fam.Ranges = append(fam.Ranges, [2]int32{r.Lo, r.Hi})
		}
		if err := os.WriteFile(filepath.Join(dir, fam.File), b, 0o644); err != nil {
			return err
		}
		m.Families = append(m.Families, fam)
	}
	j, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), append(j, '\n'), 0o644)
}
