package main

import (
	"fmt"
	"strings"
)

// Exit codes. 0, 1 and 2 mean what they mean for terraform plan
// -detailed-exitcode, so that scripts written for Terraform read them
// right; usage errors therefore cannot be 2 (a script would read a typo as
// "changes present") and take sysexits.h's EX_USAGE, and a bug of
// ipamorgctl's (a panic, recovered) its EX_SOFTWARE; signals are 128 plus
// the signal's number, as shells report them. 2 has one meaning per kind
// of command: changes present (plan), drift (verify), monitoring
// incomplete (monitoring, and apply --wait-monitored after a successful
// apply).
const (
	exitOK         = 0
	exitError      = 1
	exitChanges    = 2
	exitUsage      = 64
	exitInternal   = 70
	exitInterrupt  = 130 // SIGINT
	exitTerminated = 143 // SIGTERM
)

// exitCode is one exit code and what it means for a command.
type exitCode struct {
	code    int
	meaning string
}

// commonExitCodes apply to every command, after its own.
var commonExitCodes = []exitCode{
	{exitUsage, "usage error: unknown command or flag, flags that do not go together, malformed input (an account id, a plan file); nothing was written"},
	{exitInternal, "internal error: a bug of ipamorgctl's, reported as such (never as a stack trace), with whether it may have written"},
	{exitInterrupt, "interrupted (SIGINT, Ctrl-C): the command stopped at once and said what was and was not written"},
	{exitTerminated, "terminated (SIGTERM), likewise"},
}

// commandExitCodes are each command's own exit codes: the one place they
// are defined; the help texts and docs/cli.md are made from it. A command
// that reports drift uses exitChanges for it, as plan does for changes.
var commandExitCodes = []struct {
	command string
	codes   []exitCode
}{
	{"status", []exitCode{
		{exitOK, "the status was read"},
		{exitError, "an error: no credentials, AWS refused a read, the caller is in no organization, or the state is unknown because the reads that decide it were denied (stderr says which)"},
	}},
	{"plan", []exitCode{
		{exitOK, "the plan was made, whether or not it has steps; with --detailed-exitcode, only when it has none"},
		{exitChanges, "with --detailed-exitcode: the plan has steps (changes present)"},
		{exitError, "an error: a guard refused the move (nothing is planned), AWS refused a read, or --check-permissions found a step that would be denied"},
	}},
	{"apply", []exitCode{
		{exitOK, "every step was applied and confirmed, or there was nothing to do; with --wait-monitored, and IPAM then monitored every account"},
		{exitChanges, "monitoring incomplete: with --wait-monitored, every step was applied and confirmed, but not every account was monitored within --max-wait (as 'monitoring --wait' exits)"},
		{exitError, "an error: a guard or AWS refused a step (the delegated administrator still owns IPAMs, say), a saved plan is stale, for another organization or made against another target, a write was not confirmed in time (--max-wait), or the answer at the prompt was not yes; the message says which steps were done"},
	}},
	{"verify", []exitCode{
		{exitOK, "every active account has AWSServiceRoleForIPAM, or IPAM has no delegated administrator (state none, disabled or trusted), where missing roles are expected; with --purge, no member account has it left"},
		{exitChanges, "drift: IPAM has a delegated administrator and accounts are without AWSServiceRoleForIPAM ('verify --repair' creates it); never with --repair or --purge"},
		{exitError, "an error: some accounts could not be verified (access denied, errors), a repair or a purge was refused (by IAM, or for the state: --repair with no delegated administrator, --purge while IPAM is integrated); the output says which"},
	}},
	{"monitoring", []exitCode{
		{exitOK, "IPAM monitors every active account in every operating Region of an organization-wide IPAM"},
		{exitChanges, "monitoring incomplete: not every account is monitored (no IPAM yet, none organization-wide, accounts pending or failing discovery, or --wait timed out); the output says which and how to fix each"},
		{exitError, "an error: no delegated administrator, its account cannot be reached through --role-name, or AWS refused a read"},
	}},
	{"policy", []exitCode{{exitOK, "the policy was printed (no AWS call is made)"}}},
	{"diagram", []exitCode{{exitOK, "the diagram was printed"}}},
	{"serve", []exitCode{
		{exitOK, "stopped by SIGINT or SIGTERM, its normal end"},
		{exitError, "the address could not be listened on"},
	}},
	{"version", []exitCode{{exitOK, "the version was printed"}}},
	{"completion", []exitCode{{exitOK, "the completion script was printed"}}},
}

// exitCodesOf returns command's exit codes, its own first, or nil for a
// command without a row.
func exitCodesOf(command string) []exitCode {
	for _, row := range commandExitCodes {
		if row.command == command {
			return append(append([]exitCode(nil), row.codes...), commonExitCodes...)
		}
	}
	return nil
}

// exitCodesHelp is the "Exit codes:" paragraph of command's help; for ""
// (the root), the summary over every command.
func exitCodesHelp(command string) string {
	codes := exitCodesOf(command)
	if command == "" {
		codes = append([]exitCode{
			{exitOK, "success (plan: also when there are changes, unless --detailed-exitcode)"},
			{exitError, "error"},
			{exitChanges, "changes present (plan --detailed-exitcode), drift found (verify) or monitoring incomplete (monitoring, apply --wait-monitored)"},
		}, commonExitCodes...)
	}
	if codes == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("Exit codes:")
	for _, c := range codes {
		fmt.Fprintf(&b, "\n  %-4d%s", c.code, c.meaning)
	}
	return b.String()
}

// exitCodesMarkdown is the exit-code section of docs/cli.md.
func exitCodesMarkdown() string {
	var b strings.Builder
	b.WriteString("| command | code | meaning |\n|---|---|---|\n")
	for _, row := range commandExitCodes {
		for _, c := range row.codes {
			fmt.Fprintf(&b, "| `%s` | %d | %s |\n", row.command, c.code, c.meaning)
		}
	}
	for _, c := range commonExitCodes {
		fmt.Fprintf(&b, "| every command | %d | %s |\n", c.code, c.meaning)
	}
	return b.String()
}
