package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient/awstest"
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
	cmd := exec.Command(ctlBinary(t), append([]string{"serve"}, args...)...)
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
	r, err := c.VerifyServiceLinkedRoles(ctx)
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

// --enforce-iam: an account's long-term key acts as its root user, with
// no restriction; a role session acts only as its policies allow, and a
// denial is the service's own error.
func TestServeEnforcesIAM(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0", "--enforce-iam")
	if got := s.field(t, "iam"); !strings.HasPrefix(got, "policies enforced") {
		t.Errorf("iam line %q", got)
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(mgmt, "any-secret", ""),
		BaseEndpoint: aws.String(s.field(t, "endpoint")),
	}
	ctx := t.Context()
	if _, err := organizations.NewFromConfig(cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("the root user: %v", err)
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::222222222222:role/" + awstest.OrganizationAccessRoleName),
		RoleSessionName: aws.String("narrow"),
		Policy:          aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	narrow := cfg
	narrow.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	_, err = organizations.NewFromConfig(narrow).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var denied *orgtypes.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Fatalf("the narrowed session: %v, want AccessDeniedException", err)
	}
	s.stop(t, syscall.SIGTERM)
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

func TestServeScenarioFile(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0", "--org", filepath.Join("..", "emulator", "organization.json"), "--discovery-lag", "1s")
	endpoint := s.field(t, "endpoint")
	if got := s.field(t, "delegated admin"); got != "222222222222" {
		t.Errorf("delegated admin %q", got)
	}
	if got := s.field(t, "control plane"); !strings.HasPrefix(got, endpoint+"/_awstest/") {
		t.Errorf("control plane %q", got)
	}
	// The announced AWS CLI line works for v1, which reads only
	// AWS_DEFAULT_REGION, and v2.
	if all := strings.Join(s.lines, "\n"); !strings.Contains(all, "AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url "+endpoint) {
		t.Errorf("announcement:\n%s", all)
	}
	resp, err := http.Get(endpoint + "/_awstest/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st awstest.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.DelegatedAdmins[awstest.IPAMServicePrincipal][0] != "222222222222" ||
		st.HasRole("777777777777", awstest.IPAMRoleName) {
		t.Fatalf("state %+v (%v)", st, err)
	}
	if code := s.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d; stderr %s", code, s.stderr)
	}
}

func TestServeFlagsChangeTheOrganization(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0", "--members", "30", "--ous", "5", "--suspended", "200000000002",
		"--invited", "200000000003", "--feature-set", "CONSOLIDATED_BILLING", "-o", "json")
	var ep struct {
		Endpoint     string `json:"endpoint"`
		ControlPlane string `json:"control_plane"`
	}
	if err := json.Unmarshal([]byte(s.lines[0]), &ep); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ep.Endpoint + "/_awstest/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st awstest.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.FeatureSet != "CONSOLIDATED_BILLING" ||
		st.HasRole("200000000003", awstest.OrganizationAccessRoleName) || !st.HasRole("200000000004", awstest.OrganizationAccessRoleName) {
		t.Fatalf("state %+v (%v)", st, err)
	}
	if ep.ControlPlane != ep.Endpoint+"/_awstest/" {
		t.Errorf("control plane %q", ep.ControlPlane)
	}
	s.stop(t, syscall.SIGTERM)
}

func TestServeScenarioUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"managementAccount": {"id": "111111111111"}, "members": [{"id": "222222222222", "status": "GONE"}]}`), 0o600)
	syntax := filepath.Join(dir, "syntax.json")
	os.WriteFile(syntax, []byte("{\n  \"managementAccount\": {\"id\": \"111111111111\"},\n  \"members\": [,]\n}"), 0o600)
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"serve", "--org", bad}, bad + `: members[0].status: "GONE" is neither ACTIVE nor SUSPENDED`},
		{[]string{"serve", "--org", syntax}, syntax + ":3:15: invalid character"},
		{[]string{"serve", "--org", filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{"serve", "--org", bad, "--members", "3"}, "--org and --members"},
		{[]string{"serve", "--ous", "3"}, "--ous spreads generated members"},
		{[]string{"serve", "--suspended", "999999999999"}, "--suspended 999999999999 is not a member account"},
		{[]string{"serve", "--feature-set", "SOME"}, "--feature-set must be"},
		{[]string{"serve", "--suspended", member1, "--delegated", member1}, "is a suspended member"},
		{[]string{"serve", "--feature-set", "CONSOLIDATED_BILLING", "--delegated", member1}, "ipamDelegatedAdmin: IPAM needs an organization with all features"},
		{[]string{"serve", "--fault", "GetRole=awstest:Nope"}, `unknown code "awstest:Nope"`},
		{[]string{"serve", "--fault", `{"operation":"GetRole","latency":"soon"}`}, "latency"},
		{[]string{"serve", "--discovery-lag", "-1s"}, "--discovery-lag must be 0 to 24h, not -1s"},
		{[]string{"serve", "--max-conns", "0"}, "--max-conns"},
		{[]string{"serve", "--allow-host", "http://emulator:4566"}, `allowed host "http://emulator:4566"`},
		{[]string{"serve", "--allow-host", "emulator:0"}, "the port is not 1 to 65535"},
	} {
		t.Run(strings.Join(tc.args[1:], " "), func(t *testing.T) {
			r := runCtl(t, baseEnv(t), tc.args...)
			wantCode(t, r, exitUsage)
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%v", tc.stderr, r)
			}
		})
	}
}

// serve refuses what a web page can send and no AWS client does; its
// flags let in a configured name and browsers.
func TestServeRefusesWebPages(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0", "--allow-host", "emulator")
	endpoint := s.field(t, "endpoint")
	port := endpoint[strings.LastIndexByte(endpoint, ':')+1:]
	get := func(host string, header map[string]string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint+"/_awstest/state", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		host   string
		header map[string]string
		want   int
	}{
		{"127.0.0.1:" + port, nil, 200},
		{"localhost:" + port, nil, 200},
		{"emulator:" + port, nil, 200},
		{"rebinding.example:" + port, nil, 403},
		{"127.0.0.1:" + port, map[string]string{"Origin": "https://attacker.example"}, 403},
		{"127.0.0.1:" + port, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
	} {
		if got := get(tc.host, tc.header); got != tc.want {
			t.Errorf("Host %s %v: %d, want %d", tc.host, tc.header, got, tc.want)
		}
	}
	// The CLI (the Go SDK) through AWS_ENDPOINT_URL=http://localhost:PORT.
	out := runCtl(t, append(asAccount(t, mgmt), "AWS_ENDPOINT_URL=http://localhost:"+port), "status")
	wantCode(t, out, exitOK)
	s.stop(t, syscall.SIGTERM)

	s = startServe(t, "--addr", "127.0.0.1:0", "--allow-browser-origin")
	endpoint = s.field(t, "endpoint")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint+"/_awstest/health", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "http://localhost:3000")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("--allow-browser-origin: %d", resp.StatusCode)
	}
	s.stop(t, syscall.SIGTERM)
}

// serve --log-requests writes one line of printable text per request,
// whatever the request holds.
func TestServeLogRequestsQuotes(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0", "--log-requests")
	endpoint := s.field(t, "endpoint")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint, strings.NewReader("Action=%0aFORGED LOG LINE%1b[31m"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+mgmt+"/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := s.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d", code)
	}
	stderr := s.stderr.String()
	if !strings.Contains(stderr, `"\nFORGED LOG LINE\x1b[31m"`) {
		t.Errorf("the action is not quoted:\n%s", stderr)
	}
	for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if strings.HasPrefix(l, "FORGED") || strings.ContainsFunc(l, func(r rune) bool { return r < ' ' || r > '~' }) {
			t.Errorf("forged or unprintable line %q", l)
		}
	}
}

func TestLimitListener(t *testing.T) {
	inner := &pipeListener{conns: make(chan net.Conn, 4)}
	for range 3 {
		a, b := net.Pipe()
		defer b.Close()
		inner.conns <- a
	}
	l := (&serveLimits{maxConns: 2}).listener(inner).(*limitListener)
	c1, err1 := l.Accept()
	_, err2 := l.Accept()
	if err1 != nil || err2 != nil || len(l.sem) != 2 {
		t.Fatalf("accept: %v %v, %d slots taken", err1, err2, len(l.sem))
	}
	c1.Close()
	c1.Close() // a second Close gives nothing back twice
	if len(l.sem) != 1 {
		t.Fatalf("%d slots taken after a close", len(l.sem))
	}
	if _, err := l.Accept(); err != nil || len(l.sem) != 2 {
		t.Fatalf("accept after a close: %v", err)
	}
	// Full: Accept waits, and Close ends the wait.
	done := make(chan error, 1)
	go func() { _, err := l.Accept(); done <- err }()
	l.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("accept after Close: %v", err)
	}
}

type pipeListener struct{ conns chan net.Conn }

func (p *pipeListener) Accept() (net.Conn, error) {
	c, ok := <-p.conns
	if !ok {
		return nil, net.ErrClosed
	}
	return c, nil
}
func (p *pipeListener) Close() error   { return nil }
func (p *pipeListener) Addr() net.Addr { return &net.TCPAddr{} }

func TestServeRecords(t *testing.T) {
	file := filepath.Join(t.TempDir(), "requests.jsonl")
	s := startServe(t, "--addr", "127.0.0.1:0", "--record", file)
	endpoint := s.field(t, "endpoint")
	if got := s.field(t, "recording"); !strings.Contains(got, file) {
		t.Errorf("recording line %q does not name %s", got, file)
	}
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.DescribeOrganization")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+mgmt+"/20260101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0123abcd")
	for _, r := range []*http.Request{req, mustRequest(t, endpoint+"/_awstest/health")} {
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if code := s.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d; stderr %s", code, s.stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var x awstest.Exchange
	if err := json.Unmarshal(data, &x); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	if x.Account != mgmt || x.Service != "organizations" || x.Status != http.StatusOK || !strings.Contains(x.Answer, `"MasterAccountId":"`+mgmt+`"`) {
		t.Errorf("recorded %+v", x)
	}
	if strings.Contains(string(data), "0123abcd") || strings.Count(string(data), "\n") != 1 {
		t.Errorf("the recording holds the signature or the control plane:\n%s", data)
	}
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
