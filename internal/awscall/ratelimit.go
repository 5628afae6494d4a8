package awscall

// Rate limits: a class of AWS calls capped in requests per second by a
// middleware in the SDK's stack, after its retry step, so that every
// request counts, the SDK's retries included. The caller installs it
// explicitly, through Middleware, on the calls it limits.

import (
	"context"
	"math"
	"time"

	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// NewLimiter returns a limiter of perSecond requests a second whose burst
// lets each of concurrency workers start at once, and no more; nil (no
// limit) for math.Inf(1).
func NewLimiter(perSecond float64, concurrency int) *rate.Limiter {
	if math.IsInf(perSecond, 1) {
		return nil
	}
	return rate.NewLimiter(rate.Limit(perSecond), max(1, min(concurrency, int(perSecond))))
}

// RateLimit makes each request of the stack, every attempt of the SDK's
// retries included, wait for lim (nil: no limit). It sits right after the
// SDK's retry middleware, which runs the rest of the stack once per
// attempt, so a retry is a request like any other; the retryer's own
// backoff comes on top.
func RateLimit(lim *rate.Limiter) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("ipamorgRateLimit",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if err := waitLimit(ctx, lim); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				return next.HandleFinalize(ctx, in)
			}), "Retry", middleware.After)
	}
}

// waitLimit blocks until lim (nil: no limit) allows one request or ctx ends.
// Unlike rate.Limiter.Wait, it fails only with ctx's error, so that a
// deadline beyond reach is a context error like any other.
func waitLimit(ctx context.Context, lim *rate.Limiter) error {
	if err := ctx.Err(); err != nil || lim == nil {
		return err
	}
	res := lim.Reserve()
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
