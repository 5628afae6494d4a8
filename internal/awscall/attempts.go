package awscall

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/aws/smithy-go/middleware"
)

// Attempts records, for one call, what the SDK's retries hide: how many
// requests were sent, and the last AWS error answered, which the SDK drops
// when the context ends during its backoff. CallRecorded puts one in the
// context; the middleware below fills it in.
type Attempts struct {
	sent atomic.Int32
	// unanswered counts the requests that got no answer from AWS: a
	// connection error, or the context ending while one was in flight.
	unanswered atomic.Int32
	mu         sync.Mutex
	last       error // the last AWS error answered, if any
}

// Sent is the number of requests sent.
func (a *Attempts) Sent() int { return int(a.sent.Load()) }

// Unanswered is the number of requests that got no answer from AWS.
func (a *Attempts) Unanswered() int { return int(a.unanswered.Load()) }

// LastAWS is the last AWS error answered, if any.
func (a *Attempts) LastAWS() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

type attemptsKey struct{}

// addAttemptRecorder records each request the SDK sends, and its AWS
// error, in the Attempts its context carries (if any): it sits right after
// the SDK's retry middleware, which runs the rest of the stack once per
// attempt.
func addAttemptRecorder(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("ipamorgAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			a, ok := ctx.Value(attemptsKey{}).(*Attempts)
			if !ok {
				return next.HandleFinalize(ctx, in)
			}
			a.sent.Add(1)
			out, md, err := next.HandleFinalize(ctx, in)
			switch {
			case err == nil:
			case ErrorCode(err) != "":
				a.mu.Lock()
				a.last = err
				a.mu.Unlock()
			default:
				a.unanswered.Add(1)
			}
			return out, md, err
		}), "Retry", middleware.After)
}
