package ipamorg_test

import (
	"context"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// The fleet benchmarks run against `ipamorgctl serve` in a process of its
// own (bench/fleet.sh starts one per organization), so that the heap
// measured is the library's, the SDK's clients included, and not the
// emulator's. The variables say where and what:
//
//	IPAMORG_BENCH_FLEET_ENDPOINT  the server's endpoint
//	IPAMORG_BENCH_FLEET_ACCOUNTS  its accounts, the management account included
//	IPAMORG_BENCH_FLEET_LATENCY   the latency injected into every call (20ms)
const (
	benchFleetEndpointEnv = "IPAMORG_BENCH_FLEET_ENDPOINT"
	benchFleetAccountsEnv = "IPAMORG_BENCH_FLEET_ACCOUNTS"
	benchFleetLatencyEnv  = "IPAMORG_BENCH_FLEET_LATENCY"
)

// tunedConcurrency is the tuned benchmarks' concurrency, with no rate
// limit: the largest allowed.
const tunedConcurrency = ipamorg.MaxVerifyConcurrency

// BenchmarkFleet: VerifyServiceLinkedRoles over the organization of
// $IPAMORG_BENCH_FLEET_ENDPOINT, with the default options (default) and
// with Concurrency 256 and no rate limit (tuned). Skipped when the variable
// is unset. Timed per verification, the Client built anew each time.
//
// Metrics:
//   - wall-ms, and ideal-ms, the larger of two lower bounds at the
//     injected latency L: check-ideal-ms, c workers each making its
//     accounts' two calls (sts:AssumeRole, iam:GetRole) back to back
//     after the reads that precede any check and the first page,
//     (2 + 2 × ceil(accounts / c)) × L, or the STS rate limit's
//     accounts / RateLimits.STS when it is slower; and list-ideal-ms,
//     the listing's calls 16 at once when it read the tree
//     (ceil(listing calls / 16) × L), one after the other when it read
//     ListAccounts.
//   - calls, the requests sent (retries included), and list-calls, those
//     of the listing.
//   - lib-heap-MB, the largest heap in use (live objects and garbage not
//     yet swept: /memory/classes/heap/objects:bytes) sampled every 10ms
//     during the run, less the heap before it; lib-live-MB, the largest
//     live heap marked by a GC during the run (/gc/heap/live:bytes), less
//     the same. The emulator is in another process: this is the library,
//     the SDK's clients and their connections. lib-cpu-ms, the CPU time
//     (user and system) the benchmark's process used during the run.
func BenchmarkFleet(b *testing.B) {
	endpoint := os.Getenv(benchFleetEndpointEnv)
	if endpoint == "" {
		b.Skip(benchFleetEndpointEnv + " is not set")
	}
	accounts, err := strconv.Atoi(os.Getenv(benchFleetAccountsEnv))
	if err != nil || accounts < 1 {
		b.Fatalf("%s=%q: want the number of accounts", benchFleetAccountsEnv, os.Getenv(benchFleetAccountsEnv))
	}
	latency := 20 * time.Millisecond
	if s := os.Getenv(benchFleetLatencyEnv); s != "" {
		if latency, err = time.ParseDuration(s); err != nil {
			b.Fatal(err)
		}
	}
	inf := math.Inf(1)
	for _, tc := range []struct {
		name string
		opts ipamorg.VerifyOptions
	}{
		{"default", ipamorg.VerifyOptions{}},
		{"tuned", ipamorg.VerifyOptions{Concurrency: tunedConcurrency, RateLimits: ipamorg.RateLimits{Organizations: inf, STS: inf}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchFleet(b, endpoint, accounts, latency, tc.opts)
		})
	}
}

func benchFleet(b *testing.B, endpoint string, accounts int, latency time.Duration, opts ipamorg.VerifyOptions) {
	c := opts.Concurrency
	if c == 0 {
		c = 16 // the default
	}
	stsRate := opts.RateLimits.STS
	if stsRate == 0 {
		stsRate = 400 // the default
	}
	checkIdeal := time.Duration(2+2*((accounts+c-1)/c)) * latency
	checkIdeal = max(checkIdeal, time.Duration(float64(accounts)/stsRate*float64(time.Second)))

	var (
		wall, cpu      time.Duration
		calls, listing int64
		listIdeal      time.Duration
		peak, peakLive uint64
	)
	for b.Loop() {
		b.StopTimer()
		counter := &requestCounter{}
		cfg := aws.Config{
			Region:       awstest.Region,
			Credentials:  credentials.NewStaticCredentialsProvider(awstest.DefaultManagementAccountID, "bench", ""),
			BaseEndpoint: aws.String(endpoint),
			APIOptions:   []func(*middleware.Stack) error{counter.add},
		}
		runtime.GC()
		base := heapSample()
		stop := sampleHeap(10 * time.Millisecond)
		cpu0 := processCPU()
		b.StartTimer()

		start := time.Now()
		cl, err := ipamorg.NewFromConfig(cfg)
		if err != nil {
			b.Fatal(err)
		}
		r, err := cl.VerifyServiceLinkedRoles(context.Background(), func(o *ipamorg.VerifyOptions) { *o = opts })
		wall += time.Since(start)

		b.StopTimer()
		cpu += processCPU() - cpu0
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
			b.Fatalf("total %d, counts %v, want %d present", r.Total, r.Counts, accounts)
		}
		calls += counter.all.Load()
		listing += counter.listing.Load()
		if counter.tree.Load() > 0 {
			listIdeal = time.Duration((counter.listing.Load()+15)/16) * latency
		} else {
			listIdeal = time.Duration(counter.listing.Load()) * latency
		}
		peak = max(peak, p.heap-min(p.heap, base.heap))
		peakLive = max(peakLive, p.live-min(p.live, base.live))
		b.StartTimer()
	}
	n := time.Duration(b.N)
	b.ReportMetric(ms(wall/n), "wall-ms")
	b.ReportMetric(ms(max(checkIdeal, listIdeal)), "ideal-ms")
	b.ReportMetric(ms(checkIdeal), "check-ideal-ms")
	b.ReportMetric(ms(listIdeal), "list-ideal-ms")
	b.ReportMetric(float64(calls)/float64(b.N), "calls")
	b.ReportMetric(float64(listing)/float64(b.N), "list-calls")
	b.ReportMetric(float64(peak)/(1<<20), "lib-heap-MB")
	b.ReportMetric(float64(peakLive)/(1<<20), "lib-live-MB")
	b.ReportMetric(ms(cpu/n), "lib-cpu-ms")
}

