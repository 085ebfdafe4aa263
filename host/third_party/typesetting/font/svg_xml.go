// SPDX-License-Identifier: Unlicense OR BSD-3-Clause

//go:build !wasm

package font

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"io"
)

// ogmint patch 11: this file is left out of WebAssembly builds (see
// svg_wasm.go).

// svgNamespace is the namespace of SVG elements.
const svgNamespace = "http://www.w3.org/2000/svg"

// svgRootAttributes returns the raw viewBox, width and height attribute
// values of the root element of the XML document [doc], or false if the
// document has no root element or if it is not an svg element.
func svgRootAttributes(doc []byte) (viewBox, width, height string, ok bool) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil { // includes io.EOF, i.e. no root element
			return "", "", "", false
		}
		if start, isStart := tok.(xml.StartElement); isStart {
			root = start
			break
		}
	}
	// A missing namespace is tolerated, but a foreign one is rejected.
	if root.Name.Local != "svg" || (root.Name.Space != "" && root.Name.Space != svgNamespace) {
		return "", "", "", false
	}
	for _, attr := range root.Attr {
		switch attr.Name.Local {
		case "viewBox":
			viewBox = attr.Value
		case "width":
			width = attr.Value
		case "height":
			height = attr.Value
		}
	}
	return viewBox, width, height, true
}

// inflateSVG returns an SVG document stored gzip-compressed uncompressed,
// others as they are.
func inflateSVG(data []byte) []byte {
	if r, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, r); err == nil {
			return buf.Bytes()
		}
	}
	return data
}
