package ipamorg_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// fleetLatency is the latency injected into every call in
// BenchmarkVerifyFleet.
const fleetLatency = 20 * time.Millisecond

// fleetConcurrency is the concurrency BenchmarkVerifyFleet verifies with:
// the default of VerifyOptions.Concurrency.
const fleetConcurrency = 16

// BenchmarkVerifyFleet: VerifyServiceLinkedRoles over organizations of
// 1,000 and 10,000 accounts (the management account and members, every one
// with AWSServiceRoleForIPAM), every call answered after 20ms, over
// loopback with the SDK's own clients and the rate limit off.
//
// The ideal wall time for concurrency c is that of c workers each making
// its accounts' calls back to back:
//
//	ideal = ceil(accounts / c) × calls-per-account × 20ms
//
// with calls-per-account 2 (sts:AssumeRole, then iam:GetRole; the
// caller's own account needs only the second) and the rate limit off
// (RateLimit +Inf). It leaves out the calls that precede any check
// (GetCallerIdentity, DescribeOrganization and ListDelegatedAdministrators,
// concurrent; then the first ListAccounts page): 2 × 20ms more, whatever
// the size. The rest of the listing, ceil(accounts / 20) pages one after
// the other, runs alongside the checks, so the formula holds while the
// listing is the shorter of the two: up to c = 40 here (2 calls per
// account, 20 accounts per page, equal latencies). Beyond that the
// listing bounds the wall time: ceil(accounts / 20) × 20ms.
//
// Metrics: wall-ms, ideal-ms and wall/ideal; calls (requests the emulator
// answered, per verification); peak-heap-MB, the largest heap in use
// (runtime/metrics /memory/classes/heap/objects:bytes, HeapAlloc: live
// objects and garbage not yet swept) sampled every 10ms during the run,
// less the heap before it; peak-live-MB, the largest live heap marked by a
// GC during the run (/gc/heap/live:bytes), less the same. Both count
// everything in the process: the library, the SDK's clients and their
// connections, and the emulator serving them (its audit log included).
// B/op (-benchmem) is every byte allocated, not what is held at once.
func BenchmarkVerifyFleet(b *testing.B) {
	for _, accounts := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("accounts=%d", accounts), func(b *testing.B) {
			org := awstest.GenerateOrganization(accounts - 1) // and the management account
			org.IPAMDelegatedAdmin = org.Members[0].ID
			srv := awstest.NewServer(awstest.WithOrganization(org))
			defer srv.Close()
			srv.InjectFault("*", awstest.Fault{Latency: fleetLatency})
			opts := ipamorg.VerifyOptions{Concurrency: fleetConcurrency, RateLimits: noLimits}
			ideal := time.Duration((accounts+opts.Concurrency-1)/opts.Concurrency) * 2 * fleetLatency

			var wall time.Duration
			var calls int
			var peak, peakLive uint64
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				srv.ResetRequests()
				c, err := ipamorg.NewFromConfig(srv.Config(context.Background(), awstest.DefaultManagementAccountID))
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				base := heapSample()
				stop := sampleHeap(10 * time.Millisecond)
				b.StartTimer()

				start := time.Now()
				r, err := c.VerifyServiceLinkedRoles(context.Background(), opts)
				wall += time.Since(start)

				b.StopTimer()
				p := stop()
				if err != nil {
					b.Fatal(err)
				}
				if r.Total != accounts || r.Counts[ipamorg.RolePresent] != accounts {
					for _, a := range r.Accounts {
						if a.Result != ipamorg.RolePresent {
							b.Log(a.AccountID, a.Reason)
							break
						}
					}
					b.Fatalf("total %d, counts %v", r.Total, r.Counts)
				}
				calls += len(srv.Requests())
				peak = max(peak, p.heap-min(p.heap, base.heap))
				peakLive = max(peakLive, p.live-min(p.live, base.live))
				b.StartTimer()
			}
			n := time.Duration(b.N)
			b.ReportMetric(ms(wall/n), "wall-ms")
			b.ReportMetric(ms(ideal), "ideal-ms")
			b.ReportMetric(float64(wall/n)/float64(ideal), "wall/ideal")
			b.ReportMetric(float64(calls)/float64(b.N), "calls")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(peakLive)/(1<<20), "peak-live-MB")
		})
	}
}

// heap is one reading of the heap: in use (live objects and garbage not
// yet swept) and live as of the last GC.
type heap struct{ heap, live uint64 }

var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/gc/heap/live:bytes"}

func heapSample() heap {
	s := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	return heap{s[0].Value.Uint64(), s[1].Value.Uint64()}
}

// sampleHeap samples the heap every period until the returned function is
// called, which returns the largest readings.
func sampleHeap(period time.Duration) func() heap {
	var (
		mu   sync.Mutex
		peak heap
	)
	record := func() {
		h := heapSample()
		mu.Lock()
		peak.heap, peak.live = max(peak.heap, h.heap), max(peak.live, h.live)
		mu.Unlock()
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				record()
			}
		}
	}()
	return func() heap {
		close(done)
		<-stopped
		record()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}
