package templates

import "testing"

func TestBuiltinJSON(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range set.Names() {
		b, ok := BuiltinJSON(name)
		if !ok {
			t.Fatalf("BuiltinJSON(%q): missing", name)
		}
		// What the playground starts from must pass as a custom template.
		if _, err := ParseWith(b, Options{Custom: true}); err != nil {
			t.Errorf("%s as a custom template: %v", name, err)
		}
	}
	for _, name := range []string{"", "nope", "../palettes", "blog.json", "builtin/blog"} {
		if _, ok := BuiltinJSON(name); ok {
			t.Errorf("BuiltinJSON(%q): found", name)
		}
	}
}
