package awsclient

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Clients bundles one client for each AWS service the library calls. The
// zero value is not usable; build one with NewFromConfig, or fill every
// field (with mocks, say) and check it with Validate.
type Clients struct {
	Organizations OrganizationsAPI
	EC2           EC2API
	STS           STSAPI
	IAM           IAMAPI

	// MemberIAM returns an IAM client that acts with creds: the
	// credentials of a role assumed in a member account, so that the
	// fleet verification can read (and repair) that account's
	// AWSServiceRoleForIPAM. It is called once per member account and
	// must be safe for concurrent use. It is optional: Validate does not
	// require it, and only the fleet verification fails without it.
	MemberIAM func(creds aws.CredentialsProvider) IAMAPI

	// AdminEC2 returns an EC2 client for region that acts with creds:
	// the credentials of the role assumed in IPAM's delegated
	// administrator account, so that the library can read what IPAM
	// monitors (ipamorg's Monitoring) and which IPAMs stand in the way of
	// a teardown. A nil creds means the clients' own credentials (the
	// caller is the administrator); region "" means the configuration's
	// Region. It is called once per Region and must be safe for
	// concurrent use. Like MemberIAM it is optional: Validate does not
	// require it, and only the calls that read the administrator's IPAMs
	// fail without it.
	AdminEC2 func(creds aws.CredentialsProvider, region string) IPAMAPI
}

// NewFromConfig returns the SDK's clients for cfg, which should hold the
// management account's credentials. It makes no AWS call.
//
// Its MemberIAM and AdminEC2 build their clients as MemberIAMFromConfig and
// AdminEC2FromConfig say. Its MemberIAM builds each member's IAM client from a copy of cfg (same
// region, endpoint, HTTP client and retryer) with only the credentials
// replaced, wrapped in an aws.CredentialsCache.
//
// When cfg's HTTP client is the SDK's default (nil or an
// *awshttp.BuildableClient), the clients keep up to 300 idle connections
// per host instead of the SDK's 10: the library makes more calls than that
// at once (the fleet verification up to ipamorg.MaxVerifyConcurrency, 256,
// and its listing 16 more), and a pool smaller than the calls in flight
// closes connections only to open new ones (a TCP and TLS handshake each)
// a moment later. An HTTP client
// of another type is used as it is.
func NewFromConfig(cfg aws.Config) Clients {
	cfg.HTTPClient = withIdleConns(cfg.HTTPClient)
	return Clients{
		Organizations: organizations.NewFromConfig(cfg),
		EC2:           ec2.NewFromConfig(cfg),
		STS:           sts.NewFromConfig(cfg),
		IAM:           iam.NewFromConfig(cfg),
		MemberIAM:     MemberIAMFromConfig(cfg),
		AdminEC2:      AdminEC2FromConfig(cfg),
	}
}

// MemberIAMFromConfig returns the Clients.MemberIAM factory that
// NewFromConfig installs: each client is iam.NewFromConfig of a copy of cfg
// whose credentials are creds, wrapped in an aws.CredentialsCache so that a
// client used past the credentials' expiry asks creds again.
//
// Every client it returns shares one HTTP client, and so one pool of
// connections to IAM. (Left to itself, the SDK gives each client built
// from a config with the default HTTP client, or any
// *awshttp.BuildableClient, a transport of its own: one new connection,
// TLS handshake included, per member account, each then held idle for 90
// seconds, which at 10,000 accounts ran the process out of file
// descriptors.) The shared client is the one iam.NewFromConfig(cfg)
// resolves, frozen (BuildableClient.Freeze), so it keeps cfg's settings
// and the SDK's defaults for IAM.
func MemberIAMFromConfig(cfg aws.Config) func(creds aws.CredentialsProvider) IAMAPI {
	shared := cfg.Copy()
	shared.HTTPClient = frozenHTTPClient(iam.NewFromConfig(cfg).Options().HTTPClient)
	return func(creds aws.CredentialsProvider) IAMAPI {
		c := shared.Copy()
		c.Credentials = aws.NewCredentialsCache(creds)
		return iam.NewFromConfig(c)
	}
}

// AdminEC2FromConfig returns the Clients.AdminEC2 factory that
// NewFromConfig installs: each client is ec2.NewFromConfig of a copy of cfg
// with its Region replaced (unless region is "") and its credentials
// replaced by creds (unless nil), wrapped in an aws.CredentialsCache. As
// with MemberIAMFromConfig, every client shares one HTTP client, frozen
// from the one ec2.NewFromConfig(cfg) resolves, so that reading many
// Regions at once does not open a pool of connections per Region.
func AdminEC2FromConfig(cfg aws.Config) func(creds aws.CredentialsProvider, region string) IPAMAPI {
	shared := cfg.Copy()
	shared.HTTPClient = frozenHTTPClient(ec2.NewFromConfig(cfg).Options().HTTPClient)
	return func(creds aws.CredentialsProvider, region string) IPAMAPI {
		c := shared.Copy()
		if creds != nil {
			c.Credentials = aws.NewCredentialsCache(creds)
		}
		if region != "" {
			c.Region = region
		}
		return ec2.NewFromConfig(c)
	}
}

// idleConnsPerHost is the least number of idle connections per host that
// the clients of NewFromConfig keep for reuse (http.Transport's
// MaxIdleConnsPerHost; a transport set higher keeps its value): the fleet
// verification's largest concurrency (256) and its listing's (16), with
// room to spare. Idle connections cost a file descriptor each, and only as
// many as were in use at once.
const idleConnsPerHost = 300

// withIdleConns returns hc, the SDK's default HTTP client when nil, with at
// least idleConnsPerHost idle connections per host if it is a
// BuildableClient; any other client as it is.
func withIdleConns(hc aws.HTTPClient) aws.HTTPClient {
	b, ok := hc.(*awshttp.BuildableClient)
	switch {
	case hc == nil:
		b = awshttp.NewBuildableClient()
	case !ok:
		return hc
	}
	return b.WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConnsPerHost = max(tr.MaxIdleConnsPerHost, idleConnsPerHost)
		if tr.MaxIdleConns != 0 { // 0 is no limit
			// The limit over all hosts must not undo the one per host.
			tr.MaxIdleConns = max(tr.MaxIdleConns, tr.MaxIdleConnsPerHost)
		}
	})
}

// frozenHTTPClient returns hc, built once if it is a BuildableClient, which
// the SDK would otherwise copy (transport included) into every client.
func frozenHTTPClient(hc aws.HTTPClient) aws.HTTPClient {
	if b, ok := hc.(*awshttp.BuildableClient); ok {
		return b.Freeze()
	}
	return hc
}

// ErrMissingClient is returned by Validate when a field of Clients is nil.
var ErrMissingClient = errors.New("awsclient: missing client")

// Validate reports, wrapping ErrMissingClient, every nil client of c.
// MemberIAM and AdminEC2 are optional and not checked.
func (c Clients) Validate() error {
	var errs []error
	for _, f := range []struct {
		name    string
		missing bool
	}{
		{"Organizations", c.Organizations == nil},
		{"EC2", c.EC2 == nil},
		{"STS", c.STS == nil},
		{"IAM", c.IAM == nil},
	} {
		if f.missing {
			errs = append(errs, fmt.Errorf("%w: %s", ErrMissingClient, f.name))
		}
	}
	return errors.Join(errs...)
}
