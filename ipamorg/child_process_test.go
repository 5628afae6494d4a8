package ipamorg_test

// Child processes: the tests that cross a process boundary re-execute this
// test binary, restricted to the calling test, as a child that reconciles
// against an awstest.Server on loopback in the parent.

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// The tests that need separate processes re-execute this test binary,
// restricted to the calling test, with relChildEnv set: the test sees it
// and plays the child instead of the parent.
const (
	// relChildEnv names the emulator URL a child reconciles against.
	relChildEnv = "IPAMORG_RELIABILITY_CHILD_URL"
	// relChildOptionsEnv names the child's Client options, as the JSON of
	// a relChildOptions; unset, the defaults.
	relChildOptionsEnv = "IPAMORG_RELIABILITY_CHILD_OPTIONS"
)

// relChildOptions are the Client options a parent hands its children.
type relChildOptions struct {
	Retry ipamorg.RetryOptions
	Wait  ipamorg.WaitOptions
}

func (o relChildOptions) apply(opts *ipamorg.Options) { opts.Retry, opts.Wait = o.Retry, o.Wait }

// relChildCommand returns the command that re-executes this test binary as
// a child of the running top-level test, against the emulator at url, with
// opts (nil: the defaults). The caller sets its I/O and starts it.
func relChildCommand(t *testing.T, url string, opts *relChildOptions) *exec.Cmd {
	t.Helper()
	test, _, _ := strings.Cut(t.Name(), "/")
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	// The race detector's default pause of a second at exit, for other
	// goroutines to report, would be most of a child's life.
	race := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), relChildEnv+"="+url, "GORACE="+race)
	if opts != nil {
		b, err := json.Marshal(opts)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(cmd.Env, relChildOptionsEnv+"="+string(b))
	}
	return cmd
}

// relChildClient returns, in a child, a Client for the management account
// over HTTP to the emulator at url, with the options its parent passed.
func relChildClient(t *testing.T, url string) *ipamorg.Client {
	t.Helper()
	var opts relChildOptions
	if s := os.Getenv(relChildOptionsEnv); s != "" {
		if err := json.Unmarshal([]byte(s), &opts); err != nil {
			t.Fatalf("%s: %v", relChildOptionsEnv, err)
		}
	}
	cfg := aws.Config{
		Region:       awstest.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(mgmt, "x", ""),
		BaseEndpoint: aws.String(url),
	}
	c, err := ipamorg.NewFromConfig(cfg, opts.apply)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
