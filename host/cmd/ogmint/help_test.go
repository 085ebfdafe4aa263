package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryCommandHelpExitsZero: asking a command for help is not an
// error: each prints its usage and exits 0.
func TestEveryCommandHelpExitsZero(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, "Usage:"},
		{[]string{"help"}, "Usage:"},
		{[]string{"serve", "-h"}, "-addr"},
		{[]string{"serve", "--help"}, "OGMINT_DATABASE_URL"},
		{[]string{"render", "--help"}, "-title"},
		{[]string{"check", "--help"}, "Usage"},
		{[]string{"migrate", "--help"}, "Usage: ogmint migrate"},
		{[]string{"version"}, "ogmint"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runOgmint(t, nil, tc.args...)
			if code != 0 || !strings.Contains(out+errOut, tc.want) {
				t.Fatalf("exit %d, output lacks %q:\n%s%s", code, tc.want, out, errOut)
			}
		})
	}
}

// TestStartupLogHasExampleURL: the start-up line carries a card URL and
// the playground's, on the public URL, that answer.
func TestStartupLogHasExampleURL(t *testing.T) {
	s := startServer(t, t.TempDir(), freePort(t))
	var line struct {
		Try        string `json:"try"`
		Playground string `json:"playground"`
	}
	for _, l := range strings.Split(s.log.String(), "\n") {
		if strings.Contains(l, `"msg":"ogmint serving"`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !strings.HasPrefix(line.Try, s.base+"/api/og?") || line.Playground != s.base+"/playground" {
		t.Fatalf("start-up line: %+v", line)
	}
	if st, png := get(t, line.Try); st != 200 || len(png) < 1000 {
		t.Fatalf("the example URL answered %d, %d bytes", st, len(png))
	}
}

// TestRenderSaysWhatItWrote: `ogmint render` prints the file it wrote and
// its size; a bad request is one line for the error and one per field,
// not a JSON body.
func TestRenderSaysWhatItWrote(t *testing.T) {
	out := filepath.Join(t.TempDir(), "card.png")
	code, stdout, stderr := runOgmint(t, nil, "render", "-module", modulePath, "-template", "blog", "-title", "Hello", "-o", out)
	st, err := os.Stat(out)
	if code != 0 || err != nil || !regexp.MustCompile(`^wrote .*card\.png \(\d+\.\d KB\)\n$`).MatchString(stdout) {
		t.Fatalf("exit %d, stat %v, stdout %q, stderr %q", code, err, stdout, stderr)
	}
	if !strings.Contains(stdout, fmt.Sprintf("(%.1f KB)", float64(st.Size())/1e3)) {
		t.Fatalf("printed size %q, file has %d bytes", stdout, st.Size())
	}
	code, _, stderr = runOgmint(t, nil, "render", "-module", modulePath, "-template", "blog", "-param", "bg=zzz", "-o", out)
	want := "ogmint: invalid parameters\n  title: required; 1-200 characters\n  bg: \"zzz\": want 6 hex digits, e.g. 6366f1 or #6366f1\n"
	if code != 1 || stderr != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
}
