package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/ogmint/ogmint/host/store"
)

const migrateUsage = `Usage: ogmint migrate -from <data dir or ogmint.db> -to postgres://user:pass@host:port/db

Copies an ogmint SQLite store into a PostgreSQL database, for moving a
single host onto hosts that share Postgres (OGMINT_DATABASE_URL): API key
digests, custom template versions (deleted ones too), uploaded fonts,
renders with their images, and webhook deliveries with their attempts.
Pending deliveries stay pending, due when they were; leases are dropped, so
the Postgres hosts send them.

The SQLite store is only read (opened read-only; a server may still be
running on it, but stop it first so that nothing written after the copy is
left behind). Every image, template and font is checked against its
checksum as it is read: a damaged one is reported and not copied, nor are
the deliveries of a damaged render.

Running it again is safe: rows already in Postgres are compared, not
written; one with other content there is a conflict, reported by id. An
interrupted run (Ctrl-C, a lost connection) is finished by running the same
command again. It copies in batches (memory stays small whatever the size
of the store), with a progress bar on a terminal and a line every -every
otherwise, and ends with the counts per table.

Exit status: 0 everything is in Postgres, 1 damaged rows or conflicts
(listed) or an error, 2 usage.

`

// migrateCmd runs `ogmint migrate` and returns the exit status.
func migrateCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ogmint migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", envOr("OGMINT_DATA_DIR", "./data"), "the SQLite store: data directory holding ogmint.db, or the database file ($OGMINT_DATA_DIR)")
	to := fs.String("to", os.Getenv("OGMINT_DATABASE_URL"), "the PostgreSQL database: postgres://user:pass@host:port/db?sslmode=... ($OGMINT_DATABASE_URL)")
	every := fs.Duration("every", 10*time.Second, "how often to print a progress line when stdout is not a terminal")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), migrateUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "ogmint migrate: unexpected argument %q\n", fs.Arg(0))
		return 2
	case *to == "":
		fmt.Fprintln(stderr, "ogmint migrate: -to (or OGMINT_DATABASE_URL) is required: the PostgreSQL database to copy into")
		return 2
	case *every <= 0:
		fmt.Fprintln(stderr, "ogmint migrate: -every must be positive")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	src, err := store.OpenSQLiteReadOnly(ctx, *from)
	if err != nil {
		fmt.Fprintln(stderr, "ogmint migrate:", err)
		return 1
	}
	defer src.Close()
	// Batches of images take longer than a request's statement.
	dst, err := store.OpenPostgres(ctx, *to, store.PostgresOptions{MaxConns: 4, StatementTimeout: 2 * time.Minute})
	if err != nil {
		fmt.Fprintln(stderr, "ogmint migrate:", err)
		return 1
	}
	defer dst.Close()
	fmt.Fprintf(stdout, "copying %s into %s\n", src.Path(), redactURL(*to))

	var p progress
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p = &barProgress{w: stdout}
	} else {
		p = &lineProgress{w: stdout, every: *every}
	}
	start := time.Now()
	rep, err := store.Copy(ctx, src, dst, p.update)
	p.finish()
	printCopyReport(stdout, rep)
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(stderr, "ogmint migrate: interrupted after %s; what was copied stays: run the same command again to finish\n",
			time.Since(start).Round(time.Second))
		return 1
	case err != nil:
		fmt.Fprintln(stderr, "ogmint migrate:", err)
		fmt.Fprintln(stderr, "ogmint migrate: what was copied stays: run the same command again to finish")
		return 1
	case !rep.OK():
		fmt.Fprintf(stdout, "result: INCOMPLETE after %s: %d conflict(s), %d damaged and %d skipped row(s) listed above are not in Postgres\n",
			time.Since(start).Round(time.Second), len(rep.Conflicts), len(rep.Damaged), len(rep.Skipped))
		return 1
	}
	fmt.Fprintf(stdout, "result: ok: everything is in Postgres (%s)\n", time.Since(start).Round(time.Millisecond))
	return 0
}

