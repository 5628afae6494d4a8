package ipamorg_test

// What an answer to a write proves (docs/architecture.md, "What an answer
// proves"): for every write of the library and every class of answer, the
// write applied by AWS or not, the outcome reported (Done, Unconfirmed,
// NotDone) must agree with what the emulator then holds, and a write the
// emulator shows done is never reported not done. Each cell runs in a
// testing/synctest bubble: the SDK's backoff and the waits cost fake time.

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/internal/awscall"
	"github.com/ipamorg/sdk/ipamorg"
)

// outcome is what the library reported of one write.
type outcome string

const (
	outDone        outcome = "done"
	outUnconfirmed outcome = "unconfirmed"
	outNotDone     outcome = "not done"
)

// matrixOptions keep each cell short in fake time: three attempts, a wait
// of seconds.
func matrixOptions(o *ipamorg.Options) {
	o.Retry = ipamorg.RetryOptions{MaxAttempts: 3, MaxBackoff: time.Second}
	o.Wait = ipamorg.WaitOptions{Interval: 100 * time.Millisecond, MaxDelay: time.Second, MaxWait: 10 * time.Second}
}

// matrixWrite is one write of the library: how to set the emulator up so
// that a call takes exactly that write, the call, and whether the
// emulator then shows it done.
type matrixWrite struct {
	name, op string
	service  string // "ec2", "organizations" or "iam": which client the answerer wraps
	setUp    func() (*awstest.Emulator, string)
	// run makes the call over cl and reports the write's outcome.
	run  func(t *testing.T, cl awsclient.Clients, account string) outcome
	done func(s awstest.State, account string) bool
}

// lifecycleWrite is a write step of the lifecycle (writeSteps), reported
// by Reconcile's *Error.
func lifecycleWrite(s writeStep) matrixWrite {
	return matrixWrite{
		name: string(s.event), op: s.op, service: s.service,
		setUp: func() (*awstest.Emulator, string) { return emulatorAt(s.from, s.admin), mgmt },
		run: func(t *testing.T, cl awsclient.Clients, _ string) outcome {
			res, err := newFromClients(t, cl, matrixOptions).Reconcile(t.Context(), s.desired)
			if err == nil {
				if !slices.ContainsFunc(res.Transitions, func(tr ipamorg.Transition) bool { return tr.Event == s.event }) {
					t.Fatalf("Reconcile succeeded without the %s transition: %v", s.event, transitionsOf(res))
				}
				return outDone
			}
			e := asIpamError(t, err)
			switch {
			case slices.Contains(e.Done, s.event):
				return outDone
			case slices.Contains(e.Unconfirmed, s.event):
				return outUnconfirmed
			case slices.Contains(e.NotDone, s.event):
				return outNotDone
			}
			t.Fatalf("%s in none of the error's lists: %v", s.event, err)
			return ""
		},
		done: func(st awstest.State, _ string) bool {
			state, admin := stateOf(st)
			return state == s.desired.State && admin == s.desired.DelegatedAdmin
		},
	}
}

// fleetCheck runs the fleet verification over cl and returns account's
// check.
func fleetCheck(t *testing.T, cl awsclient.Clients, o ipamorg.VerifyOptions, account string) ipamorg.AccountCheck {
	t.Helper()
	o.RateLimits = noLimits
	r, err := newFromClients(t, cl, matrixOptions).VerifyServiceLinkedRoles(t.Context(), func(v *ipamorg.VerifyOptions) { *v = o })
	if err != nil {
		t.Fatal(err)
	}
	for _, ac := range r.Accounts {
		if ac.AccountID == account {
			return ac
		}
	}
	t.Fatalf("account %s not in the report %+v", account, r.Accounts)
	return ipamorg.AccountCheck{}
}

// unconfirmedCheck reports whether a fleet check that failed left its
// write possibly applied: its error still carries awscall.MaybeApplied.
func unconfirmedCheck(ac ipamorg.AccountCheck) bool {
	var m *awscall.MaybeApplied
	return ac.Result == ipamorg.RoleError && errors.As(ac.Err, &m)
}

