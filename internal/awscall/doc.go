// Package awscall is how the library calls AWS: the per-operation options
// that every call passes to its SDK client (the SDK's retryer with the
// library's settings, the attempt recorder, and whatever middleware the
// caller installs, such as the fleet's rate limits: RateLimit), the
// wrapper around one call (Call, and CallWrite for a write, which looks
// before it reports a write whose answer proves nothing), what each answer
// proves (AnswerOf), the walk over a list's pages (Pages, WalkPages), and
// the errors the wrapper speaks in (ErrInvalidResponse, MaybeApplied, the
// context's end joined with the last AWS error). It knows nothing of the
// IPAM lifecycle. See docs/architecture.md, "Retries and waits", "Reading
// lists" and "What an answer proves".
package awscall
