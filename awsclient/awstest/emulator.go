package awstest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
// ipamorg library uses, and the control plane under /_awstest/ (see
// docs/emulator.md#control-plane). Mount it on any listener (NewServer
// does), or call it without sockets through HTTPClient and Config.
//
// All methods are safe for concurrent use. Requests are handled one at a
// time against the state (each operation is atomic); injected latency runs
// outside that lock.
type Emulator struct {
	clock      func() time.Time
	maxBody    int64
	logf       func(format string, args ...any)
	reqSeq     atomic.Uint64
	principals map[string]bool
	enforceIAM bool
	sessions   sessionKeys
	start      start // what New started from, for Reset

	mu            sync.Mutex // guards m and the lags
	m             model
	lag           time.Duration
	memberRoleLag time.Duration
	discoveryLag  time.Duration
	ipamDelay     time.Duration

	faults faults
	audit  audit
}

// New returns an emulator configured by optFns (see ServerOptions). It
// panics with a *SpecError's message when the options describe an invalid
// starting point (a malformed or duplicate account id, an unknown status,
// feature set or service principal, an IPAM admin that is not an active
// member, …): that is a mistake in the calling test.
func New(optFns ...func(*ServerOptions)) *Emulator {
	var o ServerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	e := &Emulator{
		clock:      o.Clock,
		maxBody:    o.MaxBodyBytes,
		logf:       o.Logf,
		principals: principalSet(o.ServicePrincipals),
		enforceIAM: o.EnforceIAM,
	}
	if err := checkStart(&o, e.principals); err != nil {
		panic("awstest: " + err.Error())
	}
	if e.clock == nil {
		e.clock = time.Now
	}
	if e.maxBody <= 0 {
		e.maxBody = 1 << 20
	}
	e.start = newStart(&o)
	e.sessions.init()
	e.mu.Lock()
	e.load()
	e.mu.Unlock()
	return e
}

// start is what an emulator starts from, kept for Reset. The organization
// never changes after New, so it is built once and shared; the rest is
// small. The options' Organization is not kept: for a generated
// organization it is as large as the emulator's own accounts.
type start struct {
	org                                         *org // nil: no organization
	roles                                       []roleSeed
	trusted                                     []string
	admins                                      []adminKey
	ipamAdmin                                   string
	ipams                                       []IPAMSpec
	policies                                    []policySeed
	lag, memberRoleLag, discoveryLag, ipamDelay time.Duration
	faultSeed                                   uint64
}

// roleSeed is a role present (or absent) from the start.
type roleSeed struct {
	account, name string
	present       bool
}

func newStart(o *ServerOptions) start {
	st := start{
		ipams:         slices.Clone(o.IPAMs),
		lag:           o.Lag,
		memberRoleLag: o.MemberRoleLag,
		discoveryLag:  o.DiscoveryLag,
		ipamDelay:     o.IPAMDelay,
		faultSeed:     o.FaultSeed,
	}
	var removed []roleSeed
	if !o.NoOrganization {
		spec := DefaultOrganization()
		if o.Organization != nil {
			spec = *o.Organization
		}
		st.org = newOrg(spec)
		add := func(a Account) {
			for _, name := range a.Roles {
				st.roles = append(st.roles, roleSeed{a.ID, name, true})
			}
			for _, name := range a.WithoutRoles {
				removed = append(removed, roleSeed{a.ID, name, false})
			}
		}
		add(spec.ManagementAccount)
		for _, m := range spec.Members {
			add(m)
		}
		st.trusted = slices.Clone(spec.TrustedServices)
		for _, p := range sortedKeys(spec.DelegatedAdmins) {
			for _, id := range spec.DelegatedAdmins[p] {
				st.admins = append(st.admins, adminKey{p, id})
			}
		}
		st.ipamAdmin = spec.IPAMDelegatedAdmin
		st.policies = policySeeds(spec)
	}
	for _, r := range o.WithoutRoles {
		removed = append(removed, roleSeed{r.AccountID, r.RoleName, false})
	}
	st.roles = append(st.roles, removed...)
	return st
}

// load builds the starting state from e.start. Called with mu held.
func (e *Emulator) load() {
	st := &e.start
	e.lag, e.memberRoleLag = st.lag, st.memberRoleLag
	e.discoveryLag, e.ipamDelay = st.discoveryLag, st.ipamDelay
	e.m = model{
		org:      st.org,
		trusted:  map[string]*history[time.Time]{},
		admins:   map[adminKey]*history[time.Time]{},
		roles:    map[roleKey]*history[*role]{},
		tasks:    map[string]*deletionTask{},
		failures: map[discoveryKey]discoveryFailure{},
		created:  e.now().Truncate(time.Second),
	}
	e.faults.init(st.faultSeed)
	var removed []roleSeed
	for _, r := range st.roles {
		if r.present {
			e.roleHistory(r.account, r.name, true).reset(newRole(r.name, e.m.created), true)
		} else {
			removed = append(removed, r)
		}
	}
	for _, p := range st.trusted {
		e.setTrusted(time.Time{}, p, true)
	}
	for _, k := range st.admins {
		e.setAdmin(time.Time{}, k.principal, k.account, true)
	}
	if st.ipamAdmin != "" {
		e.integrateIPAM(time.Time{}, st.ipamAdmin)
	}
	for _, ip := range st.ipams {
		e.createIPAM(time.Time{}, ip)
	}
	// Absent roles last: they undo what the integration created.
	for _, r := range removed {
		e.roleHistory(r.account, r.name, true).reset(nil, false)
	}
	e.loadPolicies()
}

// Reset returns the emulator to where New started it: the starting
// organization, roles and IPAMs, the lags and delays of the options (undoing
// SetLag and the like), no deletion task, an empty audit log and no
// injected fault. Sessions from AssumeRole stay valid. Safe for concurrent
// use; requests in flight finish against the state they started with or the
// new one.
func (e *Emulator) Reset() {
	e.mu.Lock()
	e.load()
	e.mu.Unlock()
	e.ClearFaults()
	e.ResetRequests()
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
	region    string     // the SigV4 scope's Region
	in        orgInput   // Organizations
	form      url.Values // EC2, STS, IAM
	dryRun    bool
}

// response is a finished answer, independent of how it is delivered.
type response struct {
	status int
	header map[string]string
	body   []byte
	drop   bool
}

// ServeHTTP implements http.Handler. Paths under /_awstest/ are the control
// plane; everything else is an AWS request. A dropped-connection fault
// hijacks the connection and closes it without an answer (or, when the
// ResponseWriter cannot be hijacked, aborts the handler with
// http.ErrAbortHandler).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		e.serveControl(w, r)
		return
	}
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
	h := w.Header()
	for k, v := range resp.header {
		h.Set(k, v)
	}
	// AWS always sends a length; without one the SDK sees a chunked body
	// and warns when it discards the rest of it.
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
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
