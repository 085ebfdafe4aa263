package main

import (
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// batchManifest reads dir/manifest.json.
func batchManifest(t *testing.T, dir string) map[string]manifestEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]manifestEntry
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBatchJSONL: 500 JSONL rows render, one file each; a second run
// renders nothing; a changed row is rendered again alone; bad rows are
// listed at the end without stopping the others, and the exit is 1.
func TestBatchJSONL(t *testing.T) {
	if testing.Short() {
		t.Skip("500 cards: skipped in -short")
	}
	dir, out := t.TempDir(), t.TempDir()
	input := filepath.Join(dir, "cards.jsonl")
	write := func(changed string) {
		var b strings.Builder
		for i := range 500 {
			title := fmt.Sprintf("Post number %d: ünïcödé, \"quotes\" and, commas", i)
			if i == 42 && changed != "" {
				title = changed
			}
			row, _ := json.Marshal(map[string]string{"template": "blog", "title": title, "author": "Ada", "output": fmt.Sprintf("posts/p%03d", i)})
			b.Write(row)
			b.WriteByte('\n')
		}
		if err := os.WriteFile(input, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	code, stdout, stderr := runOgmint(t, nil, "render", "-module", modulePath, "-batch", input, "-out", out)
	if code != 0 || !strings.Contains(stdout, "500 rows: 500 rendered, 0 up to date, 0 failed") {
		t.Fatalf("first run: exit %d\n%s%s", code, stdout, stderr)
	}
	m := batchManifest(t, out)
	if len(m) != 500 {
		t.Fatalf("manifest has %d entries", len(m))
	}
	f, err := os.Open(filepath.Join(out, "posts", "p042.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() != 1200 {
		t.Fatalf("p042.png: %v", err)
	}
	before := m["posts/p042.png"]

	code, stdout, stderr = runOgmint(t, nil, "render", "-module", modulePath, "-batch", input, "-out", out)
	if code != 0 || !strings.Contains(stdout, "500 rows: 0 rendered, 500 up to date") {
		t.Fatalf("second run: exit %d\n%s%s", code, stdout, stderr)
	}
	write("A changed title")
	code, stdout, stderr = runOgmint(t, nil, "render", "-module", modulePath, "-batch", input, "-out", out)
	if code != 0 || !strings.Contains(stdout, "500 rows: 1 rendered, 499 up to date") {
		t.Fatalf("changed row: exit %d\n%s%s", code, stdout, stderr)
	}
	if after := batchManifest(t, out)["posts/p042.png"]; after.Key == before.Key {
		t.Fatal("the changed row's key did not change")
	}

	// Bad rows: listed, the others rendered.
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"template":"blog","title":"Fine","output":"fine"}
{"template":"blog","output":"no-title"}
{"template":"blog","title":"Bad colour","bg":"zzz","output":"bad-colour"}
{"template":"blog","title":42}
{"template":"blog","title":"Escape","output":"../outside"}
{"template":"blog","title":"Also fine"}
`), 0o644)
	code, stdout, stderr = runOgmint(t, nil, "render", "-module", modulePath, "-batch", bad, "-out", out)
	for _, want := range []string{"row 2: invalid parameters\n  title: required", "row 3: invalid parameters\n  bg:", "row 4: title: want a string", "row 5: output", "6 rows: 2 rendered"} {
		if !strings.Contains(stdout+stderr, want) {
			t.Errorf("bad rows: output lacks %q", want)
		}
	}
	if code != 1 {
		t.Errorf("bad rows: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(out, "also-fine.png")); err != nil {
		t.Errorf("a good row after the bad ones: %v", err)
	}
	if t.Failed() {
		t.Logf("%s%s", stdout, stderr)
	}
}

// TestBatchCSV: a CSV with quoting, embedded commas, newlines and UTF-8.
func TestBatchCSV(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	input := filepath.Join(dir, "cards.csv")
	os.WriteFile(input, []byte("template,title,author,bgColor,output\n"+
		"blog,\"Hello, world\",Ada,#112233,hello\n"+
		"article,\"A \"\"quoted\"\" title\nover two lines\",Zoë,,quoted\n"+
		"minimal,日本語のタイトル,山田,,ja\n"), 0o644)
	code, stdout, stderr := runOgmint(t, nil, "render", "-module", modulePath, "-batch", input, "-out", out)
	if code != 0 || !strings.Contains(stdout, "3 rows: 3 rendered") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, name := range []string{"hello.png", "quoted.png", "ja.png"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", name, err)
		}
	}
}
