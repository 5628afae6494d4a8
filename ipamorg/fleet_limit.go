package ipamorg

import (
	"context"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// newLimiter returns the limiter every call of a verification waits for.
// Its burst lets each worker start at once, and no more.
func newLimiter(o VerifyOptions) *rate.Limiter {
	if math.IsInf(o.RateLimit, 1) {
		return rate.NewLimiter(rate.Inf, 1)
	}
	burst := max(1, min(o.Concurrency, int(o.RateLimit)))
	return rate.NewLimiter(rate.Limit(o.RateLimit), burst)
}

// wait blocks until the rate limiter allows one call or ctx ends. Unlike
// rate.Limiter.Wait, it fails only with ctx's error, so that a deadline
// beyond reach is a context error like any other.
func (v *verifier) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	res := v.lim.Reserve()
	d := res.Delay()
	if d == 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		res.Cancel()
		return ctx.Err()
	}
}
