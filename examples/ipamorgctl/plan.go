package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// moveFlags say where plan, apply and policy should take the organization.
type moveFlags struct {
	delegate string
	replace  bool
	remove   bool
	disable  bool
	cleanup  bool
}

func (m *moveFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&m.delegate, "delegate", "", "make `ACCOUNT` IPAM's delegated administrator (enables trusted access and creates AWSServiceRoleForIPAM)")
	fs.BoolVar(&m.replace, "replace", false, "with --delegate: replace another delegated administrator (interrupts IPAM for the whole organization)")
	fs.BoolVar(&m.remove, "remove", false, "remove the delegated administrator, keeping trusted access")
	fs.BoolVar(&m.disable, "disable", false, "remove the delegated administrator and disable trusted access, keeping AWSServiceRoleForIPAM")
	fs.BoolVar(&m.cleanup, "cleanup", false, "tear everything down: remove the admin, disable trusted access, delete AWSServiceRoleForIPAM")
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
	}
	return nil
}

// desired turns the flags into the state to reach from st. --remove and
// --disable are teardown goals ("no admin", "no admin and no trusted
// access"): from a state already past them they ask for nothing, rather
// than for trusted access that only a delegation could grant.
func (m *moveFlags) desired(st *ipamorg.Status) ipamorg.Desired {
	switch {
	case m.delegate != "":
		return ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: m.delegate, AllowReplace: m.replace}
	case m.remove:
		if st.State == fsm.StateDelegated {
			return ipamorg.Desired{State: fsm.StateTrusted}
		}
	case m.disable:
		if st.State == fsm.StateDelegated || st.State == fsm.StateTrusted {
			return ipamorg.Desired{State: fsm.StateDisabled}
		}
	case m.cleanup:
		return ipamorg.Desired{State: fsm.StateNone}
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

// makePlan observes the organization and plans the move m.
func makePlan(ctx context.Context, c *ipamorg.Client, m *moveFlags) (*ipamorg.Plan, error) {
	st, err := c.Observe(ctx)
	if err != nil {
		return nil, err
	}
	return c.Plan(ctx, m.desired(st))
}

func (a *app) planCommand() *cobra.Command {
	var m moveFlags
	cmd := &cobra.Command{
		Use:   "plan (--delegate ACCOUNT [--replace] | --remove | --disable | --cleanup)",
		Short: "Show the steps that would take the organization where you say (no writes)",
		Long: `plan observes the organization and shows the lifecycle steps, and the AWS
call of each, that apply would take. It writes nothing; its guards have run,
so a plan it shows passed them. Exit code 3 when the plan has steps, 0 when
the organization is already there. With --output json it prints the
ipamorg.Plan.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.validate(false); err != nil {
				return err
			}
			ctx := cmd.Context()
			c, _, err := a.connect(ctx)
			if err != nil {
				return err
			}
			p, err := makePlan(ctx, c, &m)
			if err != nil {
				return err
			}
			if a.jsonOutput() {
				err = writeJSON(a.stdout, p)
			} else {
				_, err = fmt.Fprint(a.stdout, p)
			}
			if err != nil {
				return err
			}
			if !p.Empty() {
				return errDrift
			}
			return nil
		},
	}
	m.bind(cmd.Flags())
	return cmd
}
