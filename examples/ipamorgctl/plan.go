package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// moveFlags say where plan, apply and policy should take the organization.
type moveFlags struct {
	delegate   string
	replace    bool
	remove     bool
	disable    bool
	cleanup    bool
	allowIPAMs bool
}

func (m *moveFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&m.delegate, "delegate", "", "make `ACCOUNT` IPAM's delegated administrator (enables trusted access and creates AWSServiceRoleForIPAM)")
	fs.BoolVar(&m.replace, "replace", false, "with --delegate: replace another delegated administrator (interrupts IPAM for the whole organization)")
	fs.BoolVar(&m.remove, "remove", false, "remove the delegated administrator, keeping trusted access")
	fs.BoolVar(&m.disable, "disable", false, "remove the delegated administrator and disable trusted access, keeping AWSServiceRoleForIPAM")
	fs.BoolVar(&m.cleanup, "cleanup", false, "tear everything down: remove the admin, disable trusted access, delete AWSServiceRoleForIPAM")
	fs.BoolVar(&m.allowIPAMs, "allow-ipam-resources", false, "remove the delegated administrator even while it owns IPAMs, or when they cannot be read (AWS's order deletes them first)")
}

// validate checks that exactly one move is chosen, or at most one when
// optional.
func (m *moveFlags) validate(optional bool) error {
	n := 0
	for _, set := range []bool{m.delegate != "", m.remove, m.disable, m.cleanup} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return usageError("choose one of --delegate, --remove, --disable and --cleanup")
	case n == 0 && !optional:
		return usageError("say where to go: --delegate ACCOUNT, --remove, --disable or --cleanup")
	case m.replace && m.delegate == "":
		return usageError("--replace needs --delegate")
	case m.allowIPAMs && (m.delegate != "" && !m.replace):
		return usageError("--allow-ipam-resources is for the moves that remove the administrator: --remove, --disable, --cleanup, or --delegate with --replace")
	}
	return nil
}

// desired turns the flags into the state to reach from st, which only
// --remove and --disable read (st may be nil for the others). --remove and
// --disable are teardown goals ("no admin", "no admin and no trusted
// access"): from a state already past them they ask for nothing, rather
// than for trusted access that only a delegation could grant.
func (m *moveFlags) desired(st *ipamorg.Status) ipamorg.Desired {
	allow := m.allowIPAMs
	switch {
	case m.delegate != "":
		return ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: m.delegate, AllowReplace: m.replace, AllowIPAMResources: allow}
	case m.remove:
		if st.State == fsm.StateDelegated {
			return ipamorg.Desired{State: fsm.StateTrusted, AllowIPAMResources: allow}
		}
	case m.disable:
		if st.State == fsm.StateDelegated || st.State == fsm.StateTrusted {
			return ipamorg.Desired{State: fsm.StateDisabled, AllowIPAMResources: allow}
		}
	case m.cleanup:
		return ipamorg.Desired{State: fsm.StateNone, AllowIPAMResources: allow}
	}
	return ipamorg.Desired{State: st.State}
}

// events are the lifecycle events the flags may take, for policy; none
// means every event.
func (m *moveFlags) events() []fsm.Event {
	switch {
	case m.delegate != "" && m.replace:
		return []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate, fsm.EventRemoveDelegate}
	case m.delegate != "":
		return []fsm.Event{fsm.EventEnableTrustedAccess, fsm.EventDelegate}
	case m.remove:
		return []fsm.Event{fsm.EventRemoveDelegate}
	case m.disable:
		return []fsm.Event{fsm.EventRemoveDelegate, fsm.EventDisableTrustedAccess}
	case m.cleanup:
		return []fsm.Event{fsm.EventRemoveDelegate, fsm.EventDisableTrustedAccess, fsm.EventDeleteServiceLinkedRole}
	}
	return nil
}

