// Package benchframe renders benchmark card 1 (internal/benchcard) natively
// with the render module's own code, once per process: the frame the PNG
// and image-format tests and benchmarks encode.
package benchframe

import (
	"fmt"
	"sync"

	"github.com/ogmint/ogmint/internal/benchcard"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
)

var (
	once sync.Once
	pix  []byte
	err  error
)

// Pixels returns the card's RGBA frame (abi.Width x abi.Height). Callers
// must not change it.
func Pixels() ([]byte, error) {
	once.Do(func() {
		m, e := module.New()
		if e != nil {
			err = e
			return
		}
		q := benchcard.Query(1)
		n := copy(m.Request(len(q)), q)
		if st := m.Render(n); st != abi.StatusOK {
			err = fmt.Errorf("benchframe: render: %s: %s", st, m.Output())
			return
		}
		pix = append([]byte(nil), m.Pixels()...)
	})
	return pix, err
}
