package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/ipamorg"
)

func (a *app) policyCommand() *cobra.Command {
	var (
		m      moveFlags
		verify bool
		repair bool
		member bool
	)
	cmd := &cobra.Command{
		Use:   "policy [--delegate ACCOUNT [--replace] | --remove | --disable | --cleanup] | --verify [--repair] [--member]",
		Short: "Print the least-privilege IAM policy for the chosen operations",
		Long: `policy prints the least-privilege IAM policy document (JSON) that the
management account's principal needs for the moves chosen with the same
flags as plan and apply, or for every move when none is chosen.

With --verify it prints the policy for verify instead (--repair to create
missing roles); with --member, the policy that the role assumed in each
account (--role-name) needs. OrganizationAccountAccessRole has
AdministratorAccess and needs none.

It makes no AWS call, whatever the target flags.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			verify = verify || repair || member
			if verify {
				if m.delegate != "" || m.remove || m.disable || m.cleanup || m.replace {
					return usageError("--verify does not combine with --delegate, --remove, --disable, --cleanup or --replace")
				}
				p := ipamorg.RequiredPolicies(ipamorg.PolicyOptions{Verify: &ipamorg.VerifyOptions{Repair: repair}, AccessRole: a.roleName})
				doc := p.Management
				if member {
					doc = p.Member
				}
				_, err := fmt.Fprintln(a.stdout, doc)
				return err
			}
			if err := m.validate(true); err != nil {
				return err
			}
			_, err := fmt.Fprintln(a.stdout, ipamorg.RequiredPermissions(m.events()...))
			return err
		},
	}
	m.bind(cmd.Flags())
	f := cmd.Flags()
	f.BoolVar(&verify, "verify", false, "the policy for verify")
	f.BoolVar(&repair, "repair", false, "with --verify: include creating missing roles")
	f.BoolVar(&member, "member", false, "with --verify: the policy of the role assumed in each account")
	return cmd
}
