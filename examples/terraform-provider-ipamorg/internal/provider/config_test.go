package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// isolate leaves the AWS SDK's chain only what the test sets.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_IAM",
		"AWS_ENDPOINT_URL_ORGANIZATIONS", "AWS_ENDPOINT_URL_STS", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true") // no instance role to find
	return dir
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLoadAWSConfig: the provider block's target over the SDK's chain, as
// the CLI resolves it.
func TestLoadAWSConfig(t *testing.T) {
	ctx := context.Background()
	t.Run("endpoint_url overrides the environment's and defaults the Region", func(t *testing.T) {
		isolate(t)
		t.Setenv("AWS_ACCESS_KEY_ID", mgmt)
		t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
		t.Setenv("AWS_ENDPOINT_URL_EC2", "http://elsewhere.invalid")
		cfg, err := loadAWSConfig(ctx, target{endpointURL: "http://127.0.0.1:4566"})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:4566" || cfg.ConfigSources != nil || cfg.Region != emulatorRegion {
			t.Errorf("endpoint %v, sources %v, region %q", aws.ToString(cfg.BaseEndpoint), cfg.ConfigSources, cfg.Region)
		}
	})
	t.Run("a profile's credentials and Region", func(t *testing.T) {
		dir := isolate(t)
		write(t, filepath.Join(dir, "config"), "[profile mgmt]\nregion = eu-west-1\n")
		write(t, filepath.Join(dir, "credentials"), "[mgmt]\naws_access_key_id = "+mgmt+"\naws_secret_access_key = x\n")
		cfg, err := loadAWSConfig(ctx, target{profile: "mgmt"})
		if err != nil {
			t.Fatal(err)
		}
		creds, _ := cfg.Credentials.Retrieve(ctx)
		if cfg.Region != "eu-west-1" || creds.AccessKeyID != mgmt {
			t.Errorf("region %q, key %q", cfg.Region, creds.AccessKeyID)
		}
	})
	t.Run("region in the block wins over the profile's", func(t *testing.T) {
		dir := isolate(t)
		write(t, filepath.Join(dir, "config"), "[default]\nregion = eu-west-1\n")
		t.Setenv("AWS_ACCESS_KEY_ID", mgmt)
		t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
		cfg, err := loadAWSConfig(ctx, target{region: "ap-south-1"})
		if err != nil || cfg.Region != "ap-south-1" {
			t.Fatalf("region %q, %v", cfg.Region, err)
		}
	})
	t.Run("no Region for AWS says where to set one", func(t *testing.T) {
		isolate(t)
		t.Setenv("AWS_ACCESS_KEY_ID", mgmt)
		t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
		_, err := loadAWSConfig(ctx, target{})
		if err == nil || !strings.Contains(detail(err), "Fix: Set region in the provider block") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("no credentials says how to configure them", func(t *testing.T) {
		isolate(t)
		_, err := loadAWSConfig(ctx, target{region: "us-east-1"})
		var fe *fixedError
		if !errors.As(err, &fe) || !strings.Contains(fe.fix, "AWS_ACCESS_KEY_ID=<12-digit account>") {
			t.Fatalf("got %v", err)
		}
	})
}

// TestAccProvider_profile: a profile that names the emulator (endpoint_url
// in the shared config, as the SDK reads it) and holds the management
// account's keys reaches the organization.
func TestAccProvider_profile(t *testing.T) {
	acceptance(t)
	e := startEmulator(t, nil)
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	write(t, filepath.Join(dir, "config"), fmt.Sprintf("[profile emulated]\nregion = us-east-1\nendpoint_url = %s\n", e.URL))
	write(t, filepath.Join(dir, "credentials"), "[emulated]\naws_access_key_id = "+mgmt+"\naws_secret_access_key = x\n")
	// The environment's keys would win over the profile's in the SDK's chain.
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	org := e.Snapshot().OrganizationID
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{{
			Config: `
provider "ipamorg" {
  profile = "emulated"
}

resource "ipamorg_organization_integration" "this" {
  delegated_admin_account_id = "` + admin + `"
}
`,
			Check: acc.TestCheckResourceAttr(integrationAddr, "organization_id", org),
		}},
	})
}

// TestAccProvider_settings: max_wait must be a duration; access_role is
// the role the data source assumes in the administrator's account, so one
// that is not there fails with the library's error and the fix.
func TestAccProvider_settings(t *testing.T) {
	acceptance(t)
	o := sandboxOrg()
	e := startEmulator(t, nil, awstest.WithOrganization(o))
	settings := func(s string) string {
		return fmt.Sprintf(`
provider "ipamorg" {
  endpoint_url = %q
  %s
}

data "ipamorg_monitoring" "m" {}
`, e.URL, s)
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{
			{Config: settings(`max_wait = "soon"`), ExpectError: wrapped(`max_wait must be a positive Go duration`)},
			{Config: settings(`access_role = "not a role"`), ExpectError: wrapped(`invalid options: access_role "not a role"`)},
			{Config: settings(`access_role = "audit/IpamReader"`), ExpectError: wrapped(`cannot be reached.*IpamReader.*Fix: .*access_role`)},
		},
	})
}
