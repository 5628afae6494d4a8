package awstest_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

const (
	mgmt    = awstest.DefaultManagementAccountID
	member1 = awstest.DefaultMemberAccountID1
	member2 = awstest.DefaultMemberAccountID2
	ipam    = awstest.IPAMServicePrincipal
)

// The heaviest tests (10,000 accounts, the botocore models read through
// Python) call t.Parallel, so that they run beside one another once the
// others are done: each has emulators of its own.

// clients are the SDK's real clients for one account.
type clients struct {
	org *organizations.Client
	ec2 *ec2.Client
	sts *sts.Client
	iam *iam.Client
}

func newClients(cfg aws.Config) clients {
	return clients{
		org: organizations.NewFromConfig(cfg),
		ec2: ec2.NewFromConfig(cfg),
		sts: sts.NewFromConfig(cfg),
		iam: iam.NewFromConfig(cfg),
	}
}

// noRetry makes a config fail on the first error, so that error tests see
// one request each and never wait on the SDK's backoff, with one exception
// that is no behaviour of the emulator: a request whose connection Go's
// HTTP client closed under it (net.ErrClosed while reading an answer the
// server sent whole). The SDK's default retryer retries that error for the
// same reason (aws/aws-sdk-go-v2#2737); without it the tests failed about
// once in five runs of the package under load.
func noRetry(cfg aws.Config) aws.Config {
	cfg.RetryMaxAttempts = 0
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				return aws.BoolTernary(errors.Is(err, net.ErrClosed))
			})}
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		})
	}
	return cfg
}

// startServer starts an emulator over HTTP and returns the management
// account's clients (with retries off).
func startServer(t *testing.T, optFns ...func(*awstest.ServerOptions)) (*awstest.Server, clients) {
	t.Helper()
	srv := awstest.StartServer(t, optFns...)
	return srv, newClients(noRetry(srv.Config(t.Context(), mgmt)))
}

func as(srv *awstest.Server, t *testing.T, account string) clients {
	return newClients(noRetry(srv.Config(t.Context(), account)))
}

// wantCode fails unless err is an API error with code, and returns it.
func wantCode(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got error code %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	return ae
}

// wantStatus fails unless err carries the HTTP status.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("got error %v, want an HTTP response error", err)
	}
	if re.HTTPStatusCode() != status {
		t.Fatalf("got HTTP status %d, want %d", re.HTTPStatusCode(), status)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func enableIPAM(ctx context.Context, c clients, admin string) (*ec2.EnableIpamOrganizationAdminAccountOutput, error) {
	return c.ec2.EnableIpamOrganizationAdminAccount(ctx, &ec2.EnableIpamOrganizationAdminAccountInput{
		DelegatedAdminAccountId: aws.String(admin),
	})
}

func disableIPAM(ctx context.Context, c clients, admin string) (*ec2.DisableIpamOrganizationAdminAccountOutput, error) {
	return c.ec2.DisableIpamOrganizationAdminAccount(ctx, &ec2.DisableIpamOrganizationAdminAccountInput{
		DelegatedAdminAccountId: aws.String(admin),
	})
}

func getRole(ctx context.Context, c clients, name string) (*iam.GetRoleOutput, error) {
	return c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
}

func listAdmins(t *testing.T, c clients, principal string) []string {
	t.Helper()
	in := &organizations.ListDelegatedAdministratorsInput{}
	if principal != "" {
		in.ServicePrincipal = aws.String(principal)
	}
	var ids []string
	p := organizations.NewListDelegatedAdministratorsPaginator(c.org, in)
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListDelegatedAdministrators: %v", err)
		}
		for _, a := range out.DelegatedAdministrators {
			ids = append(ids, aws.ToString(a.Id))
		}
	}
	return ids
}

func listTrusted(t *testing.T, c clients) []string {
	t.Helper()
	var ps []string
	p := organizations.NewListAWSServiceAccessForOrganizationPaginator(c.org, &organizations.ListAWSServiceAccessForOrganizationInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListAWSServiceAccessForOrganization: %v", err)
		}
		for _, s := range out.EnabledServicePrincipals {
			ps = append(ps, aws.ToString(s.ServicePrincipal))
		}
	}
	return ps
}

// apiCode returns err's API error code, "" for nil, and "?" for other errors.
func apiCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "?"
}