// requestCounter counts the requests the SDK sends, every attempt: a
// middleware right after its retry step.
type requestCounter struct {
	all, listing, tree atomic.Int64
}

func (rc *requestCounter) add(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("benchCount",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			rc.all.Add(1)
			switch op := awsmiddleware.GetOperationName(ctx); {
			case op == "ListAccountsForParent":
				rc.listing.Add(1)
				rc.tree.Add(1)
			case op == "ListAccounts" || op == "ListRoots" || op == "ListOrganizationalUnitsForParent":
				rc.listing.Add(1)
			}
			return next.HandleFinalize(ctx, in)
		}), "Retry", middleware.After)
}

// BenchmarkMonitoringFleet: Monitoring over a generated organization of
// 10,000 accounts in 100 OUs, whose administrator's IPAM operates in two
// Regions, every call answered after 20ms, in process (only calls are
// measured). Metrics: wall-ms; calls, every request; discovery-calls,
// those of ec2:GetIpamDiscoveredAccounts; list-calls, those of the
// listing of the accounts (which the fleet verification makes too); and
// other-calls, the rest.
func BenchmarkMonitoringFleet(b *testing.B) {
	const accounts = 10_000
	emu := monitoredTree(monitoredOrganization(accounts))
	benchMonitoring(b, emu, func(m *ipamorg.Monitoring) {
		if len(m.Accounts) != 2*accounts {
			b.Fatalf("%d entries, want %d", len(m.Accounts), 2*accounts)
		}
	}, []callClass{discoveryCalls, listCalls})
}

// callClass is a metric of a Monitoring benchmark: the calls per run of
// some operations.
type callClass struct {
	metric string
	ops    []string
}

var (
	discoveryCalls = callClass{"discovery-calls", []string{"GetIpamDiscoveredAccounts"}}
	listCalls      = callClass{"list-calls", listingOps}
)

// benchMonitoring runs Monitoring against emu, every call answered after
// 20ms, once per b.Loop, timing the call alone, and checks each result.
// Metrics: wall-ms; calls, every request; each class's calls; and
// other-calls, the rest.
func benchMonitoring(b *testing.B, emu *awstest.Emulator, check func(*ipamorg.Monitoring), classes []callClass) {
	b.Helper()
	emu.InjectFault("*", awstest.Fault{Latency: 20 * time.Millisecond})
	var wall time.Duration
	calls, counted := 0, make([]int, len(classes))
	for b.Loop() {
		b.StopTimer()
		emu.ResetRequests()
		c, err := ipamorg.NewFromConfig(emu.Config(context.Background(), awstest.DefaultManagementAccountID),
			func(o *ipamorg.Options) { o.IPAMRegions = scaleRegions })
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		m, err := c.Monitoring(context.Background())
		wall += time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		check(m)
		for op, n := range emu.CallCounts() {
			calls += n
			for i, cl := range classes {
				if slices.Contains(cl.ops, op) {
					counted[i] += n
				}
			}
		}
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(ms(wall/time.Duration(b.N)), "wall-ms")
	b.ReportMetric(float64(calls)/n, "calls")
	other := calls
	for i, cl := range classes {
		b.ReportMetric(float64(counted[i])/n, cl.metric)
		other -= counted[i]
	}
	b.ReportMetric(float64(other)/n, "other-calls")
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
