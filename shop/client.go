package shop

import "net/netip"

// Network is the client network that limits count by: an IPv4 address, or
// an IPv6 /64 (what one subscriber or one cloud machine is given, so
// rotating addresses inside it buys an abuser nothing).
func Network(ip netip.Addr) netip.Addr {
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return ip.WithZone("")
}
