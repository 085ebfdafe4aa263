package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ogmint/ogmint/host/config"
	"github.com/ogmint/ogmint/host/store"
)

const checkUsage = `Usage: ogmint check [-data-dir DIR]

Checks <data dir>/ogmint.db without changing it: that it is an ogmint
database, SQLite's PRAGMA integrity_check, and every stored image, custom
template version and font against the checksum recorded with it. It can
run while ogmint serves the same directory. Exit status: 0 sound, 1
damaged or not checkable, 2 usage.

It checks a SQLite store only. With OGMINT_DATABASE_URL set (the store is
in PostgreSQL) it refuses unless -data-dir is given: use the server's
tools there (pg_amcheck); ogmint checks each image, template and font
against its checksum whenever it reads one, on either store.

`

// check runs `ogmint check` and returns the exit status.
func check(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ogmint check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", envOr("OGMINT_DATA_DIR", "./data"), "data directory holding ogmint.db ($OGMINT_DATA_DIR)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), checkUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ogmint check: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	dirGiven := false
	fs.Visit(func(f *flag.Flag) { dirGiven = dirGiven || f.Name == "data-dir" })
	if db := os.Getenv("OGMINT_DATABASE_URL"); db != "" && !dirGiven {
		fmt.Fprintf(stderr, "ogmint check: OGMINT_DATABASE_URL is set: the store is the PostgreSQL database %s, which ogmint check does not check "+
			"(use pg_amcheck; ogmint checks every image, template and font against its checksum when it reads one). "+
			"To check a SQLite data directory, name it with -data-dir.\n", config.DatabaseDisplay(db))
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := store.Check(ctx, *dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "ogmint check:", err)
		return 1
	}
	printReport(stdout, rep)
	if !rep.OK() {
		return 1
	}
	return 0
}

// printReport writes what Check found, one finding a line, and a verdict.
func printReport(w io.Writer, rep *store.CheckReport) {
	fmt.Fprintf(w, "database: %s\n", rep.Path)
	if len(rep.Integrity) == 0 {
		fmt.Fprintln(w, "integrity_check: ok")
	} else {
		fmt.Fprintf(w, "integrity_check: %d problem(s)\n", len(rep.Integrity))
	}
	for _, line := range rep.Integrity {
		fmt.Fprintln(w, "  "+line)
	}
	if rep.NoChecksums {
		fmt.Fprintf(w, "images: %d read; no checksums yet (made before them: the next ogmint serve records them)\n", rep.Images)
	} else {
		fmt.Fprintf(w, "images: %d checked against their checksums, %d damaged\n", rep.Images, len(rep.Damaged))
	}
	for _, line := range rep.Damaged {
		fmt.Fprintln(w, "  "+line)
	}
	fmt.Fprintf(w, "templates: %d version(s) checked against their checksums, %d damaged\n", rep.Templates, len(rep.DamagedTemplates))
	for _, line := range rep.DamagedTemplates {
		fmt.Fprintln(w, "  "+line)
	}
	fmt.Fprintf(w, "fonts: %d checked against their checksums, %d damaged\n", rep.Fonts, len(rep.DamagedFonts))
	for _, line := range rep.DamagedFonts {
		fmt.Fprintln(w, "  "+line)
	}
	if rep.OK() {
		fmt.Fprintln(w, "result: ok")
		return
	}
	fmt.Fprintf(w, "result: DAMAGED (%d integrity problem(s), %d damaged image(s), %d damaged template version(s), %d damaged font(s)). "+
		"Damaged images, templates and fonts are never used or served as wrong bytes; restore ogmint.db from a backup.\n",
		len(rep.Integrity), len(rep.Damaged), len(rep.DamagedTemplates), len(rep.DamagedFonts))
}

// envOr is the environment variable name, or def when it is unset or empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
