package render_test

import (
	"bytes"
	"os"
	"testing"

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
	if st := m.Render(n); st != abi.StatusOK {
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
