package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// binary is the ipamorgctl built once for every test.
var binary string

// TestMain builds the command once, with the race detector when the tests
// run with it, so that the tests exercise the real binary: its flags, exit
// codes, streams and signals.
func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "ipamorgctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ipamorgctl")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command(goTool(), append(args, ".")...)
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ipamorgctl:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goTool finds the go command that runs the tests.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// baseEnv is the whole environment of the binary: nothing of the machine's
// AWS configuration leaks in, and no lookup of EC2 instance metadata slows
// down a run without credentials.
func baseEnv(t *testing.T) []string {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_CONFIG_FILE=" + empty,
		"AWS_SHARED_CREDENTIALS_FILE=" + empty,
		"AWS_EC2_METADATA_DISABLED=true",
		// A race-enabled binary otherwise sleeps a second at exit.
		"GORACE=atexit_sleep_ms=0 halt_on_error=1",
	}
}

// asAccount is baseEnv with the emulator's credentials for account.
func asAccount(t *testing.T, account string) []string {
	return append(baseEnv(t),
		"AWS_ACCESS_KEY_ID="+account,
		"AWS_SECRET_ACCESS_KEY=any-secret",
		"AWS_REGION="+awstest.Region,
	)
}

// runCtl runs the binary with env and args, stdin not a terminal.
func runCtl(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run ipamorgctl %v: %v", args, err)
	}
	return r
}

// ctl runs the binary as the management account against srv.
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

// golden compares got, with srv's URL made stable, to
// testdata/name.golden, or rewrites the file with -update.
func golden(t *testing.T, name string, srv *awstest.Server, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, srv.URL, "http://EMULATOR")
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
