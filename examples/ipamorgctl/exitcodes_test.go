package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// TestExitCodesAsDocumented runs, for every exit code that commandExitCodes
// documents (and with it every --help and docs/cli.md, which TestCLIDocs
// keeps equal to it), a case that ends with it, and fails for a documented
// code no case reaches or a case whose code is not documented: the docs
// and the code cannot disagree about what a code means, monitoring
// incomplete included (2 for monitoring and apply --wait-monitored alike).
func TestExitCodesAsDocumented(t *testing.T) {
	t.Parallel()
	type key struct {
		command string
		code    int
	}
	cases := map[key]func(t *testing.T) result{
		{"status", exitOK}: func(t *testing.T) result { return ctl(t, startServer(t), "status") },
		{"status", exitError}: func(t *testing.T) result {
			return runCtl(t, asAccount(t, member2), "--endpoint-url", startServer(t).URL, "status")
		},
		{"plan", exitOK}: func(t *testing.T) result { return ctl(t, startServer(t), "plan", "--delegate", member1) },
		{"plan", exitChanges}: func(t *testing.T) result {
			return ctl(t, startServer(t), "plan", "--delegate", member1, "--detailed-exitcode")
		},
		{"plan", exitError}: func(t *testing.T) result {
			return ctl(t, startServer(t, delegatedTo(member1)), "plan", "--delegate", member2, "--detailed-exitcode")
		},
		{"apply", exitOK}: func(t *testing.T) result { return ctl(t, startServer(t), "apply", "--delegate", member1, "--yes") },
		{"apply", exitChanges}: func(t *testing.T) result {
			// Monitoring incomplete after a successful apply: no IPAM
			// within --max-wait, on the bubble's clock.
			var r result
			inBubble(t, nil, func(b *bubble) { r = b.ctl("apply", "--delegate", member1, "--yes", "--wait-monitored") })
			if !strings.Contains(r.stderr, "the apply succeeded, but not every account was monitored within --max-wait") {
				t.Errorf("stderr:\n%v", r)
			}
			return r
		},
		{"apply", exitError}: func(t *testing.T) result {
			return ctl(t, startServer(t, delegatedTo(member1)), "apply", "--delegate", member2, "--yes")
		},
		{"verify", exitOK}: func(t *testing.T) result { return ctl(t, startServer(t), "verify") },
		{"verify", exitChanges}: func(t *testing.T) result {
			srv := startServer(t, delegatedTo(member1))
			srv.DeleteIPAMRole(member2)
			return ctl(t, srv, "verify")
		},
		{"verify", exitError}: func(t *testing.T) result {
			srv := startServer(t, delegatedTo(member1))
			srv.RemoveRole(member2, awstest.OrganizationAccessRoleName)
			return ctl(t, srv, "verify")
		},
		{"monitoring", exitOK}: func(t *testing.T) result {
			return ctl(t, startServer(t, withIPAM(member1, "us-east-1")...), "monitoring")
		},
		{"monitoring", exitChanges}: func(t *testing.T) result {
			return ctl(t, startServer(t, delegatedTo(member1)), "monitoring")
		},
		{"monitoring", exitError}: func(t *testing.T) result { return ctl(t, startServer(t), "monitoring") },
		{"policy", exitOK}:        func(t *testing.T) result { return runCtl(t, baseEnv(t), "policy") },
		{"diagram", exitOK}:       func(t *testing.T) result { return runCtl(t, baseEnv(t), "diagram") },
		{"serve", exitOK}:         serveUntilSignal,
		{"serve", exitError}: func(t *testing.T) result {
			busy, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer busy.Close()
			return runCtl(t, baseEnv(t), "serve", "--addr", busy.Addr().String())
		},
		{"version", exitOK}:    func(t *testing.T) result { return runCtl(t, baseEnv(t), "version") },
		{"completion", exitOK}: func(t *testing.T) result { return runCtl(t, baseEnv(t), "completion", "bash") },
		{"", exitUsage}:        func(t *testing.T) result { return runCtl(t, baseEnv(t), "plan", "--frobnicate") },
		{"", exitInternal}: func(t *testing.T) result {
			return runIn(t, invocation{env: baseEnv(t), args: []string{"diagram"}, stdout: panicOn("stateDiagram")})
		},
		{"", exitInterrupt}:  func(t *testing.T) result { return interrupted(t, syscall.SIGINT) },
		{"", exitTerminated}: func(t *testing.T) result { return interrupted(t, syscall.SIGTERM) },
	}

	documented := map[key]bool{}
	for _, row := range commandExitCodes {
		for _, c := range row.codes {
			documented[key{row.command, c.code}] = true
		}
	}
	for _, c := range commonExitCodes {
		documented[key{"", c.code}] = true
	}
	for k := range documented {
		if cases[k] == nil {
			t.Errorf("%q documents exit %d, and no case here reaches it", k.command, k.code)
		}
	}
	for k, run := range cases {
		name := fmt.Sprintf("%s exit %d", k.command, k.code)
		if k.command == "" {
			name = fmt.Sprintf("every command exit %d", k.code)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if !documented[k] {
				t.Errorf("exit %d of %q is not documented in commandExitCodes", k.code, k.command)
			}
			r := run(t)
			if r.code != k.code {
				t.Errorf("want exit %d, got %v", k.code, r)
			}
		})
	}
}

// interrupted runs status with a context that sig has ended, as main's
// signal handler ends it.
func interrupted(t *testing.T, sig syscall.Signal) result {
	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(&signalError{sig: sig})
	r := runIn(t, invocation{env: asAccount(t, mgmt), args: []string{"--endpoint-url", startServer(t).URL, "status"}, ctx: ctx})
	if !strings.HasPrefix(r.stderr, "ipamorgctl: interrupted by "+signalName(sig)+": ") || !strings.Contains(r.stderr, "\nnothing was written\n") {
		t.Errorf("stderr:\n%v", r)
	}
	return r
}

// serveUntilSignal runs serve in-process until it has announced itself,
// then ends its context as SIGTERM does.
func serveUntilSignal(t *testing.T) result {
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	w := &signalAfter{text: "serving until", stop: func() { cancel(&signalError{sig: syscall.SIGTERM}) }}
	r := runIn(t, invocation{env: baseEnv(t), args: []string{"serve", "--addr", "127.0.0.1:0"}, stdout: w, ctx: ctx})
	if !strings.Contains(r.stderr, "stopped serving http://127.0.0.1:") {
		t.Errorf("stderr:\n%v", r)
	}
	return r
}

// signalAfter calls stop once what is written to it contains text.
type signalAfter struct {
	mu   sync.Mutex
	seen strings.Builder
	text string
	stop func()
	once sync.Once
}

func (s *signalAfter) Write(b []byte) (int, error) {
	s.mu.Lock()
	s.seen.Write(b)
	found := strings.Contains(s.seen.String(), s.text)
	s.mu.Unlock()
	if found {
		s.once.Do(s.stop)
	}
	return len(b), nil
}
