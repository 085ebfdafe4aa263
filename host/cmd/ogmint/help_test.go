package main

import (
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