var matrixWrites = []matrixWrite{
	lifecycleWrite(writeSteps[0]), lifecycleWrite(writeSteps[1]), lifecycleWrite(writeSteps[2]), lifecycleWrite(writeSteps[3]),
	{
		// verify --repair: the management account lacks the role.
		name: "fleet repair", op: "CreateServiceLinkedRole", service: "iam",
		setUp: func() (*awstest.Emulator, string) {
			org, _ := fleetOrg(1)
			org.ManagementAccount.WithoutRoles = []string{awstest.IPAMRoleName}
			return awstest.New(awstest.WithOrganization(org)), mgmt
		},
		run: func(t *testing.T, cl awsclient.Clients, account string) outcome {
			switch ac := fleetCheck(t, cl, ipamorg.VerifyOptions{Repair: true}, account); {
			case ac.Result == ipamorg.RoleRepaired:
				return outDone
			case ac.Result == ipamorg.RoleMissing:
				return outNotDone
			case unconfirmedCheck(ac):
				return outUnconfirmed
			default:
				t.Fatalf("check %+v", ac)
				return ""
			}
		},
		done: func(s awstest.State, account string) bool { return s.HasRole(account, awstest.IPAMRoleName) },
	},
	{
		// verify --purge: IPAM is not integrated and the member keeps the
		// role.
		name: "fleet purge", op: "DeleteServiceLinkedRole", service: "iam",
		setUp: func() (*awstest.Emulator, string) {
			org, member := fleetOrg(1)
			org.IPAMDelegatedAdmin = ""
			emu := awstest.New(awstest.WithOrganization(org))
			emu.DeleteIPAMRole(mgmt)
			emu.PutRole(member(0), awstest.IPAMRoleName)
			return emu, member(0)
		},
		run: func(t *testing.T, cl awsclient.Clients, account string) outcome {
			switch ac := fleetCheck(t, cl, ipamorg.VerifyOptions{Purge: true}, account); {
			case ac.Result == ipamorg.RolePurged:
				return outDone
			case unconfirmedCheck(ac):
				return outUnconfirmed
			case ac.Result == ipamorg.RoleError:
				return outNotDone
			default:
				t.Fatalf("check %+v", ac)
				return ""
			}
		},
		done: func(s awstest.State, account string) bool { return !s.HasRole(account, awstest.IPAMRoleName) },
	},
}

// answerClass is one kind of answer to a write: an emulator fault, or an
// answer the answerer makes up (a success, EC2's Success=false).
type answerClass struct {
	name string
	// fault, if set, is the fault to inject for the write's operation
	// (Applied is the cell's).
	fault func(w matrixWrite) awstest.Fault
	// success, if set, is what the answerer answers instead of AWS: EC2's
	// Success, or, for the others, a success.
	success *bool
	ec2Only bool
	// want is the outcome the library must report.
	want func(applied bool) outcome
}

// refusalCode is a client error the write's service defines: AWS says it
// did not act.
func refusalCode(w matrixWrite) string {
	switch w.service {
	case "ec2":
		return "UnauthorizedOperation"
	case "organizations":
		return "AccessDeniedException"
	}
	return "AccessDenied"
}

func always(o outcome) func(bool) outcome { return func(bool) outcome { return o } }

func doneIfApplied(otherwise outcome) func(bool) outcome {
	return func(applied bool) outcome {
		if applied {
			return outDone
		}
		return otherwise
	}
}

var answerClasses = []answerClass{
	{name: "success", success: aws.Bool(true), want: doneIfApplied(outUnconfirmed)},
	{name: "modeled refusal", fault: func(w matrixWrite) awstest.Fault { return awstest.Fault{Code: refusalCode(w)} }, want: doneIfApplied(outNotDone)},
	{name: "throttle", fault: func(matrixWrite) awstest.Fault { return awstest.Fault{Code: awstest.CodeThrottle} }, want: doneIfApplied(outNotDone)},
	{name: "5xx", fault: func(matrixWrite) awstest.Fault { return awstest.Fault{Code: awstest.CodeInternal} }, want: doneIfApplied(outUnconfirmed)},
	{name: "503", fault: func(matrixWrite) awstest.Fault { return awstest.Fault{Code: awstest.CodeUnavailable} }, want: doneIfApplied(outUnconfirmed)},
	// One 5xx, then the SDK's retry meets whatever AWS then holds: the
	// write again, or, applied, the refusal that it is already done
	// (IAM's "has been taken", EC2's "not registered").
	{name: "5xx once", fault: func(matrixWrite) awstest.Fault { return awstest.Fault{Code: awstest.CodeInternal, Count: 1} }, want: always(outDone)},
	{name: "connection error", fault: func(matrixWrite) awstest.Fault { return awstest.Fault{Drop: true} }, want: doneIfApplied(outUnconfirmed)},
	{name: "lost answer", fault: func(matrixWrite) awstest.Fault { return awstest.Fault{Drop: true, Count: 1} }, want: always(outDone)},
	{name: "Success=false", success: aws.Bool(false), ec2Only: true, want: doneIfApplied(outNotDone)},
}

