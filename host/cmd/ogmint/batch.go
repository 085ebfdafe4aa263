package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/ogmint/ogmint/host/pngfast"
	"github.com/ogmint/ogmint/host/renderpool"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/params"
)

// Batch rendering (ogmint render --batch): every row of a JSONL or CSV
// file is one card. A row's keys (JSONL: a flat object of strings; CSV: the
// header's columns) are render parameters, except "output", the file name
// to write (default: the title's slug, or row-<n>). One render instance
// per core; a row whose card is already in the output directory with the
// same content key (its canonical parameters and the encoder, recorded in
// manifest.json) is skipped; bad rows are reported and the rest go on.

// batchRow is one input row.
type batchRow struct {
	n      int // 1-based row number (data rows)
	output string
	q      url.Values
	err    error // a row that could not be read
}

// manifestEntry records one written card.
type manifestEntry struct {
	Row  int    `json:"row"`
	File string `json:"file"`
	Size int    `json:"size"`
	Key  string `json:"key"`
}

// batchResult is one row's outcome.
type batchResult struct {
	row     batchRow
	entry   manifestEntry
	skipped bool
	err     error
}

// readRows reads a JSONL or CSV file (by extension) into rows.
func readRows(path string) ([]batchRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []batchRow
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		dec := json.NewDecoder(f)
		for n := 1; ; n++ {
			var obj map[string]any
			err := dec.Decode(&obj)
			if errors.Is(err, io.EOF) {
				return rows, nil
			}
			if err != nil {
				var se *json.SyntaxError
				if errors.As(err, &se) {
					return rows, fmt.Errorf("%s: row %d: %v (the rest of the file cannot be read)", path, n, err)
				}
				rows = append(rows, batchRow{n: n, err: err})
				continue
			}
			row := batchRow{n: n, q: url.Values{}}
			for k, v := range obj {
				s, ok := v.(string)
				if !ok {
					row.err = fmt.Errorf("%s: want a string", k)
					break
				}
				if k == "output" {
					row.output = s
				} else {
					row.q.Set(k, s)
				}
			}
			rows = append(rows, row)
		}
	case ".csv":
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		header, err := r.Read()
		if err != nil {
			return nil, fmt.Errorf("%s: header: %w", path, err)
		}
		for n := 1; ; n++ {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return rows, nil
			}
			if err != nil {
				rows = append(rows, batchRow{n: n, err: err})
				continue
			}
			row := batchRow{n: n, q: url.Values{}}
			if len(rec) != len(header) {
				row.err = fmt.Errorf("%d columns, the header has %d", len(rec), len(header))
			}
			for i, v := range rec {
				if i >= len(header) || v == "" {
					continue
				}
				if header[i] == "output" {
					row.output = v
				} else {
					row.q.Set(header[i], v)
				}
			}
			rows = append(rows, row)
		}
	}
	return nil, fmt.Errorf("%s: want a .jsonl or .csv file", path)
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// outputName is the row's file name: its output, else the title's slug,
// else row-<n>; always ending in .png and inside the output directory.
func outputName(row batchRow) (string, error) {
	name := row.output
	if name == "" {
		name = strings.Trim(slugRE.ReplaceAllString(strings.ToLower(row.q.Get("title")), "-"), "-")
		if len(name) > 80 {
			name = name[:80]
		}
		if name == "" {
			name = fmt.Sprintf("row-%d", row.n)
		}
	}
	if !strings.HasSuffix(name, ".png") {
		name += ".png"
	}
	clean := filepath.Clean(name)
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("output %q: must be a path inside the output directory", name)
	}
	return clean, nil
}

// runBatch renders every row of input into dir with one instance per job.
func runBatch(ctx context.Context, wasm []byte, cfg renderpool.Config, input, dir string, jobs int, stdout, stderr io.Writer) error {
	rows, err := readRows(input)
	if err != nil && rows == nil {
		return err
	}
	return renderRows(ctx, wasm, cfg, rows, err, dir, jobs, stdout, stderr)
}

