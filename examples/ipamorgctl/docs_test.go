package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The reference part of docs/cli.md is made from the commands themselves,
// so that it cannot drift from them: go test ./examples/ipamorgctl -run
// TestCLIDocs -update rewrites it.
const (
	docsBegin = "<!-- BEGIN GENERATED REFERENCE: go test ./examples/ipamorgctl -run TestCLIDocs -update -->\n"
	docsEnd   = "<!-- END GENERATED REFERENCE -->\n"
)

func TestCLIDocs(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "docs", "cli.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), docsBegin)
	_, after, ok2 := strings.Cut(rest, docsEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the generated reference's markers:\n%s%s", path, docsBegin, docsEnd)
	}
	want := before + docsBegin + cliReference() + docsEnd + after
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(doc) != want {
		t.Errorf("%s's reference differs from the commands; rewrite it with go test ./examples/ipamorgctl -run TestCLIDocs -update", path)
	}
}

// TestHelpHasExitCodes: every command's help ends with its exit codes.
func TestHelpHasExitCodes(t *testing.T) {
	t.Parallel()
	root := (&app{}).rootCommand()
	for _, cmd := range append(root.Commands(), root) {
		if cmd.Hidden || cmd.Name() == "help" {
			continue
		}
		if !strings.Contains(cmd.Long, "Exit codes:\n  ") || !strings.Contains(cmd.Long, fmt.Sprintf("  %-4d", exitUsage)) {
			t.Errorf("%s: help lacks its exit codes:\n%s", cmd.CommandPath(), cmd.Long)
		}
	}
	// And the binary says so too.
	r := runCtl(t, baseEnv(t), "plan", "--help")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "  2   with --detailed-exitcode: the plan has steps (changes present)") {
		t.Errorf("plan --help:\n%s", r.stdout)
	}
}

// cliReference renders the global flags, each command with its flags, and
// every exit code, as Markdown.
func cliReference() string {
	root := (&app{}).rootCommand()
	root.InitDefaultHelpCmd()
	var b strings.Builder
	b.WriteString("### Global flags\n\n")
	writeFlags(&b, root.PersistentFlags())
	b.WriteString("`--version` prints the version line and exits; `--help` (`-h`) prints help for any command.\n\n")
	for _, cmd := range root.Commands() {
		if cmd.Hidden || cmd.Name() == "help" {
			continue
		}
		fmt.Fprintf(&b, "### `ipamorgctl %s`\n\n%s.\n\n```text\n%s\n```\n\n", cmd.Name(), cmd.Short, cmd.UseLine())
		if subs := visible(cmd.Commands()); len(subs) > 0 {
			fmt.Fprintf(&b, "Subcommands: %s.\n\n", strings.Join(subs, ", "))
		}
		writeFlags(&b, cmd.LocalNonPersistentFlags())
	}
	b.WriteString("### Exit codes\n\n")
	b.WriteString(exitCodesMarkdown())
	b.WriteString("\n")
	return b.String()
}

func visible(cmds []*cobra.Command) []string {
	var out []string
	for _, c := range cmds {
		if !c.Hidden {
			out = append(out, "`"+c.Name()+"`")
		}
	}
	return out
}

func writeFlags(b *strings.Builder, fs *pflag.FlagSet) {
	var rows []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		name := "`--" + f.Name + "`"
		if f.Shorthand != "" {
			name = "`-" + f.Shorthand + "`, " + name
		}
		typ, usage := pflag.UnquoteUsage(f)
		if typ != "" {
			name = strings.TrimSuffix(name, "`") + " " + typ + "`"
		}
		def := f.DefValue
		switch {
		case f.Value.Type() == "bool" && def == "false", def == "" || def == "[]" || def == "0s" || def == "0":
			def = ""
		default:
			def = "`" + def + "`"
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s |", name, strings.ReplaceAll(usage, "|", "\\|"), def))
	})
	if len(rows) == 0 {
		return
	}
	b.WriteString("| flag | meaning | default |\n|---|---|---|\n")
	b.WriteString(strings.Join(rows, "\n"))
	b.WriteString("\n\n")
}
