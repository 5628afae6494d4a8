package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
)

// TestStackLifecycle walks a stack through create, a retried create, a
// refused and an allowed change of administrator, and delete, against the
// emulator.
func TestStackLifecycle(t *testing.T) {
	s := newStack(t, awstest.New(), mgmt)

	create := s.event(cfn.RequestCreate, "", props(member1), nil)
	resp := s.send(create)
	wantStatus(t, resp, cfn.StatusSuccess, "")
	physical := resp.PhysicalResourceID
	if physical != s.id(created) {
		t.Fatalf("physical id %q, want %q", physical, s.id(created))
	}
	if resp.Data["DelegatedAdminAccountId"] != member1 || resp.Data["ManagementAccountId"] != mgmt || resp.Data["OrganizationId"] == "" || resp.Data["Ownership"] != "created" {
		t.Errorf("data %v", resp.Data)
	}
	// The mark first, then the delegation.
	if got, want := s.writes(), []string{"iam:CreateServiceLinkedRole " + mgmt, "ec2:EnableIpamOrganizationAdminAccount " + mgmt}; !slices.Equal(got, want) {
		t.Fatalf("writes %v, want %v", got, want)
	}
	if d := ipamRoleDescription(t, s.emu); !hasMark(d, ownerToken(&create)) || !strings.Contains(d, s.stackID) {
		t.Errorf("AWSServiceRoleForIPAM's description %q lacks the resource's mark", d)
	}

	// CloudFormation may deliver a request again: the same answer, no write.
	resp = s.send(create)
	wantStatus(t, resp, cfn.StatusSuccess, "")
	if resp.PhysicalResourceID != physical || len(s.writes()) != 2 {
		t.Errorf("retried create: %+v, writes %v", resp, s.writes())
	}

	// Another administrator without AllowReplacement: refused, unwritten.
	resp = s.send(s.event(cfn.RequestUpdate, physical, props(member2), props(member1)))
	wantStatus(t, resp, cfn.StatusFailed, `account 222222222222 is IPAM's delegated administrator, not 333333333333: replacing it interrupts IPAM for the whole organization; set AllowReplacement: "true" on the resource to do it (nothing was written): ipamorg: `)
	wantStatus(t, resp, cfn.StatusFailed, "another delegated administrator is registered")
	if resp.PhysicalResourceID != physical || len(s.writes()) != 2 {
		t.Errorf("refused update: %+v, writes %v", resp, s.writes())
	}

	// Allowed: remove, then delegate; never two at once.
	s.emu.ResetRequests()
	resp = s.send(s.event(cfn.RequestUpdate, physical, props(member2, propAllowReplacement, "true"), props(member1)))
	wantStatus(t, resp, cfn.StatusSuccess, "")
	if resp.PhysicalResourceID != physical || resp.Data["DelegatedAdminAccountId"] != member2 || resp.Data["Ownership"] != "created" {
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
	wantState(t, s.emu, fsm.StateNone, "")
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
		{"management account as admin", mgmt, props(mgmt), "account 111111111111: management account cannot be the delegated administrator"},
		{"not a member", mgmt, props("444444444444"), "account is not an active member of the organization"},
		{"malformed account", mgmt, props("12"), "invalid account id"},
		{"not the management account", member1, props(member1), "caller is not the management account"},
		{"no account", mgmt, map[string]any{"ServiceToken": "arn"}, "property DelegatedAdminAccountId is required"},
		{"misspelt property", mgmt, props(member1, "AllowReplacment", "true"), "unknown properties [AllowReplacment]: Custom::IpamOrganizationAdmin takes DelegatedAdminAccountId, AllowReplacement, AllowIPAMResources and AdoptExisting"},
		{"bad boolean", mgmt, props(member1, propAllowReplacement, "yes please"), `property AllowReplacement is "yes please": want "true" or "false"`},
		{"bad adoption", mgmt, props(member1, propAdoptExisting, "sure"), `property AdoptExisting is "sure": want "true" or "false"`},
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
			Config: func(ctx context.Context) (aws.Config, error) { return emu.Config(ctx, mgmt), nil },
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
		if id, ours := parsePhysicalID(resp.PhysicalResourceID); !ours || id.own != created {
			t.Errorf("a create that wrote does not claim the resource: %q", resp.PhysicalResourceID)
		}
		if w := emu.Writes(); len(w) != 2 {
			t.Errorf("writes %v", w)
		}
	})
}

// TestResponseDelivery: S3's SlowDown answers are retried (on the fake
// clock of a bubble); an expired URL fails Handle, so that Lambda retries
// the request, which is idempotent.
func TestResponseDelivery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New()
		var answers []int // status codes, in order
		puts := 0
		h := &Handler{
			Config: func(ctx context.Context) (aws.Config, error) { return emu.Config(ctx, mgmt), nil },
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
