package awstest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// The request log quotes what a request chose: no request forges a log
// line or sends the terminal an escape sequence.
func TestRequestLogQuotes(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	emu := awstest.New(func(o *awstest.ServerOptions) {
		o.Logf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, fmt.Sprintf(format, args...))
		}
	})
	post(t, emu, map[string]string{"Authorization": auth("sts")}, "Action=GetCallerIdentity")
	post(t, emu, map[string]string{"Authorization": auth("sts")}, "Action=%0aFORGED LOG LINE%1b[31m")
	post(t, emu, map[string]string{"Authorization": auth("sts")}, "Action=%e2%80%aeevil%c3")
	post(t, emu, map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.\x1b]0;title\x07", "Authorization": auth("organizations")}, "{}")
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 4 {
		t.Fatalf("lines %q", lines)
	}
	if !strings.HasSuffix(lines[0], " sts/GetCallerIdentity account=111111111111 dryrun=false -> 200 OK") {
		t.Errorf("a plain request: %q", lines[0])
	}
	for i, want := range []string{
		`""/"\nFORGED LOG LINE\x1b[31m" account="" dryrun=false -> 400 InvalidAction`,
		`""/"\u202eevil\xc3" account=""`,
		`organizations/"\x1b]0;title\a" account=""`,
	} {
		l := lines[i+1]
		if !strings.Contains(l, want) || strings.ContainsFunc(l, func(r rune) bool { return r < ' ' || r > '~' }) {
			t.Errorf("line %d: %q, want it to hold %q and only printable ASCII", i+1, l, want)
		}
	}
}
