package templates

import (
	"regexp"
	"slices"
	"testing"
)

// The hand matchers agree with the regular expressions they replace.
var (
	templateNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	assetNameRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	fieldNameRE    = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,31}$`)
	placeholderRE  = regexp.MustCompile(`\{([a-zA-Z][a-zA-Z0-9]*)\}`)
)

func placeholdersRE(text string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

func checkNames(t *testing.T, s string) {
	for _, c := range []struct {
		name string
		re   *regexp.Regexp
		fn   func(string) bool
	}{{"template", templateNameRE, isTemplateName}, {"asset", assetNameRE, isAssetName}, {"field", fieldNameRE, isFieldName}} {
		if got, want := c.fn(s), c.re.MatchString(s); got != want {
			t.Errorf("%s name %q: %v, regexp says %v", c.name, s, got, want)
		}
	}
	if got, want := Placeholders(s), placeholdersRE(s); !slices.Equal(got, want) {
		t.Errorf("Placeholders(%q) = %q, regexp says %q", s, got, want)
	}
}

func TestNamesMatchTheirPatterns(t *testing.T) {
	for _, s := range []string{"", "a", "A", "0", "blog", "blog-2_x", "Blog", "a b", "a\n", "price", "priceUSD", "9lives",
		"abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz0123456", "{title}", "{{title}}", "{a{b}", "{1}",
		"{a1} and {B2c}", "{}", "{a", "a}", "{ title}", "x{title}y{tag}", "{ü}", "{aü}"} {
		checkNames(t, s)
	}
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{"blog", "{title} {a{b}", "x-1_", "priceUSD"} {
		f.Add(s)
	}
	f.Fuzz(checkNames)
}