// redactURL is a Postgres URL without its password, for printing; a
// keyword/value string is not printed.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "the PostgreSQL database"
	}
	return u.Redacted()
}

// progress shows Copy's progress.
type progress interface {
	update(store.CopyCounts)
	finish()
}

// barProgress draws a progress bar per table on a terminal.
type barProgress struct {
	w     io.Writer
	table string
	bar   *progressbar.ProgressBar
}

func (p *barProgress) update(c store.CopyCounts) {
	if c.Table == store.CopyAttempts { // copied with their deliveries: the deliveries' bar shows both
		return
	}
	if c.Table != p.table {
		p.finish()
		p.table = c.Table
		if c.Source == 0 {
			return
		}
		p.bar = progressbar.NewOptions64(c.Source,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("%-10s", c.Table)),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
	}
	if p.bar != nil {
		p.bar.Set64(c.Done())
	}
}

func (p *barProgress) finish() {
	if p.bar != nil && !p.bar.IsFinished() {
		p.bar.Exit() // an interrupted table: leave the bar where it stopped
		fmt.Fprintln(p.w)
	}
	p.bar = nil
}

// lineProgress prints a line per table when it is done and, while one
// takes long, one every so often: for logs.
type lineProgress struct {
	w       io.Writer
	every   time.Duration
	last    time.Time
	cur     store.CopyCounts
	printed int64 // cur.Done() when cur's last line was printed; -1: none yet
}

func (p *lineProgress) update(c store.CopyCounts) {
	if c.Table == store.CopyAttempts { // copied with their deliveries; the summary counts them
		return
	}
	if c.Table != p.cur.Table {
		p.last, p.printed = time.Now(), -1
	}
	p.cur = c
	if c.Done() != p.printed && (c.Done() == c.Source || time.Since(p.last) >= p.every) {
		p.print()
	}
}

func (p *lineProgress) print() {
	c := p.cur
	pct := 100.0
	if c.Source > 0 {
		pct = 100 * float64(c.Done()) / float64(c.Source)
	}
	fmt.Fprintf(p.w, "%s: %d/%d (%.0f%%): copied %d, already there %d, conflicts %d, damaged %d, skipped %d\n",
		c.Table, c.Done(), c.Source, pct, c.Copied, c.Existing, c.Conflicts, c.Damaged, c.Skipped)
	p.last, p.printed = time.Now(), c.Done()
}

func (p *lineProgress) finish() {
	if p.cur.Table != "" && p.cur.Done() != p.printed { // interrupted: where it stopped
		p.print()
	}
}

// printCopyReport writes the counts per table and the rows not copied.
func printCopyReport(w io.Writer, rep *store.CopyReport) {
	if rep == nil || len(rep.Tables) == 0 {
		return
	}
	const row = "%-10s %10v %10v %13v %9v %7v %7v\n"
	fmt.Fprintf(w, row, "table", "in SQLite", "copied", "already there", "conflicts", "damaged", "skipped")
	for _, c := range rep.Tables {
		fmt.Fprintf(w, row, c.Table, c.Source, c.Copied, c.Existing, c.Conflicts, c.Damaged, c.Skipped)
	}
	for _, l := range []struct {
		what  string
		lines []string
	}{
		{"conflicts (a row of another content is in Postgres under the same key; nothing was written)", rep.Conflicts},
		{"damaged in SQLite (missing or failing its checksum; not copied)", rep.Damaged},
		{"skipped (they belong to a row that was not copied)", rep.Skipped},
	} {
		if len(l.lines) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s:\n  %s\n", l.what, strings.Join(l.lines, "\n  "))
	}
	if rep.Omitted > 0 {
		fmt.Fprintf(w, "(%d more lines left out)\n", rep.Omitted)
	}
}