// TestOutcomeMatrix: every write, every class of answer, applied or not.
func TestOutcomeMatrix(t *testing.T) {
	t.Parallel() // see harness_test.go
	for _, w := range matrixWrites {
		for _, class := range answerClasses {
			for _, applied := range []bool{true, false} {
				if class.ec2Only && w.service != "ec2" {
					continue
				}
				if class.success != nil && *class.success && !applied && w.op == "CreateServiceLinkedRole" {
					// IAM's answer carries the role it created: the
					// repair takes it as the confirmation
					// (fleet_check.go), and a success answered for a
					// role not created is no answer a read-free check
					// can catch.
					continue
				}
				name := w.name + "/" + class.name + "/not applied"
				if applied {
					name = w.name + "/" + class.name + "/applied"
				}
				t.Run(name, func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) { matrixCell(t, w, class, applied) })
				})
			}
		}
	}
}

func matrixCell(t *testing.T, w matrixWrite, class answerClass, applied bool) {
	emu, account := w.setUp()
	if w.done(emu.Snapshot(), account) {
		t.Fatal("the write is done before it is sent")
	}
	cl := realClients(t, emu)
	switch {
	case class.fault != nil:
		f := class.fault(w)
		f.Applied = applied
		emu.InjectFault(w.op, f)
	case class.success != nil && (applied && *class.success):
		// A success, applied: AWS's own answer.
	default:
		a := &answerer{op: w.op, apply: applied, success: *class.success}
		cl = a.wrap(cl)
	}

	got := w.run(t, cl, account)
	done := w.done(emu.Snapshot(), account)
	switch {
	case got == outNotDone && done:
		t.Errorf("reported not done, but the emulator shows it done")
	case got == outDone && !done:
		t.Errorf("reported done, but the emulator shows it not done")
	}
	if want := class.want(applied); got != want {
		t.Errorf("reported %s, want %s (the emulator shows it done: %v)", got, want, done)
	}
}

// answerer answers its op itself, after passing it on to AWS when apply:
// with Success for EC2's writes, with a success for the others.
type answerer struct {
	awsclient.OrganizationsAPI
	awsclient.EC2API
	awsclient.IAMAPI
	op             string
	apply, success bool
}

func (a *answerer) wrap(cl awsclient.Clients) awsclient.Clients {
	org, e, mgmtIAM, member := *a, *a, *a, cl.MemberIAM
	org.OrganizationsAPI, e.EC2API, mgmtIAM.IAMAPI = cl.Organizations, cl.EC2, cl.IAM
	cl.Organizations, cl.EC2, cl.IAM = &org, &e, &mgmtIAM
	cl.MemberIAM = func(creds aws.CredentialsProvider) awsclient.IAMAPI {
		m := *a
		m.IAMAPI = member(creds)
		return &m
	}
	return cl
}

