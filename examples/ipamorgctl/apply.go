package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ipamorg/sdk/ipamorg"
)

func (a *app) applyCommand() *cobra.Command {
	var (
		m   moveFlags
		yes bool
	)
	cmd := &cobra.Command{
		Use:   "apply (--delegate ACCOUNT [--replace] | --remove | --disable | --cleanup) [--yes]",
		Short: "Take the organization where you say, step by step, after confirmation",
		Long: `apply plans like plan, shows the plan, asks for confirmation (y/N) on a
terminal unless --yes, then takes each step: the AWS call, a wait until a read
confirms it, the transition. When stdin is not a terminal, --yes is required.
If the organization changed between the plan and the confirmation, nothing is
written: plan again. With --output json it prints the ipamorg.Result.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := m.validate(false); err != nil {
				return err
			}
			if !yes && !isTerminal(a.stdin.Fd()) {
				return usageError("refusing to apply without confirmation: stdin is not a terminal; pass --yes")
			}
			ctx := cmd.Context()
			c, _, err := a.connect(ctx, a.reportTransitions)
			if err != nil {
				return err
			}
			p, err := makePlan(ctx, c, &m)
			if err != nil {
				return err
			}
			// On a terminal the plan is shown even with JSON output, on
			// stderr, since it is what the confirmation is about.
			planOut := a.stdout
			if a.jsonOutput() {
				planOut = a.stderr
			}
			if !a.jsonOutput() || !yes {
				fmt.Fprint(planOut, p)
			}
			if p.Empty() {
				if a.jsonOutput() {
					return writeJSON(a.stdout, &ipamorg.Result{Status: p.Status, Transitions: []ipamorg.Transition{}})
				}
				return nil
			}
			if !yes {
				ok, err := confirm(a.stdin, a.stderr, fmt.Sprintf("\nApply these %d step(s) to organization %s? [y/N] ", len(p.Steps), p.Status.OrganizationID))
				if err != nil {
					return err
				}
				if !ok {
					return &exitErr{code: exitError, err: errors.New("apply cancelled: nothing was changed")}
				}
			}
			return a.apply(ctx, c, p)
		},
	}
	m.bind(cmd.Flags())
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "apply without asking for confirmation")
	return cmd
}

// reportTransitions prints, in text output, each step as AWS confirms it.
func (a *app) reportTransitions(o *ipamorg.Options) {
	if a.jsonOutput() {
		return
	}
	o.OnTransition = func(t ipamorg.Transition) {
		line := fmt.Sprintf("done: %s (%s -> %s)", t.Event, t.From, t.To)
		if t.Account != "" {
			line += " account " + t.Account
		}
		if t.Duration > 0 {
			line += fmt.Sprintf(", confirmed in %v", t.Duration.Round(time.Millisecond))
		}
		fmt.Fprintln(a.stdout, line)
	}
}

// apply carries out p with c, whose options report each confirmed step.
func (a *app) apply(ctx context.Context, c *ipamorg.Client, p *ipamorg.Plan) error {
	text := !a.jsonOutput()
	if text {
		fmt.Fprintln(a.stdout)
	}
	res, err := c.Apply(ctx, p)
	if !text {
		if jerr := writeJSON(a.stdout, res); jerr != nil && err == nil {
			err = jerr
		}
		return err
	}
	if err != nil {
		if errors.Is(err, ipamorg.ErrStalePlan) {
			return fmt.Errorf("%w; nothing was written: run the command again to plan from the new state", err)
		}
		return err
	}
	if st := res.Status; st != nil {
		admin := st.DelegatedAdmin
		if admin == "" {
			admin = "none"
		}
		fmt.Fprintf(a.stdout, "\nApply complete: %d transition(s). state %s, delegated admin %s.\n", len(res.Transitions), st.State, admin)
		return writeWarnings(a.stdout, st.Warnings)
	}
	return nil
}

// confirm asks question on out and reads the answer from in: only "y" or
// "yes" (any case) confirms.
func confirm(in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprint(out, question)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read confirmation: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// isTerminal reports whether fd is a terminal.
func isTerminal(fd uintptr) bool { return term.IsTerminal(int(fd)) }
