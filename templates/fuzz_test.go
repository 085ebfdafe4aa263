package templates_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates"
)

// FuzzTemplateParse: user templates will go through Parse, so it must never
// panic, and whatever it accepts must be drawable: every box on the canvas,
// text in the safe zone, no nested stacks, {title} shown.
func FuzzTemplateParse(f *testing.F) {
	f.Add([]byte(validTemplate))
	files, _ := filepath.Glob("builtin/*.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, doc := range []string{``, `{}`, `null`, `{"elements": [null]}`, `{"name":"a","version":1,"background":"bg","elements":[{"type":"stack","children":[null]}]}`} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := templates.Parse(data)
		if err != nil {
			if tpl != nil {
				t.Fatal("template returned with an error")
			}
			return
		}
		if tpl.Version < 1 || len(tpl.Elements) < 1 || len(tpl.Elements) > 64 {
			t.Fatalf("accepted version %d with %d elements", tpl.Version, len(tpl.Elements))
		}
		if !sort.StringsAreSorted(tpl.Params) || !contains(tpl.Params, "title") {
			t.Fatalf("params %v", tpl.Params)
		}
		for _, p := range tpl.Params {
			if !contains(templates.ConditionParams, p) {
				t.Fatalf("param %q", p)
			}
		}
		for _, e := range tpl.Elements {
			x, y, w, h := e.Box[0], e.Box[1], e.Box[2], e.Box[3]
			if x < 0 || y < 0 || w <= 0 || h <= 0 || x > templates.Width || y > templates.Height ||
				w > templates.Width-x || h > templates.Height-y {
				t.Fatalf("%s box %v off the canvas", e.Type, e.Box)
			}
			safe := x >= templates.SafeMargin && y >= templates.SafeMargin &&
				x+w <= templates.Width-templates.SafeMargin && y+h <= templates.Height-templates.SafeMargin
			if (e.Type == templates.KindText || e.Type == templates.KindPill || e.Type == templates.KindStack) && !safe {
				t.Fatalf("%s box %v outside the safe zone", e.Type, e.Box)
			}
			if e.Type == templates.KindStack && (len(e.Children) < 1 || len(e.Children) > 16) {
				t.Fatalf("stack with %d children", len(e.Children))
			}
			for _, c := range e.Children {
				if c == nil || c.Type == templates.KindStack || c.Type == templates.KindInitials {
					t.Fatalf("bad stack child %+v", c)
				}
				if c.Type == templates.KindRect && (c.Box[3] <= 0 || c.Box[3] > templates.Height) {
					t.Fatalf("stacked rect height %d", c.Box[3])
				}
			}
		}
		// What Parse accepts survives a JSON round trip unchanged.
		out, err := json.Marshal(tpl)
		if err != nil {
			t.Fatal(err)
		}
		again, err := templates.Parse(out)
		if err != nil || !reflect.DeepEqual(again, tpl) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzValidPathData: ValidPathData never panics, reports an offset inside
// the data, and accepts only the characters of path data, starting with a
// moveto; accepted data stays accepted with white space around it.
func FuzzValidPathData(f *testing.F) {
	for _, d := range []string{"M0 0", "M10 10 L 20 20 Z", "m.5.5-1e2,3E+1h1v1z", "M10 10a5 5 0 1120 20",
		"M0 0C1 2 3 4 5 6S7 8 9 10Q1 2 3 4T5 6", "M1e", "M0 0A-5 5 0 1 0 1 1", "", "M", "M0 0 L1 1,"} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d string) {
		err := templates.ValidPathData(d)
		if err != nil {
			var pe *templates.PathDataError
			if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(d) || pe.Message == "" {
				t.Fatalf("error %#v", err)
			}
			return
		}
		if len(d) > templates.MaxPathBytes {
			t.Fatalf("accepted %d bytes", len(d))
		}
		trimmed := strings.TrimLeft(d, " \t\r\n\f")
		if trimmed == "" || trimmed[0] != 'M' && trimmed[0] != 'm' {
			t.Fatalf("accepted %q: no leading moveto", d)
		}
		if i := strings.IndexFunc(d, func(r rune) bool { return !strings.ContainsRune("MmLlHhVvCcSsQqTtAaZz0123456789.+-eE, \t\r\n\f", r) }); i >= 0 {
			t.Fatalf("accepted %q with %q at %d", d, d[i], i)
		}
		if len(d)+2 <= templates.MaxPathBytes {
			if err := templates.ValidPathData(" " + d + "\n"); err != nil {
				t.Fatalf("%q accepted, with white space around rejected: %v", d, err)
			}
		}
	})
}
