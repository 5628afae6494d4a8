package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

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
// hands the function: it records each response PUT there. It is an
// in-memory transport, so that it serves inside a synctest bubble too.
type fakeCloudFormation struct {
	mu        sync.Mutex
	responses []cfn.Response
	// lose is how many responses to come are lost: answered 403, as S3
	// answers a URL that has expired, so that Handle fails and Lambda
	// retries the event.
	lose int
}

func (f *fakeCloudFormation) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err // as a real transport: nothing sent
	}
	answer := func(code int, msg string) (*http.Response, error) {
		return &http.Response{StatusCode: code, Status: http.StatusText(code), Body: io.NopCloser(strings.NewReader(msg)), Request: r}, nil
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method != http.MethodPut || r.URL.Query().Get("X-Amz-Signature") == "":
		return answer(http.StatusBadRequest, "not the pre-signed PUT")
	case r.Header.Get("Content-Type") != "":
		// The URL is signed without a Content-Type.
		return answer(http.StatusForbidden, "SignatureDoesNotMatch")
	case len(body) > maxResponse:
		return answer(http.StatusBadRequest, "EntityTooLarge")
	case f.lose > 0:
		f.lose--
		return answer(http.StatusForbidden, "AccessDenied: Request has expired")
	}
	var resp cfn.Response
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&resp); err != nil {
		return answer(http.StatusBadRequest, err.Error())
	}
	f.responses = append(f.responses, resp)
	return answer(http.StatusOK, "")
}

// take returns the responses recorded since the previous call.
func (f *fakeCloudFormation) take() []cfn.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.responses
	f.responses = nil
	return r
}

// stack drives the handler as Lambda does for one stack's resource: each
// request is the JSON CloudFormation sends, decoded by aws-lambda-go.
type stack struct {
	t       *testing.T
	emu     *awstest.Emulator
	cf      *fakeCloudFormation
	h       *Handler
	name    string
	stackID string
	n       int
	// wrap, when set, wraps the emulator's transport for the function.
	wrap func(http.RoundTripper) http.RoundTripper
}

func newStack(t *testing.T, emu *awstest.Emulator, account string) *stack {
	return newNamedStack(t, emu, account, "ipam")
}

// newNamedStack is a stack of its own name (and id) acting in emu.
func newNamedStack(t *testing.T, emu *awstest.Emulator, account, name string) *stack {
	s := &stack{t: t, emu: emu, cf: &fakeCloudFormation{}, name: name,
		stackID: "arn:aws:cloudformation:us-east-1:111111111111:stack/" + name + "/0a1b2c3d-0000-4000-8000-00000000abcd"}
	s.h = &Handler{
		Config: func(ctx context.Context) (aws.Config, error) {
			cfg := emu.Config(ctx, account)
			if s.wrap != nil {
				cfg.HTTPClient = &http.Client{Transport: s.wrap(cfg.HTTPClient.(*http.Client).Transport)}
			}
			return cfg, nil
		},
		HTTPClient: &http.Client{Transport: s.cf},
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return s
}

func (s *stack) event(typ cfn.RequestType, physical string, props, old map[string]any) cfn.Event {
	s.n++
	return cfn.Event{
		RequestType:           typ,
		RequestID:             fmt.Sprintf("%s-request-%d", s.name, s.n),
		ResponseURL:           "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/" + url.PathEscape(s.name) + "?X-Amz-Signature=abc",
		ResourceType:          ResourceType,
		PhysicalResourceID:    physical,
		LogicalResourceID:     "IpamAdmin",
		StackID:               s.stackID,
		ResourceProperties:    props,
		OldResourceProperties: old,
	}
}

// invoke runs the handler on ev through lambda's own decoding of the JSON
// payload, and returns Handle's error.
func (s *stack) invoke(ctx context.Context, ev cfn.Event) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		s.t.Fatal(err)
	}
	_, err = lambda.NewHandler(s.h.Handle).Invoke(ctx, payload)
	return err
}

// send invokes the handler with ev and returns the one response
// CloudFormation got.
func (s *stack) send(ev cfn.Event) cfn.Response {
	s.t.Helper()
	if err := s.invoke(context.Background(), ev); err != nil {
		s.t.Fatalf("invoke: %v", err)
	}
	got := s.cf.take()
	if len(got) != 1 {
		s.t.Fatalf("%d responses, want 1: %+v", len(got), got)
	}
	resp := got[0]
	if resp.RequestID != ev.RequestID || resp.LogicalResourceID != ev.LogicalResourceID || resp.StackID != ev.StackID || resp.PhysicalResourceID == "" {
		s.t.Errorf("response does not answer the request: %+v", resp)
	}
	return resp
}

// id is the physical id the stack's resource has in the emulator's
// organization when it created or adopted the integration.
func (s *stack) id(own ownership) string {
	owner := ownerToken(&cfn.Event{StackID: s.stackID, LogicalResourceID: "IpamAdmin"})
	return physicalID{org: s.emu.Snapshot().OrganizationID, own: own, owner: owner}.String()
}

func (s *stack) writes() []string {
	var out []string
	for _, w := range s.emu.Writes() {
		out = append(out, w.Action+" "+w.Account)
	}
	return out
}

// status observes the emulator's organization from the management account.
func status(t *testing.T, emu *awstest.Emulator) *ipamorg.Status {
	t.Helper()
	c, err := ipamorg.NewFromConfig(emu.Config(context.Background(), mgmt))
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// wantState fails t unless the organization is in state with admin.
func wantState(t *testing.T, emu *awstest.Emulator, state fsm.State, admin string) {
	t.Helper()
	if st := status(t, emu); st.State != state || st.DelegatedAdmin != admin {
		t.Fatalf("organization %s (admin %q), want %s (admin %q)", st.State, st.DelegatedAdmin, state, admin)
	}
}

// ipamRoleDescription is AWSServiceRoleForIPAM's description in the
// management account, "" if there is none.
func ipamRoleDescription(t *testing.T, emu *awstest.Emulator) string {
	t.Helper()
	desc, _, err := roleDescription(context.Background(), iam.NewFromConfig(emu.Config(context.Background(), mgmt)))
	if err != nil {
		t.Fatal(err)
	}
	return desc
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

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// operation is the AWS operation r calls: the JSON protocol's X-Amz-Target,
// or the query protocol's Action. It leaves r's body readable.
func operation(r *http.Request) string {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		return target[strings.LastIndex(target, ".")+1:]
	}
	if r.Body == nil {
		return ""
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	return form.Get("Action")
}

// before returns a wrapper of the function's transport that calls do
// before the first request for op is sent.
func before(op string, do func()) func(http.RoundTripper) http.RoundTripper {
	var once sync.Once
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if operation(r) == op {
				once.Do(do)
			}
			return next.RoundTrip(r)
		})
	}
}

// after returns a wrapper of the function's transport that calls do once
// the first request for op has been answered.
func after(op string, do func()) func(http.RoundTripper) http.RoundTripper {
	var once sync.Once
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			called := operation(r)
			resp, err := next.RoundTrip(r)
			if called == op {
				once.Do(do)
			}
			return resp, err
		})
	}
}
