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
	// unknown counts the requests whose answer proves nothing (see
	// AnswerOf): a 5xx, a connection error, the context ending while one
	// was in flight.
	unknown atomic.Int32
	mu      sync.Mutex
	last    error // the last AWS error answered, if any
}

// Sent is the number of requests sent.
func (a *Attempts) Sent() int { return int(a.sent.Load()) }

// Unknown is the number of requests whose answer proves nothing about
// whether AWS ran them (AnswerUnknown): each may have been applied.
func (a *Attempts) Unknown() int { return int(a.unknown.Load()) }

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
			if AnswerOf(err) == AnswerUnknown {
				a.unknown.Add(1)
			}
			if ErrorCode(err) != "" {
				a.mu.Lock()
				a.last = err
				a.mu.Unlock()
			}
			return out, md, err
		}), "Retry", middleware.After)
}
