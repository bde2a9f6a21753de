package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"syscall"
	"time"
)

// Resolver looks up the addresses of a host name; *net.Resolver is one.
// It must be safe for concurrent use.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// rangeRule is an address range refused, and what to call it in errors.
type rangeRule struct {
	prefix netip.Prefix
	what   string
}

// blockedV4 are the IPv4 ranges refused: everything that is not a
// public unicast address. The documentation ranges (192.0.2.0/24,
// 198.51.100.0/24, 203.0.113.0/24) route nowhere and are allowed.
var blockedV4 = []rangeRule{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a protocol address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved or broadcast address"},
}

// IPv6 ranges the guard treats specially. Global unicast is 2000::/3;
// everything outside it (loopback, unspecified, unique local fc00::/7,
// link-local fe80::/10, multicast ff00::/8, the deprecated IPv4-compatible
// forms) is refused except NAT64, which is judged by the IPv4 address it
// embeds. IPv4-mapped addresses (::ffff:a.b.c.d) are judged as IPv4.
var (
	globalV6  = netip.MustParsePrefix("2000::/3")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	teredo    = netip.MustParsePrefix("2001::/32")
)

// reason returns why the fetch must not connect to a, or "" if a is a
// public address.
func reason(a netip.Addr) string {
	if !a.IsValid() {
		return "an invalid address"
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		for _, r := range blockedV4 {
			if r.prefix.Contains(a) {
				return r.what
			}
		}
		return ""
	}
	var inner netip.Addr
	switch b := a.As16(); {
	case nat64.Contains(a):
		inner = netip.AddrFrom4([4]byte(b[12:16]))
	case sixToFour.Contains(a):
		inner = netip.AddrFrom4([4]byte(b[2:6]))
	case teredo.Contains(a):
		return "a Teredo tunnel address"
	case !globalV6.Contains(a):
		return "not a public address"
	default:
		return ""
	}
	if why := reason(inner); why != "" {
		return why + " (" + inner.String() + ") in IPv6 form"
	}
	return ""
}

// blockedError is a refused address; it matches [ErrBlocked].
type blockedError struct {
	host string // the host name that resolved to addr, or ""
	addr string
	why  string // "a loopback address"
}

func (e *blockedError) Error() string {
	if e.host != "" {
		return fmt.Sprintf("%s: %s resolves to %s, %s", ErrBlocked, e.host, e.addr, e.why)
	}
	return fmt.Sprintf("%s: %s is %s", ErrBlocked, e.addr, e.why)
}

// Is makes errors.Is(err, ErrBlocked) true.
func (e *blockedError) Is(target error) bool { return target == ErrBlocked }

// checkAddr returns nil if a is a public address, else a *blockedError
// naming it.
func checkAddr(a netip.Addr) error {
	if why := reason(a); why != "" {
		return &blockedError{addr: a.String(), why: why}
	}
	return nil
}

// guard decides which addresses a fetch may connect to.
type guard struct {
	allowPrivate bool
	// exempt are addresses treated as public: a test seam, so that a
	// test server on loopback can stand for a public host.
	exempt []netip.AddrPort
}

// check returns nil if the fetch may connect to ap.
func (g guard) check(ap netip.AddrPort) error {
	if g.allowPrivate || slices.Contains(g.exempt, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())) {
		return nil
	}
	return checkAddr(ap.Addr())
}

// control is a net.Dialer Control function: it runs just before the
// socket connects, with the numeric address actually dialed, so no
// later name resolution can swap the address it checked.
func (g guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &blockedError{addr: address, why: "not an IP address"}
	}
	return g.check(ap)
}

// dialTimeout bounds one connection attempt, so that a host whose first
// address does not answer still leaves time for the next.
const dialTimeout = 10 * time.Second

// netDialer returns a net.Dialer that checks each address with
// [guard.control] as it connects.
func (g guard) netDialer() *net.Dialer {
	return &net.Dialer{Timeout: dialTimeout, Control: g.control}
}

// dialer returns a DialContext function that resolves the host with r,
// skips the addresses g refuses and connects to the others in turn; the
// dialer's Control checks each address again as it is dialed. A host
// with no allowed address gives an error wrapping [ErrBlocked].
func (g guard) dialer(r Resolver) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := g.netDialer()
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		ips, err := resolve(ctx, r, host)
		if err != nil {
			return nil, err
		}
		var errs []error
		for _, ip := range ips {
			target := net.JoinHostPort(ip.String(), port)
			ap, perr := netip.ParseAddrPort(target)
			if perr != nil {
				errs = append(errs, perr)
				continue
			}
			if err := g.check(ap); err != nil {
				errs = append(errs, err)
				continue
			}
			conn, err := d.DialContext(ctx, network, target)
			if err == nil {
				return conn, nil
			}
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
		return nil, firstBlocked(host, errs)
	}
}

// resolve returns the addresses of host: host itself if it is an IP
// literal, else what r finds.
func resolve(ctx context.Context, r Resolver, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	found, err := r.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	for _, f := range found {
		if a, ok := netip.AddrFromSlice(f.IP); ok {
			ips = append(ips, a.Unmap().WithZone(f.Zone))
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("lookup %s: no addresses", host)
	}
	return ips, nil
}

// firstBlocked is the error of a dial that connected nowhere: the
// refusal if any address was refused (so the user learns why), else
// the first connection error.
func firstBlocked(host string, errs []error) error {
	for _, err := range errs {
		var be *blockedError
		if errors.As(err, &be) {
			if _, err := netip.ParseAddr(host); err != nil {
				return &blockedError{host: host, addr: be.addr, why: be.why}
			}
			return be
		}
	}
	if len(errs) == 0 {
		return fmt.Errorf("%s: no address to connect to", host)
	}
	return errs[0]
}
