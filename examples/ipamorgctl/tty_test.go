//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// hangGuard bounds the waits below for something the binary does on its
// own; it is not a timing expectation, only what a broken binary gets
// before the test gives up on it.
const hangGuard = 2 * time.Minute

// terminal collects what the binary writes to its pseudo-terminal.
type terminal struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	more chan struct{} // signalled after each read
	done chan struct{} // closed when the terminal is closed
	// write types on the terminal.
	write func([]byte) error
}

func newTerminal(t *testing.T, cmd *exec.Cmd) *terminal {
	t.Helper()
	ptmx, err := pty.Start(cmd) // a new session, the pty its controlling terminal
	if err != nil {
		// A machine without pseudo-terminals: nothing to test here.
		t.Skipf("no pseudo-terminal: %v", err)
	}
	term := &terminal{more: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(term.done)
		b := make([]byte, 4096)
		for {
			n, err := ptmx.Read(b)
			term.mu.Lock()
			term.buf.Write(b[:n])
			term.mu.Unlock()
			select {
			case term.more <- struct{}{}:
			default:
			}
			if err != nil { // EIO once the binary has exited
				return
			}
		}
	}()
	t.Cleanup(func() { ptmx.Close(); <-term.done })
	term.write = func(p []byte) error { _, err := ptmx.Write(p); return err }
	return term
}

func (term *terminal) String() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.buf.String()
}

// waitFor waits until the terminal shows s.
func (term *terminal) waitFor(t *testing.T, s string) {
	t.Helper()
	guard := time.After(hangGuard)
	for !strings.Contains(term.String(), s) {
		select {
		case <-term.more:
		case <-term.done:
			if !strings.Contains(term.String(), s) {
				t.Fatalf("terminal closed without showing %q:\n%s", s, term)
			}
		case <-guard:
			t.Fatalf("terminal does not show %q:\n%s", s, term)
		}
	}
}

// waitExit waits for cmd and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(hangGuard):
		cmd.Process.Kill()
		t.Fatal("the binary did not end after the signal")
		return -1
	}
}

// TestCtrlCAtThePrompt types Ctrl-C at apply's [y/N] prompt on a real
// (pseudo-)terminal: the terminal's line discipline sends SIGINT, and apply
// must end at once with 130, saying that nothing was written.
func TestCtrlCAtThePrompt(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	cmd := exec.Command(ctlBinary(t), "--endpoint-url", srv.URL, "apply", "--delegate", member1)
	cmd.Env = asAccount(t, mgmt)
	term := newTerminal(t, cmd)
	term.waitFor(t, "to organization o-")
	term.waitFor(t, "? [y/N] ")
	if err := term.write([]byte{0x03}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	if code := waitExit(t, cmd); code != exitInterrupt {
		t.Errorf("exit %d, want %d:\n%s", code, exitInterrupt, term)
	}
	<-term.done
	out := strings.ReplaceAll(term.String(), "\r\n", "\n")
	if !strings.Contains(out, "\nipamorgctl: interrupted by SIGINT: stopped at the confirmation prompt\nnothing was written\n") {
		t.Errorf("terminal:\n%s", out)
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}

// TestSignalDuringTheWait interrupts apply while it waits for AWS to
// confirm its write: it ends at once and says that the write was sent but
// not confirmed, rather than that nothing was written.
func TestSignalDuringTheWait(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
		code int
		json bool
	}{
		{syscall.SIGINT, "SIGINT", exitInterrupt, false},
		{syscall.SIGTERM, "SIGTERM", exitTerminated, false},
		{syscall.SIGINT, "SIGINT", exitInterrupt, true},
	} {
		t.Run(fmt.Sprintf("%s json=%t", tc.name, tc.json), func(t *testing.T) {
			srv := startServer(t, awstest.WithLag(time.Hour, time.Hour))
			args := []string{"--endpoint-url", srv.URL, "apply", "--yes", "--delegate", member1}
			if tc.json {
				args = append(args, "-o", "json")
			}
			cmd := exec.Command(ctlBinary(t), args...)
			cmd.Env = asAccount(t, mgmt)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The write is in the emulator's audit log before the wait
			// for its confirmation starts.
			guard := time.After(hangGuard)
			for len(srv.Writes()) == 0 {
				select {
				case <-guard:
					cmd.Process.Kill()
					t.Fatal("apply never wrote")
				case <-time.After(10 * time.Millisecond):
				}
			}
			cmd.Process.Signal(tc.sig)
			code := waitExit(t, cmd)
			r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
			wantCode(t, r, tc.code)
			if tc.json {
				e := lastJSONError(t, r)
				if e.Kind != "interrupted" || e.Event != "delegate" || len(e.Done) != 0 || len(e.Unconfirmed) != 2 || len(e.NotDone) != 0 {
					t.Errorf("JSON error %+v", e)
				}
				return
			}
			for _, s := range []string{
				"ipamorgctl: interrupted by " + tc.name + ": ",
				"written and confirmed: none; may have been written, not confirmed: enable-trusted-access, delegate; not written: none",
				"Run 'ipamorgctl status'",
			} {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%v", s, r)
				}
			}
			if w := srv.Writes(); len(w) != 1 {
				t.Errorf("writes %v", w)
			}
		})
	}
}
