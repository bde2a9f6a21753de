package fetch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		// IPv4
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"100.128.0.1", false},
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"169.254.169.254", true}, // cloud metadata
		{"169.254.0.1", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"172.32.0.1", false},
		{"192.0.0.8", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		{"8.8.8.8", false},
		{"93.184.216.34", false},
		{"192.0.2.1", false},    // documentation
		{"198.51.100.7", false}, // documentation
		{"203.0.113.9", false},  // documentation
		// IPv6
		{"::", true},
		{"::1", true},
		{"::127.0.0.1", true}, // IPv4-compatible, deprecated
		{"::ffff:127.0.0.1", true},
		{"::ffff:7f00:1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:10.1.2.3", true},
		{"::ffff:0.0.0.0", true},
		{"::ffff:8.8.8.8", false},
		{"::ffff:0:127.0.0.1", true}, // IPv4-translated
		{"fc00::1", true},
		{"fd12:3456:789a::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fec0::1", true}, // site-local, deprecated
		{"ff02::1", true},
		{"ff0e::1", true},
		{"64:ff9b::7f00:1", true},                      // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", true},                   // NAT64 of 169.254.169.254
		{"64:ff9b::192.168.0.1", true},                 // NAT64 of a private address
		{"64:ff9b::808:808", false},                    // NAT64 of 8.8.8.8
		{"64:ff9b:1::1", true},                         // local-use NAT64
		{"2002:7f00:1::1", true},                       // 6to4 of 127.0.0.1
		{"2002:a00:1::", true},                         // 6to4 of 10.0.0.1
		{"2002:c0a8:101::1", true},                     // 6to4 of 192.168.1.1
		{"2002:808:808::1", false},                     // 6to4 of 8.8.8.8
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true}, // Teredo
		{"2001:4860:4860::8888", false},
		{"2606:4700:4700::1111", false},
		{"2001:db8::1", false}, // documentation
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := checkAddr(netip.MustParseAddr(tt.addr))
			if got := err != nil; got != tt.blocked {
				t.Fatalf("checkAddr(%s) = %v, want blocked %v", tt.addr, err, tt.blocked)
			}
			if err != nil && !errors.Is(err, ErrBlocked) {
				t.Errorf("checkAddr(%s) = %v, want ErrBlocked", tt.addr, err)
			}
		})
	}
}

func TestCheckAddrInvalid(t *testing.T) {
	if err := checkAddr(netip.Addr{}); !errors.Is(err, ErrBlocked) {
		t.Errorf("checkAddr(zero) = %v, want ErrBlocked", err)
	}
}

func TestGuardControl(t *testing.T) {
	exempt := netip.MustParseAddrPort("127.0.0.1:8080")
	tests := []struct {
		name    string
		g       guard
		address string
		blocked bool
	}{
		{"loopback", guard{}, "127.0.0.1:80", true},
		{"mapped loopback", guard{}, "[::ffff:127.0.0.1]:80", true},
		{"metadata", guard{}, "169.254.169.254:80", true},
		{"ipv6 loopback", guard{}, "[::1]:443", true},
		{"public", guard{}, "8.8.8.8:443", false},
		{"public v6", guard{}, "[2001:4860:4860::8888]:443", false},
		{"not numeric", guard{}, "localhost:80", true},
		{"allow private", guard{allowPrivate: true}, "127.0.0.1:80", false},
		{"exempt", guard{exempt: []netip.AddrPort{exempt}}, "127.0.0.1:8080", false},
		{"exempt mapped", guard{exempt: []netip.AddrPort{exempt}}, "[::ffff:127.0.0.1]:8080", false},
		{"exempt other port", guard{exempt: []netip.AddrPort{exempt}}, "127.0.0.1:8081", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.g.control("tcp", tt.address, nil)
			if got := errors.Is(err, ErrBlocked); got != tt.blocked {
				t.Errorf("control(%s) = %v, want blocked %v", tt.address, err, tt.blocked)
			}
		})
	}
}

// resolverFunc is a Resolver from a function.
type resolverFunc func(ctx context.Context, host string) ([]net.IPAddr, error)

func (f resolverFunc) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return f(ctx, host)
}

// hosts is a Resolver answering from a table of host names to addresses.
func hosts(table map[string][]string) Resolver {
	return resolverFunc(func(_ context.Context, host string) ([]net.IPAddr, error) {
		addrs, ok := table[host]
		if !ok {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		var ips []net.IPAddr
		for _, a := range addrs {
			ips = append(ips, net.IPAddr{IP: net.ParseIP(a)})
		}
		return ips, nil
	})
}

func TestDialerRefusesNamesResolvingToPrivateAddresses(t *testing.T) {
	r := hosts(map[string][]string{
		"public.test":              {"127.0.0.1"},
		"metadata.google.internal": {"169.254.169.254"},
		"mixed.test":               {"10.0.0.1", "fd00::1"},
		"mapped.test":              {"::ffff:192.168.0.1"},
		"nat64.test":               {"64:ff9b::a00:1"},
		"localhost":                {"127.0.0.1", "::1"},
	})
	dial := guard{}.dialer(r)
	for _, host := range []string{"public.test", "metadata.google.internal", "mixed.test", "mapped.test", "nat64.test", "localhost"} {
		t.Run(host, func(t *testing.T) {
			conn, err := dial(t.Context(), "tcp", net.JoinHostPort(host, "80"))
			if conn != nil {
				conn.Close()
			}
			if !errors.Is(err, ErrBlocked) {
				t.Fatalf("dial %s = %v, want ErrBlocked", host, err)
			}
			if !strings.Contains(err.Error(), host) {
				t.Errorf("error %q does not name the host %s", err, host)
			}
		})
	}
}

func TestDialerConnectsToTheCheckedAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	var lookups atomic.Int32
	// A rebinding name server: the first answer is the (exempt) test
	// listener, every later one a private address.
	r := resolverFunc(func(context.Context, string) ([]net.IPAddr, error) {
		if lookups.Add(1) == 1 {
			return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}}, nil
		}
		return []net.IPAddr{{IP: net.ParseIP("10.0.0.7")}}, nil
	})
	g := guard{exempt: []netip.AddrPort{netip.MustParseAddrPort(ln.Addr().String())}}
	dial := g.dialer(r)
	conn, err := dial(t.Context(), "tcp", net.JoinHostPort("rebind.test", port))
	if err != nil {
		t.Fatalf("first dial: %v", err)
	}
	conn.Close()
	conn, err = dial(t.Context(), "tcp", net.JoinHostPort("rebind.test", port))
	if conn != nil {
		conn.Close()
	}
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("second dial = %v, want ErrBlocked", err)
	}
}

func TestDialerLookupFailure(t *testing.T) {
	dial := guard{}.dialer(hosts(nil))
	_, err := dial(t.Context(), "tcp", "nowhere.test:80")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) {
		t.Fatalf("dial = %v, want a *net.DNSError", err)
	}
	empty := resolverFunc(func(context.Context, string) ([]net.IPAddr, error) { return nil, nil })
	if _, err := (guard{}).dialer(empty)(t.Context(), "tcp", "empty.test:80"); err == nil {
		t.Fatal("dial of a host without addresses succeeded")
	}
}

func TestNetDialerChecksTheConnectedAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := guard{}.netDialer().DialContext(t.Context(), "tcp", ln.Addr().String())
	if conn != nil {
		conn.Close()
	}
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("dial %s = %v, want ErrBlocked", ln.Addr(), err)
	}
	conn, err = guard{allowPrivate: true}.netDialer().DialContext(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial with allowPrivate: %v", err)
	}
	conn.Close()
}
