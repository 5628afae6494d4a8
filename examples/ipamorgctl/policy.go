package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

func (a *app) policyCommand() *cobra.Command {
	var (
		m          moveFlags
		verify     bool
		repair     bool
		purge      bool
		monitoring bool
		member     bool
		ipamAdmin  bool
	)
	cmd := &cobra.Command{
		Use:   "policy [--delegate ACCOUNT [--replace] | --remove | --disable | --cleanup] [--monitoring] | --verify [--repair | --purge] [--member | --ipam-admin]",
		Short: "Print the least-privilege IAM policy for the chosen operations",
		Long: `policy prints the least-privilege IAM policy document (JSON) that the
management account's principal needs for the moves chosen with the same
flags as plan and apply, or for every move when none is chosen; with
--monitoring, for the monitoring command too.

With --verify it prints the policy for verify instead (--repair to create
missing roles, --purge to delete them).

The library also acts in other accounts, through the role of --role-name:
--ipam-admin prints what that role needs in IPAM's delegated
administrator's account (the reads of monitoring and of the guard before
removing the administrator); --member what it needs in each member account
for verify. OrganizationAccountAccessRole has AdministratorAccess and needs
neither. (Whoever creates the administrator's IPAM needs
iam:CreateServiceLinkedRole in that account, as AWS documents; the library
never creates one.)

The policies are proved against the emulator's IAM policy evaluation: with
exactly them, every chosen operation succeeds and nothing is denied, every
action is used, and without any one statement an operation is denied. The
evaluation does not model service control policies, resource-based
policies other than role trust, or permissions boundaries; standard error
says so after the policy. ARNs are in the aws partition.

It makes no AWS call, whatever the target flags.`,
		Example: `  ipamorgctl policy                                # every move, for the management account
  ipamorgctl policy --delegate 222222222222 --monitoring
  ipamorgctl policy --verify --repair --member     # the role verify assumes in each member
  ipamorgctl --role-name audit/IpamReader policy --monitoring --ipam-admin`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			verify = verify || repair || purge
			switch {
			case verify && (m.delegate != "" || m.remove || m.disable || m.cleanup || m.replace):
				return usageError("--verify does not combine with --delegate, --remove, --disable, --cleanup or --replace")
			case repair && purge:
				return usageError("choose one of --repair and --purge")
			case member && ipamAdmin:
				return usageError("choose one of --member and --ipam-admin")
			}
			if err := m.validate(true); err != nil {
				return err
			}
			o := ipamorg.PolicyOptions{Monitoring: monitoring, AccessRole: a.roleName}
			switch {
			case verify:
				o.Verify = &ipamorg.VerifyOptions{Repair: repair, Purge: purge}
			case member:
				o.Verify = &ipamorg.VerifyOptions{}
			default:
				o.Events = m.events()
				if len(o.Events) == 0 {
					o.Events = fsm.Events()
				}
			}
			p := ipamorg.RequiredPolicies(func(p *ipamorg.PolicyOptions) { *p = o })
			doc, account := p.Management, "the management account"
			switch {
			case member:
				doc, account = p.Member, "member accounts"
			case ipamAdmin:
				doc, account = p.IPAMAdmin, "the delegated administrator's account"
			}
			if doc == "" {
				_, err := fmt.Fprintf(a.stderr, "The chosen operations need nothing in %s.\n", account)
				return err
			}
			if _, err := fmt.Fprintln(a.stdout, doc); err != nil {
				return err
			}
			_, err := fmt.Fprintln(a.stderr, provedNote)
			return err
		},
	}
	m.bind(cmd.Flags())
	f := cmd.Flags()
	f.BoolVar(&monitoring, "monitoring", false, "include the monitoring command (and apply --wait-monitored)")
	f.BoolVar(&verify, "verify", false, "the policy for verify")
	f.BoolVar(&repair, "repair", false, "with --verify: include creating missing roles")
	f.BoolVar(&purge, "purge", false, "with --verify: include deleting the members' roles")
	f.BoolVar(&member, "member", false, "the policy of the role assumed in each member account (verify)")
	f.BoolVar(&ipamAdmin, "ipam-admin", false, "the policy of the role assumed in the delegated administrator's account")
	return cmd
}

// provedNote says what the tests proved of the policy printed
// (ipamorg/policy_proof_test.go), and what they could not.
const provedNote = "Proved against the emulator's IAM policy evaluation: with exactly this policy the chosen operations succeed with nothing denied, " +
	"every action is used, and without any one statement an operation is denied. Not modelled: service control policies, " +
	"resource-based policies other than role trust, permissions boundaries."
