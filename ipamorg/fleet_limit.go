package ipamorg

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// RateLimits caps the requests per second of the fleet verification where
// AWS counts them against a quota that the whole verification shares: the
// calling account's. Every request counts, the SDK's retries included (the
// limiter sits in the SDK's middleware, after its retry step). A zero
// field takes its default; math.Inf(1) means no limit. See
// docs/performance.md ("Fleet verification and Monitoring") for the
// quotas behind the defaults.
//
// IAM has no limit here: the IAM calls of a member account are made with
// the role assumed there, so they count against that member's own quota,
// and each account is checked by one goroutine, one call at a time.
type RateLimits struct {
	// Organizations caps the calls to AWS Organizations (the listing of
	// the accounts and the reads before it), whose quota the whole
	// organization shares. Default 40.
	Organizations float64
	// STS caps the calls to AWS STS in the calling account: one
	// sts:AssumeRole per member account, and sts:GetCallerIdentity.
	// Default 400: the default concurrency at 20 ms a call makes 400 a
	// second, two thirds of STS's quota per account and Region.
	STS float64
}

// Defaults of RateLimits.
const (
	defaultOrganizationsRate = 40
	defaultSTSRate           = 400
)

// resolve validates l and fills in its defaults.
func (l RateLimits) resolve() (RateLimits, error) {
	for _, f := range []struct {
		name string
		v    *float64
		def  float64
	}{
		{"RateLimits.Organizations", &l.Organizations, defaultOrganizationsRate},
		{"RateLimits.STS", &l.STS, defaultSTSRate},
	} {
		switch {
		case *f.v < 0 || math.IsNaN(*f.v):
			return l, fmt.Errorf("%s %v is not a positive number", f.name, *f.v)
		case *f.v == 0:
			*f.v = f.def
		}
	}
	return l, nil
}

// limiters are the rate limiters of one verification, one per class of
// call. A nil limiter lets every request through.
type limiters struct {
	organizations, sts *rate.Limiter
}

// newLimiters returns the limiters of l, resolved. Their burst lets each
// of concurrency workers start at once, and no more.
func newLimiters(l RateLimits, concurrency int) *limiters {
	limiter := func(r float64) *rate.Limiter {
		if math.IsInf(r, 1) {
			return nil
		}
		return rate.NewLimiter(rate.Limit(r), max(1, min(concurrency, int(r))))
	}
	return &limiters{organizations: limiter(l.Organizations), sts: limiter(l.STS)}
}

type limitersKey struct{}

// withLimiters returns ctx carrying l: every request of the package's
// calls made with it waits for its class's limiter (see addLimiter).
func withLimiters(ctx context.Context, l *limiters) context.Context {
	return context.WithValue(ctx, limitersKey{}, l)
}

// Classes of call, for addLimiter.
type callClass int

const (
	classOrganizations callClass = iota
	classSTS
)

// addLimiter makes each request of the stack, every attempt of the SDK's
// retries included, wait for the limiter of class that its context
// carries (withLimiters), if any. It sits right after the SDK's retry
// middleware, which runs the rest of the stack once per attempt, so a
// retry is a request like any other; the retryer's own backoff comes on
// top.
func addLimiter(class callClass) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("ipamorgRateLimit",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if l, ok := ctx.Value(limitersKey{}).(*limiters); ok {
					lim := l.organizations
					if class == classSTS {
						lim = l.sts
					}
					if err := wait(ctx, lim); err != nil {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, err
					}
				}
				return next.HandleFinalize(ctx, in)
			}), "Retry", middleware.After)
	}
}

// wait blocks until lim (nil: no limit) allows one request or ctx ends.
// Unlike rate.Limiter.Wait, it fails only with ctx's error, so that a
// deadline beyond reach is a context error like any other.
func wait(ctx context.Context, lim *rate.Limiter) error {
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
