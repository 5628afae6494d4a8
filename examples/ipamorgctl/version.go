package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildVersion is what the binary knows of its own build, from the module
// build information the Go toolchain embeds.
type buildVersion struct {
	// Version is the module's version: a tag such as "v1.2.0" when built
	// with go install module@version, "(devel)" from a clone.
	Version   string `json:"version"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
	// Commit, CommitTime and Modified come from version control, when the
	// build recorded it (-buildvcs, the default inside a git clone).
	Commit     string `json:"commit,omitempty"`
	CommitTime string `json:"commit_time,omitempty"`
	Modified   bool   `json:"modified,omitempty"`
}

func readBuildVersion() buildVersion {
	v := buildVersion{Version: "(unknown)", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Version = info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.CommitTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// versionLine is the one line of --version.
func versionLine() string {
	v := readBuildVersion()
	s := "ipamorgctl " + v.Version
	if v.Commit != "" {
		s += " (commit " + short(v.Commit)
		if v.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s + ", " + v.GoVersion + " " + v.Platform
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of ipamorgctl and of the Go toolchain that built it",
		Long: `version prints ipamorgctl's module version (a tag when installed with
go install github.com/ipamorg/sdk/examples/ipamorgctl@VERSION, "(devel)" when
built from a clone), the commit when the build recorded it, and the Go
version and platform. With --output json it prints them as an object.`,
		Example: `  ipamorgctl version
  ipamorgctl --version
  ipamorgctl version -o json | jq -r .commit`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.jsonOutput() {
				return writeJSON(a.stdout, readBuildVersion())
			}
			_, err := fmt.Fprintln(a.stdout, versionLine())
			return err
		},
	}
}
