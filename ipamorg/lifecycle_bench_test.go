package ipamorg_test

// Benchmarks over the emulator on a loopback port (awstest.NewServer), on
// the wall clock: what they measure is the library's use of real time.
// bench/run.sh runs them once and prints the ratios against their targets
// (docs/performance.md). Each reports custom metrics (b.ReportMetric) per operation.

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// benchLatency is the latency injected into every call in BenchmarkObserve.
const benchLatency = 50 * time.Millisecond

// BenchmarkObserve: Observe with 50ms of latency on every call. Its five
// reads are independent and run concurrently, so its wall time should be
// that of its slowest read, not their sum. Metrics: wall-ms (per Observe),
// slowest-read-ms (the slowest of the five reads made one at a time, before
// the loop) and wall/slowest.
func BenchmarkObserve(b *testing.B) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = memberA // every read succeeds
	srv := awstest.NewServer(awstest.WithOrganization(org))
	defer srv.Close()
	srv.InjectFault("*", awstest.Fault{Latency: benchLatency})
	ctx := context.Background()
	cfg := srv.Config(ctx, mgmt)
	c, err := ipamorg.NewFromConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Observe(ctx); err != nil { // warm the connection pool
		b.Fatal(err)
	}

	// The five reads Observe makes, one at a time.
	aws5 := awsclient.NewFromConfig(cfg)
	ipam := aws.String(awstest.IPAMServicePrincipal)
	var slowest time.Duration
	for _, read := range []func() error{
		func() error { _, err := aws5.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err },
		func() error {
			_, err := aws5.Organizations.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		},
		func() error {
			_, err := aws5.Organizations.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
			return err
		},
		func() error {
			_, err := aws5.Organizations.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: ipam})
			return err
		},
		func() error {
			_, err := aws5.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(awstest.IPAMRoleName)})
			return err
		},
	} {
		start := time.Now()
		if err := read(); err != nil {
			b.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
	}

	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := c.Observe(ctx); err != nil {
			b.Fatal(err)
		}
	}
	wall := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(ms(wall), "wall-ms")
	b.ReportMetric(ms(slowest), "slowest-read-ms")
	b.ReportMetric(float64(wall)/float64(slowest), "wall/slowest")
}

// Lifecycle benchmarks: what a user feels at AWS's speeds, with the
// default Options.
const (
	// lifecycleLatency is injected into every call of the lifecycle
	// benchmarks: a call to AWS from outside its Region.
	lifecycleLatency = 100 * time.Millisecond
	// defaultInterval is WaitOptions.Interval's default, documented there:
	// the schedule's reads while a write does not show yet.
	defaultInterval = 200 * time.Millisecond
	// lifecycleWrites are the lifecycle's writes: enable the admin,
	// disable it, disable trusted access, delete the role.
	lifecycleWrites = 4
)

// lifecycleLags are the lags of BenchmarkLifecycle's sub-benchmarks.
var lifecycleLags = []time.Duration{0, 2 * time.Second, 10 * time.Second}

// lifecycleMinCalls is the fewest calls that do the lifecycle with the
// same guards: an Observe (5 reads) per Reconcile, the delegation guard's
// DescribeAccount, the teardown guard's read of the administrator's IPAMs
// (AssumeRole, DescribeRegions, DescribeIpams in each Region), the 4
// writes, one read confirming each of the first three and one read of the
// role's deletion task.
func lifecycleMinCalls() int { return 2*5 + 1 + 2 + len(awstest.Regions()) + lifecycleWrites + 4 }

// lifecycleIdeal is the least wall time of the lifecycle at latency and
// lag: the 13 round trips that cannot overlap (Observe with the
// delegation guard's read; the write; its confirmation; Observe; AssumeRole;
// DescribeRegions; DescribeIpams; then three writes and their
// confirmations), where a write's confirming read can answer no sooner
// than the write shows, lag after the write's answer, nor sooner than one
// round trip after it.
func lifecycleIdeal(latency, lag time.Duration) time.Duration {
	return 9*latency + lifecycleWrites*max(lag, latency)
}

