package ssrf

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// fakeResolver answers from a table; unknown names are NXDOMAIN-like errors.
func fakeResolver(table map[string][]string) Resolver {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		ss, ok := table[strings.ToLower(host)]
		if !ok {
			return nil, errors.New("no such host")
		}
		var out []netip.Addr
		for _, s := range ss {
			out = append(out, netip.MustParseAddr(s))
		}
		return out, nil
	}
}

func TestCheckURL(t *testing.T) {
	g := New(nil)
	gAllow := New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.1.0.0/16")},
		WithResolver(fakeResolver(map[string][]string{
			"hooks.test.example": {"127.0.0.1"},
			"mixed.test.example": {"93.184.216.34", "10.1.2.3"},
			"public.example.com": {"93.184.216.34"},
		})))
	const (
		ok     = ""
		bad    = "invalid"
		denied = "denied"
	)
	for _, tc := range []struct {
		url  string
		want string
		g    *Guard
	}{
		// accepted
		{"https://example.com/hooks/og", ok, nil},
		{"https://example.com", ok, nil},
		{"https://EXAMPLE.com./x?y=1#frag", ok, nil},
		{"HTTPS://example.com:8443/x", ok, nil},
		{"https://93.184.216.34/", ok, nil},
		{"https://[2606:4700::1]/", ok, nil},
		{"https://[::ffff:93.184.216.34]/", ok, nil},
		{"https://[64:ff9b::5db8:d822]/", ok, nil}, // NAT64 of a public v4
		{"https://[2002:5db8:d822::1]/", ok, nil},  // 6to4 of a public v4
		{"https://sub_domain.example.com/", ok, nil},
		{"https://xn--bcher-kva.example/", ok, nil},
		{"https://localhost.example.com/", ok, nil}, // only the name localhost itself is special
		{"https://0x5d.0xb8.0xd8.0x22/", ok, nil},   // odd spelling, public address
		// scheme, shape, userinfo
		{"http://example.com/", bad, nil},
		{"ftp://example.com/", bad, nil},
		{"file:///etc/passwd", bad, nil},
		{"gopher://127.0.0.1:25/", bad, nil},
		{"javascript:alert(1)", bad, nil},
		{"data:text/plain,hi", bad, nil},
		{"//example.com/x", bad, nil},
		{"/relative/path", bad, nil},
		{"https:/example.com", bad, nil},
		{"https:example.com", bad, nil},
		{"https://", bad, nil},
		{"https://user@example.com/", bad, nil},
		{"https://user:pass@example.com/", bad, nil},
		{"https://example.com@127.0.0.1/", bad, nil},
		{"https://:@example.com/", bad, nil},
		{"https://example.com\\@127.0.0.1/", bad, nil},
		{"https://exa mple.com/", bad, nil},
		{"https://example.com/\n", bad, nil},
		{"https://example.com:0/", bad, nil},
		{"https://example.com:65536/", bad, nil},
		{"https://example.com:/", bad, nil},
		{"https://ex%61mple.com/", bad, nil},
		{"https://[fe80::1%25eth0]/", bad, nil},
		{"https://bücher.example/", bad, nil},
		{"https://" + strings.Repeat("a", 2050) + ".com/", bad, nil},
		{"https://a..b.com/", bad, nil},
		{"https://[1.2.3.4]/", bad, nil},
		// loopback and the odd ways to write it
		{"https://127.0.0.1/", denied, nil},
		{"https://127.0.0.1./", denied, nil},
		{"https://127.1/", denied, nil},
		{"https://127.0.1/", denied, nil},
		{"https://2130706433/", denied, nil},
		{"https://0x7f000001/", denied, nil},
		{"https://0x7f.1/", denied, nil},
		{"https://0X7F.0.0.1/", denied, nil},
		{"https://0177.0.0.1/", denied, nil},
		{"https://017700000001/", denied, nil},
		{"https://127.000.000.001/", denied, nil},
		{"https://0/", denied, nil},
		{"https://0.0.0.0/", denied, nil},
		{"https://[::1]/", denied, nil},
		{"https://[::]/", denied, nil},
		{"https://[0:0:0:0:0:0:0:1]/", denied, nil},
		{"https://[::ffff:127.0.0.1]/", denied, nil},
		{"https://[::ffff:7f00:1]/", denied, nil},
		{"https://[::127.0.0.1]/", denied, nil},
		// invalid numeric hosts
		{"https://256.0.0.1/", bad, nil},
		{"https://1.2.3.4.5/", bad, nil},
		{"https://4294967296/", bad, nil},
		{"https://0x1g.1/", bad, nil}, // last part numeric, so it must be an address, and 0x1g is not a number
		{"https://example.123/", bad, nil},
		{"https://08.1.1.1/", bad, nil},
		// private and special IPv4
		{"https://10.0.0.1/", denied, nil},
		{"https://172.16.0.1/", denied, nil},
		{"https://172.31.255.255/", denied, nil},
		{"https://192.168.1.1/", denied, nil},
		{"https://169.254.169.254/latest/meta-data/", denied, nil},
		{"https://100.64.0.1/", denied, nil},
		{"https://100.100.100.200/", denied, nil},
		{"https://198.18.0.1/", denied, nil},
		{"https://198.19.255.255/", denied, nil},
		{"https://192.0.0.192/", denied, nil},
		{"https://192.0.2.1/", denied, nil},
		{"https://198.51.100.7/", denied, nil},
		{"https://203.0.113.9/", denied, nil},
		{"https://192.88.99.1/", denied, nil},
		{"https://224.0.0.1/", denied, nil},
		{"https://239.255.255.250/", denied, nil},
		{"https://240.0.0.1/", denied, nil},
		{"https://255.255.255.255/", denied, nil},
		{"https://168.63.129.16/", denied, nil},
		{"https://0xa9fea9fe/", denied, nil}, // 169.254.169.254
		{"https://3232235777/", denied, nil}, // 192.168.1.1
		// IPv6 ranges and embedded forms
		{"https://[fc00::1]/", denied, nil},
		{"https://[fd00:ec2::254]/", denied, nil},
		{"https://[fe80::1]/", denied, nil},
		{"https://[febf::1]/", denied, nil},
		{"https://[fec0::1]/", denied, nil},
		{"https://[ff02::1]/", denied, nil},
		{"https://[2001:db8::1]/", denied, nil},
		{"https://[3fff::1]/", denied, nil},
		{"https://[5f00::1]/", denied, nil},
		{"https://[100::1]/", denied, nil},
		{"https://[2001:2::1]/", denied, nil},
		{"https://[64:ff9b::a00:1]/", denied, nil},  // NAT64 of 10.0.0.1
		{"https://[64:ff9b::7f00:1]/", denied, nil}, // NAT64 of 127.0.0.1
		{"https://[64:ff9b:1::5db8:d822]/", denied, nil},
		{"https://[2002:7f00:1::1]/", denied, nil},                       // 6to4 of 127.0.0.1
		{"https://[2002:c0a8:101::1]/", denied, nil},                     // 6to4 of 192.168.1.1
		{"https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", denied, nil}, // Teredo client 10.0.0.1
		{"https://[2001:0:a00:1:8000:63bf:a247:2bdd]/", denied, nil},     // Teredo server 10.0.0.1
		{"https://[::ffff:0:a00:1]/", denied, nil},
		{"https://[4000::1]/", denied, nil},
		// names
		{"https://localhost/", denied, nil},
		{"https://LOCALHOST./", denied, nil},
		{"https://foo.localhost/", denied, nil},
		{"https://printer.local/", denied, nil},
		{"https://db.internal/", denied, nil},
		{"https://metadata.google.internal/computeMetadata/v1/", denied, nil},
		{"https://METADATA.GOOGLE.INTERNAL./", denied, nil},
		{"https://router.home.arpa/", denied, nil},
		{"https://intranet/", denied, nil},
		{"https://metadata/", denied, nil},
		// plain http and the allow list
		{"http://127.0.0.1:8080/hook", ok, gAllow},
		{"http://[::ffff:127.0.0.1]:8080/hook", ok, gAllow},
		{"http://10.1.2.3/", ok, gAllow},
		{"https://127.0.0.1/", ok, gAllow},
		{"http://127.0.0.2/", denied, gAllow},
		{"http://93.184.216.34/", bad, gAllow},
		{"http://hooks.test.example:9000/", ok, gAllow},
		{"http://mixed.test.example/", ok, gAllow},
		{"http://public.example.com/", bad, gAllow},
		{"http://nxdomain.example.com/", bad, gAllow},
		{"http://localhost:8080/", denied, gAllow}, // names are never exempt
		{"https://127.0.0.2/", denied, gAllow},
	} {
		gg := g
		if tc.g != nil {
			gg = tc.g
		}
		err := gg.CheckURL(tc.url)
		var got string
		switch {
		case err == nil:
			got = ok
		case errors.Is(err, ErrDenied):
			got = denied
		case errors.Is(err, ErrInvalidURL):
			got = bad
		default:
			got = "unclassified: " + err.Error()
		}
		if got != tc.want {
			t.Errorf("CheckURL(%q) = %q (%v), want %q", tc.url, got, err, tc.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "ssrf: ") {
			t.Errorf("CheckURL(%q) error %q lacks the ssrf prefix", tc.url, err)
		}
	}
}

