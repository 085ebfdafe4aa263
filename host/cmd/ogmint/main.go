// Command ogmint serves the ogmint API (ogmint serve) and renders cards
// locally (ogmint render). Wiring only: the work is in the host packages.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/ogmint/ogmint/host/api"
	"github.com/ogmint/ogmint/host/apikeys"
	"github.com/ogmint/ogmint/host/cardcache"
	"github.com/ogmint/ogmint/host/config"
	"github.com/ogmint/ogmint/host/filetemplates"
	"github.com/ogmint/ogmint/host/fontcat"
	"github.com/ogmint/ogmint/host/imagefetch"
	"github.com/ogmint/ogmint/host/imgformat"
	"github.com/ogmint/ogmint/host/jsjson"
	"github.com/ogmint/ogmint/host/metrics"
	"github.com/ogmint/ogmint/host/module"
	"github.com/ogmint/ogmint/host/pages"
	"github.com/ogmint/ogmint/host/pprofserve"
	"github.com/ogmint/ogmint/host/ratelimit"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/host/signing"
	"github.com/ogmint/ogmint/host/ssrf"
	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/host/store/instrument"
	"github.com/ogmint/ogmint/host/webhook"
	"github.com/ogmint/ogmint/host/webhook/dispatch"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
	"github.com/ogmint/ogmint/wasm/params"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `ogmint renders Open Graph images.

Usage:
  ogmint serve [flags]     serve the API (ogmint serve -h lists flags and env)
  ogmint render [flags]    render one card to a PNG, JPEG or WebP file
  ogmint check [flags]     check the store for damage (exit 1 when damaged)
  ogmint migrate [flags]   copy a SQLite store into PostgreSQL (idempotent)
  ogmint sign [-base URL] 'template=…&title=…'
                           print a signed V1 URL ($OGMINT_SIGNING_KEYS)
  ogmint version
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "render":
		err = render(os.Args[2:], os.Stdout)
	case "check":
		os.Exit(check(os.Args[2:], os.Stdout, os.Stderr))
	case "migrate":
		os.Exit(migrateCmd(os.Args[2:], os.Stdout, os.Stderr))
	case "sign":
		os.Exit(signCmd(os.Args[2:], os.Getenv, os.Stdout, os.Stderr))
	case "version", "--version", "-v":
		fmt.Println("ogmint", version)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "ogmint: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0) // -h: the flags were printed, as asked
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ogmint:", err)
		os.Exit(1)
	}
}

func serve(args []string) error {
	start := time.Now()
	cfg, err := config.Parse("ogmint serve", args, os.Getenv, os.Stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if cfg.PprofAddr != "" {
		ps, addr, err := pprofserve.Start(cfg.PprofAddr)
		if err != nil {
			return fmt.Errorf("pprof-addr: %w", err)
		}
		defer ps.Close()
		log.Info("serving Go runtime profiles", "addr", "http://"+addr.String()+"/debug/pprof/")
	}
	// Collect when the heap has grown by half (memory.go); the soft limit
	// is set once the pool is up.
	setGCPercent()
	// The fallback font families (fontpack, then OGMINT_FONTS_DIR), parsed
	// and packed once for every instance; a bad font file stops the start.
	fontsStart := time.Now()
	cat, err := fontcat.Load(cfg.FontsDir)
	if err != nil {
		return err
	}
	fontBytes := fontcat.Size(cat)
	dropFontFiles(cat)
	log.Info("fallback fonts", "families", len(cat.Families), "bytes", fontBytes, "dir", cfg.FontsDir,
		"ms", time.Since(fontsStart).Milliseconds())
	// An instance keeps every family it is handed: about 48 MiB besides
	// the fonts is what one with all of them has been seen to use.
	if need := fontBytes>>20 + 48; need > cfg.MemoryMiB {
		log.Warn("an instance holding every fallback family may pass its memory cap; raise OGMINT_INSTANCE_MEMORY_MIB",
			"instance_memory_mib", cfg.MemoryMiB, "suggested_mib", need)
	}
	if err := cfg.EnsureDataDir(); err != nil {
		if !cfg.Postgres() {
			return err
		}
		// With PostgreSQL the data directory holds only caches (compiled
		// code, the warmed-instance snapshot), which the pool does without.
		log.Warn("data directory unusable: starting without the compile cache and instance snapshot", "dir", cfg.DataDir, "err", err)
	}
	// The packed families go to a file mapped in their stead (Linux): an
	// instance reads a family only when its text needs it.
	heapFonts := 0
	if err := spillFonts(cat, filepath.Join(cfg.DataDir, fontsFile)); err != nil {
		heapFonts = fontBytes
		log.Warn("fallback fonts stay in the heap: their file could not be written", "err", err)
	}
	set, err := templates.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.st.Close()
	storeReady := time.Since(start)
	wasm, err := module.Load(ctx, cfg.ModulePath)
	if err != nil {
		return err
	}
	poolStart := time.Now()
	pool, err := renderpool.New(ctx, wasm, renderpool.Config{
		Instances: cfg.Instances, QueueSize: cfg.QueueSize, Deadline: cfg.RenderDeadline,
		MemoryLimitMiB: cfg.MemoryMiB, CacheDir: cfg.CacheDir(),
		SnapshotDir: filepath.Join(cfg.DataDir, "snapshots"),
		Fonts:       cat,
		Logger:      log, // an unusable compile cache or snapshot file: a warning, not a failed start
	})
	if err != nil {
		return err
	}
	poolReady := time.Since(poolStart)
	var fileTemplates map[string]*filetemplates.Template
	if cfg.TemplatesDir != "" {
		if fileTemplates, err = filetemplates.Load(cfg.TemplatesDir, filetemplates.Limits{MaxBytes: cfg.MaxTemplateBytes}); err != nil {
			return err
		}
		log.Info("file templates", "dir", cfg.TemplatesDir, "templates", len(fileTemplates))
	}
	// Every store call below is timed for /metrics.
	var queueStats metrics.QueueStats
	m := metrics.New(func() (int, int, int, uint64) {
		s := pool.Stats()
		return s.Instances, s.Busy, s.Waiting, s.Replaced
	}, func() (int, time.Duration) { return queueStats() })
	st := instrument.Wrap(db.st, m)
	queueStats = dispatch.QueueStatsFunc(st, time.Second)
	if pg := db.pg; pg != nil {
		m.AddDBPool(func() (int32, int32, int32, int32, int64, time.Duration) {
			s := pg.Stats()
			return s.Acquired, s.Idle, s.Total, s.Max, s.EmptyAcquires, s.EmptyAcquireWait
		})
	}
	keys, err := loadKeys(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	m.AddFontHandovers(fontcat.Names(cat), pool.FontHandovers)
	registerMemoryMetrics(m.Registry, pool)
	guard := ssrf.New(cfg.WebhookAllowNets)
	dcfg := dispatch.Config{Workers: cfg.WebhookWorkers, PerEndpoint: cfg.WebhookPerEndpoint, Timeout: cfg.WebhookTimeout,
		Schedule: cfg.WebhookRetrySchedule, IdleConnTimeout: cfg.WebhookIdleTimeout, UserAgent: webhook.UserAgent(version)}.WithDefaults()
	if err := dcfg.Validate(); err != nil {
		return err
	}
	disp := dispatch.New(st, guard, m, dcfg, log)
	// Avatar and logo fetches have a guard of their own: their allow list is
	// not the webhooks'.
	fetchCache := cfg.ImageFetchCacheMiB
	if fetchCache == 0 {
		fetchCache = -1 // imagefetch: negative is off, zero the default
	}
	fetcher, err := imagefetch.New(ssrf.New(cfg.ImageAllowNets), imagefetch.Config{
		MaxBytes: cfg.ImageMaxBytes, Timeout: cfg.ImageTimeout, CacheMiB: fetchCache,
		UserAgent: imageUserAgent(version),
	})
	if err != nil {
		return err
	}
	// The dispatcher has its own context: on SIGTERM it stops after the HTTP
	// server has drained (renders answered during the drain still get their
	// first attempt), and before the store closes.
	dctx, cancelDispatch := context.WithCancel(context.Background())
	dispatchDone := make(chan error, 1)
	go func() { dispatchDone <- disp.Run(dctx) }()
	stopDispatch := sync.OnceFunc(func() { cancelDispatch(); <-dispatchDone })
	defer stopDispatch()
	opts := api.Options{
		Pool: pool, Templates: set, Keys: keys, Logger: log, Metrics: m,
		SigningKeys:  signingKeys(cfg.SigningKeys),
		Cache:        cardcache.New(cfg.CacheMiB << 20),
		Images:       cardcache.New(cfg.ImageCacheMiB << 20),
		RateLimit:    ratelimit.New(cfg.RateLimit.N, cfg.RateLimit.Per, 100_000),
		KeyRateLimit: ratelimit.New(cfg.KeyRateLimit.N, cfg.KeyRateLimit.Per, 100_000),
		Store:        st,
		PublicURL:    strings.TrimRight(cfg.PublicURL, "/"),
		Webhooks:     guard,
		Dispatcher:   disp,
		// The first entry of the schedule is the delay before the first attempt.
		WebhookFirstDelay: cfg.WebhookRetrySchedule[0],
		Metadata: func(raw []byte) ([]byte, error) {
			return jsjson.Object(raw, jsjson.Limits{MaxBytes: cfg.MetadataBytes, MaxDepth: cfg.MetadataDepth})
		},
		Payload: func(url, slug, template string, metadata []byte, created time.Time, cached bool) []byte {
			return webhook.Payload{URL: url, Slug: slug, Template: template, Metadata: metadata, CreatedAt: created, Cached: cached}.Body()
		},
		Ready:            db.ready,
		Fetcher:          fetcher,
		MaxTemplateBytes: cfg.MaxTemplateBytes,
		TemplateLimits:   templates.Limits{MaxElements: cfg.TemplateMaxElements, MaxAssetBytes: cfg.TemplateMaxAssetBytes},
		MaxFontBytes:     cfg.MaxFontBytes,
		MaxRequestBytes:  cfg.MaxRequestBytes,
		FileTemplates:    fileTemplates,
	}
	// The home page and the playground, which runs this same module in
	// the browser with these fallback families.
	pg, err := pages.New(pages.Options{Module: wasm, Templates: set, Fonts: cat})
	if err != nil {
		return err
	}
	opts.Pages = pg.Serve
	srv := api.New(opts)
	hs := &fasthttp.Server{
		Handler:            srv.Handler,
		Name:               "ogmint",
		ReadTimeout:        cfg.ReadTimeout,
		WriteTimeout:       cfg.WriteTimeout,
		IdleTimeout:        cfg.IdleTimeout,
		MaxRequestBodySize: api.MaxBodyBytes(opts),
		ReadBufferSize:     16 << 10,
		ErrorHandler:       api.ParseErrorHandler,
	}
	// The soft limit for serving (after start-up: compiling the module on a
	// first start needs far more heap than serving).
	setMemoryLimit(cfg, heapFonts)
	settle(log, pool, wasm)
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe(cfg.Addr) }()
	log.Info("ogmint serving", "addr", cfg.Addr, "version", version, "instances", cfg.Instances,
		"startup_ms", time.Since(start).Milliseconds(), "store_ready_ms", storeReady.Milliseconds(),
		"pool_ms", poolReady.Milliseconds(), "signed_v1_urls", len(cfg.SigningKeys) > 0, // never the keys
		// URLs a person can click in the log: a card, and the playground.
		"try", exampleURL(cfg),
		"playground", strings.TrimRight(cfg.PublicURL, "/")+"/playground")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.ShutdownWithContext(sctx); err != nil {
		log.Error("shutdown", "err", err)
	}
	log.Info("shutting down: finishing in-flight webhook attempts")
	stopDispatch()
	return pool.Close(sctx)
}

// openedStore is the store ogmint serve uses, with what /readyz checks.
type openedStore struct {
	st    store.Store
	pg    *store.Postgres // nil for SQLite
	ready func(context.Context) error
}

// openStore opens the PostgreSQL store when a database URL is configured,
// otherwise the SQLite store in the data directory. Only the database's
// host and name are logged: the URL holds a password.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (openedStore, error) {
	if !cfg.Postgres() {
		sq, err := store.OpenSQLite(ctx, cfg.DataDir, store.Options{})
		if err != nil {
			return openedStore{}, err
		}
		log.Info("store: SQLite", "file", filepath.Join(cfg.DataDir, store.DBFile))
		return openedStore{st: sq, ready: func(ctx context.Context) error { return storeUsable(ctx, sq) }}, nil
	}
	where := config.DatabaseDisplay(cfg.DatabaseURL)
	timeout := cfg.DatabaseStatementTimeout
	if timeout == 0 {
		timeout = -1 // PostgresOptions: negative is none, zero the default
	}
	pg, err := store.OpenPostgres(ctx, cfg.DatabaseURL, store.PostgresOptions{
		MaxConns: int32(cfg.DatabaseMaxConns), StatementTimeout: timeout,
	})
	if err != nil {
		return openedStore{}, fmt.Errorf("database %s: %w", where, err)
	}
	log.Info("store: PostgreSQL", "database", where, "max_conns", cfg.DatabaseMaxConns,
		"statement_timeout", cfg.DatabaseStatementTimeout.String())
	return openedStore{st: pg, pg: pg, ready: pg.Ping}, nil
}

// storeUsable reports whether the SQLite store answers reads and can take
// writes (not while its disk is full; the write probe is rate-limited).
// PostgreSQL's /readyz check is Ping: the server reports its own full disk
// (ErrNoSpace on the write that meets it).
func storeUsable(ctx context.Context, st *store.SQLite) error {
	if _, err := st.APIKeys(ctx); err != nil {
		return err
	}
	return st.Writable(ctx)
}

// imageUserAgent is the User-Agent of avatar and logo fetches.
func imageUserAgent(version string) string {
	return "ogmint-image-fetcher/" + version + " (+https://github.com/ogmint/ogmint)"
}

// loadKeys builds the V2 key set from the configuration, or generates (once)
// and prints a development key when none is configured; every key's digest
// is recorded in the store.
func loadKeys(ctx context.Context, cfg config.Config, st store.Store, log *slog.Logger) (*apikeys.Set, error) {
	plain := append([]string(nil), cfg.APIKeys...)
	if cfg.APIKeysFile != "" {
		more, err := apikeys.ReadFile(cfg.APIKeysFile)
		if err != nil {
			return nil, fmt.Errorf("api-keys-file: %w", err)
		}
		plain = append(plain, more...)
	}
	name := "config"
	if len(plain) == 0 && cfg.Postgres() {
		// The development key lives in one host's data directory: hosts
		// sharing a database would each make their own.
		return nil, errors.New("no API keys configured: with OGMINT_DATABASE_URL set, give every host the same keys " +
			"(OGMINT_API_KEYS or OGMINT_API_KEYS_FILE); the development key is for a single host with SQLite")
	}
	if len(plain) == 0 {
		dev, created, err := apikeys.DevKey(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		plain, name = []string{dev}, "development"
		log.Warn("no API keys configured: using a development key (set OGMINT_API_KEYS in production)",
			"x-api-key", dev, "new", created, "file", cfg.DataDir+"/"+apikeys.DevKeyFile)
	}
	keys, err := apikeys.New(plain, name)
	if err != nil {
		return nil, err
	}
	for _, k := range keys.Keys() {
		if err := st.PutAPIKey(ctx, store.APIKey{ID: k.ID, Hash: k.Hash, Name: k.Name}); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// paramFlags collects repeated --param name=value flags.
type paramFlags url.Values

func (p paramFlags) String() string { return url.Values(p).Encode() }

func (p paramFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	url.Values(p).Add(k, v)
	return nil
}

func render(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ogmint render", flag.ContinueOnError)
	q := url.Values{}
	for _, name := range []string{"template", "title", "description", "tag", "author", "palette", "font", "format", "quality"} {
		name := name
		fs.Func(name, "the "+name+" parameter", func(s string) error { q.Set(name, s); return nil })
	}
	fs.Var(paramFlags(q), "param", "any render parameter as name=value (repeatable)")
	out := fs.String("o", "", "output file ('-' for stdout; default card.png, card.jpg or card.webp by --format)")
	allowNets := fs.String("image-allow-nets", os.Getenv("OGMINT_IMAGE_ALLOW_NETS"), "CIDRs exempt from the SSRF guard for avatar and logo fetches")
	modulePath := fs.String("module", os.Getenv("OGMINT_MODULE"), "render module file (default: embedded)")
	fontsDir := fs.String("fonts-dir", os.Getenv("OGMINT_FONTS_DIR"), "directory of extra fallback font families (.ttf, .otf, .ttc, .woff) ($OGMINT_FONTS_DIR)")
	batch := fs.String("batch", "", "render every row of a .jsonl or .csv file (keys: render parameters, and output: the file name) into -out")
	outDir := fs.String("out", "og", "with -batch: the output directory (manifest.json records what was written)")
	jobs := fs.Int("jobs", runtime.NumCPU(), "with -batch or -from-markdown: render instances, one per core")
	fromMarkdown := fs.String("from-markdown", "", "one card per Markdown page under this directory, from its front matter (title, description/summary, tags, author; drafts skipped), into -out")
	mapFile := fs.String("map", "", "with -from-markdown: a JSON file mapping other front matter keys to parameters, e.g. {\"subtitle\": \"description\"}")
	if err := fs.Parse(args); err != nil {
		return err
	}
	format, quality, fe := params.ParseFormat(q.Get("format"), q.Get("quality"))
	if len(fe) > 0 {
		return fmt.Errorf("%s: %s", fe[0].Field, fe[0].Message)
	}
	if *out == "" {
		*out = "card" + imgformat.Ext(format)
	} else if ext := strings.ToLower(filepath.Ext(*out)); *out != "-" && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".webp") &&
		ext != imgformat.Ext(format) && !(ext == ".jpeg" && format == imgformat.JPEG) {
		return fmt.Errorf("-o %s: the extension does not match --format %s (%s)", *out, format, imgformat.Ext(format))
	}
	cat, err := fontcat.Load(*fontsDir)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if *batch != "" || *fromMarkdown != "" {
		wasm, err := module.Load(ctx, *modulePath)
		if err != nil {
			return err
		}
		cfg := renderpool.Config{CacheDir: userCacheDir(), Fonts: cat}
		if *batch != "" {
			return runBatch(ctx, wasm, cfg, *batch, *outDir, *jobs, stdout, os.Stderr)
		}
		mapping, err := readMapping(*mapFile)
		if err != nil {
			return err
		}
		if q.Get("template") == "" {
			q.Set("template", "blog")
		}
		rows, err := markdownRows(*fromMarkdown, mapping, q)
		if err != nil {
			return err
		}
		return renderRows(ctx, wasm, cfg, rows, nil, *outDir, *jobs, stdout, os.Stderr)
	}
	images, err := fetchImages(ctx, q, *allowNets)
	if err != nil {
		return err
	}
	wasm, err := module.Load(ctx, *modulePath)
	if err != nil {
		return err
	}
	pool, err := renderpool.New(ctx, wasm, renderpool.Config{Instances: 1, CacheDir: userCacheDir(), Fonts: cat})
	if err != nil {
		return err
	}
	defer pool.Close(ctx)
	var png []byte
	err = pool.RenderFrame(ctx, []byte(q.Encode()), images, func(pix []byte, w, h int) error {
		png, err = imgformat.Encode(nil, format, quality, pix, w, h)
		return err
	})
	var me *renderpool.ModuleError
	if errors.As(err, &me) {
		return errors.New(readableError(me.Body))
	}
	if err != nil {
		return err
	}
	if *out == "-" {
		_, err = stdout.Write(png)
		return err
	}
	if err := os.WriteFile(*out, png, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s)\n", *out, humanBytes(len(png)))
	return nil
}

// exampleURL is a card URL on the public URL to try, signed when V1 URLs
// must be.
func exampleURL(cfg config.Config) string {
	q := url.Values{"template": {"blog"}, "title": {"Hello from ogmint"}, "author": {"Ada Lovelace"}}
	if len(cfg.SigningKeys) > 0 {
		if sig, err := signing.Sign([]byte(cfg.SigningKeys[0]), q); err == nil {
			q.Set(signing.Param, sig)
		}
	}
	return strings.TrimRight(cfg.PublicURL, "/") + "/api/og?" + q.Encode()
}

// userCacheDir is where the CLI keeps its compilation cache ("" for none).
func userCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return dir + "/ogmint/wazero-cache"
}

// readableError turns an API error body into one line for the error and
// one per field: "invalid parameters\n  title: required; 1-200 characters".
func readableError(body []byte) string {
	var e struct {
		Error   string `json:"error"`
		Details []struct {
			Field   string `json:"field"`
			Pointer string `json:"pointer"`
			Message string `json:"message"`
		} `json:"details"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return string(body)
	}
	fields := make([]params.FieldError, len(e.Details))
	for i, d := range e.Details {
		fields[i] = params.FieldError{Field: strings.TrimSpace(d.Field + " " + d.Pointer), Message: d.Message}
	}
	return readableLines(e.Error, fields)
}

