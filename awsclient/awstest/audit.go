package awstest

import (
	"strings"
	"sync"
	"time"
)

// Request is the audit record of one request the emulator answered.
//
// Its JSON form is what the control plane's GET /_awstest/audit answers.
type Request struct {
	// Time is when the request arrived, on the emulator's clock.
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId"`
	// Account is the caller's account id; "" when the request could not be
	// authenticated.
	Account string `json:"account"`
	// Service is "organizations", "ec2", "sts" or "iam"; "" when the
	// request could not be routed.
	Service string `json:"service"`
	// Operation is the API name, e.g. "EnableIpamOrganizationAdminAccount"
	// (for an unknown operation, the name asked for).
	Operation string `json:"operation"`
	// Action is the IAM action the operation needs, e.g.
	// "ec2:EnableIpamOrganizationAdminAccount"; "" for unknown operations.
	Action string `json:"action"`
	// Write reports whether the operation changes state (whether or not
	// this request succeeded).
	Write bool `json:"write"`
	// DryRun reports an EC2 request with DryRun=true.
	DryRun bool `json:"dryRun"`
	// Code is "" on success, otherwise the error code answered (including
	// "DryRunOperation" and injected faults), or "ConnectionDropped".
	Code string `json:"code"`
	// Status is the HTTP status answered; 0 for a dropped connection.
	Status int `json:"status"`
	// Fault reports that an injected fault decided the answer.
	Fault bool `json:"fault"`
	// Decision is IAM's decision on the request, with IAM enforcement on
	// (WithIAMEnforcement): DecisionAllowed, DecisionExplicitDeny or
	// DecisionImplicitDeny. "" when enforcement is off, and for a request
	// refused before it could be authorized (an unknown operation or
	// invalid credentials).
	Decision string `json:"decision,omitempty"`
	// DecidingStatement names the statement that decided:
	// "<policy name>/<Sid>", or "<policy name>/[<i>]" for the statement at
	// 0-based position i without a Sid, where the policy name is an inline
	// policy's, "session-policy" or "AdministratorAccess"; DecidedByRoot
	// for an account's root user; "" for an implicit deny and for actions
	// that need no permission (sts:GetCallerIdentity). For a denial it is
	// the denied action's; otherwise the operation's own action's.
	DecidingStatement string `json:"decidingStatement,omitempty"`
	// Evaluations are the actions evaluated for the request, the
	// operation's own first, up to the first denied one.
	Evaluations []Evaluation `json:"evaluations,omitempty"`
}

// Succeeded reports whether the request was answered with success.
func (r Request) Succeeded() bool { return r.Code == "" }

// maxAudit bounds the audit log of a long-running server; the oldest
// records go first.
const maxAudit = 100_000

type audit struct {
	mu   sync.Mutex
	reqs []Request
}

func (a *audit) add(r Request) {
	// Copies, so that no record keeps a request's headers alive through a
	// substring of them.
	r.Account, r.Operation = strings.Clone(r.Account), strings.Clone(r.Operation)
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.reqs) >= maxAudit {
		a.reqs = append(a.reqs[:0], a.reqs[len(a.reqs)-maxAudit/2:]...)
	}
	a.reqs = append(a.reqs, r)
}

// Requests returns a copy of the audit log, oldest first: every request
// answered since New or the last ResetRequests or Reset (at most the newest
// 100,000).
// Safe for concurrent use.
func (e *Emulator) Requests() []Request {
	e.audit.mu.Lock()
	defer e.audit.mu.Unlock()
	return append(make([]Request, 0, len(e.audit.reqs)), e.audit.reqs...)
}

// ResetRequests empties the audit log. Safe for concurrent use.
func (e *Emulator) ResetRequests() {
	e.audit.mu.Lock()
	defer e.audit.mu.Unlock()
	e.audit.reqs = nil
}

// Writes returns the requests that attempted a write: write operations
// that were not dry runs, whatever their outcome. A test asserting that
// nothing was written checks that it is empty.
func (e *Emulator) Writes() []Request {
	var out []Request
	for _, r := range e.Requests() {
		if r.Write && !r.DryRun {
			out = append(out, r)
		}
	}
	return out
}
