package main

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
)

// TestCreateAfterAServerError: a 5xx after the delegation was applied,
// every time the SDK retries, proves nothing; the library looks, finds the
// delegation and the Create succeeds with the created physical id, whose
// Delete later tears down what it made.
func TestCreateAfterAServerError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New()
		emu.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Code: awstest.CodeInternal, Applied: true})
		s := newStack(t, emu, mgmt)
		resp := s.send(s.event(cfn.RequestCreate, "", props(member1), nil))
		wantStatus(t, resp, cfn.StatusSuccess, "")
		if resp.PhysicalResourceID != s.id(created) {
			t.Fatalf("physical id %q, want the created one", resp.PhysicalResourceID)
		}
		emu.ClearFaults()
		wantState(t, emu, fsm.StateDelegated, member1)
		wantStatus(t, s.send(s.event(cfn.RequestDelete, resp.PhysicalResourceID, props(member1), nil)), cfn.StatusSuccess, "")
		wantState(t, emu, fsm.StateNone, "")
	})
}

// TestUnconfirmedCreateIsUndoneByRollback: a Create whose delegation AWS
// applied but did not confirm (an answer lost and a confirmation cut short
// by the Lambda deadline) fails with the created physical id, and the
// rollback's Delete for that id tears down what it made.
func TestUnconfirmedCreateIsUndoneByRollback(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []func(*awstest.ServerOptions)
		fault  awstest.Fault
		lambda time.Duration // the Create's deadline; 0 for none
		reason string
	}{
		{"answer lost, confirmation cut short by the deadline", []func(*awstest.ServerOptions){awstest.WithLag(10*time.Minute, 10*time.Minute)}, awstest.Fault{Drop: true, Applied: true, Count: 1}, 5 * time.Minute,
			"sent, not confirmed: enable-trusted-access, delegate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := awstest.New(tc.opts...)
				emu.InjectFault("EnableIpamOrganizationAdminAccount", tc.fault)
				s := newStack(t, emu, mgmt)
				ctx := context.Background()
				if tc.lambda > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.lambda)
					defer cancel()
				}
				create := s.event(cfn.RequestCreate, "", props(member1), nil)
				if err := s.invoke(ctx, create); err != nil {
					t.Fatal(err)
				}
				resp := s.cf.take()
				if len(resp) != 1 {
					t.Fatalf("responses %+v", resp)
				}
				wantStatus(t, resp[0], cfn.StatusFailed, tc.reason)
				if resp[0].PhysicalResourceID != s.id(created) {
					t.Fatalf("physical id %q: the rollback's Delete would not undo the write", resp[0].PhysicalResourceID)
				}

				// The write was applied; AWS shows it once the lag is over.
				time.Sleep(10 * time.Minute)
				emu.SetLag(0)
				emu.ClearFaults()
				wantState(t, emu, fsm.StateDelegated, member1)

				emu.ResetRequests()
				wantStatus(t, s.send(s.event(cfn.RequestDelete, resp[0].PhysicalResourceID, props(member1), nil)), cfn.StatusSuccess, "")
				if got := s.writes(); len(got) != 3 {
					t.Errorf("rollback writes %v, want the teardown's three", got)
				}
				wantState(t, emu, fsm.StateNone, "")
			})
		})
	}
}

// TestRetryAfterCrash: Lambda retries a Create whose attempt died (after
// marking the integration, or after delegating) or whose response was
// lost; the retry, with the same RequestId, recognises the integration as
// the resource's own by its mark, reports success with the physical id
// the first attempt would have, writes nothing twice, and the resource's
// Delete later tears it down.
func TestRetryAfterCrash(t *testing.T) {
	for _, crash := range []string{"CreateServiceLinkedRole", "EnableIpamOrganizationAdminAccount", "response lost"} {
		t.Run(crash, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := awstest.New()
				s := newStack(t, emu, mgmt)
				ctx, kill := context.WithCancel(context.Background())
				defer kill()
				if crash == "response lost" {
					s.cf.lose = 1
				} else {
					// The process dies once AWS has answered the write:
					// nothing it does after reaches AWS or CloudFormation.
					s.wrap = after(crash, kill)
				}
				create := s.event(cfn.RequestCreate, "", props(member1), nil)
				if err := s.invoke(ctx, create); err == nil {
					t.Fatal("the crashed attempt reported")
				}
				if got := s.cf.take(); len(got) != 0 {
					t.Fatalf("the crashed attempt reported %+v", got)
				}
				if d := ipamRoleDescription(t, emu); !hasMark(d, ownerToken(&create)) {
					t.Fatalf("after the crash, AWSServiceRoleForIPAM's description is %q", d)
				}

				s.wrap = nil
				resp := s.send(create)
				wantStatus(t, resp, cfn.StatusSuccess, "")
				if resp.PhysicalResourceID != s.id(created) || resp.Data["Ownership"] != "created" {
					t.Errorf("retry: %+v", resp)
				}
				if got, want := s.writes(), []string{"iam:CreateServiceLinkedRole " + mgmt, "ec2:EnableIpamOrganizationAdminAccount " + mgmt}; !slices.Equal(got, want) {
					t.Errorf("writes %v, want %v", got, want)
				}
				wantState(t, emu, fsm.StateDelegated, member1)

				emu.ResetRequests()
				wantStatus(t, s.send(s.event(cfn.RequestDelete, resp.PhysicalResourceID, props(member1), nil)), cfn.StatusSuccess, "")
				wantState(t, emu, fsm.StateNone, "")
			})
		})
	}
}
