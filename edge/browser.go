// Package edge embeds the edge adapter's ES modules that also run in a
// browser, for the host's playground (host/pages): module.js (the ABI),
// wasi.js (the WASI shim it imports) and fonts.js (the fallback font
// manifest and store). They use Web APIs only, so the page imports the
// same files workerd and Deno run, served as they are: no copy to keep in
// step. The rest of edge/ is JavaScript and has no Go code.
package edge

import "embed"

// Browser holds src/module.js, src/wasi.js and src/fonts.js.
//
//go:embed src/module.js src/wasi.js src/fonts.js
var Browser embed.FS
