package main

import (
	"github.com/spf13/cobra"
)

func (a *app) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show where the organization stands: state, delegated admin, warnings",
		Long: `status observes the organization (reads only) and shows its IPAM lifecycle
state (none, trusted, delegated, disabled), the delegated administrator,
trusted access, AWSServiceRoleForIPAM in the management account, and any
warnings, such as trusted access enabled through Organizations rather than
IPAM. With --output json it prints the ipamorg.Status.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, _, err := a.connect(ctx)
			if err != nil {
				return err
			}
			st, err := c.Observe(ctx)
			if err != nil {
				return err
			}
			if a.jsonOutput() {
				return writeJSON(a.stdout, st)
			}
			return writeStatus(a.stdout, st)
		},
	}
}
