package module_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates/fontpack"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/fonts"
	"github.com/ogmint/ogmint/wasm/module"
)

// familyJSON is a custom template whose title is set in font family fam
// ("" = the request's font).
func familyJSON(fam string) string {
	f := ""
	if fam != "" {
		f = `,"family":"` + fam + `"`
	}
	return `{"name":"fam","version":1,"background":"#ffffff","elements":[
		{"type":"text","text":"{title}","box":[100,100,1000,300],"size":[60,80],"color":"#000000"` + f + `},
		{"type":"stack","box":[100,420,1000,150],"children":[
			{"type":"text","text":"{title}","box":[0,0,1000,80],"size":[40,40],"color":"#000000","weight":"bold"` + f + `}]}]}`
}

// packedUser packs font files as user family name.
func packedUser(t *testing.T, name string, regular, bold string) []byte {
	t.Helper()
	fam := &fonts.Family{Name: name}
	var err error
	if fam.Regular, err = os.ReadFile("../../templates/fontpack/" + regular); err != nil {
		t.Fatal(err)
	}
	if bold != "" {
		if fam.Bold, err = os.ReadFile("../../templates/fontpack/" + bold); err != nil {
			t.Fatal(err)
		}
	}
	return fam.Pack()
}

func addFont(m *module.Module, packed []byte) abi.Status {
	n := copy(m.Font(len(packed)), packed)
	return m.FontAdd(n)
}

// renderCustom renders q, handing over the template json and, when the
// module asks, the user families of have (by name), as a host does; it
// returns the pixels and what the module asked for.
func renderCustom(t *testing.T, m *module.Module, q, json string, have map[string][]byte) (pix []byte, asked []string) {
	t.Helper()
	st := call(m, m.Render, q)
	if st == abi.StatusNeedTemplate {
		asked = append(asked, "template")
		st = addTemplate(m, json)
		if st == abi.StatusNeedFamilies {
			names := strings.Split(string(m.Output()), "\n")
			asked = append(asked, names...)
			for _, name := range names {
				if st := addFont(m, have[name]); st != abi.StatusOK {
					t.Fatalf("font add %s: %s %s", name, st, m.Output())
				}
			}
			st = m.TemplateAdd(len(json))
		}
		if st != abi.StatusOK {
			t.Fatalf("template add: %s %s", st, m.Output())
		}
		st = m.Render(len(q))
	}
	if st != abi.StatusOK {
		t.Fatalf("render %s: %s %s", q, st, m.Output())
	}
	return bytes.Clone(m.Pixels()), asked
}

