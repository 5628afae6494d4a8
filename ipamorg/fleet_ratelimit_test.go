package ipamorg_test

import (
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// TestVerifyRateLimitsCountRetries: each class's limiter spaces every
// request of its service, the SDK's retries of throttled requests
// included, and leaves the other services alone. In fake time: the run
// takes (requests − burst) / rate of the limited service, with the retries
// among the requests; were they not counted, it would be shorter by
// retries / rate.
func TestVerifyRateLimitsCountRetries(t *testing.T) {
	const members, concurrency, retries = 30, 4, 3
	for name, tt := range map[string]struct {
		limits  ipamorg.RateLimits
		service string // the limited one
		fault   string // the operation throttled retries times
		rate    float64
	}{
		"sts":           {ipamorg.RateLimits{Organizations: math.Inf(1), STS: 10}, "sts", "AssumeRole", 10},
		"organizations": {ipamorg.RateLimits{Organizations: 5, STS: math.Inf(1)}, "organizations", "ListAccounts", 5},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				org := awstest.GenerateOrganization(members)
				org.IPAMDelegatedAdmin = org.Members[0].ID
				emu := awstest.New(awstest.WithOrganization(org))
				emu.InjectFault(tt.fault, awstest.Fault{Code: awstest.CodeThrottle, Count: retries})
				c := memClient(t, emu, func(o *ipamorg.Options) { o.Retry.MaxBackoff = time.Millisecond })
				start := time.Now()
				r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
					o.Concurrency = concurrency
					o.RateLimits = tt.limits
				})
				took := time.Since(start)
				if err != nil || !r.OK() {
					t.Fatal(r, err)
				}
				n, throttled := 0, 0
				for _, q := range emu.Requests() {
					if q.Service == tt.service {
						n++
						if q.Fault {
							throttled++
						}
					}
				}
				if throttled != retries {
					t.Fatalf("%d %s requests throttled, want %d", throttled, tt.service, retries)
				}
				burst := min(concurrency, int(tt.rate))
				want := time.Duration(float64(n-burst) / tt.rate * float64(time.Second))
				// The retries' backoff (at most 1ms each) comes on top;
				// the limiter's arithmetic is in floating point.
				if took < want-time.Millisecond || took > want+10*time.Millisecond {
					t.Errorf("took %v for %d %s requests (%d retries), want %v at %v/s after a burst of %d",
						took, n, tt.service, retries, want, tt.rate, burst)
				}
			})
		})
	}
}
