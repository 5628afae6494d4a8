package main

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/spf13/pflag"
)

// The commands that messages suggest are printed in full, with the
// global flags that chose the target: pasted without them, a command made
// against the emulator would go to AWS. Userinfo in an endpoint URL is
// redacted wherever it is shown.

// commandWith is the command line that ran, with extra appended: the
// command to run again with a flag that allows what was refused.
func (a *app) commandWith(extra ...string) string {
	words := append([]string{"ipamorgctl"}, a.args...)
	return shellJoin(redactArgs(append(words, extra...)))
}

// globalCommand is ipamorgctl with the target's global flags as they were
// given, then args.
func (a *app) globalCommand(args ...string) string {
	return shellJoin(append(append([]string{"ipamorgctl"}, a.targetFlags()...), args...))
}

// targetFlags are the global flags given on the command line that decide
// where requests go and as whom, with their values, endpoint URLs
// redacted.
func (a *app) targetFlags() []string {
	if a.root == nil {
		return nil
	}
	var out []string
	a.root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		switch f.Name {
		case "endpoint-url", "profile", "region", "role-name":
			if f.Changed {
				out = append(out, "--"+f.Name, redactURL(f.Value.String()))
			}
		case "emulated":
			if f.Changed && a.emulated {
				out = append(out, "--emulated")
			}
		}
	})
	return out
}

// redactArgs redacts the URL after --endpoint-url, or in
// --endpoint-url=URL.
func redactArgs(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		switch {
		case i > 0 && words[i-1] == "--endpoint-url":
			w = redactURL(w)
		case strings.HasPrefix(w, "--endpoint-url="):
			w = "--endpoint-url=" + redactURL(strings.TrimPrefix(w, "--endpoint-url="))
		}
		out[i] = w
	}
	return out
}

// redactURL hides the password of a URL's userinfo, as url.URL.Redacted
// does; a string that does not parse as a URL with userinfo is returned
// as it is.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); !ok {
		// A user without a password may itself be a secret (a token as
		// the user name): hide it too.
		u.User = url.User("xxxxx")
		return u.String()
	}
	return u.Redacted()
}

// plainWord matches what a shell reads as one word without quotes.
var plainWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellJoin joins words into a line a POSIX shell splits back into them.
func shellJoin(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		if plainWord.MatchString(w) {
			quoted[i] = w
		} else {
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}
