package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/fsm"
)

func (a *app) diagramCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "diagram",
		Short: "Print the IPAM integration lifecycle as a Mermaid state diagram",
		Long: `diagram prints the lifecycle that plan and apply move an organization
along, as a Mermaid state diagram (https://mermaid.js.org): the states
none, trusted, delegated and disabled, and the events between them, each
one AWS call or none (enable-trusted-access rides on delegate's). It makes
no AWS call. With --output json it prints {"mermaid": "..."}.

GitHub, GitLab and many Markdown viewers draw a mermaid code block; the
Mermaid CLI (mmdc) renders it to SVG or PNG.`,
		Example: `  ipamorgctl diagram
  ipamorgctl diagram > lifecycle.mmd && mmdc -i lifecycle.mmd -o lifecycle.svg`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.jsonOutput() {
				return writeJSON(a.stdout, struct {
					Mermaid string `json:"mermaid"`
				}{fsm.Mermaid()})
			}
			_, err := fmt.Fprint(a.stdout, fsm.Mermaid())
			return err
		},
	}
}