// BenchmarkLifecycle: none → delegated → none through two Reconciles with
// the default Options, 100 ms injected into every call and reads lagging
// each write by 0, 2 and 10 s. Metrics per lifecycle:
//
//   - wall-ms, against ideal-ms (lifecycleIdeal);
//   - calls, every request made, against min-calls (lifecycleMinCalls)
//     and max-calls, min-calls plus the reads the schedule makes while each
//     write does not show yet: ceil((lag - latency) / Interval) a write;
//   - writes, write requests made (4 needed);
//   - lost-max-ms and lost-mean-ms, over the writes, the time from a write
//     showing in reads to the library having the answer of the read that
//     confirms it (benchLost).
func BenchmarkLifecycle(b *testing.B) {
	for _, lag := range lifecycleLags {
		b.Run("lag="+lag.String(), func(b *testing.B) {
			var wall, lostMax, lostSum time.Duration
			var calls, writes int
			for b.Loop() {
				b.StopTimer()
				srv := awstest.NewServer(awstest.WithLag(lag, lag))
				srv.InjectFault("*", awstest.Fault{Latency: lifecycleLatency})
				c, err := ipamorg.NewFromConfig(srv.Config(context.Background(), mgmt))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()

				start := time.Now()
				for _, d := range []ipamorg.Desired{
					{State: fsm.StateDelegated, DelegatedAdmin: memberA},
					{State: fsm.StateNone},
				} {
					srv.ResetRequests()
					if _, err := c.Reconcile(context.Background(), d); err != nil {
						b.Fatal(err)
					}
					reqs := srv.Requests()
					calls += len(reqs)
					for _, l := range benchLost(reqs, lag) {
						writes++
						lostMax, lostSum = max(lostMax, l), lostSum+l
					}
				}
				wall += time.Since(start)

				b.StopTimer()
				srv.Close()
				b.StartTimer()
			}
			n := float64(b.N)
			b.ReportMetric(ms(wall)/n, "wall-ms")
			b.ReportMetric(ms(lifecycleIdeal(lifecycleLatency, lag)), "ideal-ms")
			b.ReportMetric(float64(calls)/n, "calls")
			b.ReportMetric(float64(lifecycleMinCalls()), "min-calls")
			polls := int((max(lag-lifecycleLatency, 0) + defaultInterval - 1) / defaultInterval)
			b.ReportMetric(float64(lifecycleMinCalls()+lifecycleWrites*polls), "max-calls")
			b.ReportMetric(float64(writes)/n, "writes")
			b.ReportMetric(ms(lostMax), "lost-max-ms")
			if writes > 0 {
				b.ReportMetric(ms(lostSum)/float64(writes), "lost-mean-ms")
			}
		})
	}
}

// benchEndpointEnv and benchLagEnv name the environment variables that
// give BenchmarkLifecycleEndpoint its server and the lag it serves with.
const (
	benchEndpointEnv = "IPAMORG_BENCH_ENDPOINT"
	benchLagEnv      = "IPAMORG_BENCH_LAG"
)

// BenchmarkLifecycleEndpoint: the lifecycle of BenchmarkLifecycle against
// the emulator at $IPAMORG_BENCH_ENDPOINT, an `ipamorgctl serve` process
// with the latency and lag ($IPAMORG_BENCH_LAG, for the ideal) that
// bench/cli_lifecycle.sh scripts the AWS CLI against; bench/lifecycle.sh
// starts one for each and prints the ratio. Skipped when the variable is
// unset. The server must hold the default organization in state none;
// each lifecycle leaves it there. Timed per lifecycle, as a program would
// run it: building the Client (the SDK's default HTTP client, so new
// connections) and the two Reconciles. Metrics: wall-ms, ideal-ms.
func BenchmarkLifecycleEndpoint(b *testing.B) {
	endpoint := os.Getenv(benchEndpointEnv)
	if endpoint == "" {
		b.Skip(benchEndpointEnv + " is not set")
	}
	var lag time.Duration
	if v := os.Getenv(benchLagEnv); v != "" {
		var err error
		if lag, err = time.ParseDuration(v); err != nil {
			b.Fatal(err)
		}
	}
	cfg := aws.Config{
		Region:       awstest.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(mgmt, "bench", ""),
		BaseEndpoint: aws.String(endpoint),
	}
	ctx := context.Background()
	var wall time.Duration
	for b.Loop() {
		start := time.Now()
		c, err := ipamorg.NewFromConfig(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range []ipamorg.Desired{
			{State: fsm.StateDelegated, DelegatedAdmin: memberA},
			{State: fsm.StateNone},
		} {
			if _, err := c.Reconcile(ctx, d); err != nil {
				b.Fatal(err)
			}
		}
		wall += time.Since(start)
	}
	b.ReportMetric(ms(wall)/float64(b.N), "wall-ms")
	b.ReportMetric(ms(lifecycleIdeal(lifecycleLatency, lag)), "ideal-ms")
}

// benchLost reads one Reconcile's audit log, made with the latency
// injected before the emulator runs each request (awstest's Fault.Latency)
// and reads lagging by lag, and returns for each write the time lost
// between its showing and the library having the confirming read's
// answer. The write takes effect as its latency ends (w.Time + latency),
// so it shows in reads at w.Time + latency + lag; the confirming read (the
// last read before the next write, or the end: every read between two
// writes is a poll of the confirmation) is answered as its own latency
// ends, at r.Time + latency. The latencies cancel: lost = r.Time - w.Time
// - lag. It leaves out the answer's way back over loopback (well under a
// millisecond) and the library's handling of it.
func benchLost(reqs []awstest.Request, lag time.Duration) []time.Duration {
	var lost []time.Duration
	for i, w := range reqs {
		if !w.Write || w.DryRun {
			continue
		}
		var confirm *awstest.Request
		for j := i + 1; j < len(reqs) && !reqs[j].Write; j++ {
			confirm = &reqs[j]
		}
		if confirm == nil {
			continue
		}
		lost = append(lost, confirm.Time.Sub(w.Time)-lag)
	}
	return lost
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
