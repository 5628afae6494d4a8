package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

func (a *app) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show where the organization stands: state, delegated admin, warnings",
		Long: `status observes the organization (reads only) and shows its IPAM lifecycle
state (none, trusted, delegated, disabled), the delegated administrator,
trusted access, AWSServiceRoleForIPAM in the management account, and any
warnings, such as trusted access enabled through Organizations rather than
IPAM. With --output json it prints the ipamorg.Status.

When the reads that decide the state were denied (the caller is a member
account, say), the state is "unknown": status shows what it read, shows
each fact it could not read as unknown (null in JSON), says on stderr
what it could not read, and exits 1.`,
		Example: `  ipamorgctl --emulated status
  ipamorgctl --endpoint-url http://127.0.0.1:4566 status   # against 'ipamorgctl serve'
  ipamorgctl --profile prod -o json status | jq -r .state`,
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
				err = writeJSON(a.stdout, st)
			} else {
				err = writeStatus(a.stdout, st)
			}
			if err != nil {
				return err
			}
			return unknownState(st)
		},
	}
}

// unknownState returns, for a status whose state is unknown, the error
// that ends status with exit 1 and says what could not be read.
func unknownState(st *ipamorg.Status) error {
	if st.State != fsm.StateUnknown {
		return nil
	}
	var unread []string
	for _, w := range st.Warnings {
		if w.Code == ipamorg.WarnPartialRead {
			unread = append(unread, w.Message)
		}
	}
	return &exitErr{code: exitError, err: withFix(fmt.Errorf("the lifecycle state is unknown: %s", strings.Join(unread, "; ")),
		"Run status with the management account's credentials.")}
}
