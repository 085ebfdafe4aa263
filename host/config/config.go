// Package config is the host's operating contract: every setting with its
// default, its command-line flag and its environment twin, in one place.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ogmint/ogmint/host/pprofserve"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
)

// MaxFontBytes is MaxFontBytes's default and most: the store keeps font
// files of at most 10 MiB (store.MaxFontSize).
const MaxFontBytes = 10 << 20

// Config is the host's configuration. Build it with Parse (flags and
// environment) or Default, then Validate.
type Config struct {
	Addr    string // OGMINT_ADDR
	DataDir string // OGMINT_DATA_DIR
	// DatabaseURL selects the PostgreSQL store (OGMINT_DATABASE_URL,
	// postgres://user:password@host:port/database?...); "" keeps the
	// SQLite store in DataDir. It holds a password: never log it, log
	// DatabaseDisplay.
	DatabaseURL string
	// DatabaseMaxConns is the PostgreSQL connection pool's size per host.
	DatabaseMaxConns int
	// DatabaseStatementTimeout bounds every PostgreSQL statement (0: none).
	DatabaseStatementTimeout time.Duration
	PublicURL                string // OGMINT_PUBLIC_URL
	APIKeys                  []string
	// APIKeysFile holds more keys, one per line (# comments allowed).
	APIKeysFile string
	// SigningKeys (OGMINT_SIGNING_KEYS, comma-separated) make V1 renders
	// need a signature (s; package host/signing): the first key signs, all
	// verify (rotation). Each is at least MinSigningKeyBytes; none: V1
	// URLs are not signed. Never logged or printed.
	SigningKeys []string
	// ModulePath is a render module file to use instead of the embedded one.
	ModulePath string
	// FontsDir holds extra fallback font families (OGMINT_FONTS_DIR): every
	// .ttf, .otf, .ttc or .woff file, after the built-in fontpack's (see
	// host/fontcat.ReadDir). "" = none.
	FontsDir string

	Instances      int           // warm render instances
	QueueSize      int           // renders allowed to wait for an instance
	RenderDeadline time.Duration // per render
	MemoryMiB      int           // linear memory cap per instance

	CacheMiB        int // in-memory V1 card cache
	ImageCacheMiB   int // in-memory cache of /i/{slug} images
	RateLimit       Rate
	KeyRateLimit    Rate // V2 renders per API key
	MetadataBytes   int  // largest V2 metadata object
	MetadataDepth   int  // deepest V2 metadata nesting
	MaxRequestBytes int
	// MaxTemplateBytes bounds a custom template's JSON, assets included.
	MaxTemplateBytes int
	// MaxFontBytes bounds a font file a key uploads (POST /api/v2/fonts).
	MaxFontBytes int
	// TemplatesDir holds file-based custom templates (<name>.json is
	// custom_<name>); "" for none.
	TemplatesDir string
	// TemplateMaxElements and TemplateMaxAssetBytes bound custom templates
	// (at most templates.DefaultLimits').
	TemplateMaxElements   int
	TemplateMaxAssetBytes int
	ReadTimeout           time.Duration
	WriteTimeout          time.Duration
	IdleTimeout           time.Duration
	ShutdownTimeout       time.Duration

	WebhookAllowNets     []netip.Prefix
	WebhookTimeout       time.Duration
	WebhookRetrySchedule []time.Duration
	WebhookWorkers       int // webhook attempts in flight at once
	WebhookPerEndpoint   int // webhook attempts in flight at once to one URL host
	// WebhookIdleTimeout is how long an idle connection to a webhook
	// receiver is kept for the next attempt.
	WebhookIdleTimeout time.Duration

	// Fetching the avatar and logo images a render names.
	ImageAllowNets     []netip.Prefix // addresses exempt from the SSRF guard (plain http allowed)
	ImageMaxBytes      int            // largest image file
	ImageTimeout       time.Duration  // per fetch, redirects included
	ImageFetchCacheMiB int            // in-memory cache of fetched images (0 = off)

	// PprofAddr serves Go's runtime profiles (/debug/pprof/) on a loopback
	// address (OGMINT_PPROF_ADDR); "" = off.
	PprofAddr string
}