// renderRows renders rows into dir with one instance per job; readErr is
// a problem reading the input (reported at the end, after the rows read).
func renderRows(ctx context.Context, wasm []byte, cfg renderpool.Config, rows []batchRow, readErr error, dir string, jobs int, stdout, stderr io.Writer) error {
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	manifestPath := filepath.Join(dir, "manifest.json")
	old := map[string]manifestEntry{}
	if b, err := os.ReadFile(manifestPath); err == nil {
		_ = json.Unmarshal(b, &old)
	}
	set, err := templates.Load()
	if err != nil {
		return err
	}
	cfg.Instances = jobs
	pool, err := renderpool.New(ctx, wasm, cfg)
	if err != nil {
		return err
	}
	defer pool.Close(ctx)

	progress := newBatchProgress(len(rows), stdout)
	results := make([]batchResult, len(rows))
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := map[string]int{} // output file -> first row writing it
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = renderRow(ctx, pool, set, rows[i], dir, old, &mu, taken)
				progress.add(results[i])
			}
		}()
	}
	for i := range rows {
		work <- i
	}
	close(work)
	wg.Wait()
	progress.done()

	manifest := map[string]manifestEntry{}
	var failed []batchResult
	rendered, skipped := 0, 0
	for _, r := range results {
		switch {
		case r.err != nil:
			failed = append(failed, r)
		case r.skipped:
			skipped++
			manifest[r.entry.File] = r.entry
		default:
			rendered++
			manifest[r.entry.File] = r.entry
		}
	}
	b, _ := json.MarshalIndent(manifest, "", "  ")
	if err := os.WriteFile(manifestPath, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d rows: %d rendered, %d up to date, %d failed; wrote %s\n", len(rows), rendered, skipped, len(failed), manifestPath)
	if len(failed) > 0 || readErr != nil {
		for _, r := range failed {
			fmt.Fprintf(stderr, "row %d: %s\n", r.row.n, r.err)
		}
		if readErr != nil {
			fmt.Fprintln(stderr, readErr)
		}
		return fmt.Errorf("%d of %d rows failed", len(failed), len(rows))
	}
	return nil
}

// renderRow renders one row unless its file is up to date.
func renderRow(ctx context.Context, pool *renderpool.Pool, set *templates.Set, row batchRow, dir string, old map[string]manifestEntry,
	mu *sync.Mutex, taken map[string]int) batchResult {
	res := batchResult{row: row}
	if row.err != nil {
		res.err = row.err
		return res
	}
	name, err := outputName(row)
	if err != nil {
		res.err = err
		return res
	}
	mu.Lock()
	if first, dup := taken[name]; dup {
		mu.Unlock()
		res.err = fmt.Errorf("output %s: also written by row %d; give rows distinct outputs", name, first)
		return res
	}
	taken[name] = row.n
	mu.Unlock()
	// Validated natively, as the API does: a skipped row never reaches
	// an instance, and a rendered one is parsed there once.
	p, perr := params.Parse(row.q, set)
	if perr != nil {
		res.err = errors.New(readableLines(perr.Message, perr.Fields))
		return res
	}
	canonical := p.Canonical()
	sum := sha256.Sum256(append(append([]byte(canonical), 0), pngfast.Version...))
	key := hex.EncodeToString(sum[:16])
	path := filepath.Join(dir, name)
	res.entry = manifestEntry{Row: row.n, File: name, Key: key}
	if e, ok := old[name]; ok && e.Key == key {
		if st, err := os.Stat(path); err == nil && int(st.Size()) == e.Size {
			res.entry.Size, res.skipped = e.Size, true
			return res
		}
	}
	images, err := fetchImages(ctx, row.q, os.Getenv("OGMINT_IMAGE_ALLOW_NETS"))
	if err != nil {
		res.err = err
		return res
	}
	var png []byte
	err = pool.RenderFrame(ctx, []byte(canonical), images, func(pix []byte, w, h int) error {
		var err error
		png, err = pngfast.Encode(nil, pix, w, h)
		return err
	})
	if err != nil {
		res.err = moduleErr(err)
		return res
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		res.err = err
		return res
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, png, 0o644); err != nil {
		res.err = err
		return res
	}
	if err := os.Rename(tmp, path); err != nil {
		res.err = err
		return res
	}
	res.entry.Size = len(png)
	return res
}

// moduleErr is a render error as readable lines.
func moduleErr(err error) error {
	var me *renderpool.ModuleError
	if errors.As(err, &me) {
		return errors.New(readableError(me.Body))
	}
	return err
}

// batchProgress is a progress bar on a terminal, a line every 2 s otherwise.
type batchProgress struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	w     io.Writer
	total int
	n     int
	fails int
	last  time.Time
}

func newBatchProgress(total int, w io.Writer) *batchProgress {
	p := &batchProgress{w: w, total: total, last: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionShowCount(),
			progressbar.OptionSetDescription("cards"), progressbar.OptionSetWidth(30), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("cards"))
	}
	return p
}

func (p *batchProgress) add(r batchResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if r.err != nil {
		p.fails++
	}
	if p.bar != nil {
		_ = p.bar.Add(1)
		return
	}
	if time.Since(p.last) >= 2*time.Second {
		p.last = time.Now()
		fmt.Fprintf(p.w, "%d of %d rows (%d failed)\n", p.n, p.total, p.fails)
	}
}

func (p *batchProgress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
