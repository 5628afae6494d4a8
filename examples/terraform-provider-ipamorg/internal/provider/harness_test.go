package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

const (
	mgmt   = awstest.DefaultManagementAccountID
	admin  = awstest.DefaultMemberAccountID1
	admin2 = awstest.DefaultMemberAccountID2
)

// factories serve the provider in the test's process: Terraform reaches
// it through TF_REATTACH_PROVIDERS, so no registry is needed.
var factories = map[string]func() (tfprotov6.ProviderServer, error){
	"ipamorg": providerserver.NewProtocol6WithError(New("test")()),
}

// acceptance prepares an acceptance test: a real Terraform binary
// (TF_ACC_TERRAFORM_PATH, else terraform, else OpenTofu's tofu, on PATH;
// TF_ACC is then set, so
// that the repository's one test command runs these tests), and an
// environment in which the AWS SDK's chain finds the emulator's
// management account and nothing of the machine's own configuration.
// Without a binary the test skips, except in CI (CI=true), where it fails.
func acceptance(t *testing.T) {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	for _, name := range []string{"terraform", "tofu"} {
		if bin == "" {
			bin, _ = exec.LookPath(name)
		}
	}
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI runs the Terraform acceptance tests, but neither terraform nor tofu is on PATH and TF_ACC_TERRAFORM_PATH is not set")
		}
		t.Skip("no terraform (or tofu) binary on PATH, nor TF_ACC_TERRAFORM_PATH: the acceptance tests need one")
	}
	t.Setenv("TF_ACC", "1")
	t.Setenv("TF_ACC_TERRAFORM_PATH", bin)
	if strings.HasPrefix(filepath.Base(bin), "tofu") && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		// OpenTofu names the implicit provider on its own registry, and
		// the reattached provider must carry the same address.
		t.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	t.Setenv("CHECKPOINT_DISABLE", "1") // no call home from terraform
	dir := t.TempDir()
	t.Setenv("TF_CLI_CONFIG_FILE", filepath.Join(dir, "terraformrc"))
	if err := os.WriteFile(filepath.Join(dir, "terraformrc"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_ORGANIZATIONS", "AWS_ENDPOINT_URL_STS", "AWS_ROLE_ARN"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", mgmt) // the emulator's caller is the access key's account
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	t.Setenv("AWS_REGION", "us-east-1")
}

// emulator is an emulator over HTTP for Terraform's runs.
type emulator struct {
	*awstest.Emulator
	URL string
}

// startEmulator serves an emulator configured by optFns on loopback,
// through wrap when it is not nil (to act on the emulator between
// requests), until the test ends.
func startEmulator(t *testing.T, wrap func(*awstest.Emulator, http.Handler) http.Handler, optFns ...func(*awstest.ServerOptions)) *emulator {
	t.Helper()
	e := awstest.New(optFns...)
	var h http.Handler = e
	if wrap != nil {
		h = wrap(e, e)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &emulator{Emulator: e, URL: ts.URL}
}

// providerBlock configures the provider for e, the way a user points it at
// ipamorgctl serve.
func (e *emulator) providerBlock() string {
	return fmt.Sprintf(`
provider "ipamorg" {
  endpoint_url = %q
  max_wait     = "30s"
}
`, e.URL)
}

// integration is the configuration of an integration with admin and the
// extra attributes.
func (e *emulator) integration(admin, extra string) string {
	return e.providerBlock() + fmt.Sprintf(`
resource "ipamorg_organization_integration" "this" {
  delegated_admin_account_id = %q
  %s
}
`, admin, extra)
}

// createIPAM creates an organization-wide IPAM as the administrator, as
// the administrator's AWS provider would, and returns its id.
func (e *emulator) createIPAM(t *testing.T, owner string) string {
	t.Helper()
	ctx := context.Background()
	out, err := ec2.NewFromConfig(e.Config(ctx, owner)).CreateIpam(ctx, &ec2.CreateIpamInput{
		OperatingRegions: []ec2types.AddIpamOperatingRegion{{RegionName: aws.String("us-east-1")}},
	})
	if err != nil {
		t.Fatalf("create an ipam as %s: %v", owner, err)
	}
	return aws.ToString(out.Ipam.IpamId)
}

func (e *emulator) deleteIPAM(t *testing.T, owner, id string) {
	t.Helper()
	ctx := context.Background()
	if _, err := ec2.NewFromConfig(e.Config(ctx, owner)).DeleteIpam(ctx, &ec2.DeleteIpamInput{IpamId: aws.String(id), Cascade: aws.Bool(true)}); err != nil {
		t.Fatalf("delete ipam %s as %s: %v", id, owner, err)
	}
}

// admins are the delegated administrators of IPAM that e holds now.
func (e *emulator) admins() []string {
	return e.Snapshot().DelegatedAdmins["ipam.amazonaws.com"]
}

// wantWrites fails unless e's write log (every write attempt, failed ones
// marked) is want.
func (e *emulator) wantWrites(want ...string) error {
	if got := e.WriteLog(); !slices.Equal(got, want) {
		return fmt.Errorf("writes %q, want %q", got, want)
	}
	return nil
}

// wrapped matches pattern in Terraform's output, which wraps diagnostics
// at word boundaries: each space of pattern matches any run of white
// space, and . matches newlines.
func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}
