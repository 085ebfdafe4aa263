package webhook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// SecretCase is one row of testdata/secrets.json, the table of webhook
// secrets shared by this package's tests, host/api's (refused ones are a
// 400 naming webhookSecret) and host/webhook/dispatch's Node.js test
// (accepted ones verify with the npm standardwebhooks package).
type SecretCase struct {
	Name     string `json:"name"`
	Secret   string `json:"secret"`
	Accepted bool   `json:"accepted"`
	Error    string `json:"error"` // part of the refusal's message
}

// secretCases reads testdata/secrets.json.
func secretCases(t *testing.T) []SecretCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "secrets.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cs []SecretCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestCheckSecret(t *testing.T) {
	for _, tc := range secretCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			err := CheckSecret(tc.Secret)
			switch {
			case tc.Accepted && err != nil:
				t.Fatalf("CheckSecret(%q) = %v, want accepted", tc.Secret, err)
			case !tc.Accepted && (err == nil || !strings.Contains(err.Error(), tc.Error)):
				t.Fatalf("CheckSecret(%q) = %v, want an error containing %q", tc.Secret, err, tc.Error)
			}
			// A refused whsec_ secret says how to use the text as it is.
			if !tc.Accepted && strings.HasPrefix(tc.Secret, "whsec_") && !strings.Contains(tc.Error, "whitespace") &&
				!strings.Contains(err.Error(), "leave out the whsec_ prefix") {
				t.Errorf("refusal of %q gives no way out: %v", tc.Secret, err)
			}
			// An accepted whsec_ secret is keyed with its base64 tail.
			if tc.Accepted && strings.HasPrefix(tc.Secret, "whsec_") && string(StandardKey(tc.Secret)) == tc.Secret {
				t.Errorf("accepted %q is keyed as text", tc.Secret)
			}
		})
	}
}

func TestUserAgentIsAToken(t *testing.T) {
	for _, tc := range []struct{ version, want string }{
		{"", "ogmint-webhook/dev (+https://github.com/ogmint/ogmint)"},
		{"v1.4.0-3-gabc1234-dirty", "ogmint-webhook/v1.4.0-3-gabc1234-dirty (+https://github.com/ogmint/ogmint)"},
		{"1.2 beta/x(y)", "ogmint-webhook/1.2-beta-x-y- (+https://github.com/ogmint/ogmint)"},
	} {
		if got := UserAgent(tc.version); got != tc.want {
			t.Errorf("UserAgent(%q) = %q, want %q", tc.version, got, tc.want)
		}
	}
}

// TestREADMEUserAgent: both READMEs show the User-Agent webhooks are sent with.
func TestREADMEUserAgent(t *testing.T) {
	want := strings.Replace(UserAgent("VERSION"), "VERSION", "<version>", 1)
	for _, path := range []string{"README.md", filepath.Join("..", "..", "README.md")} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not show the webhook User-Agent %q", path, want)
		}
		for _, stale := range []string{"User-Agent: ogmint/<version>", "user-agent: ogmint/<version>"} {
			if strings.Contains(string(b), stale) {
				t.Errorf("%s shows %q, which is not what is sent", path, stale)
			}
		}
	}
}
