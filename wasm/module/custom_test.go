package module_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/module"
)

// customJSON is a small custom template: a full-canvas rect of colour fill
// under the title.
func customJSON(fill string) string {
	return `{"name":"mine","version":1,"background":"bg","elements":[
		{"type":"rect","box":[0,0,1200,630],"fill":"` + fill + `"},
		{"type":"text","text":"{title}","box":[100,100,1000,200],"size":[40,60],"color":"text"}]}`
}

// addTemplate hands json over as the template the last request lacked.
func addTemplate(m *module.Module, json string) abi.Status {
	n := copy(m.Template(len(json)), json)
	return m.TemplateAdd(n)
}

// TestCustomTemplateHandOver: a request for a custom template the module
// does not hold answers StatusNeedTemplate with its name; once handed
// over, it renders, and is kept per name and version.
func TestCustomTemplateHandOver(t *testing.T) {
	m := newModule(t)
	q := "template=custom_abc&tv=1&title=Hi"
	if st := call(m, m.Render, q); st != abi.StatusNeedTemplate || string(m.Output()) != "custom_abc" {
		t.Fatalf("first render: %s %q, want need_template custom_abc", st, m.Output())
	}
	if st := addTemplate(m, customJSON("#ff0000")); st != abi.StatusOK {
		t.Fatalf("template add: %s %s", st, m.Output())
	}
	if st := call(m, m.Render, q); st != abi.StatusOK {
		t.Fatalf("render: %s %s", st, m.Output())
	}
	if px := m.Pixels()[:3]; string(px) != "\xff\x00\x00" {
		t.Fatalf("pixel 0,0 = %x, want the template's red", px)
	}
	if w, h := m.FrameSize(); w != abi.Width || h != abi.Height {
		t.Fatalf("frame %dx%d", w, h)
	}
	if st := call(m, m.Validate, q); st != abi.StatusOK || !strings.Contains(string(m.Output()), "template=custom_abc") || !strings.HasSuffix(string(m.Output()), "&tv=1") {
		t.Fatalf("validate: %s %s", st, m.Output())
	}

	// A new version is asked for again and replaces the old one.
	q2 := "template=custom_abc&tv=2&title=Hi"
	if st := call(m, m.Render, q2); st != abi.StatusNeedTemplate {
		t.Fatalf("version 2: %s %s", st, m.Output())
	}
	if st := addTemplate(m, customJSON("#00ff00")); st != abi.StatusOK {
		t.Fatalf("template add: %s %s", st, m.Output())
	}
	if st := call(m, m.Render, q2); st != abi.StatusOK || string(m.Pixels()[:3]) != "\x00\xff\x00" {
		t.Fatalf("version 2 render: %s %x", st, m.Pixels()[:3])
	}
	if st := call(m, m.Render, q); st != abi.StatusNeedTemplate {
		t.Fatalf("version 1 after version 2 replaced it: %s", st)
	}
}

// TestCustomTemplateErrors: what the hand-over refuses.
func TestCustomTemplateErrors(t *testing.T) {
	m := newModule(t)
	if st := addTemplate(m, customJSON("#ff0000")); st != abi.StatusInvalid {
		t.Fatalf("add with no request waiting: %s", st)
	}
	for _, tc := range []struct {
		name, query string
		want        abi.Status
	}{
		{"no version", "template=custom_abc&title=Hi", abi.StatusNotFound},
		{"version 0", "template=custom_abc&tv=0&title=Hi", abi.StatusNotFound},
		{"version not a number", "template=custom_abc&tv=x&title=Hi", abi.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st := call(m, m.Render, tc.query); st != tc.want {
				t.Fatalf("%s: %s %s", tc.query, st, m.Output())
			}
		})
	}
	call(m, m.Render, "template=custom_abc&tv=1&title=Hi")
	if st := addTemplate(m, `{"name":"mine","version":1,"background":"bg","elements":[]}`); st != abi.StatusInvalid ||
		!strings.Contains(string(m.Output()), `"pointer":"/elements"`) {
		t.Fatalf("invalid template: %s %s", st, m.Output())
	}
	if m.Template(abi.MaxTemplateBytes+1) != nil || m.Template(0) != nil {
		t.Fatal("template buffer beyond the limits")
	}
	if st := call(m, m.Render, "template=custom_abc&tv=1&title=Hi"); st != abi.StatusNeedTemplate {
		t.Fatalf("after a refused template: %s", st)
	}
}

// TestCustomTemplatesHeldAreBounded: an instance keeps at most
// abi.MaxHeldTemplates custom templates, dropping the least recently used.
func TestCustomTemplatesHeldAreBounded(t *testing.T) {
	m := newModule(t)
	query := func(i int) string { return fmt.Sprintf("template=custom_%d&tv=1&title=Hi", i) }
	for i := 0; i <= abi.MaxHeldTemplates; i++ {
		if st := call(m, m.Render, query(i)); st != abi.StatusNeedTemplate {
			t.Fatalf("template %d: %s", i, st)
		}
		if st := addTemplate(m, customJSON("#ff0000")); st != abi.StatusOK {
			t.Fatalf("add %d: %s", i, st)
		}
		if i == 1 { // use 0 again: 1 becomes the least recently used
			if st := call(m, m.Render, query(0)); st != abi.StatusOK {
				t.Fatalf("template 0 again: %s", st)
			}
		}
	}
	if st := call(m, m.Render, query(0)); st != abi.StatusOK {
		t.Fatalf("recently used template 0 was dropped: %s", st)
	}
	if st := call(m, m.Render, query(1)); st != abi.StatusNeedTemplate {
		t.Fatalf("least recently used template 1 kept: %s", st)
	}
	if n := len(m.Set.Names()); n != 7 {
		t.Fatalf("Set.Names lists %d templates, want the 7 built-ins", n)
	}
}
