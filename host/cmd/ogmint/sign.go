package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/ogmint/ogmint/host/config"
	"github.com/ogmint/ogmint/host/signing"
)

const signUsage = `Usage: ogmint sign [-base URL] [-signing-keys KEYS] 'template=blog&title=…'

Prints the signed V1 URL (BASE/api/og?…&s=…) of a query: s is signed with
the first key of -signing-keys ($OGMINT_SIGNING_KEYS). For a custom template,
give only its parameters (every unknown one is taken as a custom field).

Flags:
`

// signCmd is ogmint sign; it returns the exit code.
func signCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ogmint sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := getenv("OGMINT_PUBLIC_URL")
	if base == "" {
		base = config.Default().PublicURL
	}
	fs.StringVar(&base, "base", base, "base of the URL ($OGMINT_PUBLIC_URL)")
	keys := getenv("OGMINT_SIGNING_KEYS")
	// Func, not String: -h would print the keys as the default.
	fs.Func("signing-keys", "comma-separated signing keys; the first signs ($OGMINT_SIGNING_KEYS)", func(s string) error {
		keys = s
		return nil
	})
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), signUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	list, err := signing.ParseKeys(keys)
	if err == nil && len(list) == 0 {
		err = errors.New("no signing key: set OGMINT_SIGNING_KEYS or -signing-keys")
	}
	if err != nil {
		fmt.Fprintln(stderr, "ogmint sign:", err)
		return 1
	}
	raw := strings.TrimPrefix(fs.Arg(0), "?")
	if i := strings.Index(raw, "?"); i >= 0 { // a whole URL: its query
		raw = raw[i+1:]
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		fmt.Fprintln(stderr, "ogmint sign: query:", err)
		return 1
	}
	q.Del(signing.Param)
	sig, err := signing.Sign(list[0], q)
	if err != nil {
		fmt.Fprintln(stderr, "ogmint sign:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s/api/og?%s&%s=%s\n", strings.TrimRight(base, "/"), q.Encode(), signing.Param, sig)
	return 0
}
