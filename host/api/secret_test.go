package api_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/host/renderpool"
)

// TestV2WebhookSecrets: every secret of the table shared with host/webhook
// (testdata/secrets.json there) is accepted by POST /api/v2/render, or
// refused with a 400 whose JSON body names webhookSecret and says why.
// host/webhook/dispatch checks that the accepted ones verify with the npm
// standardwebhooks package. Nothing is delivered (no dispatcher runs).
func TestV2WebhookSecrets(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "webhook", "testdata", "secrets.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name     string `json:"name"`
		Secret   string `json:"secret"`
		Accepted bool   `json:"accepted"`
		Error    string `json:"error"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	e := start(t, setup{pool: renderpool.Config{Instances: 1}, keys: []string{keyA}})
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			r, a := e.v2(t, keyA, map[string]any{"template": "blog", "title": "Secrets",
				"webhookUrl": "http://127.0.0.1:9/hook", "webhookSecret": tc.Secret})
			if tc.Accepted {
				if r.status >= 300 || !a.WebhookDispatched {
					t.Fatalf("%q refused: %d %s", tc.Secret, r.status, r.body)
				}
				return
			}
			if r.status != 400 {
				t.Fatalf("%q: status %d, want 400: %s", tc.Secret, r.status, r.body)
			}
			if got := errorFields(t, r); len(got) != 1 || got[0] != "webhookSecret" {
				t.Fatalf("%q: fields %v, want [webhookSecret]: %s", tc.Secret, got, r.body)
			}
			var body struct {
				Details []struct{ Message string } `json:"details"`
			}
			if json.Unmarshal(r.body, &body) != nil || !strings.Contains(body.Details[0].Message, tc.Error) {
				t.Errorf("%q: %s, want a message containing %q", tc.Secret, r.body, tc.Error)
			}
		})
	}
}