// MaxImageTimeout is the longest image-timeout accepted: a fetch holds the
// request that needs it open.
const MaxImageTimeout = 30 * time.Second

// MaxWebhookIdleTimeout is the longest webhook-idle-timeout accepted
// (dispatch.MaxIdleConnTimeout).
const MaxWebhookIdleTimeout = 5 * time.Minute

// Rate is N events per Per; N == 0 means unlimited.
type Rate struct {
	N   int
	Per time.Duration
}

func (r Rate) String() string {
	if r.N == 0 {
		return "off"
	}
	return fmt.Sprintf("%d/%s", r.N, r.Per)
}

// ParseRate reads "off", "0" or "N/duration" (e.g. "10/24h", "60/1m").
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" || s == "off" {
		return Rate{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: want N/duration, e.g. 60/1m, or off", s)
	}
	count, err := strconv.Atoi(n)
	if err != nil || count < 0 {
		return Rate{}, fmt.Errorf("rate %q: bad count", s)
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return Rate{}, fmt.Errorf("rate %q: bad duration", s)
	}
	return Rate{N: count, Per: d}, nil
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:                     ":8080",
		DataDir:                  "./data",
		DatabaseMaxConns:         DefaultDatabaseMaxConns,
		DatabaseStatementTimeout: DefaultDatabaseStatementTimeout,
		PublicURL:                "http://localhost:8080",
		Instances:                runtime.NumCPU(),
		QueueSize:                64,
		RenderDeadline:           2 * time.Second,
		MemoryMiB:                128,
		CacheMiB:                 DefaultCacheMiB,
		ImageCacheMiB:            DefaultImageCacheMiB,
		MetadataBytes:            16 << 10,
		MetadataDepth:            16,
		MaxRequestBytes:          64 << 10,
		MaxTemplateBytes:         2 << 20,
		MaxFontBytes:             MaxFontBytes,
		TemplateMaxElements:      templates.DefaultLimits.MaxElements,
		TemplateMaxAssetBytes:    templates.DefaultLimits.MaxAssetBytes,
		ReadTimeout:              10 * time.Second,
		WriteTimeout:             10 * time.Second,
		IdleTimeout:              60 * time.Second,
		ShutdownTimeout:          15 * time.Second,
		WebhookTimeout:           5 * time.Second,
		WebhookRetrySchedule:     []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour},
		WebhookWorkers:           32,
		WebhookPerEndpoint:       4,
		WebhookIdleTimeout:       time.Second,
		ImageMaxBytes:            abi.MaxImageBytes,
		ImageTimeout:             3 * time.Second,
		ImageFetchCacheMiB:       DefaultImageFetchCacheMiB,
	}
}

// PostgreSQL store defaults and limits.
const (
	DefaultDatabaseMaxConns         = 10
	MaxDatabaseMaxConns             = 1000
	DefaultDatabaseStatementTimeout = 5 * time.Second
	MaxDatabaseStatementTimeout     = time.Hour
)

// Default cache sizes, in MiB: V1 cards, /i/{slug} images, fetched avatars
// and logos. The card cache gives way when the Go heap nears its soft
// limit (host/cardcache). They are sized for the memory budget (issue 11:
// RSS under sustained load < 150 MiB): a cache costs its size and half again
// in the Go heap (GOGC 50), and 16 MiB holds ~200 blog cards.
const (
	DefaultCacheMiB           = 8
	DefaultImageCacheMiB      = 8
	DefaultImageFetchCacheMiB = 8
)

// Setting documents one flag and its environment variable (for --help and README).
type Setting struct {
	Flag, Env, Default, Usage string
}

