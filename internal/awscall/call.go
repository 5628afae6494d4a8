package awscall

import (
	"context"
	"errors"
)

// Call runs one AWS call, fn, which the SDK retries as the Retry given to
// New says, and checks that it answered something: an SDK client never
// returns a nil output without an error, but a wrapper or a mock may, and
// a nil output is an error wrapping ErrInvalidResponse that names action,
// never a panic further on. When ctx ended, the error is ctx.Err() joined with
// the last AWS error answered, so that the caller can tell both that it
// was cancelled and what AWS last said. action names the call in logs and
// errors, e.g. "organizations:ListDelegatedAdministrators".
func Call[O any](ctx context.Context, c *Calls, action string, fn func(context.Context) (*O, error)) (*O, error) {
	out, _, err := CallRecorded(ctx, c, action, fn)
	return out, err
}

// CallRecorded is Call that also returns what its requests met. A client
// without the SDK's middleware (a mock) records nothing.
func CallRecorded[O any](ctx context.Context, c *Calls, action string, fn func(context.Context) (*O, error)) (*O, *Attempts, error) {
	a := &Attempts{}
	out, err := fn(context.WithValue(ctx, attemptsKey{}, a))
	sent := a.Sent()
	switch {
	case err != nil && ctx.Err() != nil:
		if last := a.LastAWS(); last != nil && !errors.Is(err, last) {
			err = errors.Join(err, last)
		}
		return nil, a, JoinContext(ctx, err)
	case err != nil:
		c.Log.DebugContext(ctx, "ipamorg: call failed", "action", action, "code", ErrorCode(err), "requests", sent)
		return nil, a, err
	case out == nil:
		return nil, a, InvalidResponse(action, "no output and no error")
	}
	c.Log.DebugContext(ctx, "ipamorg: call", "action", action, "requests", sent)
	return out, a, nil
}
