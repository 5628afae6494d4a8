package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

const (
	mgmt    = awstest.DefaultManagementAccountID
	member1 = awstest.DefaultMemberAccountID1
	member2 = awstest.DefaultMemberAccountID2
)

// fakeCloudFormation stands in for the pre-signed S3 URL CloudFormation
// hands the function: it records each response PUT there.
type fakeCloudFormation struct {
	*httptest.Server
	mu        sync.Mutex
	responses []cfn.Response
}

func newFakeCloudFormation(t *testing.T) *fakeCloudFormation {
	f := &fakeCloudFormation{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch {
		case r.Method != http.MethodPut || r.URL.Query().Get("X-Amz-Signature") == "":
			http.Error(w, "not the pre-signed PUT", http.StatusBadRequest)
			return
		case r.Header.Get("Content-Type") != "":
			// The URL is signed without a Content-Type.
			http.Error(w, "SignatureDoesNotMatch", http.StatusForbidden)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if len(body) > maxResponse {
			http.Error(w, "EntityTooLarge", http.StatusBadRequest)
			return
		}
		var resp cfn.Response
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&resp); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.responses = append(f.responses, resp)
	}))
	t.Cleanup(f.Close)
	return f
}

// last returns the one response recorded since the previous call.
func (f *fakeCloudFormation) last(t *testing.T) cfn.Response {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.responses) != 1 {
		t.Fatalf("%d responses, want 1: %+v", len(f.responses), f.responses)
	}
	r := f.responses[0]
	f.responses = nil
	return r
}

// stack drives the handler as Lambda does for CloudFormation: each
// request is the JSON CloudFormation sends, decoded by aws-lambda-go.
type stack struct {
	t   *testing.T
	emu *awstest.Emulator
	cf  *fakeCloudFormation
	h   *Handler
	n   int
}

