package render_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/wasm/render"
)

// substituteAll is substitute's general path: every placeholder replaced,
// then the result trimmed.
func substituteAll(s string, names []string, value func(string) string) string {
	for _, name := range names {
		s = strings.ReplaceAll(s, "{"+name+"}", value(name))
	}
	return strings.TrimSpace(s)
}

// TestSubstitute: texts of one placeholder (the fast path), and texts
// around, near or beside one, give what replacing every placeholder gives.
func TestSubstitute(t *testing.T) {
	values := map[string]string{"title": "  Hello {title} world ", "tag": "", "a": "x", "description": "\tDeep dive\n"}
	value := func(n string) string { return values[n] }
	cases := []struct {
		s     string
		names []string
	}{
		{"{title}", []string{"title"}},
		{"{tag}", []string{"tag"}},
		{"{a}", []string{"a"}},
		{"{description}", []string{"description"}},
		{"{missing}", []string{"missing"}},
		{" {title}", []string{"title"}},
		{"{title} ", []string{"title"}},
		{"{title}{title}", []string{"title"}},
		{"{titlex}", []string{"title"}},
		{"{title", []string{"title"}},
		{"title}", []string{"title"}},
		{"[title]", []string{"title"}},
		{"{a}{tag}", []string{"a", "tag"}},
		{"by {a}", []string{"a"}},
		{"{}", []string{""}},
		{"", []string{"a"}},
	}
	for _, c := range cases {
		if got, want := render.Substitute(c.s, c.names, value), substituteAll(c.s, c.names, value); got != want {
			t.Errorf("%q %v: %q, want %q", c.s, c.names, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	parts := []string{"{", "}", "a", "{a}", " ", "b", "{b}", "ab"}
	vals := []string{"", " ", "a", "{b}", " x "}
	for range 20000 {
		var sb strings.Builder
		for range rng.IntN(5) {
			sb.WriteString(parts[rng.IntN(len(parts))])
		}
		names := [][]string{{"a"}, {"b"}, {"a", "b"}, {"ab"}}[rng.IntN(4)]
		va, vb := vals[rng.IntN(len(vals))], vals[rng.IntN(len(vals))]
		value := func(n string) string {
			if n == "a" {
				return va
			}
			return vb
		}
		if got, want := render.Substitute(sb.String(), names, value), substituteAll(sb.String(), names, value); got != want {
			t.Fatalf("%q %v (a=%q b=%q): %q, want %q", sb.String(), names, va, vb, got, want)
		}
	}
}
