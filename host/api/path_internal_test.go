package api

import "testing"

func TestDecodeUnreserved(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/api/og", "/api/og"},
		{"/api/%6Fg", "/api/og"},
		{"/%7e%2D%5f%41z", "/~-_Az"},
		{"/i/%2e%2e%2fmetrics", "/i/%2e%2e%2fmetrics"},
		{"/i/%2E%2F", "/i/%2E%2F"},
		{"/a%20b%25", "/a%20b%25"},
		{"/bad%zz%4", "/bad%zz%4"},
		{"/end%", "/end%"},
		{"/%", "/%"},
	} {
		if got := decodeUnreserved([]byte(c.in)); got != c.want {
			t.Errorf("decodeUnreserved(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzDecodeUnreserved(f *testing.F) {
	f.Add("/i/%2e%2e%2fmetrics")
	f.Add("/api/%6Fg")
	f.Fuzz(func(t *testing.T, p string) {
		got := decodeUnreserved([]byte(p))
		if len(got) > len(p) {
			t.Fatalf("decoded %q is longer than %q", got, p)
		}
		// Decoding never makes a slash or a dot that was not there.
		count := func(s string, c byte) (n int) {
			for i := range len(s) {
				if s[i] == c {
					n++
				}
			}
			return n
		}
		if count(got, '/') != count(p, '/') || count(got, '.') != count(p, '.') {
			t.Fatalf("decodeUnreserved(%q) = %q changed slashes or dots", p, got)
		}
	})
}
