//go:build embedwasm

package module

import _ "embed"

// embedded is the module built by `make build` (copied to host/module/ogmint.wasm).
//
//go:embed ogmint.wasm
var embedded []byte
