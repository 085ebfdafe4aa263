package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestMarkdownRows: the front matter conventions of Hugo (YAML and TOML),
// Astro and Jekyll become parameters; drafts are skipped; a mapping file
// names other keys; a page is named after its path.
func TestMarkdownRows(t *testing.T) {
	shared := map[string][]string{"template": {"blog"}}
	rows, err := markdownRows("testdata/markdown", map[string]string{"series": "tag"}, shared)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]string{}
	var errs []string
	for _, r := range rows {
		if r.err != nil {
			errs = append(errs, r.output+": "+r.err.Error())
			continue
		}
		m := map[string]string{}
		for k := range r.q {
			m[k] = r.q.Get(k)
		}
		got[r.output] = m
	}
	want := map[string]map[string]string{
		"hugo/content/posts/yaml-post.png":      {"template": "blog", "title": "Hugo with YAML front matter", "description": "Summaries stand in for descriptions", "tag": "go", "author": "Ada Lovelace"},
		"hugo/content/posts/toml-post.png":      {"template": "blog", "title": "Hugo with TOML front matter", "description": "TOML between +++ lines", "tag": "toml", "author": "Grace Hopper"},
		"hugo/content/posts/bundle.png":         {"template": "blog", "title": "A page bundle's card is named after its directory", "tag": "Bundles"},
		"astro/src/content/blog/first-post.png": {"template": "blog", "title": "Astro content collection", "description": "Lorem ipsum dolor sit amet"},
		"jekyll/_posts/2026-12-06-welcome.png":  {"template": "blog", "title": "Welcome to Jekyll!", "description": "Jekyll's excerpt as the description", "tag": "jekyll", "author": "Jekyll Author"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %v\nwant %v", got, want)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "broken.png: broken.md: front matter") {
		t.Errorf("errors %q, want the broken page's", errs)
	}
}

// TestRenderFromMarkdown: the command renders one card per page into -out
// and lists the broken page.
func TestRenderFromMarkdown(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runOgmint(t, nil, "render", "-module", modulePath, "-from-markdown", "testdata/markdown", "-out", out, "-palette", "ocean")
	if code != 1 || !strings.Contains(stdout, "6 rows: 5 rendered, 0 up to date, 1 failed") || !strings.Contains(stderr, "broken.md: front matter") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range []string{"hugo/content/posts/yaml-post.png", "hugo/content/posts/bundle.png", "jekyll/_posts/2026-12-06-welcome.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
