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
		Args:  noArgs,
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
