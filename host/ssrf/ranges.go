package ssrf

import "net/netip"

type namedPrefix struct {
	p    netip.Prefix
	name string
}

func np(s, name string) namedPrefix { return namedPrefix{netip.MustParsePrefix(s), name} }

// deny4 follows the IANA IPv4 Special-Purpose Address Registry (every block
// that is not globally reachable, plus the deprecated 6to4 relay anycast),
// multicast, and cloud-internal endpoints that sit in public space.
var deny4 = []namedPrefix{
	np("0.0.0.0/8", `"this network" (0.0.0.0/8)`),
	np("10.0.0.0/8", "private-use (10.0.0.0/8)"),
	np("100.64.0.0/10", "shared address space / CGNAT (100.64.0.0/10)"),
	np("127.0.0.0/8", "loopback (127.0.0.0/8)"),
	np("169.254.0.0/16", "link-local, cloud metadata (169.254.0.0/16)"),
	np("172.16.0.0/12", "private-use (172.16.0.0/12)"),
	np("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"),
	np("192.0.2.0/24", "documentation TEST-NET-1 (192.0.2.0/24)"),
	np("192.88.99.0/24", "6to4 relay anycast, deprecated (192.88.99.0/24)"),
	np("192.168.0.0/16", "private-use (192.168.0.0/16)"),
	np("198.18.0.0/15", "benchmarking (198.18.0.0/15)"),
	np("198.51.100.0/24", "documentation TEST-NET-2 (198.51.100.0/24)"),
	np("203.0.113.0/24", "documentation TEST-NET-3 (203.0.113.0/24)"),
	np("224.0.0.0/4", "multicast (224.0.0.0/4)"),
	np("255.255.255.255/32", "limited broadcast (255.255.255.255/32)"),
	np("240.0.0.0/4", "reserved (240.0.0.0/4)"),
	np("168.63.129.16/32", "cloud platform endpoint (Azure WireServer 168.63.129.16)"),
}

// deny6 follows the IANA IPv6 Special-Purpose Address Registry; the forms
// that embed IPv4 (::ffff:0:0/96, 64:ff9b::/96, 2001::/32, 2002::/16) are
// handled before this table, and everything outside 2000::/3 after it.
var deny6 = []namedPrefix{
	np("::/128", "unspecified (::/128)"),
	np("::1/128", "loopback (::1/128)"),
	np("::/96", "IPv4-compatible, deprecated (::/96)"),
	np("::ffff:0:0:0/96", "IPv4-translated (::ffff:0:0:0/96)"),
	np("64:ff9b:1::/48", "local-use NAT64 (64:ff9b:1::/48)"),
	np("100::/64", "discard-only (100::/64)"),
	np("100:0:0:1::/64", "dummy prefix (100:0:0:1::/64)"),
	np("2001:db8::/32", "documentation (2001:db8::/32)"),
	np("2001::/23", "IETF protocol assignments (2001::/23)"),
	np("3fff::/20", "documentation (3fff::/20)"),
	np("5f00::/16", "segment routing SIDs (5f00::/16)"),
	np("fc00::/7", "unique local (fc00::/7)"),
	np("fe80::/10", "link-local (fe80::/10)"),
	np("fec0::/10", "site-local, deprecated (fec0::/10)"),
	np("ff00::/8", "multicast (ff00::/8)"),
}

var (
	mapped4   = netip.MustParsePrefix("::ffff:0:0/96")
	nat64WKP  = netip.MustParsePrefix("64:ff9b::/96")
	teredo    = netip.MustParsePrefix("2001::/32")
	sixToFour = netip.MustParsePrefix("2002::/16")
	global6   = netip.MustParsePrefix("2000::/3")
)

func deniedReason4(a netip.Addr) string {
	for _, d := range deny4 {
		if d.p.Contains(a) {
			return d.name
		}
	}
	return ""
}

// deniedReason returns why a (zone already removed) is denied, or "".
func deniedReason(a netip.Addr) string {
	if a.Is4() {
		return deniedReason4(a)
	}
	b := a.As16()
	switch {
	case mapped4.Contains(a):
		if why := deniedReason4(a.Unmap()); why != "" {
			return "IPv4-mapped " + a.Unmap().String() + ": " + why
		}
		return ""
	case nat64WKP.Contains(a):
		v4 := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		if why := deniedReason4(v4); why != "" {
			return "NAT64 of " + v4.String() + ": " + why
		}
		return ""
	case teredo.Contains(a):
		server := netip.AddrFrom4([4]byte{b[4], b[5], b[6], b[7]})
		client := netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
		if why := deniedReason4(client); why != "" {
			return "Teredo client " + client.String() + ": " + why
		}
		if why := deniedReason4(server); why != "" {
			return "Teredo server " + server.String() + ": " + why
		}
		return ""
	case sixToFour.Contains(a):
		v4 := netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		if why := deniedReason4(v4); why != "" {
			return "6to4 of " + v4.String() + ": " + why
		}
		return ""
	}
	for _, d := range deny6 {
		if d.p.Contains(a) {
			return d.name
		}
	}
	if !global6.Contains(a) {
		return "reserved, outside global unicast 2000::/3"
	}
	return ""
}