// readableLines is msg, then one indented line per field.
func readableLines(msg string, fields []params.FieldError) string {
	var b strings.Builder
	b.WriteString(msg)
	for _, f := range fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	return b.String()
}

// humanBytes is n in B, KB or MB (1000-based, as file managers show).
func humanBytes(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// fetchImages fetches the avatar and logo a local render names, under the
// same SSRF guard and limits as the server's defaults.
func fetchImages(ctx context.Context, q url.Values, allowNets string) ([abi.NumSlots][]byte, error) {
	var out [abi.NumSlots][]byte
	urls := []string{abi.SlotAvatar: q.Get("avatar"), abi.SlotLogo: q.Get("logo")}
	if urls[abi.SlotAvatar] == "" && urls[abi.SlotLogo] == "" {
		return out, nil
	}
	nets, err := config.ParsePrefixes(allowNets)
	if err != nil {
		return out, fmt.Errorf("image-allow-nets: %w", err)
	}
	f, err := imagefetch.New(ssrf.New(nets), imagefetch.Config{CacheMiB: -1, UserAgent: imageUserAgent(version)})
	if err != nil {
		return out, err
	}
	imgs, errs := f.FetchAll(ctx, urls)
	for slot, name := range []string{abi.SlotAvatar: "avatar", abi.SlotLogo: "logo"} {
		if errs[slot] != nil {
			return out, fmt.Errorf("%s could not be fetched: %w", name, errs[slot])
		}
		out[slot] = imgs[slot].Data
	}
	return out, nil
}

// signingKeys is the configured V1 URL signing keys as bytes.
func signingKeys(list []string) [][]byte {
	var out [][]byte
	for _, k := range list {
		out = append(out, []byte(k))
	}
	return out
}
