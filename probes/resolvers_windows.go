package probes

import (
	"errors"
	"math"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Adapter flags from iptypes.h that x/sys/windows does not define. An
// adapter's metric for a family it does not run is meaningless (often 0),
// so these decide which metrics count.
const (
	ipAdapterIPv4Enabled = 0x80
	ipAdapterIPv6Enabled = 0x100
)

func systemResolvers() ([]string, error) {
	first, err := adapterAddresses()
	if err != nil {
		return nil, err
	}
	var adapters []adapterDNS
	for a := first; a != nil; a = a.Next {
		// A disconnected adapter keeps its DNS servers in the list, and
		// the Windows DNS client does not use them; neither should we.
		if a.OperStatus != windows.IfOperStatusUp || a.IfType == windows.IF_TYPE_SOFTWARE_LOOPBACK {
			continue
		}
		var servers []string
		for d := a.FirstDnsServerAddress; d != nil; d = d.Next {
			if s, ok := socketAddressIP(&d.Address); ok {
				servers = append(servers, s)
			}
		}
		if len(servers) > 0 {
			adapters = append(adapters, adapterDNS{metric: adapterMetric(a), servers: servers})
		}
	}
	return orderAdapterResolvers(adapters), nil
}

// adapterMetric takes the better of the adapter's family metrics, since a
// query goes out over whichever family reaches the server.
func adapterMetric(a *windows.IpAdapterAddresses) uint32 {
	metric := uint32(math.MaxUint32)
	if a.Flags&ipAdapterIPv4Enabled != 0 {
		metric = min(metric, a.Ipv4Metric)
	}
	if a.Flags&ipAdapterIPv6Enabled != 0 {
		metric = min(metric, a.Ipv6Metric)
	}
	return metric
}

// adapterAddresses returns the head of the adapter list. The list lives in
// one byte buffer the API fills with pointers into itself; the returned
// pointer keeps that buffer alive for as long as the caller walks it.
func adapterAddresses() (*windows.IpAdapterAddresses, error) {
	const flags = windows.GAA_FLAG_SKIP_ANYCAST | windows.GAA_FLAG_SKIP_MULTICAST | windows.GAA_FLAG_SKIP_FRIENDLY_NAME
	// 15 KB is Microsoft's suggested first size; it fits most PCs in one call.
	size := uint32(15 * 1024)
	// Adapters can appear between the sizing call and the next one (VPN
	// connecting), so the buffer may need to grow more than once; the bound
	// stops a pathological churn from looping forever.
	for range 4 {
		buf := make([]byte, size)
		first := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, flags, 0, first, &size)
		switch {
		case err == nil:
			return first, nil
		case errors.Is(err, windows.ERROR_NO_DATA):
			return nil, nil
		case errors.Is(err, windows.ERROR_BUFFER_OVERFLOW):
			if size <= uint32(len(buf)) {
				size = 2 * uint32(len(buf))
			}
		default:
			return nil, os.NewSyscallError("GetAdaptersAddresses", err)
		}
	}
	return nil, os.NewSyscallError("GetAdaptersAddresses", windows.ERROR_BUFFER_OVERFLOW)
}

// socketAddressIP renders a DNS server address. A link-local server is
// only reachable through its interface, so its scope id is kept as the
// zone; Go dials numeric zones as interface indexes on Windows.
func socketAddressIP(sa *windows.SocketAddress) (string, bool) {
	if sa.Sockaddr == nil || sa.SockaddrLength <= 0 {
		return "", false
	}
	switch sa.Sockaddr.Addr.Family {
	case windows.AF_INET:
		if uintptr(sa.SockaddrLength) < unsafe.Sizeof(windows.RawSockaddrInet4{}) {
			return "", false
		}
	case windows.AF_INET6:
		if uintptr(sa.SockaddrLength) < unsafe.Sizeof(windows.RawSockaddrInet6{}) {
			return "", false
		}
	default:
		return "", false
	}
	raw, err := sa.Sockaddr.Sockaddr()
	if err != nil {
		return "", false
	}
	switch v := raw.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrFrom4(v.Addr).String(), true
	case *syscall.SockaddrInet6:
		addr := netip.AddrFrom16(v.Addr)
		if v.ZoneId != 0 && addr.IsLinkLocalUnicast() {
			addr = addr.WithZone(strconv.FormatUint(uint64(v.ZoneId), 10))
		}
		return addr.String(), true
	}
	return "", false
}
