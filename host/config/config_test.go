package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAreValid(t *testing.T) {
	c, err := Parse("test", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.PublicURL != "http://localhost:8080" ||
		c.RenderDeadline != 2*time.Second || c.WebhookTimeout != 5*time.Second || len(c.WebhookRetrySchedule) != 8 ||
		c.WebhookIdleTimeout != time.Second {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestEnvAndFlags(t *testing.T) {
	c, err := Parse("test", []string{"-addr", "127.0.0.1:9000", "-rate-limit", "10/24h"}, env(map[string]string{
		"OGMINT_ADDR":                   "ignored:1",
		"OGMINT_API_KEYS":               " a-key-0123456789abcdef , b-key-0123456789abcdef ",
		"OGMINT_WEBHOOK_ALLOW_NETS":     "127.0.0.1/32, ::1",
		"OGMINT_WEBHOOK_RETRY_SCHEDULE": "0s,1s,1m",
		"OGMINT_MAX_FONT_BYTES":         "2097152",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" {
		t.Errorf("flag should win over env: %q", c.Addr)
	}
	if len(c.APIKeys) != 2 || c.APIKeys[1] != "b-key-0123456789abcdef" {
		t.Errorf("keys %q", c.APIKeys)
	}
	if len(c.WebhookAllowNets) != 2 || c.WebhookAllowNets[1].Bits() != 128 {
		t.Errorf("allow nets %v", c.WebhookAllowNets)
	}
	if len(c.WebhookRetrySchedule) != 3 || c.WebhookRetrySchedule[2] != time.Minute {
		t.Errorf("schedule %v", c.WebhookRetrySchedule)
	}
	if c.RateLimit != (Rate{N: 10, Per: 24 * time.Hour}) {
		t.Errorf("rate %v", c.RateLimit)
	}
	if c.MaxFontBytes != 2<<20 {
		t.Errorf("max font bytes %d", c.MaxFontBytes)
	}
}

func TestInvalidSettingsAreNamed(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"OGMINT_INSTANCES": "0"}, nil, "instances"},
		{map[string]string{"OGMINT_INSTANCES": "two"}, nil, "OGMINT_INSTANCES"},
		{map[string]string{"OGMINT_PUBLIC_URL": "localhost:8080"}, nil, "public-url"},
		{map[string]string{"OGMINT_RENDER_DEADLINE": "soon"}, nil, "OGMINT_RENDER_DEADLINE"},
		{map[string]string{"OGMINT_RATE_LIMIT": "10"}, nil, "N/duration"},
		{map[string]string{"OGMINT_WEBHOOK_IDLE_TIMEOUT": "10m"}, nil, "webhook-idle-timeout"},
		{map[string]string{"OGMINT_WEBHOOK_IDLE_TIMEOUT": "0s"}, nil, "webhook-idle-timeout"},
		{map[string]string{"OGMINT_WEBHOOK_ALLOW_NETS": "10.0.0.0/33"}, nil, "CIDR"},
		{map[string]string{"OGMINT_WEBHOOK_RETRY_SCHEDULE": "5s,-1s"}, nil, "duration"},
		{map[string]string{"OGMINT_INSTANCE_MEMORY_MIB": "8"}, nil, "instance-memory-mib"},
		{map[string]string{"OGMINT_METADATA_MAX_DEPTH": "0"}, nil, "metadata-max-depth"},
		{nil, []string{"extra"}, "unexpected arguments"},
		{map[string]string{"OGMINT_IMAGE_ALLOW_NETS": "localhost"}, nil, "CIDR"},
		{map[string]string{"OGMINT_IMAGE_MAX_BYTES": "0"}, nil, "image-max-bytes"},
		{map[string]string{"OGMINT_IMAGE_MAX_BYTES": "4194305"}, nil, "image-max-bytes"},
		{map[string]string{"OGMINT_IMAGE_MAX_BYTES": "4MiB"}, nil, "OGMINT_IMAGE_MAX_BYTES"},
		{map[string]string{"OGMINT_IMAGE_TIMEOUT": "0s"}, nil, "image-timeout"},
		{map[string]string{"OGMINT_IMAGE_TIMEOUT": "1m"}, nil, "image-timeout"},
		{map[string]string{"OGMINT_IMAGE_TIMEOUT": "3"}, nil, "OGMINT_IMAGE_TIMEOUT"},
		{map[string]string{"OGMINT_IMAGE_FETCH_CACHE_MIB": "-1"}, nil, "image-fetch-cache-mib"},
		{map[string]string{"OGMINT_MAX_FONT_BYTES": "10485761"}, nil, "max-font-bytes"},
		{map[string]string{"OGMINT_MAX_FONT_BYTES": "100"}, nil, "max-font-bytes"},
		{map[string]string{"OGMINT_SIGNING_KEYS": "long-enough-key-0123,short"}, nil, "signing-keys: key 2 of the list: 5 bytes"},
		{nil, []string{"-signing-keys", "short"}, "signing-keys"},
	} {
		_, err := Parse("test", tc.args, env(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: error %v, want it to mention %q", tc.env, tc.args, err, tc.want)
		}
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]Rate{"": {}, "off": {}, "0": {}, "60/1m": {60, time.Minute}, " 5/1s ": {5, time.Second}} {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"x/1m", "5/", "5/0s", "-1/1m", "5"} {
		if _, err := ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) accepted", in)
		}
	}
}

func TestFontsDir(t *testing.T) {
	c, err := Parse("test", nil, env(nil), io.Discard)
	if err != nil || c.FontsDir != "" {
		t.Fatalf("default: %q, %v", c.FontsDir, err)
	}
	c, err = Parse("test", nil, env(map[string]string{"OGMINT_FONTS_DIR": "/srv/fonts"}), io.Discard)
	if err != nil || c.FontsDir != "/srv/fonts" {
		t.Fatalf("env: %q, %v", c.FontsDir, err)
	}
	c, err = Parse("test", []string{"-fonts-dir", "/opt/fonts"}, env(map[string]string{"OGMINT_FONTS_DIR": "/srv/fonts"}), io.Discard)
	if err != nil || c.FontsDir != "/opt/fonts" {
		t.Fatalf("the flag should win over env: %q, %v", c.FontsDir, err)
	}
}

func TestImageFetchSettings(t *testing.T) {
	c, err := Parse("test", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ImageAllowNets) != 0 || c.ImageMaxBytes != 4<<20 || c.ImageTimeout != 3*time.Second || c.ImageFetchCacheMiB != DefaultImageFetchCacheMiB {
		t.Fatalf("defaults: nets %v, max %d, timeout %s, cache %d", c.ImageAllowNets, c.ImageMaxBytes, c.ImageTimeout, c.ImageFetchCacheMiB)
	}
	c, err = Parse("test", []string{"-image-timeout", "500ms"}, env(map[string]string{
		"OGMINT_IMAGE_ALLOW_NETS":      "10.1.0.0/16, 127.0.0.1",
		"OGMINT_IMAGE_MAX_BYTES":       "1048576",
		"OGMINT_IMAGE_TIMEOUT":         "10s",
		"OGMINT_IMAGE_FETCH_CACHE_MIB": "0",
		"OGMINT_WEBHOOK_ALLOW_NETS":    "192.168.0.0/16",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ImageAllowNets) != 2 || c.ImageAllowNets[0].String() != "10.1.0.0/16" || c.ImageAllowNets[1].String() != "127.0.0.1/32" {
		t.Errorf("image allow nets %v", c.ImageAllowNets)
	}
	if len(c.WebhookAllowNets) != 1 || c.WebhookAllowNets[0].String() != "192.168.0.0/16" {
		t.Errorf("webhook allow nets %v (the two lists are separate)", c.WebhookAllowNets)
	}
	if c.ImageMaxBytes != 1<<20 || c.ImageTimeout != 500*time.Millisecond || c.ImageFetchCacheMiB != 0 {
		t.Errorf("max %d, timeout %s (the flag wins), cache %d", c.ImageMaxBytes, c.ImageTimeout, c.ImageFetchCacheMiB)
	}
}

func TestDatabaseSettings(t *testing.T) {
	c, err := Parse("test", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Postgres() || c.DatabaseMaxConns != 10 || c.DatabaseStatementTimeout != 5*time.Second {
		t.Fatalf("defaults: postgres %v, max conns %d, timeout %s", c.Postgres(), c.DatabaseMaxConns, c.DatabaseStatementTimeout)
	}
	const url = "postgres://ogmint:s3cret@db.internal:5433/ogmint?sslmode=verify-full"
	c, err = Parse("test", []string{"-database-max-conns", "25"}, env(map[string]string{
		"OGMINT_DATABASE_URL":               url,
		"OGMINT_DATABASE_MAX_CONNS":         "5",
		"OGMINT_DATABASE_STATEMENT_TIMEOUT": "0",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Postgres() || c.DatabaseURL != url || c.DatabaseMaxConns != 25 || c.DatabaseStatementTimeout != 0 {
		t.Fatalf("set: %q, max conns %d (the flag wins), timeout %s", c.DatabaseURL, c.DatabaseMaxConns, c.DatabaseStatementTimeout)
	}
	if got := DatabaseDisplay(url); got != "db.internal:5433/ogmint" {
		t.Errorf("DatabaseDisplay = %q", got)
	}
	if got := DatabaseDisplay("postgres://u:p@/"); got != "(default host)/(default database)" {
		t.Errorf("DatabaseDisplay of an empty host = %q", got)
	}
	c, err = Parse("test", []string{"-database-url", "postgresql://u:p@h/db"}, env(nil), io.Discard)
	if err != nil || c.DatabaseURL != "postgresql://u:p@h/db" {
		t.Fatalf("flag: %q, %v", c.DatabaseURL, err)
	}
}

// TestDatabaseSettingsInvalid: bad settings are named, and no message or
// help text ever shows the URL's password.
func TestDatabaseSettingsInvalid(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"OGMINT_DATABASE_URL": "mysql://u:s3cret@h/db"}, "scheme"},
		{map[string]string{"OGMINT_DATABASE_URL": "postgres://u:s3cret@h:port/db"}, "database-url: not a URL"},
		{map[string]string{"OGMINT_DATABASE_URL": "host=h password=s3cret"}, "database-url"},
		{map[string]string{"OGMINT_DATABASE_MAX_CONNS": "0"}, "database-max-conns"},
		{map[string]string{"OGMINT_DATABASE_MAX_CONNS": "1001"}, "database-max-conns"},
		{map[string]string{"OGMINT_DATABASE_MAX_CONNS": "ten"}, "OGMINT_DATABASE_MAX_CONNS"},
		{map[string]string{"OGMINT_DATABASE_STATEMENT_TIMEOUT": "-1s"}, "database-statement-timeout"},
		{map[string]string{"OGMINT_DATABASE_STATEMENT_TIMEOUT": "2h"}, "database-statement-timeout"},
		{map[string]string{"OGMINT_DATABASE_STATEMENT_TIMEOUT": "5"}, "OGMINT_DATABASE_STATEMENT_TIMEOUT"},
	} {
		_, err := Parse("test", nil, env(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to mention %q", tc.env, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%v: the error shows the password: %v", tc.env, err)
		}
	}
	var help strings.Builder
	Parse("test", []string{"-h"}, env(map[string]string{"OGMINT_DATABASE_URL": "postgres://u:s3cret@h/db"}), &help)
	if !strings.Contains(help.String(), "database-url") || strings.Contains(help.String(), "s3cret") {
		t.Errorf("-h shows the password, or no -database-url:\n%s", help.String())
	}
}

func TestSigningKeys(t *testing.T) {
	c, err := Parse("test", nil, env(map[string]string{"OGMINT_SIGNING_KEYS": " first-key-0123456789 , second-key-0123456789 "}), io.Discard)
	if err != nil || len(c.SigningKeys) != 2 || c.SigningKeys[0] != "first-key-0123456789" {
		t.Fatalf("%q %v", c.SigningKeys, err)
	}
	c, err = Parse("test", []string{"-signing-keys", "flag-key-0123456789"}, env(map[string]string{"OGMINT_SIGNING_KEYS": "env-key-0123456789"}), io.Discard)
	if err != nil || len(c.SigningKeys) != 1 || c.SigningKeys[0] != "flag-key-0123456789" {
		t.Fatalf("flag over env: %q %v", c.SigningKeys, err)
	}
	if c := Default(); len(c.SigningKeys) != 0 {
		t.Fatalf("default %q", c.SigningKeys)
	}
	// Neither -h nor an error prints a key.
	var help strings.Builder
	_, _ = Parse("test", []string{"-h"}, env(map[string]string{"OGMINT_SIGNING_KEYS": "secret-key-0123456789"}), &help)
	if !strings.Contains(help.String(), "signing-keys") || strings.Contains(help.String(), "secret-key") {
		t.Fatalf("-h:\n%s", help.String())
	}
	_, err = Parse("test", nil, env(map[string]string{"OGMINT_SIGNING_KEYS": "secret-key-0123456789,secret"}), io.Discard)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %v", err)
	}
}
