package filetemplates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const good = `{"name":"Launch","background":"bg","elements":[
	{"type":"text","text":"{title}","box":[100,100,1000,200],"size":[40,60],"color":"text"}]}`

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "launch.json", good)
	write(t, dir, "notes.txt", "not a template")
	got, err := Load(dir, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	tpl := got["custom_launch"]
	if len(got) != 1 || tpl == nil || tpl.Template.Name != "custom_launch" || tpl.Version != ContentVersion([]byte(good)) || tpl.Version < 1 {
		t.Fatalf("loaded %v", got)
	}
	// Editing the file changes the version.
	write(t, dir, "launch.json", strings.Replace(good, "Launch", "Launch 2", 1))
	again, err := Load(dir, Limits{})
	if err != nil || again["custom_launch"].Version == tpl.Version {
		t.Fatalf("version after an edit: %v %v", again, err)
	}
}

func TestLoadRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, file, body string
		lim              Limits
		want             string
	}{
		{"invalid template", "bad.json", `{"background":"bg","elements":[]}`, Limits{}, "/elements"},
		{"bad file name", "Bad Name.json", good, Limits{}, "file name"},
		{"too large", "big.json", good, Limits{MaxBytes: 64}, "at most 64"},
		{"too many", "a.json", good, Limits{MaxFiles: 1}, "at most 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tc.file, tc.body)
			if tc.lim.MaxFiles == 1 {
				write(t, dir, "b.json", good)
			}
			if _, err := Load(dir, tc.lim); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing"), Limits{}); err == nil {
		t.Fatal("a missing directory loaded")
	}
}