func newStack(t *testing.T, emu *awstest.Emulator, account string) *stack {
	return &stack{t: t, emu: emu, cf: newFakeCloudFormation(t), h: &Handler{
		NewClient: func(ctx context.Context, opts ...func(*ipamorg.Options)) (*ipamorg.Client, error) {
			return ipamorg.NewFromConfig(emu.Config(ctx, account), opts...)
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}}
}

func (s *stack) event(typ cfn.RequestType, physical string, props, old map[string]any) cfn.Event {
	s.n++
	return cfn.Event{
		RequestType:           typ,
		RequestID:             "request-" + string(rune('a'+s.n)),
		ResponseURL:           s.cf.URL + "/cloudformation-custom-resource-response?X-Amz-Signature=abc",
		ResourceType:          ResourceType,
		PhysicalResourceID:    physical,
		LogicalResourceID:     "IpamAdmin",
		StackID:               "arn:aws:cloudformation:us-east-1:111111111111:stack/ipam/0a1b2c3d",
		ResourceProperties:    props,
		OldResourceProperties: old,
	}
}

// send invokes the handler with ev, through lambda's own decoding of the
// JSON payload, and returns the response CloudFormation got.
func (s *stack) send(ev cfn.Event) cfn.Response {
	s.t.Helper()
	payload, err := json.Marshal(ev)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := lambda.NewHandler(s.h.Handle).Invoke(context.Background(), payload); err != nil {
		s.t.Fatalf("invoke: %v", err)
	}
	resp := s.cf.last(s.t)
	if resp.RequestID != ev.RequestID || resp.LogicalResourceID != ev.LogicalResourceID || resp.StackID != ev.StackID || resp.PhysicalResourceID == "" {
		s.t.Errorf("response does not answer the request: %+v", resp)
	}
	return resp
}

func (s *stack) writes() []string {
	var out []string
	for _, w := range s.emu.Writes() {
		out = append(out, w.Action+" "+w.Account)
	}
	return out
}

func props(admin string, extra ...string) map[string]any {
	p := map[string]any{"ServiceToken": "arn:aws:lambda:us-east-1:111111111111:function:ipam-admin", propAdmin: admin}
	for i := 0; i+1 < len(extra); i += 2 {
		p[extra[i]] = extra[i+1]
	}
	return p
}

func wantStatus(t *testing.T, resp cfn.Response, status cfn.StatusType, reason string) {
	t.Helper()
	if resp.Status != status || !strings.Contains(resp.Reason, reason) {
		t.Fatalf("response %s %q, want %s with %q", resp.Status, resp.Reason, status, reason)
	}
}

// TestStackLifecycle walks a stack through create, a retried create, a
// refused and an allowed change of administrator, and delete, against the
// emulator.
func TestStackLifecycle(t *testing.T) {
	s := newStack(t, awstest.New(), mgmt)

	create := s.event(cfn.RequestCreate, "", props(member1), nil)
	resp := s.send(create)
	wantStatus(t, resp, cfn.StatusSuccess, "")
	physical := resp.PhysicalResourceID
	if org, ours := parsePhysicalID(physical); !ours || !strings.HasPrefix(org, "o-") {
		t.Fatalf("physical id %q", physical)
	}
	if resp.Data["DelegatedAdminAccountId"] != member1 || resp.Data["ManagementAccountId"] != mgmt || resp.Data["OrganizationId"] == "" {
		t.Errorf("data %v", resp.Data)
	}
	if got := s.writes(); !slices.Equal(got, []string{"ec2:EnableIpamOrganizationAdminAccount " + mgmt}) {
		t.Fatalf("writes %v", got)
	}

	// CloudFormation may deliver a request again: the same answer, no write.
	resp = s.send(create)
	wantStatus(t, resp, cfn.StatusSuccess, "")
	if resp.PhysicalResourceID != physical || len(s.writes()) != 1 {
		t.Errorf("retried create: %+v, writes %v", resp, s.writes())
	}

	// Another administrator without AllowReplacement: refused, unwritten.
	resp = s.send(s.event(cfn.RequestUpdate, physical, props(member2), props(member1)))
	wantStatus(t, resp, cfn.StatusFailed, `account 222222222222 is IPAM's delegated administrator, not 333333333333: replacing it interrupts IPAM for the whole organization; set AllowReplacement: "true" on the resource to do it (nothing was written): ipamorg: reconcile account 333333333333: another delegated administrator is registered`)
	if resp.PhysicalResourceID != physical || len(s.writes()) != 1 {
		t.Errorf("refused update: %+v, writes %v", resp, s.writes())
	}

	// Allowed: remove, then delegate; never two at once.
	s.emu.ResetRequests()
	resp = s.send(s.event(cfn.RequestUpdate, physical, props(member2, propAllowReplacement, "true"), props(member1)))
	wantStatus(t, resp, cfn.StatusSuccess, "")
	if resp.PhysicalResourceID != physical || resp.Data["DelegatedAdminAccountId"] != member2 {
		t.Errorf("replacement: %+v", resp)
	}
	if got, want := s.writes(), []string{"ec2:DisableIpamOrganizationAdminAccount " + mgmt, "ec2:EnableIpamOrganizationAdminAccount " + mgmt}; !slices.Equal(got, want) {
		t.Errorf("writes %v, want %v", got, want)
	}
	if admins := s.emu.Snapshot().DelegatedAdmins[awstest.IPAMServicePrincipal]; !slices.Equal(admins, []string{member2}) {
		t.Errorf("admins %v", admins)
	}

	// Delete: AWS's teardown order, then again for CloudFormation's retry.
	s.emu.ResetRequests()
	del := s.event(cfn.RequestDelete, physical, props(member2, propAllowReplacement, "true"), nil)
	wantStatus(t, s.send(del), cfn.StatusSuccess, "")
	want := []string{
		"ec2:DisableIpamOrganizationAdminAccount " + mgmt,
		"organizations:DisableAWSServiceAccess " + mgmt,
		"iam:DeleteServiceLinkedRole " + mgmt,
	}
	if got := s.writes(); !slices.Equal(got, want) {
		t.Errorf("teardown writes %v, want %v", got, want)
	}
	wantStatus(t, s.send(del), cfn.StatusSuccess, "")
	if got := s.writes(); len(got) != len(want) {
		t.Errorf("retried delete wrote: %v", got)
	}
	c, _ := ipamorg.NewFromConfig(s.emu.Config(context.Background(), mgmt))
	if st, err := c.Observe(context.Background()); err != nil || st.State != fsm.StateNone {
		t.Errorf("after delete: %+v, %v", st, err)
	}
}

// TestDeleteLeavesOthersAlone: a Delete tears down only what is the
// resource's.
func TestDeleteLeavesOthersAlone(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = member2
	s := newStack(t, awstest.New(awstest.WithOrganization(org)), mgmt)

	// The rollback of a create that failed before writing: its physical
	// id is the request id.
	resp := s.send(s.event(cfn.RequestCreate, "", props(member1), nil))
	wantStatus(t, resp, cfn.StatusFailed, "set AllowReplacement")
	if _, ours := parsePhysicalID(resp.PhysicalResourceID); ours {
		t.Errorf("a create that wrote nothing claims the resource: %q", resp.PhysicalResourceID)
	}
	wantStatus(t, s.send(s.event(cfn.RequestDelete, resp.PhysicalResourceID, props(member1), nil)), cfn.StatusSuccess, "")

	// A resource of ours whose administrator another account has become.
	c, _ := ipamorg.NewFromConfig(s.emu.Config(context.Background(), mgmt))
	st, _ := c.Observe(context.Background())
	wantStatus(t, s.send(s.event(cfn.RequestDelete, st.OrganizationID+physicalSuffix, props(member1), nil)), cfn.StatusSuccess, "")

	// One made in another organization is refused, not deleted.
	resp = s.send(s.event(cfn.RequestDelete, "o-elsewhere00"+physicalSuffix, props(member2), nil))
	wantStatus(t, resp, cfn.StatusFailed, "the resource belongs to organization o-elsewhere00, but the function's credentials act in organization "+st.OrganizationID)

	if w := s.writes(); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}

// TestFailuresAreReported: every failure reaches CloudFormation with the
// library's message, and nothing is written.
func TestFailuresAreReported(t *testing.T) {
	for _, tc := range []struct {
		name    string
		account string // the function's credentials
		props   map[string]any
		reason  string
	}{
		{"management account as admin", mgmt, props(mgmt), "ipamorg: reconcile delegate (trusted -> delegated) account 111111111111: management account cannot be the delegated administrator"},
		{"not a member", mgmt, props("444444444444"), "account is not an active member of the organization"},
		{"malformed account", mgmt, props("12"), "invalid account id"},
		{"not the management account", member1, props(member1), "caller is not the management account"},
		{"no account", mgmt, map[string]any{"ServiceToken": "arn"}, "property DelegatedAdminAccountId is required"},
		{"misspelt property", mgmt, props(member1, "AllowReplacment", "true"), "unknown properties [AllowReplacment]: Custom::IpamOrganizationAdmin takes DelegatedAdminAccountId, AllowReplacement and AllowIPAMResources"},
		{"bad boolean", mgmt, props(member1, propAllowReplacement, "yes please"), `property AllowReplacement is "yes please": want "true" or "false"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, awstest.New(), tc.account)
			ev := s.event(cfn.RequestCreate, "", tc.props, nil)
			resp := s.send(ev)
			wantStatus(t, resp, cfn.StatusFailed, tc.reason)
			if resp.PhysicalResourceID != ev.RequestID || resp.Data != nil {
				t.Errorf("response %+v", resp)
			}
			if w := s.writes(); len(w) != 0 {
				t.Errorf("writes %v", w)
			}
		})
	}
}

// TestReportsBeforeTheDeadline: a write that AWS does not confirm in time
// is reported as a failure before the Lambda deadline, with the steps
// done and not done, and the resource claimed, since the write may have
// been applied: the rollback's Delete will undo it.
func TestReportsBeforeTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(awstest.WithLag(time.Hour, time.Hour))
		var (
			mu      sync.Mutex
			sentAt  time.Time
			payload []byte
		)
		h := &Handler{
			NewClient: func(ctx context.Context, opts ...func(*ipamorg.Options)) (*ipamorg.Client, error) {
				return ipamorg.NewFromConfig(emu.Config(ctx, mgmt), opts...)
			},
			// No network inside the bubble: an in-memory response URL.
			HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				sentAt, payload = time.Now(), b
				mu.Unlock()
				return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
			})},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // Lambda's deadline
		defer cancel()
		deadline, _ := ctx.Deadline()
		ev := cfn.Event{RequestType: cfn.RequestCreate, RequestID: "r1", ResponseURL: "https://cloudformation-responses.invalid/r1?X-Amz-Signature=x",
			ResourceType: ResourceType, LogicalResourceID: "IpamAdmin", StackID: "stack", ResourceProperties: props(member1)}
		if err := h.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
		var resp cfn.Response
		if err := json.Unmarshal(payload, &resp); err != nil {
			t.Fatal(err)
		}
		if !sentAt.Before(deadline) {
			t.Errorf("reported at %v, after the deadline %v", sentAt, deadline)
		}
		wantStatus(t, resp, cfn.StatusFailed, "stopped before the Lambda function's deadline")
		for _, s := range []string{"context deadline exceeded", "(done: none; sent, not confirmed: enable-trusted-access, delegate; not done: none)"} {
			if !strings.Contains(resp.Reason, s) {
				t.Errorf("reason lacks %q: %s", s, resp.Reason)
			}
		}
		if _, ours := parsePhysicalID(resp.PhysicalResourceID); !ours {
			t.Errorf("a create that wrote does not claim the resource: %q", resp.PhysicalResourceID)
		}
		if w := emu.Writes(); len(w) != 1 {
			t.Errorf("writes %v", w)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestResponseDelivery: S3's SlowDown answers are retried (on the fake
// clock of a bubble); an expired URL fails Handle, so that Lambda retries
// the request, which is idempotent.
func TestResponseDelivery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New()
		var answers []int // status codes, in order
		puts := 0
		h := &Handler{
			NewClient: func(ctx context.Context, opts ...func(*ipamorg.Options)) (*ipamorg.Client, error) {
				return ipamorg.NewFromConfig(emu.Config(ctx, mgmt), opts...)
			},
			HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				code := http.StatusOK
				if puts < len(answers) {
					code = answers[puts]
				}
				puts++
				return &http.Response{StatusCode: code, Status: http.StatusText(code), Body: http.NoBody, Request: r}, nil
			})},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		}
		ev := cfn.Event{RequestType: cfn.RequestCreate, RequestID: "r1", ResponseURL: "https://cloudformation-responses.invalid/r1",
			ResourceType: ResourceType, LogicalResourceID: "IpamAdmin", StackID: "stack", ResourceProperties: props(member1)}

		answers = []int{http.StatusServiceUnavailable, http.StatusServiceUnavailable}
		if err := h.Handle(context.Background(), ev); err != nil || puts != 3 {
			t.Errorf("Handle = %v after %d PUTs, want nil after 3", err, puts)
		}

		answers, puts = []int{http.StatusForbidden}, 0
		if err := h.Handle(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "response URL answered") || puts != 1 {
			t.Errorf("Handle with an expired URL = %v after %d PUTs", err, puts)
		}
	})
}

func TestResponseBodyFitsCloudFormation(t *testing.T) {
	long := strings.Repeat("é<", 3000) // multi-byte, and escaped in JSON
	body, err := responseBody(&cfn.Response{Status: cfn.StatusFailed, RequestID: "r", Reason: long, PhysicalResourceID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var resp cfn.Response
	if err := json.Unmarshal(body, &resp); err != nil || len(body) > maxResponse {
		t.Fatalf("%d bytes, %v", len(body), err)
	}
	if !strings.HasSuffix(resp.Reason, truncated) || !strings.HasPrefix(long, strings.TrimSuffix(resp.Reason, truncated)) {
		t.Errorf("reason %q", resp.Reason)
	}
	short := &cfn.Response{Status: cfn.StatusFailed, Reason: "no"}
	if body, _ := responseBody(short); !strings.Contains(string(body), `"Reason":"no"`) {
		t.Errorf("short reason changed: %s", body)
	}
}

// TestDeleteRefusedWhileIPAMExists: deleting the resource while the
// administrator still owns an IPAM fails, with nothing written, naming the
// IPAM, the command that deletes it and the property that allows it;
// AllowIPAMResources: "true" proceeds; once the IPAM is gone a retry tears
// down.
func TestDeleteRefusedWhileIPAMExists(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = member1
	emu := awstest.New(awstest.WithOrganization(org), awstest.WithIPAMs(awstest.IPAMSpec{Owner: member1}))
	s := newStack(t, emu, mgmt)
	resp := s.send(s.event(cfn.RequestCreate, "", props(member1), nil))
	wantStatus(t, resp, cfn.StatusSuccess, "")
	physical := resp.PhysicalResourceID

	resp = s.send(s.event(cfn.RequestDelete, physical, props(member1), nil))
	wantStatus(t, resp, cfn.StatusFailed, "IPAM's delegated administrator 222222222222 still owns IPAMs")
	for _, want := range []string{"aws ec2 delete-ipam --ipam-id ipam-", "--cascade --region us-east-1", `set AllowIPAMResources: "true" on the resource`, "nothing was written"} {
		if !strings.Contains(resp.Reason, want) {
			t.Errorf("reason %q lacks %q", resp.Reason, want)
		}
	}
	if w := s.writes(); len(w) != 0 {
		t.Fatalf("a refused delete wrote %v", w)
	}
	resp = s.send(s.event(cfn.RequestDelete, physical, props(member1, propAllowIPAMResources, "maybe"), nil))
	wantStatus(t, resp, cfn.StatusFailed, `property AllowIPAMResources is "maybe"`)

	// Allowed: the teardown runs, in AWS's order, with the IPAM left.
	resp = s.send(s.event(cfn.RequestDelete, physical, props(member1, propAllowIPAMResources, "true"), nil))
	wantStatus(t, resp, cfn.StatusSuccess, "")
	if got := s.writes(); len(got) != 3 || len(emu.Snapshot().IPAMs) != 1 {
		t.Errorf("allowed teardown: writes %v, ipams %v", got, emu.Snapshot().IPAMs)
	}
}

// TestDeleteAfterTheIPAMIsGone: once the administrator has deleted its
// IPAM, CloudFormation's retry of the Delete tears down.
func TestDeleteAfterTheIPAMIsGone(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = member1
	emu := awstest.New(awstest.WithOrganization(org), awstest.WithIPAMs(awstest.IPAMSpec{Owner: member1}))
	s := newStack(t, emu, mgmt)
	physical := s.send(s.event(cfn.RequestCreate, "", props(member1), nil)).PhysicalResourceID
	del := s.event(cfn.RequestDelete, physical, props(member1), nil)
	wantStatus(t, s.send(del), cfn.StatusFailed, "still owns IPAMs")
	for _, ip := range emu.Snapshot().IPAMs {
		emu.RemoveIPAM(ip.ID)
	}
	wantStatus(t, s.send(del), cfn.StatusSuccess, "")
	if got := s.writes(); len(got) != 3 {
		t.Errorf("writes %v, want the teardown's three", got)
	}
}
