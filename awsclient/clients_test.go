package awsclient_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
)

// serve serves e on a loopback port and returns a config for it acting as
// the management account, with the SDK's default HTTP client (nil), as
// config.LoadDefaultConfig leaves it.
func serve(t *testing.T, e *awstest.Emulator) aws.Config {
	t.Helper()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return aws.Config{
		Region:       awstest.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(awstest.DefaultManagementAccountID, "secret", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
}

// TestMemberIAMSharesConnections: the IAM clients of the member accounts
// share one pool of connections. Left to the SDK, each client built from
// a config with no HTTP client (or in a defaults mode other than legacy)
// has a transport of its own: one connection per member, each then held
// idle for 90 seconds.
func TestMemberIAMSharesConnections(t *testing.T) {
	const members = 50
	for _, mode := range []aws.DefaultsMode{aws.DefaultsModeLegacy, aws.DefaultsModeStandard} {
		for _, hc := range []struct {
			name string
			c    aws.HTTPClient
		}{{"default", nil}, {"buildable", awshttp.NewBuildableClient()}} {
			t.Run(string(mode)+"/"+hc.name, func(t *testing.T) {
				org := awstest.GenerateOrganization(members)
				org.IPAMDelegatedAdmin = org.Members[0].ID
				cfg := serve(t, awstest.New(awstest.WithOrganization(org)))
				cfg.DefaultsMode, cfg.HTTPClient = mode, hc.c
				c := awsclient.NewFromConfig(cfg)
				var shared aws.HTTPClient
				for _, m := range org.Members {
					creds := credentials.NewStaticCredentialsProvider(m.ID, "secret", "")
					client := c.MemberIAM(creds)
					// The same HTTP client in every one, and not a
					// BuildableClient, which the SDK would copy.
					hc := client.(*iam.Client).Options().HTTPClient
					if _, buildable := hc.(*awshttp.BuildableClient); buildable || shared != nil && hc != shared {
						t.Fatalf("member %s: HTTP client %T %p; first member's: %v", m.ID, hc, hc, shared)
					}
					shared = hc
					if _, err := client.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(awstest.IPAMRoleName)}); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}

// TestIdleConnsCoverConcurrency: the clients of NewFromConfig keep at
// least 300 idle connections per host (the fleet verification makes up to
// 256 checks and 16 listing calls at once, where the SDK's default
// transport keeps 10 and would close and reopen the rest after each
// round), and never fewer
// than an HTTP client of the caller's already keeps. The transport's
// settings are what decide reuse; the test reads them rather than count
// connections, which would depend on timing.
func TestIdleConnsCoverConcurrency(t *testing.T) {
	transport := func(t *testing.T, hc aws.HTTPClient) *http.Transport {
		t.Helper()
		c := awsclient.NewFromConfig(aws.Config{Region: awstest.Region, HTTPClient: hc})
		b, ok := c.STS.(*sts.Client).Options().HTTPClient.(*awshttp.BuildableClient)
		if !ok {
			t.Fatalf("STS's HTTP client is %T, want a BuildableClient", c.STS.(*sts.Client).Options().HTTPClient)
		}
		return b.GetTransport()
	}
	for _, tc := range []struct {
		name    string
		c       aws.HTTPClient
		perHost int
	}{
		{"default", nil, 300},
		{"buildable", awshttp.NewBuildableClient(), 300},
		{"buildable with 10", awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.MaxIdleConnsPerHost = 10 }), 300},
		{"buildable with 500", awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.MaxIdleConnsPerHost = 500 }), 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := transport(t, tc.c)
			if tr.MaxIdleConnsPerHost != tc.perHost {
				t.Errorf("MaxIdleConnsPerHost %d, want %d", tr.MaxIdleConnsPerHost, tc.perHost)
			}
			if tr.MaxIdleConns != 0 && tr.MaxIdleConns < tc.perHost {
				t.Errorf("MaxIdleConns %d caps the %d per host", tr.MaxIdleConns, tc.perHost)
			}
		})
	}
	// A client of another type is left as it is.
	t.Run("http.Client", func(t *testing.T) {
		hc := &http.Client{}
		c := awsclient.NewFromConfig(aws.Config{Region: awstest.Region, HTTPClient: hc})
		if got := c.STS.(*sts.Client).Options().HTTPClient; got != hc {
			t.Errorf("HTTP client %T %p, want the caller's %p", got, got, hc)
		}
	})
}

// TestAdminEC2: the administrator's EC2 clients act in the Region asked
// for ("" keeping the config's), with the credentials given (nil keeping
// the config's), and share one HTTP client across Regions.
func TestAdminEC2(t *testing.T) {
	const admin = awstest.DefaultMemberAccountID1
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = admin
	cfg := serve(t, awstest.New(awstest.WithOrganization(org), awstest.WithIPAMs(awstest.IPAMSpec{Owner: admin, Region: "eu-west-1"})))
	c := awsclient.NewFromConfig(cfg)
	creds := credentials.NewStaticCredentialsProvider(admin, "secret", "")

	var shared aws.HTTPClient
	for _, tc := range []struct {
		creds  aws.CredentialsProvider
		region string
		want   string // the Region the client acts in
		ipams  int    // the IPAMs it lists there
	}{
		{creds, "eu-west-1", "eu-west-1", 1},
		{creds, "", awstest.Region, 0},
		{nil, "eu-west-1", "eu-west-1", 0}, // the management account's own
	} {
		client := c.AdminEC2(tc.creds, tc.region).(*ec2.Client)
		if got := client.Options().Region; got != tc.want {
			t.Errorf("region %q: client in %q, want %q", tc.region, got, tc.want)
		}
		hc := client.Options().HTTPClient
		if _, buildable := hc.(*awshttp.BuildableClient); buildable || shared != nil && hc != shared {
			t.Fatalf("region %q: HTTP client %T %p; first client's: %v", tc.region, hc, hc, shared)
		}
		shared = hc
		out, err := client.DescribeIpams(t.Context(), &ec2.DescribeIpamsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Ipams) != tc.ipams {
			t.Errorf("creds %v region %q: %d IPAMs, want %d", tc.creds != nil, tc.region, len(out.Ipams), tc.ipams)
		}
	}
}
