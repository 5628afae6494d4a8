package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// The tests run ipamorgctl in-process, through run, as main does with the
// process's streams. Only the tests of signals and of the terminal run it
// as a process of its own (ctlBinary): the test binary itself, started
// through a link named ipamorgctl, so that nothing is built.

var (
	// baseline is the environment every run starts from: nothing of the
	// machine's AWS configuration, and no lookup of EC2 instance
	// metadata to slow down a run without credentials. TestMain makes it
	// the process's own; ctlBinary's processes get it as their whole
	// environment.
	baseline []string
	// tempDir holds the baseline's empty files and ctlBinary's link.
	tempDir string
)

func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "ipamorgctl" {
		main() // started through ctlBinary's link: be the command
	}
	flag.Parse()
	dir, err := os.MkdirTemp("", "ipamorgctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tempDir = dir
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	aws := []string{
		"AWS_CONFIG_FILE=" + empty,
		"AWS_SHARED_CREDENTIALS_FILE=" + empty,
		"AWS_EC2_METADATA_DISABLED=true",
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			os.Unsetenv(k)
		}
	}
	for _, kv := range aws {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	baseline = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		// A race-enabled binary otherwise sleeps a second at exit.
		"GORACE=atexit_sleep_ms=0 halt_on_error=1",
	}, aws...)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// ctlBinary returns the path of ipamorgctl for the tests that need a
// process of its own (signals, a terminal): a link named ipamorgctl to the
// test binary, which TestMain turns into the command. The binary has the
// race detector when the tests do.
func ctlBinary(t *testing.T) string {
	t.Helper()
	path, err := linkBinary()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

var linkBinary = sync.OnceValues(func() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	path := filepath.Join(tempDir, "ipamorgctl")
	return path, os.Symlink(self, path)
})

// result is what one run did.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// baseEnv is the environment with no credentials.
func baseEnv(t *testing.T) []string { return slices.Clone(baseline) }

// asAccount is baseEnv with the emulator's credentials for account.
func asAccount(t *testing.T, account string) []string {
	return append(baseEnv(t),
		"AWS_ACCESS_KEY_ID="+account,
		"AWS_SECRET_ACCESS_KEY=any-secret",
		"AWS_REGION="+awstest.Region,
	)
}

// invocation is one in-process run.
type invocation struct {
	// env is the run's environment. Credentials and the region reach the
	// AWS SDK through the app's seams; any other variable that differs
	// from the process's is set with t.Setenv, so a test that sets one
	// must not be parallel.
	env  []string
	args []string
	// stdin is "" when nil: not a terminal.
	stdin io.Reader
	// stdout, if set, receives stdout as it is written, as well.
	stdout io.Writer
	// ctx is the run's context; t.Context() when nil.
	ctx context.Context
	// httpClient carries the AWS requests: an emulator's in-memory
	// transport.
	httpClient aws.HTTPClient
}

// runCtl runs ipamorgctl in-process with env and args.
func runCtl(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runIn(t, invocation{env: env, args: args})
}

// runIn runs inv in-process.
func runIn(t *testing.T, inv invocation) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	var out io.Writer = &stdout
	if inv.stdout != nil {
		out = io.MultiWriter(&stdout, inv.stdout)
	}
	stdin := inv.stdin
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	a := newApp(stdin, out, &stderr)
	var key, secret, token string
	for _, kv := range inv.env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "AWS_ACCESS_KEY_ID":
			key = v
		case "AWS_SECRET_ACCESS_KEY":
			secret = v
		case "AWS_SESSION_TOKEN":
			token = v
		case "AWS_REGION":
			a.seams.loadOptions = append(a.seams.loadOptions, config.WithRegion(v))
		case "PATH", "HOME", "GORACE":
			// For a binary's process.
		default:
			if os.Getenv(k) != v {
				t.Setenv(k, v)
			}
		}
	}
	if key != "" {
		a.seams.loadOptions = append(a.seams.loadOptions, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, secret, token)))
	}
	a.seams.httpClient = inv.httpClient
	ctx := inv.ctx
	if ctx == nil {
		ctx = t.Context()
	}
	code := a.run(ctx, inv.args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// ctl runs ipamorgctl as the management account against srv.
func ctl(t *testing.T, srv *awstest.Server, args ...string) result {
	t.Helper()
	return runCtl(t, asAccount(t, awstest.DefaultManagementAccountID), append([]string{"--endpoint-url", srv.URL}, args...)...)
}

func startServer(t *testing.T, optFns ...func(*awstest.ServerOptions)) *awstest.Server {
	t.Helper()
	srv := awstest.NewServer(optFns...)
	t.Cleanup(srv.Close)
	return srv
}

// bubble is a testing/synctest bubble with an emulator reached in memory:
// time there is the bubble's, so a wait of minutes takes none, and no
// test depends on the wall clock.
type bubble struct {
	t   *testing.T
	emu *awstest.Emulator
}

// inBubble runs test in a bubble whose emulator optFns configure.
func inBubble(t *testing.T, optFns []func(*awstest.ServerOptions), test func(b *bubble)) {
	synctest.Test(t, func(t *testing.T) {
		test(&bubble{t: t, emu: awstest.New(optFns...)})
	})
}

// endpoint is the emulator's in-memory endpoint, for --endpoint-url.
func (b *bubble) endpoint() string {
	return aws.ToString(b.emu.Config(b.t.Context(), awstest.DefaultManagementAccountID).BaseEndpoint)
}

// ctl runs ipamorgctl as the management account against the bubble's
// emulator.
func (b *bubble) ctl(args ...string) result {
	b.t.Helper()
	return runIn(b.t, invocation{
		env:        asAccount(b.t, awstest.DefaultManagementAccountID),
		args:       append([]string{"--endpoint-url", b.endpoint()}, args...),
		httpClient: b.emu.HTTPClient(),
	})
}

func delegatedTo(admin string) func(*awstest.ServerOptions) {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = admin
	return awstest.WithOrganization(org)
}

// wantCode fails the test unless r exited with code.
func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %v", code, r)
	}
}

// golden compares got, with the endpoint made stable, to
// testdata/name.golden, or rewrites the file with -update.
func golden(t *testing.T, name, endpoint, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, endpoint, "http://EMULATOR")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s--- want\n%s", path, got, want)
	}
}
