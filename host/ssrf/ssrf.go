// Package ssrf keeps outbound requests made on behalf of users (webhook
// deliveries, avatar and logo fetches) away from internal networks.
//
// Two checks, one policy:
//   - CheckURL validates a user-supplied URL at submit time (400 material):
//     absolute https URL (http only to an exempt address), no userinfo, a
//     sane host, no reserved host names, no IP literal (in any spelling
//     inet_aton accepts) inside a denied range.
//   - The dialer used by Client re-checks at connect time: it resolves the
//     host itself, drops every denied address and connects to a checked IP,
//     so a DNS answer that changes between submit and delivery (DNS
//     rebinding) cannot reach an internal address.
//
// Denied: the IANA IPv4 and IPv6 special-purpose ranges that are not
// globally reachable (loopback, private, link-local, CGNAT, benchmarking,
// documentation, multicast, reserved, ULA, site-local, ...), everything in
// IPv6 outside 2000::/3, and known cloud-internal endpoints. IPv6 forms that
// embed an IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96, 6to4, Teredo) are
// judged by the embedded address. Addresses inside the allow prefixes
// (OGMINT_WEBHOOK_ALLOW_NETS, OGMINT_IMAGE_ALLOW_NETS: a guard each) are
// exempt; host names are never exempt, so an operator reaches private
// services by address or by a non-reserved name.
package ssrf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// MaxURLLength is the longest URL CheckURL accepts.
const MaxURLLength = 2048

// ErrInvalidURL and ErrDenied classify errors (errors.Is).
var (
	ErrInvalidURL = errors.New("invalid URL")
	ErrDenied     = errors.New("destination denied")
)

// Error is returned by CheckURL, Check and the dialer.
type Error struct {
	Kind   error      // ErrInvalidURL or ErrDenied
	Host   string     // host name or address concerned, if any
	Addr   netip.Addr // the denied address, if the reason is one address
	Reason string
}

func (e *Error) Error() string {
	switch {
	case e.Addr.IsValid():
		return fmt.Sprintf("ssrf: %s is denied: %s", e.Addr, e.Reason)
	case e.Host != "":
		return fmt.Sprintf("ssrf: %s: %s", e.Host, e.Reason)
	}
	return "ssrf: " + e.Reason
}

func (e *Error) Unwrap() error { return e.Kind }

func invalid(host, format string, args ...any) *Error {
	return &Error{Kind: ErrInvalidURL, Host: host, Reason: fmt.Sprintf(format, args...)}
}

// Resolver returns the addresses of host; tests inject one with WithResolver.
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// DialFunc connects to a literal "ip:port" address; tests inject one with
// WithDialer to record where the guard would connect.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Option configures a Guard.
type Option func(*Guard)

// WithResolver replaces net.DefaultResolver.
func WithResolver(r Resolver) Option { return func(g *Guard) { g.resolve = r } }

// WithDialer replaces the TCP dialer. It is only ever called with an
// address that passed the checks.
func WithDialer(d DialFunc) Option { return func(g *Guard) { g.dial = d } }

// Guard holds the allow list and the resolver; it is safe for concurrent use.
type Guard struct {
	allow   []netip.Prefix
	resolve Resolver
	dial    DialFunc
}

