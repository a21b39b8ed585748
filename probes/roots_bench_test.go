package probes_test

import (
	"crypto/x509"
	"runtime"
	"testing"

	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/pbprobe/pbprobe/probes"
)

// BenchmarkPublicRootPool reports what parsing the whole embedded Mozilla
// root set costs: the time and allocations of one parse, and the heap the
// pool keeps live (pool-live-KiB) for as long as it is held.
func BenchmarkPublicRootPool(b *testing.B) {
	live := liveHeap(func() any { return probes.PublicRootPool() })
	b.ReportAllocs()
	for b.Loop() {
		probes.PublicRootPool()
	}
	b.ReportMetric(live/1024, "pool-live-KiB")
}

// BenchmarkPublicRootsFor reports what picking the roots for one chain
// costs: a chain whose issuer is a Mozilla root, as a public server's is.
func BenchmarkPublicRootsFor(b *testing.B) {
	var chain []*x509.Certificate
	for r := range bundle.Roots() {
		c, err := x509.ParseCertificate(r.Certificate)
		if err != nil {
			b.Fatal(err)
		}
		chain = []*x509.Certificate{c}
		break
	}
	live := liveHeap(func() any { return probes.PublicRootsFor(chain) })
	b.ReportAllocs()
	for b.Loop() {
		probes.PublicRootsFor(chain)
	}
	b.ReportMetric(live/1024, "pool-live-KiB")
}

// liveHeap is the heap that what new returns keeps alive, in bytes.
func liveHeap(new func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := new()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return float64(after.HeapAlloc) - float64(before.HeapAlloc)
}
