package awsclient

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
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
}

// NewFromConfig returns the SDK's clients for cfg, which should hold the
// management account's credentials. It makes no AWS call.
//
// Its MemberIAM builds each member's IAM client from a copy of cfg (same
// region, endpoint, HTTP client and retryer) with only the credentials
// replaced, wrapped in an aws.CredentialsCache.
func NewFromConfig(cfg aws.Config) Clients {
	return Clients{
		Organizations: organizations.NewFromConfig(cfg),
		EC2:           ec2.NewFromConfig(cfg),
		STS:           sts.NewFromConfig(cfg),
		IAM:           iam.NewFromConfig(cfg),
		MemberIAM:     MemberIAMFromConfig(cfg),
	}
}

// MemberIAMFromConfig returns the Clients.MemberIAM factory that
// NewFromConfig installs: each client is iam.NewFromConfig of a copy of cfg
// whose credentials are creds, wrapped in an aws.CredentialsCache so that a
// client used past the credentials' expiry asks creds again.
func MemberIAMFromConfig(cfg aws.Config) func(creds aws.CredentialsProvider) IAMAPI {
	return func(creds aws.CredentialsProvider) IAMAPI {
		c := cfg.Copy()
		c.Credentials = aws.NewCredentialsCache(creds)
		return iam.NewFromConfig(c)
	}
}

// ErrMissingClient is returned by Validate when a field of Clients is nil.
var ErrMissingClient = errors.New("awsclient: missing client")

// Validate reports, wrapping ErrMissingClient, every nil client of c.
// MemberIAM is optional and not checked.
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