// Parse reads flags from args, each defaulting to its environment twin
// (getenv, usually os.Getenv) and then to Default.
func Parse(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var errs []error
	env := func(key string) (string, bool) {
		v := getenv(key)
		return v, v != ""
	}
	str := func(p *string, fl, key, usage string) {
		if v, ok := env(key); ok {
			*p = v
		}
		fs.StringVar(p, fl, *p, usage+" ($"+key+")")
	}
	num := func(p *int, fl, key, usage string) {
		if v, ok := env(key); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("$%s: %q is not a number", key, v))
			}
			*p = n
		}
		fs.IntVar(p, fl, *p, usage+" ($"+key+")")
	}
	dur := func(p *time.Duration, fl, key, usage string) {
		if v, ok := env(key); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("$%s: %q is not a duration", key, v))
			}
			*p = d
		}
		fs.DurationVar(p, fl, *p, usage+" ($"+key+")")
	}
	fun := func(fl, key, def, usage string, set func(string) error) {
		if v, ok := env(key); ok {
			if err := set(v); err != nil {
				errs = append(errs, fmt.Errorf("$%s: %w", key, err))
			}
		}
		fs.Func(fl, usage+" (default "+def+") ($"+key+")", set)
	}
	str(&c.Addr, "addr", "OGMINT_ADDR", "listen address")
	str(&c.DataDir, "data-dir", "OGMINT_DATA_DIR", "data directory (compile cache, store)")
	// Not str: -h would print the URL (and its password) as the default.
	fun("database-url", "OGMINT_DATABASE_URL", `""`, "PostgreSQL store, postgres://user:password@host:port/database (empty: SQLite in the data directory)", func(s string) error {
		c.DatabaseURL = strings.TrimSpace(s)
		return nil
	})
	num(&c.DatabaseMaxConns, "database-max-conns", "OGMINT_DATABASE_MAX_CONNS", "PostgreSQL connections per host")
	dur(&c.DatabaseStatementTimeout, "database-statement-timeout", "OGMINT_DATABASE_STATEMENT_TIMEOUT", "bound on every PostgreSQL statement, lock waits included (0 = none)")
	str(&c.PublicURL, "public-url", "OGMINT_PUBLIC_URL", "base of returned URLs")
	str(&c.ModulePath, "module", "OGMINT_MODULE", "render module file (default: embedded)")
	str(&c.FontsDir, "fonts-dir", "OGMINT_FONTS_DIR", "directory of extra fallback font families: each .ttf/.otf/.ttc/.woff file one family, after the built-in ones (NAME-Bold pairs with NAME)")
	fun("api-keys", "OGMINT_API_KEYS", `""`, "comma-separated API keys", func(s string) error {
		c.APIKeys = splitList(s)
		return nil
	})
	// Not str: -h would print the keys as the default.
	fun("signing-keys", "OGMINT_SIGNING_KEYS", `""`, "comma-separated V1 URL signing keys, at least 16 bytes each: the first signs, all verify (empty: V1 URLs unsigned)", func(s string) error {
		c.SigningKeys = splitList(s)
		return nil
	})
	str(&c.APIKeysFile, "api-keys-file", "OGMINT_API_KEYS_FILE", "file with more API keys, one per line")
	num(&c.Instances, "instances", "OGMINT_INSTANCES", "warm render instances")
	num(&c.QueueSize, "queue", "OGMINT_QUEUE", "renders that may wait for an instance before 503")
	dur(&c.RenderDeadline, "render-deadline", "OGMINT_RENDER_DEADLINE", "deadline per render")
	num(&c.MemoryMiB, "instance-memory-mib", "OGMINT_INSTANCE_MEMORY_MIB", "linear memory cap per instance")
	num(&c.CacheMiB, "cache-mib", "OGMINT_CACHE_MIB", "in-memory card cache size (0 = off)")
	rate := func(p *Rate, fl, key, usage string) {
		fun(fl, key, "off", usage, func(s string) (err error) {
			*p, err = ParseRate(s)
			return err
		})
	}
	rate(&c.RateLimit, "rate-limit", "OGMINT_RATE_LIMIT", "anonymous V1 renders per IP, N/duration (e.g. 10/24h)")
	num(&c.ImageCacheMiB, "image-cache-mib", "OGMINT_IMAGE_CACHE_MIB", "in-memory cache of /i/{slug} images (0 = off)")
	rate(&c.KeyRateLimit, "key-rate-limit", "OGMINT_KEY_RATE_LIMIT", "V2 renders per API key, N/duration (dedup hits are free)")
	num(&c.MetadataBytes, "metadata-max-bytes", "OGMINT_METADATA_MAX_BYTES", "largest V2 metadata object in bytes")
	num(&c.MetadataDepth, "metadata-max-depth", "OGMINT_METADATA_MAX_DEPTH", "deepest V2 metadata nesting")
	num(&c.MaxRequestBytes, "max-request-bytes", "OGMINT_MAX_REQUEST_BYTES", "largest request body")
	str(&c.TemplatesDir, "templates-dir", "OGMINT_TEMPLATES_DIR", "directory of file-based custom templates (<name>.json is custom_<name>)")
	num(&c.TemplateMaxElements, "template-max-elements", "OGMINT_TEMPLATE_MAX_ELEMENTS", "most top-level elements a custom template has")
	num(&c.TemplateMaxAssetBytes, "template-max-asset-bytes", "OGMINT_TEMPLATE_MAX_ASSET_BYTES", "largest image asset a custom template carries, decoded")
	num(&c.MaxTemplateBytes, "max-template-bytes", "OGMINT_MAX_TEMPLATE_BYTES", "largest custom template JSON, assets included")
	num(&c.MaxFontBytes, "max-font-bytes", "OGMINT_MAX_FONT_BYTES", "largest font file a key uploads (TTF, OTF, WOFF, WOFF2)")
	dur(&c.ReadTimeout, "read-timeout", "OGMINT_READ_TIMEOUT", "HTTP read timeout")
	dur(&c.WriteTimeout, "write-timeout", "OGMINT_WRITE_TIMEOUT", "HTTP write timeout")
	dur(&c.IdleTimeout, "idle-timeout", "OGMINT_IDLE_TIMEOUT", "HTTP keep-alive idle timeout")
	dur(&c.ShutdownTimeout, "shutdown-timeout", "OGMINT_SHUTDOWN_TIMEOUT", "graceful shutdown limit")
	fun("webhook-allow-nets", "OGMINT_WEBHOOK_ALLOW_NETS", `""`, "CIDRs exempt from the SSRF guard", func(s string) error {
		nets, err := ParsePrefixes(s)
		c.WebhookAllowNets = nets
		return err
	})
	dur(&c.WebhookTimeout, "webhook-timeout", "OGMINT_WEBHOOK_TIMEOUT", "timeout per webhook attempt")
	fun("webhook-retry-schedule", "OGMINT_WEBHOOK_RETRY_SCHEDULE", "0s,5s,5m,30m,2h,5h,10h,10h", "delays before each webhook attempt", func(s string) error {
		d, err := ParseDurations(s)
		c.WebhookRetrySchedule = d
		return err
	})
	num(&c.WebhookWorkers, "webhook-workers", "OGMINT_WEBHOOK_WORKERS", "webhook attempts in flight at once")
	num(&c.WebhookPerEndpoint, "webhook-per-endpoint", "OGMINT_WEBHOOK_PER_ENDPOINT", "webhook attempts in flight at once to one receiver host")
	dur(&c.WebhookIdleTimeout, "webhook-idle-timeout", "OGMINT_WEBHOOK_IDLE_TIMEOUT", "how long an idle connection to a webhook receiver is kept for the next attempt (at most 5m)")
	fun("image-allow-nets", "OGMINT_IMAGE_ALLOW_NETS", `""`, "CIDRs exempt from the SSRF guard for avatar and logo fetches", func(s string) error {
		nets, err := ParsePrefixes(s)
		c.ImageAllowNets = nets
		return err
	})
	num(&c.ImageMaxBytes, "image-max-bytes", "OGMINT_IMAGE_MAX_BYTES", "largest avatar or logo image file in bytes")
	dur(&c.ImageTimeout, "image-timeout", "OGMINT_IMAGE_TIMEOUT", "timeout per avatar or logo fetch, redirects included")
	num(&c.ImageFetchCacheMiB, "image-fetch-cache-mib", "OGMINT_IMAGE_FETCH_CACHE_MIB", "in-memory cache of fetched avatar and logo images (0 = off)")
	str(&c.PprofAddr, "pprof-addr", "OGMINT_PPROF_ADDR", "serve Go's runtime profiles (/debug/pprof/) on this loopback host:port (off when empty)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %q", fs.Args()))
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	return c, c.Validate()
}