// New returns a Guard that exempts the addresses in allow.
func New(allow []netip.Prefix, opts ...Option) *Guard {
	g := &Guard{}
	for _, p := range allow {
		if !p.IsValid() {
			continue
		}
		// An IPv4-mapped prefix (::ffff:10.0.0.0/104) means the IPv4 one.
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		g.allow = append(g.allow, p.Masked())
	}
	for _, o := range opts {
		o(g)
	}
	if g.resolve == nil {
		g.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if g.dial == nil {
		d := &net.Dialer{ControlContext: g.control}
		g.dial = d.DialContext
	}
	return g
}

// exempt reports whether a is inside an allow prefix.
func (g *Guard) exempt(a netip.Addr) bool {
	a = a.WithZone("")
	for _, p := range g.allow {
		if p.Contains(a) || (a.Is4In6() && p.Contains(a.Unmap())) {
			return true
		}
	}
	return false
}

// Allowed reports whether the guard lets a connection go to addr.
func (g *Guard) Allowed(addr netip.Addr) bool { return g.Check(addr) == nil }

// Check is Allowed with the reason: nil, or an *Error naming the range.
func (g *Guard) Check(addr netip.Addr) error {
	if !addr.IsValid() {
		return &Error{Kind: ErrDenied, Reason: "invalid address"}
	}
	if g.exempt(addr) {
		return nil
	}
	if addr.Zone() != "" {
		return &Error{Kind: ErrDenied, Addr: addr, Reason: "scoped (zoned) address"}
	}
	if why := deniedReason(addr); why != "" {
		return &Error{Kind: ErrDenied, Addr: addr, Reason: why}
	}
	return nil
}

// CheckURL validates a user-supplied URL at submit time without DNS, except
// that a plain-http URL with a host name is resolved when there are allow
// prefixes, because http is accepted only to exempt addresses.
func (g *Guard) CheckURL(raw string) error { return g.CheckURLContext(context.Background(), raw) }

// CheckURLContext is CheckURL with a context for that one lookup.
func (g *Guard) CheckURLContext(ctx context.Context, raw string) error {
	if len(raw) > MaxURLLength {
		return invalid("", "URL longer than %d bytes", MaxURLLength)
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return invalid("", "URL contains whitespace, a control character or a backslash")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return invalid("", "unparsable URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		if scheme == "" {
			return invalid("", "URL must be absolute (https://...)")
		}
		return invalid("", "scheme %q is not allowed; use https", u.Scheme)
	}
	if u.Opaque != "" || !strings.HasPrefix(raw[len(u.Scheme)+1:], "//") {
		return invalid("", "URL must be absolute (https://...)")
	}
	if u.User != nil {
		return invalid("", "URL must not contain credentials (user@host)")
	}
	authority := raw[len(u.Scheme)+3:]
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if strings.Contains(authority, "%") {
		return invalid("", "percent-encoded or zoned host")
	}
	if u.Host == "" || u.Hostname() == "" {
		return invalid("", "URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return invalid(u.Hostname(), "invalid port %q", p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return invalid(u.Hostname(), "empty port")
	}
	bracketed := strings.HasPrefix(u.Host, "[")
	addr, isLiteral, herr := parseHost(u.Hostname(), bracketed)
	if herr != nil {
		return herr
	}
	if isLiteral {
		if err := g.Check(addr); err != nil {
			return err
		}
		if scheme == "http" && !g.exempt(addr) {
			return invalid(u.Hostname(), "plain http is accepted only to addresses exempted by OGMINT_WEBHOOK_ALLOW_NETS; use https")
		}
		return nil
	}
	if scheme == "http" {
		if len(g.allow) == 0 {
			return invalid(u.Hostname(), "plain http is not accepted; use https")
		}
		addrs, err := g.resolve(ctx, trimDot(u.Hostname()))
		if err != nil {
			return invalid(u.Hostname(), "plain http needs a host that resolves to an exempt address; lookup failed")
		}
		for _, a := range addrs {
			if g.exempt(a) {
				return nil
			}
		}
		return invalid(u.Hostname(), "plain http is accepted only to addresses exempted by OGMINT_WEBHOOK_ALLOW_NETS; use https")
	}
	return nil
}

func trimDot(h string) string { return strings.TrimSuffix(h, ".") }

// parseHost classifies a host (without brackets or port): an IP literal in
// any inet_aton spelling, or a host name that is syntactically valid and not
// reserved. bracketed says the URL wrote it as [v6].
func parseHost(host string, bracketed bool) (netip.Addr, bool, *Error) {
	if bracketed || strings.Contains(host, ":") {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() {
			return netip.Addr{}, false, invalid(host, "invalid IPv6 address")
		}
		if a.Zone() != "" {
			return netip.Addr{}, false, invalid(host, "zoned IPv6 address")
		}
		return a, true, nil
	}
	h := strings.ToLower(trimDot(host))
	if h == "" || strings.HasSuffix(h, ".") {
		return netip.Addr{}, false, invalid(host, "empty host name")
	}
	if a, ok, numeric := parseIPv4(h); numeric {
		if !ok {
			return netip.Addr{}, false, invalid(host, "invalid IPv4 address")
		}
		return a, true, nil
	}
	if len(h) > 253 {
		return netip.Addr{}, false, invalid(host, "host name longer than 253 characters")
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return netip.Addr{}, false, invalid(host, "invalid host name")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return netip.Addr{}, false, invalid(host, "invalid character in host name (use punycode for international names)")
			}
		}
	}
	if why := deniedName(h); why != "" {
		return netip.Addr{}, false, &Error{Kind: ErrDenied, Host: host, Reason: why}
	}
	return netip.Addr{}, false, nil
}

// deniedName returns why a (lowercase, no trailing dot) host name is denied.
func deniedName(h string) string {
	switch {
	case h == "localhost" || strings.HasSuffix(h, ".localhost"):
		return "localhost name"
	case h == "metadata.google.internal":
		return "cloud metadata name"
	case !strings.Contains(h, "."):
		return "single-label host name (resolved through local search domains)"
	}
	for _, suffix := range []string{".local", ".internal", ".localdomain", ".home.arpa"} {
		if strings.HasSuffix(h, suffix) {
			return "reserved internal name (" + suffix + ")"
		}
	}
	return ""
}

// parseIPv4 parses the IPv4 spellings inet_aton and the WHATWG URL parser
// accept: 1 to 4 dot-separated parts, each decimal, 0-prefixed octal or
// 0x-prefixed hex, the last part filling the remaining bytes ("127.1",
// "0x7f.1", "0177.0.0.1", "2130706433"). numeric reports that the host is
// meant as a number (its last part is numeric), in which case a failed parse
// is an invalid address rather than a host name.
func parseIPv4(h string) (addr netip.Addr, ok, numeric bool) {
	parts := strings.Split(h, ".")
	if !looksNumeric(parts[len(parts)-1]) {
		return netip.Addr{}, false, false
	}
	if len(parts) > 4 {
		return netip.Addr{}, false, true
	}
	var vals []uint64
	for _, p := range parts {
		v, ok := parseIPv4Part(p)
		if !ok {
			return netip.Addr{}, false, true
		}
		vals = append(vals, v)
	}
	var n uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, false, true
		}
		n |= v << (8 * (3 - i))
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return netip.Addr{}, false, true
	}
	n |= last
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true, true
}

func looksNumeric(s string) bool {
	if s == "" {
		return false
	}
	if strings.HasPrefix(s, "0x") {
		for i := 2; i < len(s); i++ {
			if !isHex(s[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

func parseIPv4Part(s string) (uint64, bool) {
	base := 10
	switch {
	case s == "":
		return 0, false
	case strings.HasPrefix(s, "0x"):
		base, s = 16, s[2:]
		if s == "" {
			return 0, true // "0x" is 0, as in WHATWG and glibc
		}
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if len(s) > 12 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, base, 64)
	return v, err == nil
}
