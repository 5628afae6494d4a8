package ipamorg

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// call runs one AWS call, fn, retrying transient failures (see transient)
// as RetryOptions allow; any other error is returned at once. action names
// the call in logs, e.g. "ec2:EnableIpamOrganizationAdminAccount".
//
// When ctx ends, call returns at once with ctx.Err() joined with the last
// AWS error, so the caller can tell both that it was cancelled and what AWS
// last said.
func call[T any](ctx context.Context, c *Client, action string, fn func(context.Context) (T, error)) (T, error) {
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(c.opts.Retry.InitialInterval),
		backoff.WithMaxInterval(c.opts.Retry.MaxInterval),
		// Attempts, not elapsed time, bound the retries; the context bounds
		// the time.
		backoff.WithMaxElapsedTime(0),
	)
	b := backoff.WithContext(backoff.WithMaxRetries(exp, uint64(c.opts.Retry.MaxAttempts-1)), ctx)

	var lastAWS error
	op := func() (T, error) {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		if !isContextErr(err) {
			lastAWS = err
		}
		if !transient(err) {
			return v, backoff.Permanent(err)
		}
		return v, err
	}
	notify := func(err error, d time.Duration) {
		c.opts.Logger.DebugContext(ctx, "ipamorg: retrying", "action", action, "code", errorCode(err), "delay", d)
	}
	v, err := backoff.RetryNotifyWithData(op, b, notify)
	if err != nil && ctx.Err() != nil {
		return v, joinContext(ctx, lastAWS)
	}
	return v, err
}

// joinContext returns ctx.Err() joined with last, the last AWS error seen
// before the context ended (nil if none), unless last already carries it.
func joinContext(ctx context.Context, last error) error {
	if last != nil && errors.Is(last, ctx.Err()) {
		return last
	}
	return errors.Join(ctx.Err(), last)
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
