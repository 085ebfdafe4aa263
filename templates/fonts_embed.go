package templates

import _ "embed" // font files as variables: no copy when read

//go:embed fonts/Inter-Regular.otf
var fontInterRegular []byte

//go:embed fonts/Inter-Bold.otf
var fontInterBold []byte

// fontFiles maps the file names in fonts.json to their bytes.
var fontFiles = map[string][]byte{
	"Inter-Regular.otf": fontInterRegular,
	"Inter-Bold.otf":    fontInterBold,
}
