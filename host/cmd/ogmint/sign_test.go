package main

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/host/signing"
)

func TestSignCommand(t *testing.T) {
	const k1, k2 = "first-signing-key-0123", "second-signing-key-0123"
	want := func(key, query string) string {
		q, _ := url.ParseQuery(query)
		s, err := signing.Sign([]byte(key), q)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		out    string // stdout prefix, then s=<signature under sigKey>
		sigKey string
		errOut string
	}{
		{"env keys, default base", map[string]string{"OGMINT_SIGNING_KEYS": k1 + "," + k2}, []string{"template=blog&title=Hi&utm_source=x"},
			0, "http://localhost:8080/api/og?template=blog&title=Hi&utm_source=x&s=", k1, ""},
		{"flag keys, -base, public URL ignored", map[string]string{"OGMINT_PUBLIC_URL": "https://og.example"},
			[]string{"-base", "https://cards.example/", "-signing-keys", k2, "?title=Hi&template=blog&s=old"},
			0, "https://cards.example/api/og?template=blog&title=Hi&s=", k2, ""},
		{"public URL base, a whole URL", map[string]string{"OGMINT_PUBLIC_URL": "https://og.example", "OGMINT_SIGNING_KEYS": k1},
			[]string{"https://x.example/api/og?template=blog&title=Hi"}, 0, "https://og.example/api/og?template=blog&title=Hi&s=", k1, ""},
		{"no key", nil, []string{"template=blog&title=Hi"}, 1, "", "", "no signing key"},
		{"short key", map[string]string{"OGMINT_SIGNING_KEYS": "short-key"}, []string{"template=blog&title=Hi"}, 1, "", "", "at least 16"},
		{"invalid query", map[string]string{"OGMINT_SIGNING_KEYS": k1}, []string{"template=nope&title=Hi"}, 1, "", "", "template"},
		{"no query", map[string]string{"OGMINT_SIGNING_KEYS": k1}, nil, 2, "", "", "Usage"},
		{"help", map[string]string{"OGMINT_SIGNING_KEYS": k1}, []string{"--help"}, 0, "Usage: ogmint sign", "", ""},
		{"-h", map[string]string{"OGMINT_SIGNING_KEYS": k1}, []string{"-h"}, 0, "Usage: ogmint sign", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := signCmd(tc.args, func(k string) string { return tc.env[k] }, &out, &errOut)
			if code != tc.code || !strings.HasPrefix(out.String(), tc.out) || !strings.Contains(errOut.String(), tc.errOut) {
				t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
			}
			if strings.Contains(out.String()+errOut.String(), k1) || strings.Contains(out.String()+errOut.String(), "short-key") {
				t.Fatalf("a key printed:\n%s%s", out.String(), errOut.String())
			}
			if tc.sigKey != "" {
				line := strings.TrimSpace(out.String())
				u, err := url.Parse(line)
				if err != nil {
					t.Fatal(err)
				}
				if got := u.Query().Get("s"); got != want(tc.sigKey, u.RawQuery) {
					t.Fatalf("s=%s, want %s", got, want(tc.sigKey, u.RawQuery))
				}
			}
		})
	}
}

// TestSignHelpExitsZero: the binary's ogmint sign --help exits 0 and does
// not print the keys.
func TestSignHelpExitsZero(t *testing.T) {
	const key = "env-signing-key-0123456789"
	code, out, errOut := runOgmint(t, []string{"OGMINT_SIGNING_KEYS=" + key}, "sign", "--help")
	if code != 0 || !strings.Contains(out, "Usage: ogmint sign") || !strings.Contains(out, "-signing-keys") || strings.Contains(out+errOut, key) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runOgmint(t, []string{"OGMINT_SIGNING_KEYS=" + key}, "sign", "template=blog&title=Hi")
	if code != 0 || !strings.Contains(out, "/api/og?template=blog&title=Hi&s=") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}