// makePlan observes the organization once and plans the move m: a move
// whose destination does not depend on the state (--delegate, --cleanup)
// with Plan, which reads what its guards need alongside; --remove and
// --disable from the status Observe read (PlanFrom).
func makePlan(ctx context.Context, c *ipamorg.Client, m *moveFlags) (*ipamorg.Plan, error) {
	if m.delegate != "" || m.cleanup {
		return c.Plan(ctx, m.desired(nil))
	}
	st, err := c.Observe(ctx)
	if err != nil {
		return nil, err
	}
	return c.PlanFrom(ctx, st, m.desired(st))
}

func (a *app) planCommand() *cobra.Command {
	var (
		m           moveFlags
		out         string
		detailed    bool
		permissions bool
	)
	cmd := &cobra.Command{
		Use:   "plan (--delegate ACCOUNT [--replace] | --remove | --disable | --cleanup) [--out FILE] [--detailed-exitcode] [--check-permissions]",
		Short: "Show the steps that would take the organization where you say (no writes)",
		Long: `plan observes the organization and shows the lifecycle steps, and the AWS
call of each, that apply would take. It writes nothing to AWS; its guards
have run, so a plan it shows passed them.

--out FILE saves the plan (JSON, docs/plan-format.md): 'ipamorgctl apply
FILE' then takes exactly those steps, or refuses if the organization has
changed since. With --output json it prints the same JSON.

--check-permissions checks, without changing anything, that the caller may
take the steps: each EC2 call is sent with DryRun (DryRunOperation means
allowed, UnauthorizedOperation denied); for calls that have no DryRun it
lists the IAM actions needed.

As terraform plan does, it exits 0 whether or not there are changes;
--detailed-exitcode exits 2 when there are.`,
		Example: `  ipamorgctl plan --delegate 222222222222
  ipamorgctl plan --delegate 222222222222 --out delegate.plan.json   # then: ipamorgctl apply delegate.plan.json
  ipamorgctl plan --cleanup --check-permissions
  ipamorgctl plan --delegate 333333333333 --replace --detailed-exitcode || echo "exit $?"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.validate(false); err != nil {
				return err
			}
			ctx := cmd.Context()
			c, t, err := a.connect(ctx)
			if err != nil {
				return err
			}
			p, err := makePlan(ctx, c, &m)
			if err != nil {
				return err
			}
			f := newPlanFile(p, t, time.Now())
			if permissions {
				r, err := c.CheckPermissions(ctx, p)
				if err != nil {
					return err
				}
				f.Permissions = r
			}
			// The plan is shown before it is saved, so that a path that
			// cannot be written still leaves the plan on the screen.
			if a.jsonOutput() {
				err = writeJSON(a.stdout, f)
			} else {
				err = writePlanText(a.stdout, p, f.Permissions)
			}
			if err != nil {
				return err
			}
			if out != "" {
				if err := writePlanFile(out, f); err != nil {
					return err
				}
				if !a.jsonOutput() {
					fmt.Fprintf(a.stdout, "\nSaved the plan to %s. To take exactly these steps, run:\n  %s\n", out, a.globalCommand("apply", out))
				}
			}
			if denied := f.Permissions.Denied(); len(denied) > 0 {
				return &exitErr{code: exitError, err: fmt.Errorf("%d step(s) of the plan would be denied: %s", len(denied), deniedList(denied))}
			}
			if detailed && !p.Empty() {
				return errChanges
			}
			return nil
		},
	}
	m.bind(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "save the plan to `FILE`, for 'ipamorgctl apply FILE'")
	f.BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when the plan has steps, 0 when it has none")
	f.BoolVar(&permissions, "check-permissions", false, "check that the caller may take the steps (EC2 DryRun; the IAM actions needed for the rest)")
	return cmd
}

// writePlanText renders the plan for people, then the permission check
// if one was made.
func writePlanText(w io.Writer, p *ipamorg.Plan, r *ipamorg.PermissionReport) error {
	if _, err := fmt.Fprint(w, planText(p)); err != nil {
		return err
	}
	if r != nil && len(r.Checks) > 0 {
		return writePermissions(w, r)
	}
	return nil
}
