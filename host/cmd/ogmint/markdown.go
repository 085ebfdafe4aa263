package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/adrg/frontmatter"
)

// Cards from Markdown (ogmint render -from-markdown content/): every .md
// or .markdown file's front matter (YAML between --- lines, or TOML between
// +++ lines) becomes one card, named after the file's path (posts/hello.md
// -> posts/hello.png; a page bundle's posts/hello/index.md ->
// posts/hello.png). Conventions of Hugo, Astro, Jekyll and Eleventy:
// title; description, else summary, else excerpt; the first of tags (or
// tag, or categories) as tag; author (a string, or the first of authors);
// draft: true is skipped. A mapping file names other keys: {"subtitle":
// "description", "series": "tag"}. Flags such as -template and -palette
// give the parameters every card shares.

// markdownRows reads the pages under root into batch rows.
func markdownRows(root string, mapping map[string]string, shared url.Values) ([]batchRow, error) {
	var paths []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := strings.ToLower(filepath.Ext(path)); !d.IsDir() && (ext == ".md" || ext == ".markdown") {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var rows []batchRow
	for i, path := range paths {
		row := batchRow{n: i + 1, q: url.Values{}}
		for k, v := range shared {
			row.q[k] = v
		}
		rel, _ := filepath.Rel(root, path)
		row.output = pageOutput(rel)
		b, err := os.ReadFile(path)
		if err != nil {
			row.err = err
			rows = append(rows, row)
			continue
		}
		var matter map[string]any
		if _, err := frontmatter.Parse(bytes.NewReader(b), &matter); err != nil {
			row.err = fmt.Errorf("%s: front matter: %v", rel, err)
			rows = append(rows, row)
			continue
		}
		if draft, _ := matter["draft"].(bool); draft {
			continue
		}
		for key, param := range mapping {
			if v := first(matter[key]); v != "" {
				row.q.Set(param, v)
			}
		}
		set := func(param string, keys ...string) {
			if row.q.Get(param) != "" {
				return
			}
			for _, k := range keys {
				if v := first(matter[k]); v != "" {
					row.q.Set(param, v)
					return
				}
			}
		}
		set("title", "title")
		set("description", "description", "summary", "excerpt")
		set("tag", "tags", "tag", "categories")
		if raw, ok := matter["tags"].(string); ok || matter["tags"] == nil {
			// Jekyll writes lists as space-separated words.
			if raw == "" {
				raw, _ = matter["categories"].(string)
			}
			if f := strings.Fields(raw); len(f) > 1 && row.q.Get("tag") == raw {
				row.q.Set("tag", f[0])
			}
		}
		set("author", "author", "authors")
		if row.q.Get("title") == "" {
			row.err = fmt.Errorf("%s: no title in its front matter", rel)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// pageOutput names a page's card after its path.
func pageOutput(rel string) string {
	name := strings.TrimSuffix(rel, filepath.Ext(rel))
	if base := filepath.Base(name); base == "index" || base == "_index" {
		if dir := filepath.Dir(name); dir != "." {
			name = dir
		}
	}
	return filepath.ToSlash(name) + ".png"
}

// first is a front matter value as text: a string, a number, or the first
// of a list.
func first(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			return first(x[0])
		}
	case int, int64, float64, bool:
		return fmt.Sprint(x)
	case map[string]any: // an author object: {name: …}
		return first(x["name"])
	case map[any]any:
		return first(x["name"])
	}
	return ""
}

// readMapping reads a mapping file: {"front matter key": "parameter"}.
func readMapping(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v (want {\"front matter key\": \"parameter\"})", path, err)
	}
	return m, nil
}
