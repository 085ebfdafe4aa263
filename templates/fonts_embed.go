package templates

import _ "embed" // font files as variables: no copy when read

//go:embed fonts/Inter-Regular.otf
var fontInterRegular []byte

//go:embed fonts/Inter-Bold.otf
var fontInterBold []byte

//go:embed fonts/DejaVuSerif.ttf
var fontDejaVuSerif []byte

//go:embed fonts/DejaVuSerif-Bold.ttf
var fontDejaVuSerifBold []byte

//go:embed fonts/JetBrainsMono-Regular.ttf
var fontJetBrainsMonoRegular []byte

//go:embed fonts/JetBrainsMono-Bold.ttf
var fontJetBrainsMonoBold []byte

// fontFiles maps the file names in fonts.json to their bytes.
var fontFiles = map[string][]byte{
	"Inter-Regular.otf":         fontInterRegular,
	"Inter-Bold.otf":            fontInterBold,
	"DejaVuSerif.ttf":           fontDejaVuSerif,
	"DejaVuSerif-Bold.ttf":      fontDejaVuSerifBold,
	"JetBrainsMono-Regular.ttf": fontJetBrainsMonoRegular,
	"JetBrainsMono-Bold.ttf":    fontJetBrainsMonoBold,
}
