package awstest

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Fault is a failure injected into requests for one operation (see
// InjectFault). A faulted request never changes the emulator's state,
// unless the fault is Applied.
type Fault struct {
	// Code is the error code to answer with: a literal code such as
	// "ThrottlingException", "RequestLimitExceeded",
	// "TooManyRequestsException", "ConcurrentModificationException",
	// "InternalFailure" or "ServiceUnavailable", or one of CodeThrottle,
	// CodeInternal, CodeUnavailable, which become each service's own code.
	// Empty means no error: with Latency alone the request is served
	// normally after the delay.
	Code string
	// Status overrides the HTTP status; 0 means the status the service's
	// model declares for Code (IAM's LimitExceeded 409, STS's
	// RegionDisabledException 403, EC2's RequestLimitExceeded 503, internal
	// errors 500, …), or 400 for a code no model declares.
	Status int
	// Message defaults to "injected fault".
	Message string
	// Latency delays the answer (on the emulator's timers, so inside a
	// synctest bubble it is fake time). A client that gives up meanwhile
	// gets its context's error.
	Latency time.Duration
	// Drop closes the connection without an answer (after Latency). Over
	// HTTP the connection is hijacked and closed; through HTTPClient the
	// round trip fails with a connection error. The SDK retries both.
	Drop bool
	// Count limits the fault to the next Count matching requests it applies
	// to; 0 means every matching request until ClearFaults.
	Count int
	// Probability, when strictly between 0 and 1, applies the fault to that
	// share of matching requests, drawn from a generator seeded with
	// ServerOptions.FaultSeed. 0 (the default) and 1 mean always.
	Probability float64
	// Applied makes the fault strike after the operation has run, so that
	// its write takes effect: Latency then delays the answer, and Drop or
	// Code replace it. It models a response lost (or failed) after AWS
	// committed the change, which a client cannot tell from a request
	// that never arrived. The audit records the fault's answer.
	Applied bool
}

type faultRule struct {
	op   string
	f    Fault
	left int
}

type faults struct {
	mu    sync.Mutex
	rng   *rand.Rand
	rules []*faultRule
}

func (fs *faults) init(seed uint64) {
	fs.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// InjectFault adds f for requests to operation op (e.g.
// "EnableIpamOrganizationAdminAccount"; see Operations), or for every
// operation when op is "*". Faults are tried in the order injected and the
// first that applies wins. The control plane's POST /_awstest/faults does
// the same over HTTP (see DecodeFault). Safe for concurrent use.
func (e *Emulator) InjectFault(op string, f Fault) {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.rules = append(e.faults.rules, &faultRule{op: op, f: f, left: f.Count})
}

// ClearFaults removes every injected fault. Safe for concurrent use.
func (e *Emulator) ClearFaults() {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.rules = nil
}

// pick returns the fault to apply to a request for op, or nil.
func (fs *faults) pick(op string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i := 0; i < len(fs.rules); i++ {
		r := fs.rules[i]
		if r.op != "*" && r.op != op {
			continue
		}
		if p := r.f.Probability; p > 0 && p < 1 && fs.rng.Float64() >= p {
			continue
		}
		if r.f.Count > 0 {
			r.left--
			if r.left == 0 {
				fs.rules = append(fs.rules[:i:i], fs.rules[i+1:]...)
			}
		}
		f := r.f
		return &f
	}
	return nil
}