func TestAllowed(t *testing.T) {
	g := New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::ffff:10.9.0.0/112")})
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"93.184.216.34", true},
		{"100.63.255.255", true},
		{"100.128.0.0", true},
		{"172.15.255.255", true},
		{"172.32.0.0", true},
		{"192.0.1.1", true},
		{"198.17.255.255", true},
		{"198.20.0.0", true},
		{"223.255.255.255", true},
		{"127.0.0.1", true},        // exempt
		{"::ffff:127.0.0.1", true}, // exempt through the mapped form
		{"10.9.1.2", true},         // exempt through a mapped prefix
		{"10.10.0.1", false},
		{"127.0.0.2", false},
		{"0.1.2.3", false},
		{"169.254.0.1", false},
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4001:80b::200e", true},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::808:808", true},
		{"2002:808:808::1", true},
		{"2001:0:808:808:8000:63bf:f7f7:f7f7", true}, // Teredo, public server and client
		{"::2", false},
		{"::8.8.8.8", false}, // IPv4-compatible is denied outright
		{"::ffff:0:808:808", false},
		{"fe80::1%eth0", false},
		{"2001:db8:ffff::1", false},
		{"2001:1ff::1", false},
		{"2001:200::1", true}, // just outside 2001::/23
		{"1::1", false},
		{"e000::1", false},
	} {
		a := netip.MustParseAddr(tc.addr)
		if got := g.Allowed(a); got != tc.ok {
			t.Errorf("Allowed(%s) = %v (%v), want %v", tc.addr, got, g.Check(a), tc.ok)
		}
	}
	if g.Allowed(netip.Addr{}) {
		t.Error("zero Addr allowed")
	}
}

