package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// serveIn runs serve in-process with args until it has announced itself,
// calls while(endpoint), then ends it as SIGTERM does, and returns what
// it printed.
func serveIn(t *testing.T, while func(endpoint string), args ...string) result {
	t.Helper()
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	announced := make(chan struct{})
	w := &signalAfter{text: "serving until", stop: func() { close(announced) }}
	done := make(chan result, 1)
	go func() {
		done <- runIn(t, invocation{env: baseEnv(t), args: append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), stdout: w, ctx: ctx})
	}()
	select {
	case <-announced:
	case r := <-done:
		t.Fatalf("serve ended before announcing itself:\n%v", r)
	}
	w.mu.Lock()
	endpoint, _, _ := strings.Cut(strings.TrimPrefix(w.seen.String(), "endpoint: "), "\n")
	w.mu.Unlock()
	while(endpoint)
	cancel(&signalError{sig: syscall.SIGTERM})
	r := <-done
	wantCode(t, r, exitOK)
	return r
}

// The announcement's control-plane line names every endpoint the control
// plane has: those the emulator lists for a path it does not know.
func TestServeAnnouncesTheControlPlane(t *testing.T) {
	t.Parallel()
	var listed []string
	r := serveIn(t, func(endpoint string) {
		resp, err := http.Get(endpoint + "/_awstest/no-such-endpoint")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Error string }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		_, names, ok := strings.Cut(body.Error, "there are ")
		if !ok {
			t.Fatalf("the control plane lists no endpoints: %q", body.Error)
		}
		for _, n := range strings.Split(names, ", ") {
			listed = append(listed, strings.TrimPrefix(n, "/_awstest/"))
		}
	})
	m := regexp.MustCompile(`(?m)^control plane: \S+/_awstest/ \(([^)]*)\)$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no control-plane line:\n%v", r)
	}
	announced := strings.Split(m[1], ", ")
	slices.Sort(announced)
	slices.Sort(listed)
	if !slices.Equal(announced, listed) {
		t.Errorf("serve announces %v, the control plane has %v", announced, listed)
	}
}

// docs/emulator.md says what the sample scenario shows: an IPAM of the
// administrator that excludes the Sandbox OU and the OUs below it, and
// assume-role-failure for 777777777777, which lost its role.
func TestSampleScenarioAsDocumented(t *testing.T) {
	t.Parallel()
	for _, claim := range []string{
		"(`777777777777`, so the IPAM reports `assume-role-failure` for it)",
		"excludes `Sandbox/*`",
		"(`999999999999` in Sandbox,\n`101010101010` in Sandbox/Experiments)",
	} {
		doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "emulator.md"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), claim) {
			t.Fatalf("docs/emulator.md no longer says %q: change this test with it", claim)
		}
	}
	s, err := awstest.LoadScenario(filepath.Join("..", "emulator", "organization.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, awstest.WithScenario(*s))
	r := ctl(t, srv, "monitoring")
	wantCode(t, r, exitChanges)
	if !regexp.MustCompile(`(?m)^777777777777 +us-east-1 +assume-role-failure`).MatchString(r.stdout) {
		t.Errorf("no assume-role-failure for 777777777777:\n%v", r)
	}
	for _, sandboxed := range []string{"999999999999", "101010101010"} {
		if !regexp.MustCompile(`(?m)^` + sandboxed + ` +us-east-1 +excluded`).MatchString(r.stdout) {
			t.Errorf("%s is not shown excluded:\n%v", sandboxed, r)
		}
	}
}
