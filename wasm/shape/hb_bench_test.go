package shape

import (
	"fmt"
	"testing"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"

	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/fonts"
)

// BenchmarkShapeNewWord: HarfBuzz shaping of a word never seen before (a
// cache miss) in Inter Bold, natively.
func BenchmarkShapeNewWord(b *testing.B) {
	data, _ := templates.FontFile("Inter-Bold.otf")
	f, _ := fonts.Parse(data)
	face := font.NewFace(f)
	s := NewShaper(1 << 20)
	i := 0
	for b.Loop() {
		i++
		s.Shape(face, 0, []rune(fmt.Sprintf("%d:", i)), false, language.Latin)
	}
}
