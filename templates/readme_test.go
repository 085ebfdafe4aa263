package templates_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates"
)

// TestREADMEExample: the custom template in README.md is valid.
func TestREADMEExample(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "<!-- example: custom -->\n```json\n")
	doc, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no custom example")
	}
	tpl, err := templates.ParseWith([]byte(doc), templates.Options{Custom: true})
	if err != nil {
		t.Fatalf("README example: %v", err)
	}
	if !reflect.DeepEqual(tpl.Params, []string{"price", "title"}) {
		t.Errorf("params %v", tpl.Params)
	}
}
