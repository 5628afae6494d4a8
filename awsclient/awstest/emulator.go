package awstest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Service names as they appear in SigV4 credential scopes and in Request.
const (
	svcOrganizations = "organizations"
	svcEC2           = "ec2"
	svcSTS           = "sts"
	svcIAM           = "iam"
)

const orgTargetPrefix = "AWSOrganizationsV20161128"

// Emulator is the emulated AWS control plane: an http.Handler that serves
// the Organizations, EC2, STS and IAM wire protocols for the operations the
// ipamorg library uses. Mount it on any listener (NewServer does), or call
// it without sockets through HTTPClient and Config.
//
// All methods are safe for concurrent use. Requests are handled one at a
// time against the state (each operation is atomic); injected latency runs
// outside that lock.
type Emulator struct {
	clock   func() time.Time
	maxBody int64
	logf    func(format string, args ...any)
	reqSeq  atomic.Uint64

	mu            sync.Mutex // guards m, lag, memberRoleLag
	m             model
	lag           time.Duration
	memberRoleLag time.Duration

	faults faults
	audit  audit
}

// New returns an emulator configured by optFns (see ServerOptions). It
// panics when the options describe an invalid organization (a malformed or
// duplicate account id, an unknown status or feature set, an IPAM admin that
// is not an active member): that is a mistake in the calling test.
func New(optFns ...func(*ServerOptions)) *Emulator {
	var o ServerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	e := &Emulator{
		clock:         o.Clock,
		maxBody:       o.MaxBodyBytes,
		logf:          o.Logf,
		lag:           o.Lag,
		memberRoleLag: o.MemberRoleLag,
		m: model{
			trusted: map[string]*history[time.Time]{},
			admins:  map[adminKey]*history[time.Time]{},
			roles:   map[string]map[string]*history[role]{},
			tasks:   map[string]*deletionTask{},
		},
	}
	if e.clock == nil {
		e.clock = time.Now
	}
	if e.maxBody <= 0 {
		e.maxBody = 1 << 20
	}
	e.faults.init(o.FaultSeed)
	e.m.created = e.now().Truncate(time.Second)
	if !o.NoOrganization {
		spec := DefaultOrganization()
		if o.Organization != nil {
			spec = *o.Organization
		}
		e.m.org = newOrg(spec, e.m.created)
		if admin := spec.IPAMDelegatedAdmin; admin != "" {
			if !e.isMember(admin) || e.m.org.byID[admin].status != StatusActive || e.m.org.featureSet != FeatureSetAll {
				panic("awstest: IPAMDelegatedAdmin must be an active member of an ALL-features organization: " + admin)
			}
			e.integrateIPAM(time.Time{}, admin)
		}
	}
	for _, r := range o.WithoutRoles {
		e.RemoveRole(r.AccountID, r.RoleName)
	}
	return e
}

func (e *Emulator) now() time.Time { return e.clock().UTC() }

// operation is one API the emulator serves.
type operation struct {
	service string
	name    string
	write   bool
	handle  func(e *Emulator, c *call) (any, *apiError)
}

// action is the IAM action that authorizes the operation.
func (op *operation) action() string { return op.service + ":" + op.name }

// call is one decoded request on its way to a handler.
type call struct {
	ctx       context.Context
	now       time.Time
	id        identity
	op        *operation
	requestID string
	in        orgInput   // Organizations
	form      url.Values // EC2, STS, IAM
	dryRun    bool
}

// response is a finished answer, independent of how it is delivered.
type response struct {
	status int
	header http.Header
	body   []byte
	drop   bool
}

// ServeHTTP implements http.Handler. A dropped-connection fault hijacks the
// connection and closes it without an answer (or, when the ResponseWriter
// cannot be hijacked, aborts the handler with http.ErrAbortHandler).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp := e.handle(r)
	if resp.drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	// AWS always sends a length; without one the SDK sees a chunked body
	// and warns when it discards the rest of it.
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

// handle serves one request and records it in the audit log.
func (e *Emulator) handle(r *http.Request) response {
	rec := Request{
		Time:      e.now(),
		RequestID: fmt.Sprintf("00000000-0000-4000-8000-%012d", e.reqSeq.Add(1)),
	}
	resp := e.process(r, &rec)
	rec.Status = resp.status
	if resp.drop {
		rec.Status, rec.Code = 0, codeDropped
	}
	e.audit.add(rec)
	if e.logf != nil {
		code := rec.Code
		if code == "" {
			code = "OK"
		}
		e.logf("awstest: %s %s/%s account=%s dryrun=%t -> %d %s", rec.RequestID, rec.Service, rec.Operation, rec.Account, rec.DryRun, rec.Status, code)
	}
	return resp
}

// invoke runs the handler atomically against the state. A panic in a
// handler is a bug, but it must not take the server down or hang a client.
func (e *Emulator) invoke(c *call) (result any, ae *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer func() {
		if v := recover(); v != nil {
			result, ae = nil, errf(http.StatusInternalServerError, "InternalFailure", "%s", internalMessage)
			if e.logf != nil {
				e.logf("awstest: panic in %s: %v", c.op.name, v)
			}
		}
	}()
	c.now = e.now()
	return c.op.handle(e, c)
}
