package render_test

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/fonts"

	"github.com/ogmint/ogmint/internal/golden"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
)

// TestGolden renders every golden case natively and compares pixels with the
// stored PNGs (tolerance 0). OGMINT_UPDATE_GOLDEN=1 (make golden) rewrites them.
func TestGolden(t *testing.T) {
	m, err := module.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range golden.Cases(m.Set) {
		t.Run(c.Name, func(t *testing.T) { checkGolden(t, m, c, nil) })
	}
}

// TestGoldenImages renders the avatar and logo cases with the image files in
// the module's slots and compares pixels with the stored PNGs.
func TestGoldenImages(t *testing.T) {
	m, err := module.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range golden.ImageCases(m.Set) {
		t.Run(c.Name, func(t *testing.T) { checkGolden(t, m, c.Case, c.Images) })
	}
}

// checkGolden renders c with images (slot -> file) in m and compares the
// frame with c's golden PNG, or rewrites it when updating.
func checkGolden(t *testing.T, m *module.Module, c golden.Case, images map[int]string) {
	t.Helper()
	n := copy(m.Request(len(c.Query)), c.Query)
	for slot, file := range images {
		b, err := golden.ImageFile(file)
		if err != nil {
			t.Fatal(err)
		}
		copy(m.Image(slot, len(b)), b)
	}
	if st := m.RenderWithFonts(n, catalog(t)); st != abi.StatusOK {
		t.Fatalf("render: %s: %s", st, m.Output())
	}
	if golden.Updating() {
		if err := golden.Save(c.Name, m.Pixels(), abi.Width, abi.Height); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := golden.Load(c.Name)
	if err != nil {
		t.Fatal(err)
	}
	if d := golden.Diff(m.Pixels(), want, abi.Width); d != "" {
		t.Errorf("%s: %s", c.Name, d)
	}
}

var (
	catOnce sync.Once
	cat     *fonts.Catalog
	catErr  error
)

// catalog is the fallback families a host hands to the module.
func catalog(t *testing.T) *fonts.Catalog {
	catOnce.Do(func() { cat, catErr = fontpack.NewCatalog() })
	if catErr != nil {
		t.Fatal(catErr)
	}
	return cat
}

// TestGoldenNFCEqualsNFD: decomposed text (NFD) is normalised before it is
// set, so it draws exactly as composed text does.
func TestGoldenNFCEqualsNFD(t *testing.T) {
	nfc, err := golden.Load("world-vi")
	if err != nil {
		t.Fatal(err)
	}
	nfd, err := golden.Load("world-vi-nfd")
	if err != nil {
		t.Fatal(err)
	}
	if d := golden.Diff(nfd, nfc, abi.Width); d != "" {
		t.Fatalf("NFD and NFC Vietnamese differ: %s", d)
	}
}

// TestGoldenCasesFile keeps testdata/cases.json (read by the edge tests) in
// step with golden.Cases.
func TestGoldenCasesFile(t *testing.T) {
	m, err := module.New()
	if err != nil {
		t.Fatal(err)
	}
	want := golden.CasesJSON(golden.Cases(m.Set))
	if golden.Updating() {
		if err := os.WriteFile(golden.CasesFile(), want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(golden.CasesFile())
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s is stale or missing (%v): run make golden", golden.CasesFile(), err)
	}
}