// Validate checks every setting and names the bad ones.
// MinSigningKeyBytes is the shortest V1 URL signing key accepted.
const MinSigningKeyBytes = 16

func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Addr == "" {
		bad("addr: empty")
	}
	if c.DataDir == "" {
		bad("data-dir: empty")
	}
	if c.DatabaseURL != "" {
		if err := CheckDatabaseURL(c.DatabaseURL); err != nil {
			bad("database-url: %v", err)
		}
	}
	for i, k := range c.SigningKeys {
		if len(k) < MinSigningKeyBytes { // the key itself is never printed
			bad("signing-keys: key %d of the list: %d bytes, want at least %d", i+1, len(k), MinSigningKeyBytes)
		}
	}
	if c.DatabaseMaxConns < 1 || c.DatabaseMaxConns > MaxDatabaseMaxConns {
		bad("database-max-conns: %d, want 1-%d", c.DatabaseMaxConns, MaxDatabaseMaxConns)
	}
	if c.DatabaseStatementTimeout < 0 || c.DatabaseStatementTimeout > MaxDatabaseStatementTimeout ||
		(c.DatabaseStatementTimeout > 0 && c.DatabaseStatementTimeout < time.Millisecond) {
		bad("database-statement-timeout: %s, want 0 (none) or 1ms-%s", c.DatabaseStatementTimeout, MaxDatabaseStatementTimeout)
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("public-url: %q is not an absolute http(s) URL", c.PublicURL)
	}
	if c.Instances < 1 || c.Instances > 256 {
		bad("instances: %d, want 1-256", c.Instances)
	}
	if c.QueueSize < 0 {
		bad("queue: %d, want >= 0", c.QueueSize)
	}
	if c.RenderDeadline <= 0 {
		bad("render-deadline: must be > 0")
	}
	if c.MemoryMiB < 32 || c.MemoryMiB > 4096 {
		bad("instance-memory-mib: %d, want 32-4096", c.MemoryMiB)
	}
	if c.CacheMiB < 0 || c.ImageCacheMiB < 0 || c.ImageFetchCacheMiB < 0 {
		bad("cache-mib, image-cache-mib, image-fetch-cache-mib: must be >= 0")
	}
	if c.ImageMaxBytes < 1 || c.ImageMaxBytes > abi.MaxImageBytes {
		bad("image-max-bytes: %d, want 1-%d (what the render module takes)", c.ImageMaxBytes, abi.MaxImageBytes)
	}
	if c.ImageTimeout <= 0 || c.ImageTimeout > MaxImageTimeout {
		bad("image-timeout: %s, want > 0 and at most %s", c.ImageTimeout, MaxImageTimeout)
	}
	if c.MetadataBytes < 2 || c.MetadataBytes > c.MaxRequestBytes {
		bad("metadata-max-bytes: %d, want 2..max-request-bytes", c.MetadataBytes)
	}
	if c.MetadataDepth < 1 || c.MetadataDepth > 256 {
		bad("metadata-max-depth: %d, want 1-256", c.MetadataDepth)
	}
	if c.MaxRequestBytes < 1024 {
		bad("max-request-bytes: want >= 1024")
	}
	if c.TemplateMaxElements < 1 || c.TemplateMaxElements > templates.DefaultLimits.MaxElements {
		bad("template-max-elements: %d, want 1-%d (what the render module takes)", c.TemplateMaxElements, templates.DefaultLimits.MaxElements)
	}
	if c.TemplateMaxAssetBytes < 1024 || c.TemplateMaxAssetBytes > templates.DefaultLimits.MaxAssetBytes {
		bad("template-max-asset-bytes: %d, want 1024-%d (what the render module takes)", c.TemplateMaxAssetBytes, templates.DefaultLimits.MaxAssetBytes)
	}
	if c.MaxTemplateBytes < 1024 || c.MaxTemplateBytes > abi.MaxTemplateBytes {
		bad("max-template-bytes: %d, want 1024-%d (what the render module takes)", c.MaxTemplateBytes, abi.MaxTemplateBytes)
	}
	if c.MaxFontBytes < 1024 || c.MaxFontBytes > MaxFontBytes {
		bad("max-font-bytes: %d, want 1024-%d (what the store keeps)", c.MaxFontBytes, MaxFontBytes)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read-timeout", c.ReadTimeout}, {"write-timeout", c.WriteTimeout}, {"idle-timeout", c.IdleTimeout}, {"shutdown-timeout", c.ShutdownTimeout}, {"webhook-timeout", c.WebhookTimeout}} {
		if d.v <= 0 {
			bad("%s: must be > 0", d.name)
		}
	}
	if len(c.WebhookRetrySchedule) == 0 || len(c.WebhookRetrySchedule) > 100 {
		bad("webhook-retry-schedule: %d attempts, want 1-100", len(c.WebhookRetrySchedule))
	}
	if c.WebhookWorkers < 1 || c.WebhookWorkers > 4096 {
		bad("webhook-workers: %d, want 1-4096", c.WebhookWorkers)
	}
	if c.WebhookPerEndpoint < 1 || c.WebhookPerEndpoint > 4096 {
		bad("webhook-per-endpoint: %d, want 1-4096", c.WebhookPerEndpoint)
	}
	if c.WebhookIdleTimeout <= 0 || c.WebhookIdleTimeout > MaxWebhookIdleTimeout {
		bad("webhook-idle-timeout: %s, want > 0 and at most %s", c.WebhookIdleTimeout, MaxWebhookIdleTimeout)
	}
	if c.PprofAddr != "" {
		if err := pprofserve.CheckAddr(c.PprofAddr); err != nil {
			bad("pprof-addr: %v", err)
		}
	}
	return errors.Join(errs...)
}

