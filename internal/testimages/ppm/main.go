// Command ppm writes testimages.Picture as a binary PPM to stdout (the
// input of cjpeg for the committed progressive JPEG files).
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/ogmint/ogmint/internal/testimages"
)

func main() {
	img := testimages.Picture()
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "P6\n%d %d\n255\n", img.Rect.Dx(), img.Rect.Dy())
	for i := 0; i < len(img.Pix); i += 4 {
		w.Write(img.Pix[i : i+3])
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