// pass sends the call on to AWS when the answerer applies it; it reports
// whether to answer, or returns AWS's error.
func (a *answerer) pass(op string, send func() error) (bool, error) {
	if op != a.op {
		return false, nil
	}
	if a.apply {
		if err := send(); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (a *answerer) EnableIpamOrganizationAdminAccount(ctx context.Context, in *ec2.EnableIpamOrganizationAdminAccountInput, optFns ...func(*ec2.Options)) (*ec2.EnableIpamOrganizationAdminAccountOutput, error) {
	if mine, err := a.pass("EnableIpamOrganizationAdminAccount", func() error {
		_, err := a.EC2API.EnableIpamOrganizationAdminAccount(ctx, in, optFns...)
		return err
	}); mine || err != nil {
		return &ec2.EnableIpamOrganizationAdminAccountOutput{Success: aws.Bool(a.success)}, err
	}
	return a.EC2API.EnableIpamOrganizationAdminAccount(ctx, in, optFns...)
}

func (a *answerer) DisableIpamOrganizationAdminAccount(ctx context.Context, in *ec2.DisableIpamOrganizationAdminAccountInput, optFns ...func(*ec2.Options)) (*ec2.DisableIpamOrganizationAdminAccountOutput, error) {
	if mine, err := a.pass("DisableIpamOrganizationAdminAccount", func() error {
		_, err := a.EC2API.DisableIpamOrganizationAdminAccount(ctx, in, optFns...)
		return err
	}); mine || err != nil {
		return &ec2.DisableIpamOrganizationAdminAccountOutput{Success: aws.Bool(a.success)}, err
	}
	return a.EC2API.DisableIpamOrganizationAdminAccount(ctx, in, optFns...)
}

func (a *answerer) DisableAWSServiceAccess(ctx context.Context, in *organizations.DisableAWSServiceAccessInput, optFns ...func(*organizations.Options)) (*organizations.DisableAWSServiceAccessOutput, error) {
	if mine, err := a.pass("DisableAWSServiceAccess", func() error {
		_, err := a.OrganizationsAPI.DisableAWSServiceAccess(ctx, in, optFns...)
		return err
	}); mine || err != nil {
		return &organizations.DisableAWSServiceAccessOutput{}, err
	}
	return a.OrganizationsAPI.DisableAWSServiceAccess(ctx, in, optFns...)
}

func (a *answerer) DeleteServiceLinkedRole(ctx context.Context, in *iam.DeleteServiceLinkedRoleInput, optFns ...func(*iam.Options)) (*iam.DeleteServiceLinkedRoleOutput, error) {
	if mine, err := a.pass("DeleteServiceLinkedRole", func() error {
		_, err := a.IAMAPI.DeleteServiceLinkedRole(ctx, in, optFns...)
		return err
	}); mine || err != nil {
		// A task IAM does not know: its status cannot be read.
		return &iam.DeleteServiceLinkedRoleOutput{DeletionTaskId: aws.String("task/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM/made-up")}, err
	}
	return a.IAMAPI.DeleteServiceLinkedRole(ctx, in, optFns...)
}

// TestFleetRepairServerErrorThenTaken is the report of the issue: one 500
// after IAM created the role, the SDK's retry refused because the role
// "has been taken": the account is repaired, not missing.
func TestFleetRepairServerErrorThenTaken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		org, _ := fleetOrg(1)
		org.ManagementAccount.WithoutRoles = []string{awstest.IPAMRoleName}
		emu := awstest.New(awstest.WithOrganization(org))
		emu.InjectFault("CreateServiceLinkedRole", awstest.Fault{Code: awstest.CodeInternal, Applied: true, Count: 1})

		ac := fleetCheck(t, realClients(t, emu), ipamorg.VerifyOptions{Repair: true}, mgmt)
		if ac.Result != ipamorg.RoleRepaired {
			t.Errorf("management account %s (%q), want %s", ac.Result, ac.RepairError, ipamorg.RoleRepaired)
		}
		if codes := answersTo(emu, "CreateServiceLinkedRole"); !slices.Equal(codes, []string{"ServiceFailure", "InvalidInput"}) {
			t.Errorf("CreateServiceLinkedRole answered %q, want the 500 then the refused retry", codes)
		}
	})
}

// TestReconcileServerErrorAfterApplied is the other report: a 500 on
// every answer of EnableIpamOrganizationAdminAccount, each applied.
// Reconcile to delegated reported "not done: enable-trusted-access,
// delegate" while the organization was delegated; it looks, and finds it
// done.
func TestReconcileServerErrorAfterApplied(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := emulatorAt(fsm.StateNone, "")
		emu.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Code: awstest.CodeInternal, Applied: true})
		c := memClient(t, emu, matrixOptions)
		res, err := c.Reconcile(t.Context(), ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: memberA})
		if err != nil {
			t.Fatal(err)
		}
		wantTransitions(t, res, "enable-trusted-access none->trusted", "delegate trusted->delegated")
	})
}

// answersTo returns the error codes the emulator answered op with, in
// order ("" for a success).
func answersTo(emu *awstest.Emulator, op string) []string {
	var out []string
	for _, r := range emu.Requests() {
		if r.Operation == op {
			out = append(out, r.Code)
		}
	}
	return out
}
