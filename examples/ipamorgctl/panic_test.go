package main

import (
	"strings"
	"testing"
)

// panicOn is a stdout that panics when a write contains its text: a bug
// anywhere on the output's path.
type panicOn string

func (p panicOn) Write(b []byte) (int, error) {
	if strings.Contains(string(b), string(p)) {
		panic("a bug: wrote " + string(p))
	}
	return len(b), nil
}

// A panic of ipamorgctl's is an internal error with its own exit code
// (70), said to be a bug, without a stack trace, and saying whether it may
// have written; never exit 2, which verify, monitoring and plan
// --detailed-exitcode give to drift and changes.
func TestPanicIsAnInternalError(t *testing.T) {
	t.Parallel()
	srv := startServer(t, delegatedTo(member1))
	srv.DeleteIPAMRole(member2) // drift: verify would exit 2
	run := func(stdout panicOn, args ...string) result {
		t.Helper()
		r := runIn(t, invocation{env: asAccount(t, mgmt), args: append([]string{"--endpoint-url", srv.URL}, args...), stdout: stdout})
		wantCode(t, r, exitInternal)
		if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, ".go:") {
			t.Errorf("a stack trace:\n%v", r)
		}
		return r
	}

	r := run("ACCOUNT", "verify") // the table of accounts
	if !strings.HasPrefix(r.stderr, "ipamorgctl: internal error: ") || !strings.Contains(r.stderr, "a bug: wrote ACCOUNT") ||
		!strings.Contains(r.stderr, "this is a bug of ipamorgctl's: please report it") ||
		!strings.Contains(r.stderr, "\nNothing was written.\n") {
		t.Errorf("verify:\n%v", r)
	}

	r = run(`"accounts"`, "-o", "json", "verify")
	if e := lastJSONError(t, r); e.Kind != "internal" || e.ExitCode != exitInternal || !strings.Contains(e.Message, "internal error") {
		t.Errorf("JSON error %+v", e)
	}

	// In the callback that reports each step, after the write.
	r = run("done: ", "apply", "--yes", "--delegate", member2, "--replace")
	if !strings.Contains(r.stderr, "It may have written to AWS before it stopped: run 'ipamorgctl status'") {
		t.Errorf("apply:\n%v", r)
	}
	if len(srv.Writes()) == 0 {
		t.Error("the panic came before the write it should follow")
	}
}

// A panic while reading the answer at the prompt is the same internal
// error, from the goroutine that reads it.
func TestPanicAtThePrompt(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	r := runIn(t, invocation{env: asAccount(t, mgmt), args: []string{"--endpoint-url", srv.URL, "apply", "--delegate", member1}, stdin: panicReader{}})
	// stdin is no terminal: refused before the prompt.
	wantCode(t, r, exitUsage)
	ok, err := confirm(t.Context(), panicReader{}, &strings.Builder{}, "? ")
	if ok || err == nil || !strings.Contains(err.Error(), "a bug: read") {
		t.Fatalf("confirm = %v, %v", ok, err)
	}
	a := newApp(nil, &strings.Builder{}, &strings.Builder{})
	if f := a.explain(t.Context(), err); f.code != exitInternal || f.kind != kindInternal {
		t.Errorf("explained as %+v", f)
	}
}

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("a bug: read") }
