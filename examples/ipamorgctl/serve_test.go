package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// serving is an `ipamorgctl serve` subprocess.
type serving struct {
	cmd    *exec.Cmd
	lines  []string // stdout up to and including the "serving until" line
	stderr *bytes.Buffer
}

// safetyTimeout bounds how long a broken serve can hang a test; a working
// one answers in milliseconds.
const safetyTimeout = 30 * time.Second

// startServe starts serve with args and reads its announcement.
func startServe(t *testing.T, args ...string) *serving {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Env = baseEnv(t)
	// An os.Pipe rather than cmd.StdoutPipe: reading it need not finish
	// before cmd.Wait.
	stdout, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &serving{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = w, s.stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdout.Close() })
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	deadline := time.After(safetyTimeout)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve ended before announcing itself; stdout %q, stderr %q", s.lines, s.stderr)
			}
			s.lines = append(s.lines, line)
			if strings.HasPrefix(line, "serving until") || strings.HasPrefix(line, "{") {
				go func() { // never block the server on a full pipe
					for range lines {
					}
				}()
				return s
			}
		case <-deadline:
			t.Fatalf("serve did not announce itself; stdout %q", s.lines)
		}
	}
}

// field returns the value of the announcement line "key: value".
func (s *serving) field(t *testing.T, key string) string {
	t.Helper()
	for _, l := range s.lines {
		if v, ok := strings.CutPrefix(l, key+": "); ok {
			return v
		}
	}
	t.Fatalf("no %q line in %q", key, s.lines)
	return ""
}

// stop sends sig and returns the exit code.
func (s *serving) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(safetyTimeout):
		t.Fatalf("serve did not stop on %v", sig)
		return -1
	}
}

func TestServeDrivenBySDKAndStoppedBySIGTERM(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0", "--members", "3", "--fault", "GetCallerIdentity=AccessDenied:1")
	endpoint := s.field(t, "endpoint")
	if !strings.HasPrefix(s.lines[0], "endpoint: http://127.0.0.1:") || strings.HasSuffix(endpoint, ":0") {
		t.Fatalf("first line %q", s.lines[0])
	}
	if got := s.field(t, "management account"); got != mgmt {
		t.Errorf("management account %q", got)
	}
	members := strings.Fields(s.field(t, "member accounts"))
	if strings.Join(members, " ") != "200000000001 200000000002 200000000003" {
		t.Errorf("members %q", members)
	}
	if !strings.Contains(strings.Join(s.lines, "\n"), "AWS_ACCESS_KEY_ID=") {
		t.Errorf("announcement does not say how to use it:\n%s", strings.Join(s.lines, "\n"))
	}

	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(mgmt, "any-secret", ""),
		BaseEndpoint: aws.String(endpoint),
	}
	c, err := ipamorg.NewFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := c.Observe(ctx); !errors.Is(err, ipamorg.ErrAccessDenied) {
		t.Errorf("first Observe: %v, want the injected AccessDenied", err)
	}
	if st, err := c.Observe(ctx); err != nil || st.State != fsm.StateNone {
		t.Fatalf("Observe: %+v, %v", st, err)
	}
	if _, err := c.Delegate(ctx, members[0]); err != nil {
		t.Fatal(err)
	}
	r, err := c.VerifyServiceLinkedRoles(ctx, ipamorg.VerifyOptions{})
	if err != nil || !r.OK() || r.Total != 4 {
		t.Errorf("verify: %+v, %v", r, err)
	}

	// The CLI sees what the SDK did.
	out := runCtl(t, asAccount(t, mgmt), "--endpoint-url", endpoint, "status")
	wantCode(t, out, exitOK)
	if !strings.Contains(out.stdout, "delegated admin:      "+members[0]) {
		t.Errorf("status:\n%v", out)
	}

	if code := s.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d after SIGTERM; stderr %s", code, s.stderr)
	}
	if !strings.Contains(s.stderr.String(), "stopped serving "+endpoint) {
		t.Errorf("stderr %q", s.stderr)
	}
}

func TestServeJSONAndSIGINT(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0", "-o", "json", "--delegated", member1, "--lag", "2s")
	var a struct {
		Endpoint          string   `json:"endpoint"`
		Region            string   `json:"region"`
		ManagementAccount string   `json:"management_account"`
		MemberAccounts    []string `json:"member_accounts"`
		DelegatedAdmin    string   `json:"delegated_admin"`
	}
	if err := json.Unmarshal([]byte(s.lines[0]), &a); err != nil {
		t.Fatalf("first line %q: %v", s.lines[0], err)
	}
	if !strings.HasPrefix(a.Endpoint, "http://127.0.0.1:") || a.ManagementAccount != mgmt ||
		strings.Join(a.MemberAccounts, " ") != member1+" "+member2 || a.DelegatedAdmin != member1 {
		t.Errorf("announcement %+v", a)
	}
	if code := s.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit %d after SIGINT; stderr %s", code, s.stderr)
	}
}

func TestServeUsage(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"serve", "--addr", "0.0.0.0:0"}, exitUsage, "not a loopback address"},
		{[]string{"serve", "--addr", ":4566"}, exitUsage, "not a loopback address"},
		{[]string{"serve", "--addr", "nonsense"}, exitUsage, "--addr"},
		{[]string{"serve", "--fault", "Frobnicate=ThrottlingException"}, exitUsage, "unknown operation"},
		{[]string{"serve", "--fault", "GetRole"}, exitUsage, "OP=CODE[:COUNT]"},
		{[]string{"serve", "--fault", "GetRole=ThrottlingException:0"}, exitUsage, "COUNT must be a positive integer"},
		{[]string{"serve", "--members", "-1"}, exitUsage, "--members"},
		{[]string{"serve", "--delegated", "999999999999"}, exitUsage, "not a member account"},
		{[]string{"serve", "--without-role", "200000000001"}, exitUsage, "ACCOUNT:ROLE"},
		{[]string{"serve", "--lag", "-1s"}, exitUsage, "--lag"},
		{[]string{"--emulated", "serve"}, exitUsage, "serve takes none of"},
		{[]string{"serve", "--addr", busy.Addr().String()}, exitError, "listen on"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCtl(t, baseEnv(t), tc.args...)
			wantCode(t, r, tc.code)
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%v", tc.stderr, r)
			}
		})
	}
}
