package awscall

import (
	"context"
	"errors"
	"fmt"
)

// writeRounds bounds CallWrite's own loop: how many times it hands a write
// to the SDK (which retries it within each round) when every answer was
// lost.
const writeRounds = 2

// CallWrite is Call for a write, whose outcome a lost answer leaves
// unknown (see OutcomeUnknown): the SDK, having retried, gives up with a
// connection error, and the request may have been applied by AWS. Failing
// then would report the step as not done when it may be done, so CallWrite
// first looks: when applied reports that the change already shows, the
// write is done, and CallWrite returns answered false with no error (and a
// nil output: AWS's answer was lost). Otherwise it hands the write to the
// SDK again, up to writeRounds times in all, which is safe because every
// write of the library is idempotent against the state it leads to, and
// authoritative where reads lag, since AWS answers a write from its latest
// state.
//
// The same holds when an attempt's answer was lost and the SDK's retry of
// it was answered with an error, which may come from the lost attempt
// having been applied: CallWrite looks then too.
//
// An error that leaves the write possibly applied (every answer lost, an
// answer lost and the retry refused, no output, or the context ended after
// the write was handed to the SDK) is a *MaybeApplied, and counts the
// requests really sent.
func CallWrite[O any](ctx context.Context, c *Calls, action string, applied func(context.Context) bool, fn func(context.Context) (*O, error)) (out *O, answered bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, true, err // nothing sent
	}
	total := 0
	for round := 1; ; round++ {
		var a *Attempts
		out, a, err = CallRecorded(ctx, c, action, fn)
		sent := a.Sent()
		total += max(sent, 1) // a client without the SDK's middleware: one
		switch {
		case err == nil:
			return out, true, nil
		case errors.Is(err, ErrInvalidResponse):
			// An answer that is not one (no output): AWS may have
			// applied the write.
			return nil, true, &MaybeApplied{err}
		case ctx.Err() != nil && sent > 0 && a.Unanswered() == 0:
			// The context ended during the SDK's backoff, and AWS had
			// answered every request with an error: nothing applied.
			return nil, true, err
		case ctx.Err() != nil:
			// Cut short by the context, perhaps while a request was in
			// flight: nobody knows.
			return nil, true, &MaybeApplied{err}
		case !OutcomeUnknown(err) && a.Unanswered() > 0:
			// An earlier attempt's answer was lost and the SDK's retry
			// was refused, perhaps because that attempt was applied (IAM
			// answers "has been taken" for a role it just created): look
			// before saying it was not done.
			if applied(ctx) {
				c.Log.InfoContext(ctx, "ipamorg: write answer lost, retry refused, but reads show it applied", "action", action, "error", err)
				return nil, false, nil
			}
			return nil, true, &MaybeApplied{fmt.Errorf("%s: %d request(s) sent, the answer to an earlier one lost: %w", action, total, err)}
		case !OutcomeUnknown(err):
			return nil, true, err
		case applied(ctx):
			c.Log.InfoContext(ctx, "ipamorg: write answer lost, but reads show it applied", "action", action, "error", err)
			return nil, false, nil
		case round == writeRounds || ctx.Err() != nil:
			return nil, true, &MaybeApplied{fmt.Errorf("%s: %d request(s) sent, every answer lost: %w", action, total, err)}
		}
		c.Log.InfoContext(ctx, "ipamorg: write answer lost and not visible in reads: sending it again", "action", action, "error", err)
	}
}
