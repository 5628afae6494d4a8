package awscall

import (
	"context"
	"errors"
	"fmt"
)

// writeRounds bounds CallWrite's own loop: how many times it hands a write
// to the SDK (which retries it within each round) when no answer proved
// anything and reads do not show the change.
const writeRounds = 2

// CallWrite is Call for a write, whose outcome only a success or a
// refusal proves (see AnswerOf). Reporting a write not done when it may
// be done would be a claim nobody observed, so whenever the call fails
// CallWrite first looks, with applied, the read that confirms the write:
// when the change shows, the write is done, and CallWrite returns
// answered false with no error (and a nil output: AWS's answer is not
// the write's). That covers a refusal that comes from the write being
// applied already, by an earlier attempt whose answer was lost or a 5xx
// (IAM's "has been taken", EC2's "not registered").
//
// When the change does not show:
//   - the call is refused when every request the SDK sent, in every
//     round, was answered with a refusal: the write was not applied, and
//     CallWrite returns the refusal;
//   - otherwise some answer proved nothing, and CallWrite hands the write
//     to the SDK again (safe: every write of the library is idempotent
//     against the state it leads to, and AWS answers a write from its
//     latest state, which reads may lag), up to writeRounds times in all;
//     an answer outside the API's contract (ErrInvalidResponse) is not
//     sent again. What is left unknown is a *MaybeApplied, which counts
//     the requests really sent.
//
// When ctx has ended nobody can look: the error is a *MaybeApplied unless
// every request sent was refused. fn may mark an answer that is a success
// at the HTTP level but says the change was not made with Refused.
func CallWrite[O any](ctx context.Context, c *Calls, action string, applied func(context.Context) bool, fn func(context.Context) (*O, error)) (out *O, answered bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, true, err // nothing sent
	}
	total := 0
	for round := 1; ; round++ {
		// A round after the first follows one whose answers proved
		// nothing: its write may be applied, and a refusal now (IAM's
		// "has been taken") may come from it.
		unproven := round > 1
		var a *Attempts
		out, a, err = CallRecorded(ctx, c, action, fn)
		sent := a.Sent()
		total += max(sent, 1) // a client without the SDK's middleware: one
		if err == nil {
			return out, true, nil
		}
		// A client without the SDK's middleware records nothing: its
		// error alone tells.
		refused := !unproven && a.Unknown() == 0 && AnswerOf(err) == AnswerRefused
		if ctx.Err() != nil {
			if sent > 0 && !unproven && a.Unknown() == 0 {
				// The context ended during the SDK's backoff, and AWS had
				// refused every request.
				return nil, true, unmark(err)
			}
			return nil, true, &MaybeApplied{unmark(err)}
		}
		if applied(ctx) {
			c.Log.InfoContext(ctx, "ipamorg: write failed, but reads show it applied", "action", action, "error", err)
			return nil, false, nil
		}
		switch {
		case refused:
			return nil, true, unmark(err)
		case round == writeRounds || errors.Is(err, ErrInvalidResponse) || ctx.Err() != nil:
			return nil, true, &MaybeApplied{fmt.Errorf("%s: %d request(s) sent, no answer proves the write applied or refused, and the reads that confirm it did not show it (or failed): %w", action, total, unmark(err))}
		}
		c.Log.InfoContext(ctx, "ipamorg: write answer proves nothing and the confirming read did not show it (or failed): sending it again", "action", action, "error", err)
	}
}