// Postgres reports whether the PostgreSQL store is selected.
func (c Config) Postgres() bool { return c.DatabaseURL != "" }

// CheckDatabaseURL checks that s is a postgres:// or postgresql:// URL.
// Its errors never quote s, which holds a password.
func CheckDatabaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		// url.Error quotes the whole URL: say what is wrong without it.
		return errors.New("not a URL; want postgres://user:password@host:port/database (percent-encode special characters in the password)")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("scheme %q, want postgres:// or postgresql://", u.Scheme)
	}
	if u.Opaque != "" {
		return errors.New("want postgres://user:password@host:port/database")
	}
	return nil
}

// DatabaseDisplay is what may be logged of a database URL: host(s), port
// and database name, never the user, password or parameters.
func DatabaseDisplay(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	host := u.Host
	if host == "" {
		host = "(default host)"
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		db = "(default database)"
	}
	return host + "/" + db
}

// CacheDir is where wazero keeps compiled code.
func (c Config) CacheDir() string { return filepath.Join(c.DataDir, "wazero-cache") }

// EnsureDataDir creates the data directory.
func (c Config) EnsureDataDir() error { return os.MkdirAll(c.DataDir, 0o750) }

// ParsePrefixes reads comma-separated CIDRs (a bare address means a /32 or /128).
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range splitList(s) {
		if !strings.Contains(item, "/") {
			a, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR or address", item)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR", item)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// ParseDurations reads comma-separated durations.
func ParseDurations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, item := range splitList(s) {
		d, err := time.ParseDuration(item)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%q is not a duration", item)
		}
		out = append(out, d)
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