// TestUserFamilies: abi step 1e. A template naming a user family the
// instance lacks is answered with StatusNeedFamilies and the family's
// name; once handed over, its text is drawn in it (not in the request's
// font); a held template does not ask again; another font tag is another
// template; families are kept within MaxUserFontBytes, least recently
// used leaving first and taking the templates that name them along.
func TestUserFamilies(t *testing.T) {
	m := newModule(t)
	mono := packedUser(t, "u:mono:-", "JetBrainsMono-Regular.ttf", "")
	serif := packedUser(t, "u:serif:bold", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf")
	have := map[string][]byte{"u:mono:-": mono, "u:serif:bold": serif}

	q := "template=custom_fam&tv=1&tf=a&title=Hamburgefonstiv"
	monoPix, asked := renderCustom(t, m, q, familyJSON("u:mono:-"), have)
	if !slices.Equal(asked, []string{"template", "u:mono:-"}) {
		t.Fatalf("asked for %q, want the template and u:mono:-", asked)
	}
	if _, asked := renderCustom(t, m, q, familyJSON("u:mono:-"), have); asked != nil {
		t.Fatalf("a held template asked for %q", asked)
	}
	// The request's font (Inter) draws other pixels.
	interPix, _ := renderCustom(t, m, "template=custom_inter&tv=1&title=Hamburgefonstiv", familyJSON(""), have)
	if bytes.Equal(monoPix, interPix) {
		t.Fatal("the user family drew what the request's font draws")
	}
	// Another tag is another template: here the same family is bound to
	// other files, which the module is handed too.
	q2 := "template=custom_fam&tv=1&tf=b&title=Hamburgefonstiv"
	serifPix, asked := renderCustom(t, m, q2, familyJSON("u:serif:bold"), have)
	if !slices.Equal(asked, []string{"template", "u:serif:bold"}) || bytes.Equal(serifPix, monoPix) {
		t.Fatalf("tag b: asked for %q (same pixels as tag a: %v)", asked, bytes.Equal(serifPix, monoPix))
	}
	// Validation answers not found for a tag the held template lacks.
	if st := call(m, m.Validate, "template=custom_fam&tv=1&title=Hi"); st != abi.StatusNeedTemplate {
		t.Fatalf("no tag: %s", st)
	}
	if names, n := m.UserFamilies(); !slices.Equal(names, []string{"u:mono:-", "u:serif:bold"}) || n != len(mono)+len(serif) {
		t.Fatalf("held %q, %d bytes", names, n)
	}

	// A budget of one family: adding the other evicts the least recently
	// used, and the template naming it goes too.
	m.MaxUserFontBytes = len(serif)
	again, _ := renderCustom(t, m, q, familyJSON("u:mono:-"), have) // tag a is held: mono is now the most recent
	if !bytes.Equal(again, monoPix) {
		t.Fatal("tag a drew other pixels")
	}
	serifJSON := strings.Replace(familyJSON("u:serif:bold"), `"fam"`, `"other"`, 1)
	if _, asked := renderCustom(t, m, "template=custom_other&tv=1&tf=c&title=Hi", serifJSON, have); !slices.Equal(asked, []string{"template"}) {
		t.Fatalf("serif is held: asked for %q", asked) // touching serif: now mono is the least recent
	}
	if st := addFont(m, packedUser(t, "u:thai:-", "NotoSansThai-Regular.ttf", "")); st != abi.StatusOK {
		t.Fatalf("add: %s", st)
	}
	if names, _ := m.UserFamilies(); !slices.Equal(names, []string{"u:thai:-"}) {
		t.Fatalf("after eviction: %q", names)
	}
	if pix, asked := renderCustom(t, m, q, familyJSON("u:mono:-"), have); !slices.Equal(asked, []string{"template", "u:mono:-"}) || !bytes.Equal(pix, monoPix) {
		t.Fatalf("after its family left, tag a asked for %q (same pixels: %v)", asked, bytes.Equal(pix, monoPix))
	}

	// Families asked for are never evicted while asked for, even past the
	// budget: a template naming two gets both.
	two := strings.Replace(familyJSON("u:mono:-"), `"weight":"bold"`, `"weight":"bold","family":"u:serif:bold"`, 1)
	two = strings.Replace(two, `,"family":"u:mono:-"}]}]}`, `}]}]}`, 1)
	if !strings.Contains(two, "u:serif:bold") || !strings.Contains(two, "u:mono:-") {
		t.Fatalf("two families: %s", two)
	}
	m.MaxUserFontBytes = 1
	if _, asked := renderCustom(t, m, "template=custom_two&tv=1&tf=d&title=Hi", two, have); !slices.Equal(asked, []string{"template", "u:serif:bold"}) {
		t.Fatalf("two families: asked for %q", asked)
	}
}

// TestUserFamilyErrors: what the hand-over of user families refuses.
func TestUserFamilyErrors(t *testing.T) {
	m := newModule(t)
	q := "template=custom_x&tv=1&tf=t&title=Hi"
	five := `{"name":"five","background":"#ffffff","elements":[`
	for i, fam := range []string{"u:a", "u:b", "u:c", "u:d", "u:e"} {
		if i > 0 {
			five += ","
		}
		five += `{"type":"text","text":"{title}","box":[100,100,100,100],"size":[10,10],"color":"#000000","family":"` + fam + `"}`
	}
	five += "]}"
	for _, tc := range []struct{ json, want string }{
		{familyJSON("Nope"), `unknown font family \"Nope\"`},
		{five, "5 uploaded font families; at most 4"},
		{familyJSON("u:a"), `font family \"u:a\" without a font tag`},
	} {
		q := q
		if strings.Contains(tc.want, "font tag") {
			q = "template=custom_x&tv=1&title=Hi"
		}
		if st := call(m, m.Render, q); st != abi.StatusNeedTemplate {
			t.Fatalf("render: %s", st)
		}
		if st := addTemplate(m, tc.json); st != abi.StatusInvalid || !strings.Contains(string(m.Output()), tc.want) {
			t.Errorf("template add: %s %s, want invalid with %s", st, m.Output(), tc.want)
		}
	}
	// A family the host does not hand over is asked for again.
	if st := call(m, m.Render, q); st != abi.StatusNeedTemplate {
		t.Fatal(st)
	}
	if st := addTemplate(m, familyJSON("u:a")); st != abi.StatusNeedFamilies || string(m.Output()) != "u:a" {
		t.Fatalf("first: %s %s", st, m.Output())
	}
	if st := m.TemplateAdd(len(familyJSON("u:a"))); st != abi.StatusNeedFamilies {
		t.Fatalf("second: %s %s", st, m.Output())
	}
	// A colour bitmap font is not a template family.
	emoji := packedUser(t, "u:emoji:-", "NotoColorEmoji.ttf", "")
	if st := addFont(m, emoji); st != abi.StatusInvalid || !strings.Contains(string(m.Output()), "colour") {
		t.Fatalf("emoji: %s %s", st, m.Output())
	}
}

// TestTemplateFamilyAlias: an alias of a built-in family in a custom
// template draws that family, not the request's font.
func TestTemplateFamilyAlias(t *testing.T) {
	m := newModule(t)
	builtin, err := fontpack.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	mono := packedUser(t, "JetBrains Mono", "JetBrainsMono-Regular.ttf", "JetBrainsMono-Bold.ttf")
	fam, _ := fonts.Unpack(mono)
	cat, err := fonts.NewCatalog(builtin, []fonts.Files{{Name: fam.Name, Regular: fam.Regular, Bold: fam.Bold,
		Token: fonts.FamilyToken(slices.Index(m.Set.FamilyNames(), "JetBrains Mono"))}})
	if err != nil {
		t.Fatal(err)
	}
	if st := addFont(m, cat.Packed(0)); st != abi.StatusOK {
		t.Fatal(st, string(m.Output()))
	}
	byName, _ := renderCustom(t, m, "template=custom_a&tv=1&title=Hi&font=mono", familyJSON("Inter"), nil)
	byAlias, _ := renderCustom(t, m, "template=custom_b&tv=1&title=Hi&font=mono", familyJSON("sans"), nil)
	inMono, _ := renderCustom(t, m, "template=custom_c&tv=1&title=Hi&font=mono", familyJSON(""), nil)
	if !bytes.Equal(byName, byAlias) || bytes.Equal(byName, inMono) {
		t.Fatalf(`"sans" drew Inter: %v; Inter differs from the request's font: %v`, bytes.Equal(byName, byAlias), !bytes.Equal(byName, inMono))
	}
}