func TestParseIPv4(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" = not an address; "!" = invalid numeric host
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0177.1", "127.0.0.1"},
		{"0x", "0.0.0.0"},
		{"0", "0.0.0.0"},
		{"1.2.3.0x4", "1.2.3.4"},
		{"10.0x10000", "10.1.0.0"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", "!"},
		{"1.256.1.1", "!"},
		{"1.2.65536", "!"},
		{"09", "!"},
		{"1.2.3.4.5", "!"},
		{"a.1", "!"},
		{"example.com", ""},
		{"1.example", ""},
		{"0x1g", ""},
	} {
		a, ok, numeric := parseIPv4(tc.in)
		var got string
		switch {
		case !numeric:
			got = ""
		case !ok:
			got = "!"
		default:
			got = a.String()
		}
		if got != tc.want {
			t.Errorf("parseIPv4(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	g := New(nil)
	for url, want := range map[string]string{
		"https://127.1/":                   "loopback",
		"https://[::ffff:10.0.0.1]/":       "IPv4-mapped 10.0.0.1: private-use",
		"https://[2002:a9fe:a9fe::]/":      "6to4 of 169.254.169.254",
		"https://metadata.google.internal": "cloud metadata",
		"ftp://x.example/":                 "scheme",
		"https://u@x.example/":             "credentials",
	} {
		err := g.CheckURL(url)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckURL(%q) = %v, want a message with %q", url, err, want)
		}
	}
}
